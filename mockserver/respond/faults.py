"""WireMock's faults and the chaos hang, done to the connection itself (the only module that
touches sockets).

Both are aiohttp responses whose `prepare` (called by aiohttp after the handler returned, so
the request is already journaled) breaks or holds the connection and then reports the
connection as gone; aiohttp takes that as a client disconnect: no traceback, no 500.
"""

from __future__ import annotations

import asyncio
import socket
import struct
from typing import Any, cast

from aiohttp import web

from mockserver.model import Fault

GARBAGE = b"lskdu018973t09sylgasjkfg1][]'./.sdlv"
HANG_POLL = 0.25  # seconds between checks that a hanging request's client is still there
RELEASE_HANGS: web.AppKey[asyncio.Event] = web.AppKey("mockserver_release_hangs", asyncio.Event)


def inject(fault: Fault, transport: asyncio.BaseTransport | None) -> None:
    """Break the connection the way `fault` says; nothing may be written after this."""
    if transport is None or transport.is_closing():
        return
    # uvloop's transports have these methods without subclassing asyncio's classes
    transport = cast(asyncio.WriteTransport, transport)
    if fault is Fault.CONNECTION_RESET_BY_PEER:
        _linger_zero(transport)
        transport.abort()
        return
    if fault is Fault.MALFORMED_RESPONSE_CHUNK:
        transport.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + GARBAGE)
    elif fault is Fault.RANDOM_DATA_THEN_CLOSE:
        transport.write(GARBAGE)
    transport.close()


def _linger_zero(transport: asyncio.BaseTransport) -> None:
    """SO_LINGER 0, so closing sends a TCP RST instead of a FIN."""
    sock = transport.get_extra_info("socket")
    if sock is None:
        return
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass


class FaultResponse(web.StreamResponse):
    """Injects `fault` instead of writing a response."""

    def __init__(self, fault: Fault) -> None:
        super().__init__()
        self.fault = fault

    async def prepare(self, request: web.BaseRequest) -> Any:
        inject(self.fault, request.transport)
        raise ConnectionResetError(f"fault {self.fault.value} injected")


class HangResponse(web.StreamResponse):
    """Never answers: waits until the client gives up or the server stops, then closes."""

    def __init__(self, release: asyncio.Event) -> None:
        super().__init__()
        self._release = release

    async def prepare(self, request: web.BaseRequest) -> Any:
        while not self._release.is_set():
            transport = request.transport
            if transport is None or transport.is_closing():
                break
            try:
                await asyncio.wait_for(self._release.wait(), HANG_POLL)
            except asyncio.TimeoutError:
                pass
        if request.transport is not None:
            request.transport.close()
        raise ConnectionResetError("hang ended")


def setup(app: web.Application) -> None:
    """Hanging requests end when the server starts shutting down, so they never delay it."""
    app[RELEASE_HANGS] = asyncio.Event()

    async def release(app: web.Application) -> None:
        app[RELEASE_HANGS].set()

    app.on_shutdown.append(release)
