"""Hostile requests: none freezes the server for others or grows its memory without bound.

Each probe runs while this test keeps asking `GET /__admin/health` on another connection,
each check allowed 1 s (a socket timeout) from the moment it is sent. The probes are the
ones that froze or bloated the server before it had limits (see docs/limits.md).
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import socket
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import pytest

from mockserver.serve.runner import ThreadedRunner
from tests.conftest import Client, cli_process, start_server

T = TypeVar("T")
TEMPLATE = ["response-template"]
MIB = 1024 * 1024


def health(port: int) -> int:
    """The health check's status, or a failure when it takes more than 1 s."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1.0)
    try:
        conn.request("GET", "/__admin/health")
        response = conn.getresponse()
        response.read()
        return response.status
    except TimeoutError:
        pytest.fail("the health check waited more than 1 s behind a hostile request")
    finally:
        conn.close()


def while_in_flight(port: int, hostile: Callable[[], T]) -> T:
    """`hostile()` on a thread; until it returns, the health check answers within 1 s."""
    with ThreadPoolExecutor(1) as pool:
        future = pool.submit(hostile)
        while True:
            assert health(port) == 200
            if future.done():
                return future.result()


def raw(port: int, head: bytes, body_chunks: Iterable[bytes] = ()) -> bytes:
    """Send a request by hand (bodies larger than allowed, lengths that lie); the answer's
    bytes, what arrived before the server closed."""
    with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        try:
            sock.sendall(head)
            for chunk in body_chunks:
                sock.sendall(chunk)
        except OSError:
            pass  # the server answered early and closed: read what it said
        out = b""
        try:
            while not _complete(out) and (chunk := sock.recv(65536)):
                out += chunk
        except OSError:
            pass
    return out


def _complete(answer: bytes) -> bool:
    """A whole answer with a Content-Length has arrived (the server may linger to drain the
    rest of an oversized body before closing: the client need not wait for that)."""
    head, found, body = answer.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n")[1:] if found else ():
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value)
    return False


