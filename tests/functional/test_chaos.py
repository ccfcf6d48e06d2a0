"""Chaos beyond WireMock over real HTTP: failures, hangs, bandwidth, slow headers, rate limits."""

from __future__ import annotations

import http.client
import socket
import time
from pathlib import Path
from typing import Any

import pytest

from mockserver.serve.runner import ThreadedRunner
from tests.conftest import Client, start_server


def chaos_stub(client: Client, path: str, chaos: dict[str, Any], **response: Any) -> str:
    return client.stub({"request": {"url": path},
                        "response": {"status": 200, "body": "ok", "chaos": chaos, **response}})


def wait_until_journaled(client: Client, url: str) -> None:
    """Ask the journal (no sleeping) until the server has taken the request in."""
    for _ in range(500):
        events = client.get("/__admin/requests").json()["requests"]
        if any(e["request"]["url"] == url for e in events):
            return
    raise AssertionError(f"{url} never reached the journal")


def test_fail_first_then_succeed(client: Client) -> None:
    """failFirst: the first N calls fail with failWith, later calls get the stub's response."""
    chaos_stub(client, "/c/retry", {"failFirst": 2,
                                    "failWith": {"status": 503, "body": "try again",
                                                 "headers": {"Retry-After": "0"}}})
    first, second, third = (client.get("/c/retry") for _ in range(3))
    assert (first.status, first.text, first.header("Retry-After")) == (503, "try again", "0")
    assert second.status == 503
    assert (third.status, third.text) == (200, "ok")
    events = client.get("/__admin/requests").json()["requests"]
    reasons = [[e["data"]["reason"] for e in ev["subEvents"] if e["type"] == "CHAOS"]
               for ev in reversed(events)]
    assert reasons == [["failFirst 1/2"], ["failFirst 2/2"], []]
    assert [ev["response"]["status"] for ev in reversed(events)] == [503, 503, 200]


def test_default_failure_is_a_503(client: Client) -> None:
    """Without failWith a failed call is a plain-text 503."""
    chaos_stub(client, "/c/default", {"failFirst": 1})
    reply = client.get("/c/default")
    assert reply.status == 503 and reply.header("Content-Type") == "text/plain"


def test_fail_with_a_fault(client: Client) -> None:
    """failWith may be a WireMock fault: the first call is reset, the second succeeds."""
    chaos_stub(client, "/c/reset", {"failFirst": 1,
                                    "failWith": {"fault": "CONNECTION_RESET_BY_PEER"}})
    with pytest.raises((ConnectionResetError, http.client.RemoteDisconnected)):
        client.get("/c/reset")
    assert client.get("/c/reset").text == "ok"


def test_failure_rate_is_repeatable_with_a_seed(tmp_path: Path) -> None:
    """failureRate fails about that share of calls; the same --seed fails the same calls."""
    runs = []
    for name in ("a", "b"):
        runner = start_server(tmp_path / name, seed=7, request_journal=False)
        try:
            client = Client(runner.port)
            chaos_stub(client, "/c/rate", {"failureRate": 0.3, "failWith": {"status": 500}})
            runs.append([client.get("/c/rate").status for _ in range(200)])
        finally:
            runner.stop()
    assert runs[0] == runs[1]
    failures = runs[0].count(500)
    assert 35 <= failures <= 85
    assert set(runs[0]) == {200, 500}


def test_failure_rate_extremes(client: Client) -> None:
    """Rate 0 never fails; rate 1 always fails; failWith as a list picks among its entries."""
    chaos_stub(client, "/c/never", {"failureRate": 0})
    chaos_stub(client, "/c/always", {"failureRate": 1,
                                     "failWith": [{"status": 500}, {"status": 502}]})
    assert {client.get("/c/never").status for _ in range(20)} == {200}
    assert {client.get("/c/always").status for _ in range(40)} == {500, 502}


def test_hang_never_answers_and_does_not_block(server: ThreadedRunner, client: Client) -> None:
    """hang: the client times out, other requests are served, and the call is journaled."""
    chaos_stub(client, "/c/hang", {"hang": True})
    client.stub({"request": {"url": "/c/fine"}, "response": {"body": "fine"}})
    conn = http.client.HTTPConnection("127.0.0.1", client.port, timeout=0.5)
    started = time.perf_counter()
    with pytest.raises(TimeoutError):
        conn.request("GET", "/c/hang")
        conn.getresponse()
    assert time.perf_counter() - started >= 0.45
    assert client.get("/c/fine").text == "fine"
    conn.close()
    urls = [e["request"]["url"] for e in client.get("/__admin/requests").json()["requests"]]
    assert "/c/hang" in urls


