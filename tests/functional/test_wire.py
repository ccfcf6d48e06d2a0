"""HTTP/1.1 on the stub wire, over raw sockets, on uvloop and on asyncio's own loop: pipelining,
`Expect: 100-continue`, chunked bodies, bodiless answers, limits, slow and vanishing clients,
keep-alive timeouts, and a keep-alive connection moving to the admin API."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from mockserver.respond.faults import GARBAGE
from mockserver.serve.runner import ThreadedRunner
from mockserver.serve.wire import Limits
from mockserver.settings import ServerOptions
from tests.conftest import Client

LIMITS = Limits(max_url=2048, max_header_field=1024, max_headers=20, max_head=8192,
                max_body=4096, keep_alive_timeout=0.3)


@pytest.fixture(params=["uvloop", "asyncio"])
def server(request: pytest.FixtureRequest, root_dir: Path) -> Iterator[ThreadedRunner]:
    if request.param == "uvloop":
        pytest.importorskip("uvloop")
    runner = ThreadedRunner(ServerOptions(host="127.0.0.1", port=0, root_dir=root_dir),
                            event_loop=request.param, limits=LIMITS).start()
    try:
        yield runner
    finally:
        runner.stop()


class Wire:
    """A raw client socket that reads answers one at a time, however they were split."""

    def __init__(self, port: int) -> None:
        self.port = port
        self._sock: socket.socket | None = None
        self.buffer = b""

    @property
    def sock(self) -> socket.socket:
        """Connected on first use: the servers here close a connection idle for 0.3 s, and a
        test that stubs first (slow on a loaded machine) must not find it closed already."""
        if self._sock is None:
            self._sock = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        return self._sock

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def _fill(self) -> bool:
        chunk = self.sock.recv(65536)
        self.buffer += chunk
        return bool(chunk)

    def head(self) -> tuple[int, dict[str, str], bytes]:
        while b"\r\n\r\n" not in self.buffer:
            if not self._fill():
                raise EOFError(f"connection closed; had {self.buffer!r}")
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ")[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        return status, headers, head

    def read(self, n: int) -> bytes:
        while len(self.buffer) < n:
            if not self._fill():
                raise EOFError("connection closed mid-body")
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def response(self, *, head_only: bool = False) -> tuple[int, dict[str, str], bytes]:
        status, headers, _ = self.head()
        if head_only or status in (204, 304):
            return status, headers, b""
        if headers.get("transfer-encoding") == "chunked":
            body = b""
            while True:
                while b"\r\n" not in self.buffer:
                    self._fill()
                size_line, self.buffer = self.buffer.split(b"\r\n", 1)
                size = int(size_line, 16)
                chunk = self.read(size + 2)[:-2]
                if size == 0:
                    return status, headers, body
                body += chunk
        if "content-length" in headers:
            return status, headers, self.read(int(headers["content-length"]))
        while self._fill():
            pass
        body, self.buffer = self.buffer, b""
        return status, headers, body

    def closed(self) -> bool:
        """True when the server closes the connection (nothing more arrives)."""
        try:
            return not self._fill() and not self.buffer
        except ConnectionResetError:
            return True

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()


@pytest.fixture
def wire(server: ThreadedRunner) -> Iterator[Wire]:
    connection = Wire(server.port)
    yield connection
    connection.close()


def get(path: str, *extra: str) -> bytes:
    lines = [f"GET {path} HTTP/1.1", "Host: localhost", *extra]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def test_pipelined_requests_are_answered_in_order(client: Client, wire: Wire) -> None:
    """Several requests in one write get their answers in order, a slow one first included."""
    client.stub({"request": {"url": "/slow"},
                 "response": {"body": "slow", "fixedDelayMilliseconds": 150}})
    client.stub({"request": {"method": "POST", "url": "/echo"}, "response": {"body": "posted"}})
    client.stub({"request": {"url": "/fast"}, "response": {"body": "fast"}})
    wire.send(get("/slow")
              + b"POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3\r\n\r\nabc"
              + get("/fast") + get("/nothing-here"))
    bodies = [wire.response()[2] for _ in range(3)]
    assert bodies == [b"slow", b"posted", b"fast"]
    assert wire.response()[0] == 404


def test_expect_100_continue(client: Client, wire: Wire) -> None:
    """`Expect: 100-continue` gets a 100 before the body is sent, then the real answer."""
    client.stub({"request": {"method": "POST", "url": "/upload",
                             "bodyPatterns": [{"equalTo": "payload"}]},
                 "response": {"status": 201}})
    wire.send(b"POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: 7\r\n"
              b"Expect: 100-continue\r\n\r\n")
    status, _, raw = wire.head()
    assert status == 100 and raw.startswith(b"HTTP/1.1 100 Continue")
    wire.send(b"payload")
    assert wire.response()[0] == 201


def test_chunked_request_body(client: Client, wire: Wire) -> None:
    """A chunked request body is matched and journaled whole."""
    client.stub({"request": {"method": "PUT", "url": "/chunked",
                             "bodyPatterns": [{"equalTo": "hello world"}]},
                 "response": {"body": "ok"}})
    wire.send(b"PUT /chunked HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
              b"6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n")
    assert wire.response() [::2] == (200, b"ok")
    journal = client.get("/__admin/requests").json()["requests"]
    assert journal[0]["request"]["body"] == "hello world"


def test_head_announces_the_length_and_sends_no_body(client: Client, wire: Wire) -> None:
    """HEAD answers carry the body's Content-Length but no body; the connection goes on."""
    client.stub({"request": {"method": "ANY", "url": "/h"}, "response": {"body": "0123456789"}})
    wire.send(b"HEAD /h HTTP/1.1\r\nHost: localhost\r\n\r\n" + get("/h"))
    status, headers, body = wire.response(head_only=True)
    assert (status, headers["content-length"], body) == (200, "10", b"")
    assert wire.response()[2] == b"0123456789"