def vm_rss(pid: int) -> int:
    """A process's resident memory in bytes, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


@pytest.fixture
def small_server(root_dir: Path) -> Iterator[ThreadedRunner]:
    runner = start_server(root_dir, max_request_body=MIB)
    try:
        yield runner
    finally:
        runner.stop()


def _template_stub(client: Client, url: str, body: str) -> None:
    client.stub({"request": {"url": url},
                 "response": {"status": 200, "body": body, "transformers": TEMPLATE}})


# --- templates ------------------------------------------------------------------------------


@pytest.mark.parametrize(("body", "reason"), [
    ("{% for a in range(100000) %}{% for b in range(300) %}{% endfor %}{% endfor %}",
     "template "),  # loops ran more than 1,000,000 times, or took longer than 0.5 s
    ('{{ "x"|center(10**9) }}', "longer than"),
    ('{{ "%1000000000s"|format("x") }}', "longer than"),
    ('{{ "x".ljust(10**9) }}', "longer than"),
    ('{{ (["x" * 100000] * 10)|join|replace("x", "yyyyyyyyyyyyyyyyyyyy") }}', "longer than"),
    (('{% set ns = namespace(s="x") %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}'
      '{% endfor %}{{ ns.s }}'), "longer than"),
    ("{% for i in range(100000) %}{{ 'x' * 1000 }}{% endfor %}", "template built more than"),
])
def test_template_budget(client: Client, body: str, reason: str) -> None:
    """A template that would loop for seconds or build gigabytes fails fast, naming the limit,
    and the server answers others meanwhile."""
    _template_stub(client, "/hostile", body)
    _template_stub(client, "/good", "{{ request.path }} ok")
    reply = while_in_flight(client.port, lambda: client.get("/hostile"))
    assert reply.status == 500
    assert reason in reply.text
    assert client.get("/good").text == "/good ok"


def test_templates_within_budget_render(client: Client) -> None:
    """Loops, padding, joins and concatenation inside the budget render as Jinja2 would."""
    _template_stub(client, "/fine", '{% for i in range(3) %}{{ loop.index }}/{{ loop.length }},'
                   '{% endfor %}{{ "ab"|center(6) }}|{{ ["a", "b"]|join("-") }}|'
                   '{{ "%03d"|format(7) }}|{{ "a" ~ 1 }}|{{ "{}+{}".format(1, 2) }}')
    assert client.get("/fine").text == "1/3,2/3,3/3,  ab  |a-b|007|a1|1+2"


# --- request bodies -------------------------------------------------------------------------


def test_declared_oversized_body_is_refused_before_it_is_read(client: Client) -> None:
    """A Content-Length beyond --max-request-body (50 MiB by default) is a 413 at once."""
    head = (b"POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 209715200\r\n\r\n")
    answer = while_in_flight(client.port, lambda: raw(client.port, head, iter([b"a" * 1000])))
    assert answer.startswith(b"HTTP/1.1 413")
    assert answer.endswith(b"Request Entity Too Large")  # 200 MB: under the wire's own 1 GiB


def test_chunked_body_past_the_limit_is_refused(small_server: ThreadedRunner) -> None:
    """A chunked body that grows past the limit is a 413, and nothing is journalled."""
    client = Client(small_server.port)
    head = b"POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
    chunks = (b"%x\r\n%s\r\n" % (64 * 1024, b"a" * 64 * 1024) for _ in range(64))
    answer = raw(client.port, head, chunks)
    assert answer.startswith(b"HTTP/1.1 413")
    assert client.get("/__admin/requests").json()["meta"]["total"] == 0


def test_gzip_bomb_is_refused_and_small_gzip_still_matches(client: Client) -> None:
    """A gzip body inflating past the limit is a 413 (inflating stops there); a small one is
    inflated once and matched as its plain text."""
    client.stub({"request": {"method": "POST", "url": "/zip",
                             "bodyPatterns": [{"equalTo": "hello"}]},
                 "response": {"body": "matched"}})
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(MIB)
    bomb = b"".join(packer.compress(zeros) for _ in range(256)) + packer.flush()  # 256 MiB
    assert len(bomb) < MIB
    reply = while_in_flight(client.port, lambda: client.post(
        "/zip", body=bomb, headers={"Content-Encoding": "gzip"}))
    assert reply.status == 413
    small = client.post("/zip", body=gzip.compress(b"hello"), headers={"Content-Encoding": "gzip"})
    assert small.text == "matched"


def test_gzip_admin_body_is_inflated_within_the_limit(client: Client) -> None:
    """An admin body sent gzip-encoded is read as its JSON (aiohttp no longer inflates it)."""
    mapping = b'{"request": {"url": "/z"}, "response": {"body": "z"}}'
    reply = client.post("/__admin/mappings", body=gzip.compress(mapping),
                        headers={"Content-Encoding": "gzip", "Content-Type": "application/json"})
    assert reply.status == 201
    assert client.get("/z").text == "z"


def test_concurrent_large_uploads_stay_bounded(tmp_path: Path) -> None:
    """20 uploads of 20 MiB at once, against a 1 MiB limit, cost the server little memory."""
    with cli_process(tmp_path / "root", "--max-request-body", "1MiB") as (client, _, proc):
        before = vm_rss(proc.pid)
        head = b"POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
        chunk = b"%x\r\n%s\r\n" % (MIB, b"a" * MIB)

        def upload() -> bytes:
            return raw(client.port, head, (chunk for _ in range(20)))

        with ThreadPoolExecutor(20) as pool:
            answers = list(pool.map(lambda _: upload(), range(20)))
            grown = vm_rss(proc.pid) - before
        assert all(a.startswith(b"HTTP/1.1 413") or not a for a in answers)
        assert any(a.startswith(b"HTTP/1.1 413") for a in answers)
        assert grown < 100 * MIB, f"the server grew by {grown // MIB} MiB"
        assert client.get("/__admin/health").status == 200


# --- the journal ----------------------------------------------------------------------------


def test_journal_is_bounded_in_bytes(tmp_path: Path) -> None:
    """150 POSTs of 2 MB grow the server by about the journal's byte bound, not 300 MB; big
    bodies are kept truncated, their size and SHA-256 in headers outside WireMock's JSON."""
    root = tmp_path / "root"
    with cli_process(root, "--max-request-journal-bytes", "16MiB") as (client, _, proc):
        client.stub({"request": {"method": "POST", "url": "/big"}, "response": {"body": "ok"}})
        before = vm_rss(proc.pid)
        body = b"0123456789" * 200_000
        conn = http.client.HTTPConnection("127.0.0.1", client.port, timeout=20)
        for _ in range(150):
            conn.request("POST", "/big", body=body)
            assert conn.getresponse().read() == b"ok"
        conn.close()
        grown = vm_rss(proc.pid) - before
        assert grown < 120 * MIB, f"the server grew by {grown // MIB} MiB"
        listing = client.get("/__admin/requests")
        data = listing.json()
        assert 0 < len(data["requests"]) < 150
        assert set(data) == {"requests", "meta", "requestJournalDisabled"}
        assert int(listing.header("X-Mockserver-Journal-Bytes") or 0) <= 16 * MIB
        newest = data["requests"][0]
        assert len(newest["request"]["body"]) == MIB  # 16 MiB / 16: one entry's share
        one = client.get(f"/__admin/requests/{newest['id']}")
        assert one.header("X-Mockserver-Request-Body-Truncated") == (
            f"size={len(body)}; sha256={hashlib.sha256(body).hexdigest()}")


