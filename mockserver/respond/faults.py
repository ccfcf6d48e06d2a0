"""WireMock's faults, done to the connection itself (the only module that touches sockets).

The data plane calls `inject` after the request has been journaled, with the transport of
the connection: asyncio's or uvloop's, both work (uvloop's do not subclass asyncio's).
"""

from __future__ import annotations

import asyncio
import socket
import struct
from typing import cast

from mockserver.model import Fault

GARBAGE = b"lskdu018973t09sylgasjkfg1][]'./.sdlv"


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
