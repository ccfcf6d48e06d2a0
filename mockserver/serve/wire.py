"""HTTP/1.1 on the wire for stub traffic: an asyncio `Protocol` over the httptools parser.

One `Connection` per socket parses requests (pipelined ones queue and are answered in order),
hands each to the data plane with a `Reply` to write the answer through, and keeps the
connection's duties: keep-alive and its idle timeout, flow control both ways (reading pauses
while answers are owed or the client is not reading; writers wait for the socket to drain),
`Expect: 100-continue`, chunked request bodies, no body for HEAD, 1xx, 204 and 304, and
limits on the request line, the headers and the body.

A request for `/__admin/...` is the admin API's: the connection is handed to aiohttp's own
protocol (`admin_protocol()`, one `RequestHandler` of the admin app's server). The requests
already parsed are given to it re-encoded (`Content-Length` framing), then, at the first
point where no request is half-read, the transport is switched to it with `set_protocol`.
From then on the connection stays with aiohttp: a stub request on it is answered through the
same data plane by the admin app's catch-all route, which then closes the connection so that
the client's next request arrives on a fresh one.
"""

from __future__ import annotations

import asyncio
import collections
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Protocol, cast
from urllib.parse import unquote_to_bytes

import httptools

from mockserver.errors import MockServerError
from mockserver.exchange import WireRequest
from mockserver.serve.reply import REASONS, Reply, status_line