def test_listing_a_large_journal_leaves_the_server_answering(client: Client) -> None:
    """`GET /__admin/requests` over a hundred 1 MB entries is written in pieces while the health
    check keeps answering, and the listing is WireMock's JSON with `limit` honoured."""
    body = "a" * 1_000_000
    conn = http.client.HTTPConnection("127.0.0.1", client.port, timeout=20)
    for _ in range(100):
        conn.request("POST", "/nothing", body=body)
        conn.getresponse().read()
    conn.close()
    received = threading.Event()

    def slow_reader() -> int:
        head = b"GET /__admin/requests HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        with socket.create_connection(("127.0.0.1", client.port), timeout=20) as sock:
            sock.sendall(head)
            total = 0
            while chunk := sock.recv(256 * 1024):
                total += len(chunk)
                received.set()
        return total

    size = while_in_flight(client.port, slow_reader)
    assert received.is_set() and size > 200_000_000
    assert len(client.get("/__admin/requests?limit=2").json()["requests"]) == 2


# --- regular expressions, XPath, JSONPath, JSON ---------------------------------------------

BACKTRACKING = "(a|aa)+$"  # exponential on a backtracking engine, even the `regex` package's
SLOW_TEXT = "a" * 40 + "!"
RE_NS = "http://exslt.org/regular-expressions"


@pytest.mark.parametrize(("request_part", "path", "kwargs"), [
    ({"urlPattern": "/redos/(a+)+$"}, "/redos/" + "a" * 28 + "!", {}),
    ({"urlPattern": "/redos/" + BACKTRACKING}, "/redos/" + SLOW_TEXT, {}),
    ({"urlPath": "/q", "queryParameters": {"v": {"matches": BACKTRACKING}}},
     "/q?v=" + SLOW_TEXT, {}),
    ({"urlPath": "/h", "headers": {"X-V": {"matches": BACKTRACKING}}}, "/h",
     {"headers": {"X-V": SLOW_TEXT}}),
    ({"urlPath": "/b", "bodyPatterns": [{"matches": BACKTRACKING}]}, "/b",
     {"body": SLOW_TEXT}),
    ({"urlPath": "/n", "bodyPatterns": [{"doesNotMatch": BACKTRACKING}]}, "/n",
     {"body": SLOW_TEXT}),
    ({"urlPath": "/jp", "bodyPatterns": [
        {"matchesJsonPath": "$[?(@.v =~ /" + BACKTRACKING + "/)]"}]}, "/jp",
     {"body": '{"v": "' + SLOW_TEXT + '"}'}),
    ({"urlPath": "/xp", "bodyPatterns": [
        {"matchesXPath": "//v[re:test(., '^" + BACKTRACKING + "')]",
         "xPathNamespaces": {"re": RE_NS}}]}, "/xp",
     {"body": "<r><v>" + SLOW_TEXT + "</v></r>"}),
])
def test_backtracking_regex_is_a_timed_out_no_match(
    client: Client, request_part: dict[str, object], path: str, kwargs: dict[str, object]
) -> None:
    """A pattern that backtracks for minutes on a crafted value gives up within its budget:
    the request is unmatched and the server answers others meanwhile."""
    client.stub({"request": {"method": "ANY", **request_part}, "response": {"body": "bad"}})
    client.stub({"request": {"urlPattern": "/good/[a-z]+"}, "response": {"body": "good"}})
    method = "POST" if "body" in kwargs else "GET"
    reply = while_in_flight(client.port, lambda: client.request(method, path, **kwargs))
    assert reply.status == 404
    assert client.get("/good/yes").text == "good"