def test_hang_does_not_delay_shutdown(root_dir: Path) -> None:
    """Stopping the server ends hanging requests at once: the client sees the connection close."""
    runner = start_server(root_dir)
    client = Client(runner.port)
    chaos_stub(client, "/c/hang", {"hang": True})
    sock = socket.create_connection(("127.0.0.1", runner.port), timeout=10)
    sock.sendall(b"GET /c/hang HTTP/1.1\r\nHost: x\r\n\r\n")
    wait_until_journaled(client, "/c/hang")
    started = time.perf_counter()
    runner.stop()
    assert time.perf_counter() - started < 0.9
    try:
        assert sock.recv(100) == b""
    except ConnectionResetError:
        pass
    finally:
        sock.close()


def test_bandwidth_limit(client: Client) -> None:
    """bytesPerSecond: a 1,000-byte body at 2,000 B/s takes about half a second."""
    chaos_stub(client, "/c/slow", {"bytesPerSecond": 2000}, body="x" * 1000)
    started = time.perf_counter()
    reply = client.get("/c/slow")
    elapsed = time.perf_counter() - started
    assert reply.text == "x" * 1000
    assert 0.45 <= elapsed < 2.0


def test_slow_headers(client: Client) -> None:
    """headersDelayMilliseconds: nothing arrives before the delay; it is journaled as delay."""
    chaos_stub(client, "/c/headers", {"headersDelayMilliseconds": 300})
    with socket.create_connection(("127.0.0.1", client.port), timeout=10) as sock:
        started = time.perf_counter()
        sock.sendall(b"GET /c/headers HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        first = sock.recv(1)
        waited = time.perf_counter() - started
    assert first == b"H" and waited >= 0.29
    [event] = client.get("/__admin/requests").json()["requests"]
    assert event["timing"]["addedDelay"] == 300


def test_rate_limit(client: Client) -> None:
    """rateLimit: beyond `requests` per `perSeconds`, a 429 with Retry-After in seconds."""
    chaos_stub(client, "/c/limited", {"rateLimit": {"requests": 3, "perSeconds": 60}})
    chaos_stub(client, "/c/other", {"rateLimit": {"requests": 3, "perSeconds": 60}})
    statuses = [client.get("/c/limited").status for _ in range(3)]
    limited = client.get("/c/limited")
    assert statuses == [200, 200, 200]
    assert limited.status == 429
    assert 1 <= int(limited.header("Retry-After") or "0") <= 20
    assert client.get("/c/other").status == 200  # one bucket per stub
    client.post("/__admin/reset")
    chaos_stub(client, "/c/limited", {"rateLimit": {"requests": 3, "perSeconds": 60}})
    assert client.get("/c/limited").status == 200  # reset empties the buckets


def test_global_chaos_from_settings(client: Client) -> None:
    """Settings chaos applies to every stub; a stub's own fields override it."""
    client.stub({"request": {"url": "/c/a"}, "response": {"body": "a"}})
    chaos_stub(client, "/c/b", {"failFirst": 0})
    reply = client.post("/__admin/settings", json_body={
        "chaos": {"failFirst": 1, "failWith": {"status": 500}}})
    assert reply.status == 200
    settings = client.get("/__admin/settings").json()["settings"]
    assert settings["chaos"] == {"failFirst": 1, "failWith": {"status": 500}}
    assert client.get("/c/a").status == 500
    assert client.get("/c/a").text == "a"
    assert client.get("/c/b").status == 200
    bad = client.post("/__admin/settings", json_body={"chaos": {"failureRate": 2}})
    assert bad.status == 422
    assert bad.json()["errors"][0]["source"]["pointer"] == "/chaos/failureRate"


def test_chaos_round_trips_through_the_admin_api(client: Client) -> None:
    """The chaos object is kept and returned as written."""
    chaos = {"failureRate": 0.25, "failWith": [{"status": 503}, {"fault": "EMPTY_RESPONSE"}],
             "bytesPerSecond": 100, "rateLimit": {"requests": 5, "perSeconds": 1}}
    stub_id = chaos_stub(client, "/c/rt", chaos)
    assert client.get(f"/__admin/mappings/{stub_id}").json()["response"]["chaos"] == chaos


@pytest.mark.parametrize(("chaos", "pointer"), [
    ({"failureRat": 0.1}, "/response/chaos/failureRat"),
    ({"failureRate": "often"}, "/response/chaos/failureRate"),
    ({"failWith": {"fault": "MELTDOWN"}}, "/response/chaos/failWith/fault"),
    ({"rateLimit": {"perSeconds": 1}}, "/response/chaos/rateLimit/requests"),
    ({"hang": "yes"}, "/response/chaos/hang"),
])
def test_invalid_chaos_is_rejected(client: Client, chaos: dict[str, Any], pointer: str) -> None:
    """Mistakes in a chaos object are a 422 pointing at the field."""
    reply = client.post("/__admin/mappings", json_body={
        "request": {"url": "/c/bad"}, "response": {"chaos": chaos}})
    assert reply.status == 422
    assert reply.json()["errors"][0]["source"]["pointer"] == pointer
