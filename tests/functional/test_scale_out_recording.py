"""Replicas on one Redis store record as one server: a start, the proxied traffic, a stop and a
snapshot may each reach a different replica (a real upstream and real redis-server)."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import yaml

from tests.cluster import Cluster, count
from tests.conftest import Client
from tests.recording import start, stop
from tests.redis_server import RedisServer, eventually
from tests.upstream import Upstream


def status(client: Client) -> str:
    reply = client.get("/__admin/recordings/status")
    assert reply.status == 200, reply.text
    return str(reply.json()["status"])


def stub_urls(client: Client) -> list[str]:
    mappings = client.get("/__admin/mappings").json()["mappings"]
    return sorted(m["request"].get("url") or m["request"].get("urlPath", "") for m in mappings)


def test_start_on_one_replica_records_what_another_proxies_and_stop_returns_it(
        cluster: Cluster, upstream: Upstream) -> None:
    """Started on A, B proxies to the target too; the stop on A returns B's exchanges in
    WireMock's shapes, and both replicas then replay them without the upstream."""
    a, b = cluster.replica(), cluster.replica()
    assert (status(a), status(b)) == ("NeverStarted", "NeverStarted")
    start(a, upstream, persist=False)
    assert b.get("/text").text == "hello from upstream"  # B serves the proxy stub at once
    assert (status(a), status(b)) == ("Recording", "Recording")
    for _ in range(2):
        assert b.get("/counter").status == 200
    assert a.get("/echo/from-a?x=1").status == 200
    assert b.get("/echo/last-on-b").status == 200
    mappings = stop(a)  # at once: B's last exchange is in it all the same
    assert (status(a), status(b)) == ("Stopped", "Stopped")
    assert [m["request"] for m in reversed(mappings)] == [
        {"url": "/text", "method": "GET"},
        {"url": "/counter", "method": "GET"},
        {"url": "/counter", "method": "GET"},
        {"urlPath": "/echo/from-a", "method": "GET",
         "queryParameters": {"x": {"hasExactly": [{"equalTo": "1"}]}}},
        {"url": "/echo/last-on-b", "method": "GET"}]
    text, first, second, _from_a, _last = reversed(mappings)
    assert text["response"]["body"] == "hello from upstream"
    name = "scenario-1-counter"
    assert [(m["scenarioName"], m["requiredScenarioState"], m.get("newScenarioState"))
            for m in (first, second)] == [(name, "Started", f"{name}-2"),
                                          (name, f"{name}-2", None)]
    assert {m["id"] for m in mappings} == {m["uuid"] for m in mappings}
    seen = len(upstream.received)
    # the stop answers once every replica holds the recorded stubs and proxies no more
    assert b.get("/text").text == "hello from upstream"
    assert [b.get("/counter").json()["call"] for _ in range(2)] == [1, 2]
    assert a.get("/counter").json()["call"] == 2
    assert b.get("/never-recorded").status == 404
    assert len(upstream.received) == seen


def test_start_on_one_replica_stop_on_another_adds_the_stubs_once(
        cluster: Cluster, upstream: Upstream) -> None:
    """A recording started on A and stopped on B holds both replicas' exchanges; its stubs
    are written once to the shared root folder and held once by every replica."""
    a, b = cluster.replica(), cluster.replica()
    start(a, upstream)  # persist (the default): merged into ROOT/mappings
    assert a.get("/echo/one").status == 200
    assert b.get("/echo/two").status == 200
    mappings = stop(b)
    assert sorted(m["request"]["url"] for m in mappings) == ["/echo/one", "/echo/two"]
    files = sorted(p.name for p in (cluster.root / "mappings").iterdir())
    assert files == ["get-echo-one.yaml", "get-echo-two.yaml"]
    written = yaml.safe_load((cluster.root / "mappings" / "get-echo-two.yaml").read_text())
    assert written["id"] == next(m["id"] for m in mappings if m["request"]["url"] == "/echo/two")
    for client in (a, b):
        assert stub_urls(client) == ["/echo/one", "/echo/two"]  # the proxy stub went too
    reply = a.post("/__admin/recordings/stop")
    assert reply.status == 400 and reply.json()["errors"][0]["code"] == 30