def test_regex_still_matches_within_budget(client: Client) -> None:
    """Java syntax (possessive, atomic, named groups, flags) still matches on the timed engine."""
    client.stub({"request": {"urlPattern": "/r/(?<id>[0-9]++)(?>x|y)(?i)ABC"},
                 "response": {"body": "ok"}})
    assert client.get("/r/12xabc").text == "ok"
    assert client.get("/r/12zabc").status == 404


def test_verification_over_many_slow_requests_is_bounded(client: Client) -> None:
    """Counting journalled requests against a backtracking pattern gives up after a few
    timeouts instead of spending its budget on every entry."""
    for _ in range(30):
        client.post("/slow", body=SLOW_TEXT)
    pattern = {"url": "/slow", "bodyPatterns": [{"matches": BACKTRACKING}]}
    reply = while_in_flight(client.port, lambda: client.post(
        "/__admin/requests/count", json_body=pattern))
    assert reply.json()["count"] == 0


def test_costly_xpath_is_refused_at_load(client: Client) -> None:
    """An XPath stepping along following:: twice is refused with a 422 naming the problem."""
    reply = client.post("/__admin/mappings", json_body={
        "request": {"bodyPatterns": [
            {"matchesXPath": "count(//*/following::*/following::*)"}]},
        "response": {"body": "x"}})
    assert reply.status == 422
    assert "following/preceding" in reply.text


def test_xpath_on_a_large_document_is_not_evaluated(client: Client) -> None:
    """A cubic XPath meets a document above its element cap: a no-match, not a minute."""
    client.stub({"request": {"urlPath": "/x", "bodyPatterns": [
        {"matchesXPath": "//*/following::*[. = 'never']"}]}, "response": {"body": "x"}})
    client.stub({"request": {"urlPath": "/x", "bodyPatterns": [
        {"matchesXPath": "//b[. = 'y']"}]}, "response": {"body": "linear"}})
    body = "<r>" + "<a><b>x</b></a>" * 1500 + "<b>y</b></r>"  # 22 kB, 3,002 elements
    reply = while_in_flight(client.port, lambda: client.post("/x", body=body))
    assert reply.text == "linear"
    assert client.post("/x", body="<r>" + "<a>x</a>" * 2000_00 + "</r>").status == 404


def test_huge_json_body_is_not_read_by_json_matchers(client: Client) -> None:
    """A 21 MB body under equalToJson is a no-match without parsing or comparing it."""
    client.stub({"request": {"urlPath": "/j", "bodyPatterns": [
        {"equalToJson": {"items": [1, 2, 3]}}]}, "response": {"body": "json"}})
    body = '{"items": [' + ",".join(["1"] * 10_000_000) + "]}"
    reply = while_in_flight(client.port, lambda: client.post("/j", body=body))
    assert reply.status == 404
    assert client.post("/j", body='{"items": [1, 2, 3]}').text == "json"