@pytest.mark.parametrize("status", [204, 304])
def test_no_body_statuses(client: Client, wire: Wire, status: int) -> None:
    """204 and 304 are sent without a body or a length, even when the stub has a body."""
    client.stub({"request": {"url": "/empty"}, "response": {"status": status, "body": "x"}})
    wire.send(get("/empty") + get("/empty"))
    for _ in range(2):
        got, headers, _ = wire.response()
        assert got == status and "content-length" not in headers
    assert wire.buffer == b""


@pytest.mark.parametrize(("request_bytes", "status"), [
    (get("/" + "a" * 3000), 414),
    (get("/", *(f"X-H{i}: v" for i in range(30))), 431),
    (get("/", "X-Big: " + "v" * 2000), 431),
    (b"POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5000\r\n\r\n", 413),
    (b"POST / HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
     + (b"800\r\n" + b"x" * 2048 + b"\r\n") * 3, 413),
    (b"NOT HTTP AT ALL\r\n\r\n", 400),
])
def test_requests_over_the_limits_are_refused(wire: Wire, request_bytes: bytes,
                                              status: int) -> None:
    """Over-long lines, too many or too large headers, too large bodies: a 4xx, then close."""
    wire.send(request_bytes)
    got, headers, _ = wire.response()
    assert got == status and headers["connection"] == "close"
    assert wire.closed()