def test_a_second_start_on_another_replica_changes_nothing(
        cluster: Cluster, upstream: Upstream) -> None:
    """A start while a replica records keeps that recording: one proxy stub, its spec."""
    a, b = cluster.replica(), cluster.replica()
    start(a, upstream, persist=False, repeatsAsScenarios=False)
    start(b, upstream, persist=False)
    assert len(b.get("/__admin/mappings").json()["mappings"]) == 1
    for client in (a, b):
        assert client.get("/counter").status == 200
    (mapping,) = stop(b)  # A's spec: repeats are not scenarios
    assert "scenarioName" not in mapping


def test_concurrent_stops_on_two_replicas_record_once(
        cluster: Cluster, upstream: Upstream) -> None:
    """Of stops racing on three replicas one records; the others find nothing running."""
    clients = [cluster.replica() for _ in range(3)]
    start(clients[0], upstream, persist=False)
    for client in clients:
        assert client.get("/text").status == 200
    with ThreadPoolExecutor(max_workers=3) as pool:
        replies = list(pool.map(lambda c: c.post("/__admin/recordings/stop"), clients))
    assert Counter(r.status for r in replies) == {200: 1, 400: 2}
    (won,) = [r for r in replies if r.status == 200]
    assert len(won.json()["mappings"]) == 3
    for client in clients:
        assert len(client.get("/__admin/mappings").json()["mappings"]) == 3


def test_snapshot_on_any_replica_covers_every_replicas_journal(
        cluster: Cluster, upstream: Upstream) -> None:
    """A snapshot taken on B records the proxied requests A and B served, and only those."""
    a, b = cluster.replica(), cluster.replica()
    a.stub({"request": {"urlPathPattern": "/echo/.*"},
            "response": {"proxyBaseUrl": upstream.url}})
    a.stub({"request": {"url": "/local"}, "response": {"status": 204}})
    eventually(lambda: b.get("/echo/from-b").status == 200)
    assert b.get("/local").status == 204
    assert a.get("/echo/from-a").status == 200
    reply = b.post("/__admin/recordings/snapshot", json_body={"persist": False})  # at once
    assert reply.status == 200, reply.text
    assert [m["request"]["url"] for m in reversed(reply.json()["mappings"])] == [
        "/echo/from-b", "/echo/from-a"]
    assert count(a, {"urlPath": "/echo/from-b"}) == 1  # the journal it read from is shared


def test_a_recording_outlives_a_redis_outage(
        cluster: Cluster, upstream: Upstream, redis_server: RedisServer) -> None:
    """With Redis down replicas keep proxying and a stop records what that replica holds;
    once Redis is back every replica hears of the stop and proxies no more."""
    a, b = cluster.replica(), cluster.replica()
    start(a, upstream, persist=False)
    assert b.get("/echo/before").status == 200
    eventually(lambda: count(a, {"url": "/echo/before"}) == 1)  # A's journal has it
    redis_server.stop()
    for client in (a, b):
        eventually(lambda c=client: c.get("/__admin/store").json()["available"] is False)  # noqa: B023
    assert b.get("/echo/during-on-b").status == 200  # still proxied
    assert a.get("/echo/during-on-a").status == 200
    assert sorted(m["request"]["url"] for m in stop(a)) == ["/echo/before", "/echo/during-on-a"]
    assert (status(a), status(b)) == ("Stopped", "Recording")  # each answers from what it holds
    redis_server.start()
    eventually(lambda: status(b) == "Stopped")
    eventually(lambda: b.get("/echo/after").status == 404)
    assert stub_urls(b) == ["/echo/before", "/echo/during-on-a"]


def test_a_recording_in_progress_survives_redis_restarting_empty(
        cluster: Cluster, upstream: Upstream, redis_server: RedisServer) -> None:
    """A Redis that lost everything gets the recording back from the replicas: a stop on
    either then ends it everywhere, with what was proxied since Redis came back."""
    a, b = cluster.replica(), cluster.replica()
    start(a, upstream, persist=False)
    redis_server.stop()
    for client in (a, b):
        eventually(lambda c=client: c.get("/__admin/store").json()["available"] is False)  # noqa: B023
    redis_server.start()  # empty: it kept nothing
    for client in (a, b):
        eventually(lambda c=client: c.get("/__admin/store").json()["available"])  # noqa: B023
    assert a.get("/echo/after-restart").status == 200
    assert [m["request"]["url"] for m in stop(b)] == ["/echo/after-restart"]
    assert (status(a), status(b)) == ("Stopped", "Stopped")
    assert stub_urls(a) == ["/echo/after-restart"]
