"""The aiohttp application behind `/__admin`: the admin API's routes, nothing of the stubs'.

Stub traffic never reaches aiohttp: `serve.wire` answers it through the data plane and hands
a connection over only when an admin request arrives on it. Such a connection stays with
aiohttp; should a stub request follow on it, the catch-all route here answers it through the
same data plane, writing to the socket directly, and then closes the connection so that the
client's next request starts a fresh one on the stub wire.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, cast

from aiohttp import web

from mockserver.admin import add_admin_routes
from mockserver.exchange import WireRequest
from mockserver.serve.dataplane import DataPlane
from mockserver.serve.reply import Reply
from mockserver.serve.state import STATE, ServerState

PLANE: web.AppKey[DataPlane] = web.AppKey("mockserver_data_plane", DataPlane)


class _Borrowed:
    """A connection aiohttp owns, lent to the data plane for one answer."""

    def __init__(self, transport: asyncio.Transport) -> None:
        self.transport: asyncio.Transport | None = transport

    async def drain(self) -> None:
        await asyncio.sleep(0)  # aiohttp keeps the flow control; this yields at least


class _AnsweredByDataPlane(web.StreamResponse):
    """Answers the stub request by writing to the socket itself, then reports the connection
    as gone (aiohttp takes that as a client disconnect: nothing more is written)."""

    def __init__(self, plane: DataPlane) -> None:
        super().__init__()
        self._plane = plane

    async def prepare(self, request: web.BaseRequest) -> Any:
        transport = cast(asyncio.Transport, request.transport)
        if transport is None or transport.is_closing():
            raise ConnectionResetError("client went away")
        body = await request.read()
        stub_request = WireRequest(
            request.method, request.raw_path or "/", list(request.raw_headers),
            [body] if body else [],
            peer=transport.get_extra_info("peername"),
            sockname=transport.get_extra_info("sockname"),
            scheme=request.scheme, protocol=f"HTTP/{request.version.major}."
            f"{request.version.minor}", logged_date=time.time())
        version = f"{request.version.major}.{request.version.minor}".encode()
        reply = Reply(_Borrowed(transport), head_only=request.method == "HEAD",
                      version=version, keep_alive=False)
        try:
            pending = self._plane.handle(stub_request, reply)
            if pending is not None:
                await pending
        except Exception as exc:  # noqa: BLE001 - as on the stub wire: logged, a plain 500
            self._plane.failed(stub_request, reply, exc)
        finally:
            transport.close()
        raise ConnectionResetError("answered by the data plane")


async def stub_on_admin_connection(request: web.Request) -> web.StreamResponse:
    return _AnsweredByDataPlane(request.app[PLANE])


def create_admin_app(state: ServerState, plane: DataPlane) -> web.Application:
    app = web.Application(client_max_size=state.options.max_request_body, handler_args={
        "max_field_size": 65536, "max_line_size": 65536,
        "auto_decompress": False,  # admin.http.read_json inflates once, within the same limit
    })
    app[STATE] = state
    app[PLANE] = plane

    async def close_webhooks(_app: web.Application) -> None:
        await state.webhooks.close()

    app.on_cleanup.append(close_webhooks)
    add_admin_routes(app)
    app.router.add_route("*", "/{tail:.*}", stub_on_admin_connection)
    return app
