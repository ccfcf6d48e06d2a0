"""Callable responses: a Python function answers a stub's requests, inside the test process.

The callable gets a `JournalledRequest` (headers by any case, `.json()`, `.query`).

The stub is an ordinary WireMock proxy stub whose `proxyBaseUrl` points at a small loopback
server this module runs on the mock server's own event loop, so the callable runs on that
loop (in its thread, for a `with MockServer()` server): it must not block for long, since
every other request waits meanwhile, and it must not call back into the same `MockServer`
synchronously (that would wait on the loop it is running on). A coroutine function is awaited.

The journal still records the request as matched by the stub, with the callable's answer.
"""

from __future__ import annotations

import inspect
import json as jsonlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from mockserver.api.journalled import JournalledRequest
from mockserver.exchange import Request, new_id
from mockserver.journal import ServeEvent
from mockserver.serve.responses import OwnHeadersResponse

__all__ = ["Reply", "Responder"]

PREFIX = "/__responder/"


@dataclass
class Reply:
    """What a callable may return: a status, a body (text, bytes or JSON) and headers."""

    status: int = 200
    body: str | bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    json: Any = None

    def encoded(self) -> tuple[bytes, dict[str, str]]:
        headers = dict(self.headers)
        if self.json is not None:
            headers.setdefault("Content-Type", "application/json")
            return jsonlib.dumps(self.json).encode(), headers
        if isinstance(self.body, str):
            if not any(k.lower() == "content-type" for k in headers):
                headers["Content-Type"] = "text/plain; charset=utf-8"
            return self.body.encode(), headers
        return self.body, headers


def as_reply(value: Any) -> Reply:
    """`Reply`, `(status, body[, headers])`, a str/bytes body, or a JSON value (dict/list)."""
    if isinstance(value, Reply):
        return value
    if isinstance(value, tuple):
        parts: tuple[Any, ...] = value
        status, body = parts[0], parts[1]
        headers: Mapping[str, str] = parts[2] if len(parts) > 2 else {}
        if isinstance(body, (dict, list)):
            return Reply(status, headers=headers, json=body)
        return Reply(status, body=body if body is not None else b"", headers=headers)
    if isinstance(value, (str, bytes)):
        return Reply(200, body=value)
    if value is None:
        return Reply(204)
    return Reply(200, json=value)


class Responder:
    """The loopback server behind callable stubs; one per `MockServer`, started on first use."""

    def __init__(self) -> None:
        self._callables: dict[str, Callable[..., Any]] = {}
        self._runner: web.AppRunner | None = None
        self.port = 0

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", PREFIX + "{key}/{tail:.*}", self._handle)
        app.router.add_route("*", PREFIX + "{key}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False,
                                     shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        sockets: Any = getattr(site._server, "sockets", None)
        self.port = int(sockets[0].getsockname()[1])

    @property
    def started(self) -> bool:
        return self._runner is not None

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def mapping_for(self, mapping: dict[str, Any], func: Callable[..., Any]) -> dict[str, Any]:
        """`mapping` answered by `func`: a proxy stub to this server under a fresh key."""
        key = new_id()
        self._callables[key] = func
        mapping["response"] = {"proxyBaseUrl": f"http://127.0.0.1:{self.port}{PREFIX}{key}"}
        return mapping

    async def _handle(self, http: web.Request) -> web.Response:
        func = self._callables.get(http.match_info["key"])
        if func is None:
            return web.Response(status=500, text="this callable stub was removed")
        path = "/" + http.match_info.get("tail", "")
        url = path + (f"?{http.query_string}" if http.query_string else "")
        request = Request(method=http.method, url=url,
                          headers=[(k, v) for k, v in http.headers.items()],
                          body=await http.read(), logged_date=time.time())
        try:
            value = func(JournalledRequest(ServeEvent(request, None)))
            if inspect.isawaitable(value):
                value = await value
            reply = as_reply(value)
            body, headers = reply.encoded()
        except Exception as exc:  # noqa: BLE001 - the test sees a 500 naming the error
            return web.Response(status=500, text=f"callable stub raised {exc!r}")
        # only the callable's headers, as a stub answer has only the stub's
        return OwnHeadersResponse(status=reply.status, body=body, headers=headers)