ADMIN_PREFIX = b"/__admin/"
NAMESPACE_PREFIX = b"/__ns/"
CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
_VERSIONS = {"1.1": ("HTTP/1.1", b"1.1"), "1.0": ("HTTP/1.0", b"1.0")}
_METHODS = {m.encode(): m for m in ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS")}


def is_admin(url: bytes) -> bool:
    """Whether the request target is the admin API's (`/__admin`, `/__admin/...`, and the same
    under a namespace's `/__ns/{name}`), compared decoded, as aiohttp's router would; the
    common stub request costs one prefix test."""
    if url.startswith(b"/") and not url.startswith(b"/__") and b"%" not in url:
        return False
    path = url.split(b"?", 1)[0]
    if not path.startswith(b"/"):  # absolute-form: http://host/path
        path = b"/" + path.split(b"://", 1)[-1].partition(b"/")[2]
    if b"%" in path:
        path = unquote_to_bytes(path)
    if path.startswith(NAMESPACE_PREFIX):  # /__ns/{name}/__admin/...: a namespace's admin API
        path = path[len(NAMESPACE_PREFIX):].partition(b"/")[2]
        path = b"/" + path
    return path.startswith(ADMIN_PREFIX) or path == ADMIN_PREFIX[:-1]


@dataclass(frozen=True)
class Limits:
    """What one request may be; beyond it the client gets a 4xx and the connection closes."""

    max_url: int = 65536  # bytes of request target: 414
    max_header_field: int = 65536  # bytes of one header name or value: 431
    max_headers: int = 1000  # header lines: 431
    max_head: int = 1024 * 1024  # bytes of request line and headers together: 431
    max_body: int = 1024**3  # bytes of body: 413
    keep_alive_timeout: float = 75.0  # seconds an idle connection is kept open
    max_queued: int = 32  # pipelined requests parsed ahead of their answers


class Plane(Protocol):
    """The data plane, as the wire sees it."""

    def handle(
        self, request: WireRequest, reply: Reply
    ) -> Coroutine[Any, Any, None] | None: ...

    def failed(self, request: WireRequest, reply: Reply, exc: BaseException) -> None: ...


class RequestRefused(MockServerError):
    """A request over a limit: answered with `status`, then the connection closes. Raised in
    the parser's callbacks and caught around the parser; it never leaves this module."""

    def __init__(self, status: int) -> None:
        self.status = status


class _Admin:
    """A parsed request for the admin API, re-encoded for aiohttp's parser."""

    __slots__ = ("data",)

    def __init__(self, data: bytes) -> None:
        self.data = data


class Connection(asyncio.Protocol):
    """One client connection (see the module docstring)."""

    def __init__(
        self,
        plane: Plane,
        admin_protocol: Callable[[], asyncio.Protocol],
        *,
        limits: Limits,
        scheme: str = "http",
        connections: set[Connection] | None = None,
    ) -> None:
        self.plane = plane
        self.admin_protocol = admin_protocol
        self.limits = limits
        self.scheme = scheme
        self._connections = connections
        self.loop = asyncio.get_running_loop()
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpRequestParser(self)
        self._peer: Any = None
        self._sockname: Any = None
        # the request being parsed
        self._url = b""
        self._headers: list[tuple[bytes, bytes]] = []
        self._body: list[bytes] = []
        self._body_size = 0
        self._head_size = 0
        self._tail = b""
        self._in_head = False
        self._in_message = False
        self._admin = False
        self._expects_continue = False
        self._reparse: bytes | None = None  # an upgrade request's head, to parse again
        self._keep_alive = True
        self._method = ""
        # answers owed, in order
        self._queue: collections.deque[tuple[WireRequest, Reply] | _Admin] = (
            collections.deque())
        self._task: asyncio.Task[None] | None = None
        self._read_paused: set[str] = set()
        self._write_paused = False
        self._drain_waiters: list[asyncio.Future[None]] = []
        self._idle_timer: asyncio.TimerHandle | None = None
        self._idle_since: float | None = None
        self._closing = False
        self._handoff: asyncio.Protocol | None = None  # aiohttp's, once admin traffic came

    # -- asyncio.Protocol ---------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)
        self._peer = transport.get_extra_info("peername")
        self._sockname = transport.get_extra_info("sockname")
        if self._connections is not None:
            self._connections.add(self)
        self._arm_idle_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._closing = True
        if self._connections is not None:
            self._connections.discard(self)
        self._stop_idle_timer()
        for waiter in self._drain_waiters:
            if not waiter.done():
                waiter.set_exception(ConnectionResetError("client went away"))
        self._drain_waiters.clear()
        self._queue.clear()
        if self._handoff is not None:
            self._handoff.connection_lost(exc)
        self.transport = None

    def pause_writing(self) -> None:
        self._write_paused = True
        self._pause_reading("writing")
        if self._handoff is not None:
            self._handoff.pause_writing()

    def resume_writing(self) -> None:
        self._write_paused = False
        for waiter in self._drain_waiters:
            if not waiter.done():
                waiter.set_result(None)
        self._drain_waiters.clear()
        self._resume_reading("writing")
        if self._handoff is not None:
            self._handoff.resume_writing()

    def data_received(self, data: bytes) -> None:
        self._cancel_idle_timer()
        if self._in_head:  # a head carried over from an earlier read: count what follows
            # only up to its end: the rest of the read is further pipelined requests
            window = self._tail + data
            end = window.find(b"\r\n\r\n")
            self._head_size += len(data) if end < 0 else end + 4 - len(self._tail)
        self._tail = data[-3:]  # a head's end may straddle two reads
        try:
            if self._head_size > self.limits.max_head:
                raise RequestRefused(431)
            self._feed(data)
        except RequestRefused as refused:
            self._refuse(refused.status)
            return
        except httptools.HttpParserError as exc:
            cause = exc.__context__
            self._refuse(cause.status if isinstance(cause, RequestRefused) else 400)
            return
        if self._handoff is not None and not self._in_message and not self._queue:
            self._switch()
        elif self._task is None and not self._queue:
            self._arm_idle_timer()

    def _feed(self, data: bytes) -> None:
        while True:
            try:
                self.parser.feed_data(data)
                return
            except httptools.HttpParserUpgrade as upgrade:
                # `Upgrade: h2c` and the like: answered as plain HTTP/1.1, parsing goes on
                data = data[upgrade.args[0]:]
                if self._reparse is not None:
                    # the parser ended the message at its head and took the body for the
                    # new protocol: parse the head again, without the upgrade, and the body
                    head, self._reparse = self._reparse, None
                    self.parser = httptools.HttpRequestParser(self)
                    data = head + data
                if not data:
                    return

    def eof_received(self) -> bool | None:
        return None  # close once the answers owed are written (the transport does it)

    # -- httptools callbacks ------------------------------------------------------------
    def on_message_begin(self) -> None:
        self._in_message = True
        self._in_head = True
        self._url = b""
        self._headers = []
        self._body = []
        self._body_size = 0
        self._admin = False
        self._expects_continue = False

    def on_url(self, url: bytes) -> None:
        self._url += url
        if len(self._url) > self.limits.max_url:
            raise RequestRefused(414)

    def on_header(self, name: bytes, value: bytes) -> None:
        limit = self.limits.max_header_field
        if len(name) > limit or len(value) > limit or len(self._headers) >= self.limits.max_headers:
            raise RequestRefused(431)
        self._headers.append((name, value))

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._head_size = 0
        parser = self.parser
        method = parser.get_method()
        self._method = _METHODS.get(method) or method.decode("ascii")
        self._keep_alive = parser.should_keep_alive()
        for name, value in self._headers:
            size = len(name)
            if size == 14 and name.lower() == b"content-length":
                value = value.strip()
                if value.isdigit() and int(value) > self.limits.max_body:
                    raise RequestRefused(413)
            elif size == 6 and name.lower() == b"expect":
                self._expects_continue = value.strip().lower() == b"100-continue"
        self._admin = is_admin(self._url)
        if parser.should_upgrade() and self._method != "CONNECT" and self._has_body():
            self._reparse = self._head_without_upgrade()
        if (self._expects_continue and self._reparse is None and self._task is None
                and not self._queue):
            self._send_continue()

    def on_body(self, body: bytes) -> None:
        self._body_size += len(body)
        if self._body_size > self.limits.max_body:
            raise RequestRefused(413)
        self._body.append(body)

    def on_message_complete(self) -> None:
        self._in_message = False
        self._head_size = 0
        if self._reparse is not None:
            return  # an upgrade request with a body: it completes when parsed again
        if self._admin or self._handoff is not None:
            self._queue.append(_Admin(self._reencoded()))
        else:
            version = self.parser.get_http_version()
            protocol, wire_version = _VERSIONS.get(version) or (f"HTTP/{version}",
                                                                 version.encode("ascii"))
            request = WireRequest(
                self._method, self._url.decode("latin-1") or "/", self._headers, self._body,
                peer=self._peer, sockname=self._sockname, scheme=self.scheme,
                protocol=protocol, logged_date=time.time())
            reply = Reply(self, head_only=self._method == "HEAD", version=wire_version,
                          keep_alive=self._keep_alive)
            if self._task is None and not self._queue:
                self._dispatch(request, reply)
                return
            self._queue.append((request, reply))
        if len(self._queue) >= self.limits.max_queued:
            self._pause_reading("queue")
        if self._task is None:
            self._next()

    # -- answering ----------------------------------------------------------------------
    def _dispatch(self, request: WireRequest, reply: Reply) -> None:
        try:
            pending = self.plane.handle(request, reply)
        except Exception as exc:  # noqa: BLE001 - one bad request never ends the server
            self.plane.failed(request, reply, exc)
            pending = None
        if pending is None:
            self._answered(reply)
        else:
            self._task = self.loop.create_task(self._run(pending, request, reply))

    async def _run(self, pending: Coroutine[Any, Any, None], request: WireRequest,
                   reply: Reply) -> None:
        try:
            await pending
        except (ConnectionError, asyncio.CancelledError):
            reply.keep_alive = False
        except Exception as exc:  # noqa: BLE001 - one bad request never ends the server
            self.plane.failed(request, reply, exc)
            reply.keep_alive = False
        self._task = None
        self._answered(reply)
        self._next()

    def _answered(self, reply: Reply) -> None:
        if not reply.keep_alive and self.transport is not None:
            self._closing = True
            self._queue.clear()
            self.transport.close()

    def _next(self) -> None:
        """Answer queued requests until one needs waiting for (or the queue is empty)."""
        while self._task is None and self._queue and not self._closing:
            item = self._queue.popleft()
            if isinstance(item, _Admin):
                self._hand_to_admin(item)
                continue
            self._dispatch(*item)
        if self._closing or self._task is not None:
            return
        if len(self._queue) < self.limits.max_queued:
            self._resume_reading("queue")
        if self._in_message and self._expects_continue and not self._handoff:
            self._send_continue()
        if self._handoff is not None and not self._in_message:
            self._switch()
        elif not self._queue:
            self._arm_idle_timer()

    def _send_continue(self) -> None:
        self._expects_continue = False
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(CONTINUE)

    def _refuse(self, status: int) -> None:
        """Answer a request over a limit (or unparseable) and close the connection."""
        self._closing = True
        self._queue.clear()
        transport = self.transport
        if transport is None or transport.is_closing():
            return
        if self._task is None and self._handoff is None:
            body = REASONS.get(status, b"Bad Request")
            transport.write(status_line(b"1.1", status, None) + b"Content-Type: text/plain\r\n"
                            b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body)
                            + body)
        transport.close()

    async def drain(self) -> None:
        """Wait while the client is not reading what was written."""
        if not self._write_paused:
            return
        if self.transport is None:
            raise ConnectionResetError("client went away")
        waiter = self.loop.create_future()
        self._drain_waiters.append(waiter)
        await waiter

    # -- flow control and timers --------------------------------------------------------
    def _pause_reading(self, reason: str) -> None:
        if not self._read_paused and self.transport is not None:
            self.transport.pause_reading()
        self._read_paused.add(reason)

    def _resume_reading(self, reason: str) -> None:
        if reason not in self._read_paused:
            return
        self._read_paused.discard(reason)
        if not self._read_paused and self.transport is not None and not self._closing:
            self.transport.resume_reading()

    def _arm_idle_timer(self) -> None:
        """Idle from now; one timer per connection checks (not one per request)."""
        if self._closing or self.transport is None:
            return
        self._idle_since = self.loop.time()
        if self._idle_timer is None:
            self._idle_timer = self.loop.call_at(
                self._idle_since + self.limits.keep_alive_timeout, self._idle)

    def _cancel_idle_timer(self) -> None:
        self._idle_since = None  # busy: the timer, when it fires, finds nothing to do

    def _stop_idle_timer(self) -> None:
        self._idle_since = None
        if self._idle_timer is not None:
            self._idle_timer.cancel()
            self._idle_timer = None

    def _idle(self) -> None:
        self._idle_timer = None
        since = self._idle_since
        if since is None or self.transport is None or self._closing:
            return
        due = since + self.limits.keep_alive_timeout
        if self.loop.time() < due:
            self._idle_timer = self.loop.call_at(due, self._idle)
            return
        if self._task is None and not self._queue:
            self._closing = True
            self.transport.close()

    def close(self) -> None:
        """Server shutdown: stop the answer being written and close."""
        if self._task is not None:
            self._task.cancel()
        if self.transport is not None:
            self.transport.close()

    # -- the admin API's connections ----------------------------------------------------
    def _has_body(self) -> bool:
        for name, value in self._headers:
            low = name.lower()
            if low == b"transfer-encoding" or (low == b"content-length" and value.strip()
                                                not in (b"", b"0")):
                return True
        return False

    def _head_without_upgrade(self) -> bytes:
        """This request's head with `upgrade` taken out of `Connection` (Java's HttpClient
        asks for h2c on every request, bodies included; the server speaks HTTP/1.1)."""
        version = self.parser.get_http_version().encode("ascii")
        lines = [self._method.encode("ascii") + b" " + self._url + b" HTTP/" + version]
        for name, value in self._headers:
            if name.lower() == b"connection":
                tokens = [t.strip() for t in value.split(b",")
                          if t.strip() and t.strip().lower() != b"upgrade"]
                if not tokens:
                    continue
                value = b", ".join(tokens)
            lines.append(name + b": " + value)
        return b"\r\n".join(lines) + b"\r\n\r\n"

    def _reencoded(self) -> bytes:
        """The parsed request as aiohttp's parser expects it, the body framed by length."""
        body = b"".join(self._body)
        version = self.parser.get_http_version().encode("ascii")
        lines = [self._method.encode("ascii") + b" " + self._url + b" HTTP/" + version]
        for name, value in self._headers:
            low = name.lower()
            if low in (b"content-length", b"transfer-encoding", b"expect"):
                continue
            lines.append(name + b": " + value)
        lines.append(b"Content-Length: %d" % len(body))
        return b"\r\n".join(lines) + b"\r\n\r\n" + body

    def _hand_to_admin(self, item: _Admin) -> None:
        if self.transport is None:
            return
        if self._handoff is None:
            self._stop_idle_timer()
            self._handoff = self.admin_protocol()
            self._handoff.connection_made(self.transport)
            self._resume_reading("queue")
        self._handoff.data_received(item.data)

    def _switch(self) -> None:
        """No request half-read: aiohttp's protocol reads the connection from here on."""
        handoff = self._handoff
        transport = self.transport
        if handoff is None or transport is None or transport.is_closing():
            return
        if self._read_paused:  # aiohttp decides when to read from now on
            self._read_paused.clear()
            transport.resume_reading()
        self._closing = True
        if self._connections is not None:
            self._connections.discard(self)
        self._stop_idle_timer()
        self._handoff = None  # connection_lost goes straight to aiohttp from now on
        transport.set_protocol(handoff)