def test_endless_headers_are_cut_off(wire: Wire) -> None:
    """A head that never ends is refused once it passes the size limit, not buffered forever:
    the server answers 431 (unless its close overtakes the answer) and closes."""
    try:
        wire.send(b"GET / HTTP/1.1\r\n")
        for _ in range(100):
            wire.send(b"X-Filler: " + b"y" * 500 + b"\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass
    try:
        status: int | None = wire.response()[0]
    except (ConnectionResetError, EOFError):
        status = None
    assert status in (431, None)
    assert wire.closed()


def test_slow_client_body_byte_by_byte(client: Client, wire: Wire) -> None:
    """A body arriving one byte per write is read whole before matching."""
    client.stub({"request": {"method": "POST", "url": "/slow-body",
                             "bodyPatterns": [{"equalTo": "abcdef"}]},
                 "response": {"body": "matched"}})
    wire.send(b"POST /slow-body HTTP/1.1\r\nHost: localhost\r\nContent-Length: 6\r\n\r\n")
    for byte in b"abcdef":
        time.sleep(0.01)  # a slow client, not synchronisation
        wire.send(bytes([byte]))
    assert wire.response()[2] == b"matched"


def test_idle_keep_alive_connection_is_closed(client: Client, wire: Wire) -> None:
    """A kept-alive connection that stays idle past the timeout is closed by the server."""
    client.stub({"request": {"url": "/k"}, "response": {"body": "k"}})
    wire.send(get("/k"))
    assert wire.response()[2] == b"k"
    assert wire.closed()


def test_http_1_0_closes_unless_kept_alive(client: Client, server: ThreadedRunner) -> None:
    """HTTP/1.0 gets one answer and a close; with `Connection: keep-alive` it stays open."""
    client.stub({"request": {"url": "/old"}, "response": {"body": "old"}})
    plain = Wire(server.port)
    plain.send(b"GET /old HTTP/1.0\r\n\r\n")
    assert plain.response()[2] == b"old" and plain.closed()
    kept = Wire(server.port)
    kept.send(b"GET /old HTTP/1.0\r\nConnection: keep-alive\r\n\r\n" * 2)
    assert [kept.response()[1]["connection"] for _ in range(2)] == ["keep-alive"] * 2
    plain.close()
    kept.close()


def test_keep_alive_connection_moves_to_the_admin_api(client: Client, wire: Wire) -> None:
    """Stub requests then admin requests on one connection; a stub request after them is still
    answered by its stub, and the connection then closes."""
    client.stub({"request": {"url": "/before"}, "response": {"body": "stub"}})
    wire.send(get("/before"))
    assert wire.response()[2] == b"stub"
    body = json.dumps({"request": {"url": "/after"}, "response": {"body": "added"}}).encode()
    wire.send(b"POST /__admin/mappings HTTP/1.1\r\nHost: localhost\r\n"
              b"Content-Type: application/json"
              b"\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n0\r\n\r\n" % (len(body), body))
    assert wire.response()[0] == 201
    wire.send(get("/__admin/mappings"))
    status, _, listing = wire.response()
    assert status == 200 and len(json.loads(listing)["mappings"]) == 2
    wire.send(get("/after"))
    status, headers, answer = wire.response()
    assert (status, answer, headers["connection"]) == (200, b"added", "close")
    assert wire.closed()


def test_pipelined_stub_and_admin_requests(client: Client, wire: Wire) -> None:
    """A stub request and admin requests in one write are answered in order."""
    client.stub({"request": {"url": "/p"},
                 "response": {"body": "p", "fixedDelayMilliseconds": 50}})
    wire.send(get("/p") + get("/__admin/health") + get("/__admin/mappings"))
    assert wire.response()[2] == b"p"
    assert wire.response()[0] == 200
    assert len(json.loads(wire.response()[2])["mappings"]) == 1


def test_client_gone_mid_response(client: Client, server: ThreadedRunner) -> None:
    """A client that leaves during a dribbled answer does not disturb the server."""
    client.stub({"request": {"url": "/drip"},
                 "response": {"body": "x" * 100,
                              "chunkedDribbleDelay": {"numberOfChunks": 10,
                                                      "totalDuration": 500}}})
    leaving = Wire(server.port)
    leaving.send(get("/drip"))
    assert leaving.head()[0] == 200
    leaving.close()
    assert client.get("/drip").body == b"x" * 100
    assert client.get("/__admin/requests").json()["meta"]["total"] >= 1


def test_dribbled_body_arrives_in_pieces(client: Client, wire: Wire) -> None:
    """`chunkedDribbleDelay` sends the head at once and the body in several writes."""
    client.stub({"request": {"url": "/drip"},
                 "response": {"body": "abcdefghij",
                              "chunkedDribbleDelay": {"numberOfChunks": 5,
                                                      "totalDuration": 250}}})
    wire.send(get("/drip"))
    status, headers, _ = wire.head()
    assert status == 200 and headers["content-length"] == "10"
    pieces = 0
    while len(wire.buffer) < 10:
        wire._fill()
        pieces += 1
    assert wire.buffer == b"abcdefghij" and pieces > 1


@pytest.mark.parametrize("fault", ["EMPTY_RESPONSE", "CONNECTION_RESET_BY_PEER",
                                   "RANDOM_DATA_THEN_CLOSE", "MALFORMED_RESPONSE_CHUNK"])
def test_faults_on_the_wire(client: Client, wire: Wire, fault: str) -> None:
    """Each fault breaks the connection as WireMock does, on either loop."""
    client.stub({"request": {"url": "/f"}, "response": {"fault": fault}})
    wire.send(get("/f"))
    received = b""
    try:
        while True:
            chunk = wire.sock.recv(65536)
            if not chunk:
                break
            received += chunk
        ended = "eof"
    except ConnectionResetError:
        ended = "reset"
    if fault == "CONNECTION_RESET_BY_PEER":
        assert ended == "reset" and received == b""
    elif fault == "EMPTY_RESPONSE":
        assert received == b""
    else:
        assert received.endswith(GARBAGE)
    assert client.get("/__admin/requests").json()["requests"][0]["request"]["url"] == "/f"


def test_upgrade_requests_get_a_plain_answer(client: Client, wire: Wire) -> None:
    """`Upgrade: h2c` (as curl --http2 sends) is not taken up: the stub answers as HTTP/1.1."""
    client.stub({"request": {"url": "/u"}, "response": {"body": "plain"}})
    wire.send(get("/u", "Connection: Upgrade, HTTP2-Settings", "Upgrade: h2c",
                  "HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA") + get("/u"))
    assert [wire.response()[2] for _ in range(2)] == [b"plain", b"plain"]


def test_a_client_that_does_not_read_is_answered_in_full_later(client: Client,
                                                               wire: Wire) -> None:
    """Many pipelined requests for large answers, read only after all were sent: reading
    pauses while answers back up, and every answer then arrives whole and in order."""
    client.stub({"request": {"urlPathPattern": "/big/.*"},
                 "response": {"body": "x" * 3000}})  # 6 MB in all: more than socket buffers
    requests = b"".join(get(f"/big/{i}") for i in range(2000))
    wire.sock.settimeout(30)
    sender = threading.Thread(target=wire.send, args=(requests,))
    sender.start()
    lengths = [len(wire.response()[2]) for _ in range(2000)]
    sender.join(timeout=30)
    assert lengths == [3000] * 2000
    paths = [e["request"]["url"] for e in client.get("/__admin/requests").json()["requests"]]
    assert paths[:3] == ["/big/1999", "/big/1998", "/big/1997"]


def test_an_h2c_upgrade_request_keeps_its_body(client: Client, wire: Wire) -> None:
    """Java's HttpClient asks for `Upgrade: h2c` on a POST: it is answered in HTTP/1.1 with the
    body read as the request's, and the connection goes on."""
    client.stub({"request": {"method": "POST", "url": "/up",
                             "bodyPatterns": [{"equalToJson": {"a": 1}}]},
                 "response": {"status": 201, "body": "made"}})
    client.stub({"request": {"url": "/next"}, "response": {"body": "next"}})
    wire.send(b"POST /up HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade, HTTP2-Settings\r\n"
              b"Upgrade: h2c\r\nHTTP2-Settings: AAEAAEAAAAIAAAABAAMAAABkAAQBAAAAAAUAAEAA\r\n"
              b"Content-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"a\":1}"
              + get("/next"))
    status, _, body = wire.response()
    assert (status, body) == (201, b"made")
    assert wire.response()[2] == b"next"
    journal = client.get("/__admin/requests").json()["requests"]
    posted = next(e for e in journal if e["request"]["url"] == "/up")
    assert posted["request"]["body"] == '{"a":1}'


def test_a_head_split_across_reads_counts_only_itself(client: Client, wire: Wire) -> None:
    """A read that finishes a split head and carries many more pipelined requests is not
    taken for one oversized head (the head limit here is 8 KiB; the read is ~40 KiB)."""
    client.stub({"request": {"urlPathPattern": "/many/.*"}, "response": {"body": "ok"}})
    first = get("/many/0")
    wire.send(first[:10])  # the server reads a head cut short...
    time.sleep(0.2)  # ...as a read of its own (nothing observable comes back to wait for)
    rest = first[10:] + b"".join(get(f"/many/{i}") for i in range(1, 1000))
    wire.send(rest)
    assert [wire.response()[0] for _ in range(1000)] == [200] * 1000
