"""WireMock's faults, done to the connection itself (the only module that touches sockets)."""

from __future__ import annotations

import asyncio
import socket
import struct

from mockserver.model import Fault

GARBAGE = b"lskdu018973t09sylgasjkfg1][]'./.sdlv"


def inject(fault: Fault, transport: asyncio.BaseTransport | None) -> None:
    """Break the connection the way `fault` says; the handler must not write after this."""
    if transport is None or transport.is_closing():
        return
    assert isinstance(transport, asyncio.WriteTransport)
    if fault is Fault.CONNECTION_RESET_BY_PEER:
        sock = transport.get_extra_info("socket")
        if sock is not None:
            try:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            except OSError:
                pass
        transport.abort()
        return
    if fault is Fault.MALFORMED_RESPONSE_CHUNK:
        transport.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + GARBAGE)
    elif fault is Fault.RANDOM_DATA_THEN_CLOSE:
        transport.write(GARBAGE)
    transport.close()
