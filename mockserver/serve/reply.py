"""Writing one HTTP/1.1 answer: status line, headers and framing, then the body.

A `Reply` writes whole answers (`send`, or `send_encoded` for one encoded ahead and reused)
or streamed ones (`start`, `write`, `end`: `Content-Length` when known, else chunked) to an
`Outlet`: the stub wire's connection, or a connection aiohttp lends for one answer. HEAD
answers announce their length and send no body; 1xx, 204 and 304 have neither.
"""

from __future__ import annotations

import asyncio
import time
from email.utils import formatdate
from http import HTTPStatus
from typing import Protocol

from mockserver.respond.delays import Slices

_FRAMING = frozenset({"content-length", "transfer-encoding"})
REASONS = {status.value: status.phrase.encode() for status in HTTPStatus}


class Outlet(Protocol):
    """Where a `Reply` writes: a transport, and a wait for the client to read."""

    transport: asyncio.Transport | None

    async def drain(self) -> None: ...


class DateHeader:
    """The `Date` header line, formatted once a second rather than once a response."""

    def __init__(self) -> None:
        self._second = -1
        self._line = b""

    def line(self) -> bytes:
        now = int(time.time())
        if now != self._second:
            self._second = now
            self._line = b"Date: " + formatdate(now, usegmt=True).encode() + b"\r\n"
        return self._line


DATE = DateHeader()


def status_line(version: bytes, status: int, reason: str | None) -> bytes:
    phrase = reason.encode("latin-1", "replace") if reason else REASONS.get(status, b"")
    return b"HTTP/%s %d %s\r\n" % (version, status, phrase)


def header_lines(headers: list[tuple[str, str]], *, skip_framing: bool = True) -> bytes:
    """Headers as sent: CR and LF inside a value become spaces (no response splitting)."""
    out = []
    for name, value in headers:
        if skip_framing and name.lower() in _FRAMING:
            continue
        line = f"{name}: {value}\r\n"
        if "\r" in line[:-2] or "\n" in line[:-2]:
            line = line[:-2].replace("\r", " ").replace("\n", " ") + "\r\n"
        out.append(line)
    return "".join(out).encode("utf-8")


def bodiless(status: int) -> bool:
    return status < 200 or status in (204, 304)


class Encoded:
    """A whole response as bytes, but for the `Date` and `Connection` lines (per response)."""

    __slots__ = ("status_tail", "rest", "body", "bodiless")

    def __init__(self, status: int, reason: str | None, headers: list[tuple[str, str]],
                 body: bytes) -> None:
        phrase = reason.encode("latin-1", "replace") if reason else REASONS.get(status, b"")
        self.status_tail = b" %d %s\r\n" % (status, phrase)
        self.bodiless = bodiless(status)
        framing = b"" if self.bodiless else b"Content-Length: %d\r\n" % len(body)
        self.rest = header_lines(headers) + framing
        self.body = body


class Shaper(Protocol):
    """Changes an answer on its way out (`serve.shaping`: CORS headers, gzip)."""

    cors: bool
    method: str

    def head(self, headers: list[tuple[str, str]]) -> list[tuple[str, str]]: ...

    def whole(self, status: int, headers: list[tuple[str, str]],
              body: bytes) -> tuple[list[tuple[str, str]], bytes]: ...


class Reply:
    """The answer to one request, written in order on its connection.

    Either `send` a whole response, or `start` one and `write` its body as it comes (with
    `Content-Length` when known, else chunked); `end` finishes a started one. A `shape`, when
    set, changes what `send` and `start` write (`send_encoded` writes its bytes as they are:
    callers holding a shape send instead).
    """

    __slots__ = ("_conn", "head_only", "version", "keep_alive", "started", "_chunked",
                 "_skip_body", "shape")

    def __init__(self, conn: Outlet, *, head_only: bool, version: bytes,
                 keep_alive: bool) -> None:
        self._conn = conn
        self.head_only = head_only
        self.version = version
        self.keep_alive = keep_alive
        self.started = False
        self._chunked = False
        self._skip_body = head_only
        self.shape: Shaper | None = None

    @property
    def transport(self) -> asyncio.Transport | None:
        """For faults, which break the connection itself."""
        return self._conn.transport

    @property
    def closed(self) -> bool:
        transport = self._conn.transport
        return transport is None or transport.is_closing()

    def _connection_line(self) -> bytes:
        if not self.keep_alive:
            return b"Connection: close\r\n"
        return b"Connection: keep-alive\r\n" if self.version == b"1.0" else b""

    def send_encoded(self, encoded: Encoded) -> None:
        """A whole response; `encoded` may be one made ahead and reused (static stubs)."""
        transport = self._conn.transport
        if transport is None or transport.is_closing():
            return
        self.started = True
        if self.keep_alive:
            connection = b"Connection: keep-alive\r\n" if self.version == b"1.0" else b""
        else:
            connection = b"Connection: close\r\n"
        head = b"".join((b"HTTP/", self.version, encoded.status_tail, DATE.line(),
                         encoded.rest, connection, b"\r\n"))
        body = encoded.body
        transport.write(head if self._skip_body or encoded.bodiless or not body else head + body)

    def send(self, status: int, reason: str | None, headers: list[tuple[str, str]],
             body: bytes) -> None:
        if self.shape is not None:
            headers, body = self.shape.whole(status, headers, body)
        self.send_encoded(Encoded(status, reason, headers, body))

    async def start(self, status: int, reason: str | None, headers: list[tuple[str, str]],
                    length: int | None = None) -> None:
        """The status line and headers; the body follows with `write`."""
        if self.shape is not None:
            headers = self.shape.head(headers)
        transport = self._conn.transport
        if transport is None or transport.is_closing():
            raise ConnectionResetError("client went away")
        if bodiless(status):
            self._skip_body = True
            framing = b""
        elif length is not None:
            framing = b"Content-Length: %d\r\n" % length
        elif self.version == b"1.0":
            framing = b""
            self.keep_alive = False  # the body ends when the connection does
        else:
            framing = b"Transfer-Encoding: chunked\r\n"
            self._chunked = not self._skip_body
        self.started = True
        transport.write(status_line(self.version, status, reason) + header_lines(headers)
                        + framing + DATE.line() + self._connection_line() + b"\r\n")
        await self._conn.drain()

    async def write(self, data: bytes) -> None:
        transport = self._conn.transport
        if transport is None or transport.is_closing():
            raise ConnectionResetError("client went away")
        if self._skip_body or not data:
            return
        if self._chunked:
            transport.writelines((b"%x\r\n" % len(data), data, b"\r\n"))
        else:
            transport.write(data)
        await self._conn.drain()

    async def end(self) -> None:
        if self._chunked:
            transport = self._conn.transport
            if transport is not None and not transport.is_closing():
                transport.write(b"0\r\n\r\n")
            self._chunked = False

    def close(self) -> None:
        """Close the connection after this answer (e.g. an upstream broke off mid-body)."""
        self.keep_alive = False
        transport = self._conn.transport
        if transport is not None:
            transport.close()


async def write_paced(reply: Reply, body: bytes, pacing: Slices) -> None:
    """Write `body` slice by slice, waiting the pacing's interval before each slice: one
    pacing for stub bodies and proxied ones, so `chunkedDribbleDelay` means the same."""
    interval, slices = pacing
    for start, end in slices:
        await asyncio.sleep(interval)
        await reply.write(body[start:end])
