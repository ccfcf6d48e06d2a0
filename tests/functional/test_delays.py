"""Delays with WireMock's semantics, measured on a real socket; delays never block the loop."""

from __future__ import annotations

import socket
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from tests.conftest import Client, Reply, start_server


def timed(client: Client, path: str, **kwargs: Any) -> tuple[Reply, float]:
    started = time.perf_counter()
    reply = client.get(path, **kwargs)
    return reply, (time.perf_counter() - started) * 1000


def stub(client: Client, path: str, **response: Any) -> str:
    return client.stub({"request": {"url": path}, "response": {"body": "ok", **response}})


def test_fixed_delay(client: Client) -> None:
    """`fixedDelayMilliseconds` delays the whole response."""
    stub(client, "/d/fixed", fixedDelayMilliseconds=300)
    reply, elapsed = timed(client, "/d/fixed")
    assert reply.text == "ok"
    assert 295 <= elapsed < 1500


def test_uniform_and_fixed_distributions(client: Client) -> None:
    """Uniform draws stay in [lower, upper]; `fixed` is exact."""
    stub(client, "/d/uniform", delayDistribution={"type": "uniform", "lower": 100, "upper": 200})
    stub(client, "/d/dfixed", delayDistribution={"type": "fixed", "milliseconds": 150})
    for _ in range(3):
        assert 95 <= timed(client, "/d/uniform")[1] < 1200
    assert 145 <= timed(client, "/d/dfixed")[1] < 1200


def test_lognormal_with_max_value(client: Client) -> None:
    """A lognormal draw is clamped at `maxValue`."""
    stub(client, "/d/log", delayDistribution={"type": "lognormal", "median": 5000, "sigma": 0.1,
                                              "maxValue": 200})
    _, elapsed = timed(client, "/d/log")
    assert 195 <= elapsed < 1200


def test_fixed_and_random_delays_add_up(client: Client) -> None:
    """The fixed delay and the sampled one are added together, and journaled as addedDelay."""
    stub(client, "/d/both", fixedDelayMilliseconds=200,
         delayDistribution={"type": "fixed", "milliseconds": 150})
    _, elapsed = timed(client, "/d/both")
    assert 345 <= elapsed < 1500
    [event] = client.get("/__admin/requests").json()["requests"]
    timing = event["timing"]
    assert timing["addedDelay"] == 350
    assert timing["processTime"] < 200  # the delay is not counted twice
    assert 350 <= timing["totalTime"] < 550


def test_global_delays_from_settings(client: Client) -> None:
    """Global fixedDelay applies to stubs without their own; a stub's own delay replaces it;
    unmatched requests are not delayed."""
    stub(client, "/d/global")
    stub(client, "/d/own", fixedDelayMilliseconds=50)
    assert client.post("/__admin/settings", json_body={"fixedDelay": 300}).status == 200
    assert timed(client, "/d/global")[1] >= 295
    assert timed(client, "/d/own")[1] < 290
    assert timed(client, "/d/none")[1] < 290
    client.post("/__admin/settings", json_body={
        "delayDistribution": {"type": "uniform", "lower": 250, "upper": 260}})
    assert timed(client, "/d/global")[1] >= 245
    client.post("/__admin/settings", json_body={})
    assert timed(client, "/d/global")[1] < 240


def test_chunked_dribble_delay(client: Client) -> None:
    """chunkedDribbleDelay: headers first, the body spread over the total duration."""
    stub(client, "/d/dribble", body="0123456789abcdefghij",
         chunkedDribbleDelay={"numberOfChunks": 4, "totalDuration": 400})
    with socket.create_connection(("127.0.0.1", client.port), timeout=10) as sock:
        started = time.perf_counter()
        sock.sendall(b"GET /d/dribble HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        arrivals: list[tuple[float, bytes]] = []
        while chunk := sock.recv(65536):
            arrivals.append((time.perf_counter() - started, chunk))
    data = b"".join(c for _, c in arrivals)
    assert data.endswith(b"\r\n\r\n0123456789abcdefghij")
    assert arrivals[0][0] < 0.09  # the status line is not held back
    assert arrivals[-1][0] >= 0.39
    assert len(arrivals) >= 3


def test_concurrent_delayed_requests_do_not_queue(tmp_path: Path) -> None:
    """100 concurrent requests to a 500 ms stub all finish in about 0.5 s (delays are awaited)."""
    runner = start_server(tmp_path / "root", request_journal=False)
    try:
        client = Client(runner.port)
        stub(client, "/d/slow", fixedDelayMilliseconds=500)
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=100) as pool:
            replies = list(pool.map(lambda _: client.get("/d/slow"), range(100)))
        elapsed = time.perf_counter() - started
    finally:
        runner.stop()
    assert [r.status for r in replies] == [200] * 100
    assert 0.5 <= elapsed < 2.5
