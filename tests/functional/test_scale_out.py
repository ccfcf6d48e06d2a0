"""Replicas on one Redis store answer as one server: stubs, journal, scenarios, settings."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.cluster import Cluster, count, serves
from tests.conftest import Client
from tests.redis_server import RedisServer, eventually, free_port


def test_stubs_created_edited_and_removed_on_one_replica_reach_the_other(
        cluster: Cluster) -> None:
    """A stub made on either replica is served by the other; edits and removals follow."""
    a, b = cluster.replica(), cluster.replica()
    first = a.stub({"request": {"url": "/from-a"}, "response": {"status": 201}})
    eventually(lambda: serves(b, "/from-a", 201))
    b.stub({"request": {"url": "/from-b"}, "response": {"status": 202}})
    eventually(lambda: serves(a, "/from-b", 202))
    edited = b.request("PUT", f"/__admin/mappings/{first}",
                       json_body={"request": {"url": "/from-a"}, "response": {"status": 203}})
    assert edited.status == 200
    eventually(lambda: serves(a, "/from-a", 203))
    assert a.request("DELETE", f"/__admin/mappings/{first}").status == 200
    eventually(lambda: serves(b, "/from-a", 404))
    assert [m["request"]["url"] for m in b.get("/__admin/mappings").json()["mappings"]] == [
        "/from-b"]


def test_admin_reads_on_any_replica_cover_every_replicas_requests(cluster: Cluster) -> None:
    """Count, find, unmatched and near misses answer for the requests all three served."""
    replicas = [cluster.replica() for _ in range(3)]
    replicas[0].stub({"request": {"urlPath": "/hit"}, "response": {"status": 200}})
    for client in replicas:
        eventually(lambda c=client: serves(c, "/hit", 200))  # noqa: B023 - bound per loop
    assert replicas[0].post("/__admin/requests/reset").status == 200
    for i, client in enumerate(replicas):
        for _ in range(i + 1):
            assert client.get(f"/hit?from={i}").status == 200
        assert client.get(f"/miss-{i}").status == 404
    for client in replicas:
        eventually(lambda c=client: count(c, {"urlPath": "/hit"}) == 6)  # noqa: B023
        found = client.post("/__admin/requests/find", json_body={"urlPath": "/hit"}).json()
        assert sorted(r["queryParams"]["from"]["values"][0] for r in found["requests"]) == [
            "0", "1", "1", "2", "2", "2"]
        unmatched = client.get("/__admin/requests/unmatched").json()["requests"]
        assert sorted(r["url"] for r in unmatched) == ["/miss-0", "/miss-1", "/miss-2"]
        near = client.get("/__admin/requests/unmatched/near-misses").json()["nearMisses"]
        assert len(near) == 3
        assert client.get("/__admin/requests").json()["meta"]["total"] == 9


def test_a_verification_right_after_a_call_on_another_replica_counts_it(
        cluster: Cluster) -> None:
    """Behind a load balancer the call and the verification that follows it at once may reach
    different replicas: the verification still counts the call, every time."""
    a, b = cluster.replica(), cluster.replica()
    a.stub({"request": {"urlPath": "/paid"}, "response": {"status": 200}})
    eventually(lambda: serves(b, "/paid", 200))
    assert a.post("/__admin/requests/reset").status == 200
    seen = []
    for i in range(1, 21):
        assert b.get(f"/paid?n={i}").status == 200
        seen.append(count(a, {"urlPath": "/paid"}))  # no waiting in between
    assert seen == list(range(1, 21))
    assert len(a.get("/__admin/requests").json()["requests"]) == 20


def test_a_scenario_transition_has_exactly_one_winner_across_replicas(cluster: Cluster) -> None:
    """Concurrent requests on three replicas race for one transition: one of them wins."""
    replicas = [cluster.replica() for _ in range(3)]
    replicas[0].stub({"scenarioName": "race", "requiredScenarioState": "Started",
                      "newScenarioState": "taken", "request": {"url": "/claim"},
                      "response": {"status": 200, "body": "winner"}})
    replicas[1].stub({"scenarioName": "race", "requiredScenarioState": "taken",
                      "request": {"url": "/claim"}, "response": {"status": 409, "body": "late"}})
    for client in replicas:
        eventually(lambda c=client: len(c.get("/__admin/mappings").json()["mappings"]) == 2)  # noqa: B023
    with ThreadPoolExecutor(max_workers=24) as pool:
        bodies = list(pool.map(lambda i: replicas[i % 3].get("/claim").text, range(90)))
    assert Counter(bodies) == {"winner": 1, "late": 89}
    for client in replicas:
        states = {s["name"]: s["state"] for s in client.get("/__admin/scenarios").json()[
            "scenarios"]}
        assert states == {"race": "taken"}


def test_scenario_state_set_on_one_replica_gates_the_others(cluster: Cluster) -> None:
    """Setting and resetting a scenario's state through one replica's admin API holds on all."""
    a, b = cluster.replica(), cluster.replica()
    a.stub({"scenarioName": "flow", "requiredScenarioState": "Started",
            "request": {"url": "/step"}, "response": {"status": 200, "body": "start"}})
    a.stub({"scenarioName": "flow", "requiredScenarioState": "two",
            "request": {"url": "/step"}, "response": {"status": 200, "body": "two"}})
    eventually(lambda: b.get("/step").text == "start")
    assert a.request("PUT", "/__admin/scenarios/flow/state",
                     json_body={"state": "two"}).status == 200
    assert b.get("/step").text == "two"  # the gate waits for the store: no lag to wait out
    assert b.post("/__admin/scenarios/reset").status == 200
    assert a.get("/step").text == "start"


def test_settings_and_resets_are_shared(cluster: Cluster) -> None:
    """Global settings set on one replica show on the other; a reset empties every one."""
    a, b = cluster.replica(), cluster.replica()
    assert a.post("/__admin/settings", json_body={"fixedDelay": 7}).status == 200
    eventually(lambda: b.get("/__admin/settings").json()["settings"].get("fixedDelay") == 7)
    b.stub({"request": {"url": "/gone-after-reset"}, "response": {"status": 200}})
    eventually(lambda: serves(a, "/gone-after-reset", 200))
    assert a.post("/__admin/reset").status == 200
    # watched through the admin API: a polling stub request would race the journal's clear
    eventually(lambda: b.get("/__admin/mappings").json()["meta"]["total"] == 0)
    assert serves(b, "/gone-after-reset", 404)
    assert count(b, {"url": "/gone-after-reset"}) == 1  # only the request after the reset


def test_a_replica_started_late_serves_what_the_others_set_up(cluster: Cluster) -> None:
    """A replica joining later starts with the stubs, scenario states and journal so far."""
    a = cluster.replica()
    a.stub({"request": {"url": "/early"}, "response": {"status": 200, "body": "early"}})
    a.stub({"scenarioName": "s", "requiredScenarioState": "Started", "newScenarioState": "b",
            "request": {"url": "/s"}, "response": {"body": "one"}})
    a.stub({"scenarioName": "s", "requiredScenarioState": "b",
            "request": {"url": "/s"}, "response": {"body": "two"}})
    assert a.get("/s").text == "one"
    late = cluster.replica()
    assert late.get("/early").text == "early"
    assert late.get("/s").text == "two"
    assert count(late, {"url": "/s"}) == 2


def test_files_stay_local_and_their_scenarios_are_shared(cluster: Cluster) -> None:
    """Stubs from the shared folder load on each replica; their scenario states are shared."""
    mappings = cluster.root / "mappings"
    mappings.mkdir(parents=True)
    (mappings / "flow.yaml").write_text(
        "- scenarioName: files\n  requiredScenarioState: Started\n  newScenarioState: done\n"
        "  request: {url: /f}\n  response: {body: first}\n"
        "- scenarioName: files\n  requiredScenarioState: done\n"
        "  request: {url: /f}\n  response: {body: after}\n")
    a, b = cluster.replica(), cluster.replica()
    assert a.get("/f").text == "first"
    assert b.get("/f").text == "after"
    assert b.get("/f").text == "after"


def test_serving_goes_on_without_redis_and_resyncs_when_it_is_back(
        cluster: Cluster, redis_server: RedisServer) -> None:
    """With Redis down replicas serve their stubs, keep journal entries and say the store is
    unavailable; when it is back they share again, with no restart."""
    a, b = cluster.replica(), cluster.replica()
    a.stub({"request": {"urlPath": "/kept"}, "response": {"status": 200}})
    eventually(lambda: serves(b, "/kept", 200))
    assert a.get("/__admin/health").header("X-Mockserver-Store") == "redis; available"
    redis_server.stop()
    assert a.get("/kept?while=down").status == 200
    assert b.get("/kept?while=down").status == 200
    eventually(lambda: a.get("/__admin/store").json()["available"] is False)
    health = a.get("/__admin/health")
    assert health.status == 200 and health.header("X-Mockserver-Store") == "redis; unavailable"
    assert set(health.json()) == {"status", "message", "version", "uptimeInSeconds",
                                  "timestamp"}
    a.stub({"request": {"url": "/made-while-down"}, "response": {"status": 200}})
    redis_server.start()  # empty: it kept nothing
    for client in (a, b):
        eventually(lambda c=client: c.get("/__admin/store").json()["available"])  # noqa: B023
    eventually(lambda: serves(b, "/made-while-down", 200))
    assert b.get("/kept").status == 200
    eventually(lambda: count(b, {"url": "/kept?while=down"}) == 2)  # one on each replica


def test_two_workers_share_one_port_and_their_state(tmp_path: Path,
                                                    redis_server: RedisServer) -> None:
    """`--workers 2` (the store from MOCKSERVER_STORE) answers on one port from two processes
    that share stubs and journal; a shutdown through either stops both."""
    port = free_port()
    root = tmp_path / "root"
    (root / "mappings").mkdir(parents=True)
    proc = subprocess.Popen(
        [sys.executable, "-m", "mockserver", "serve", "--host", "127.0.0.1", "--port",
         str(port), "--root-dir", str(root), "--workers", "2",
         "--disable-request-logging", "--log-format", "json"],
        env={**os.environ, "MOCKSERVER_STORE": redis_server.url},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        client = Client(port)
        eventually(lambda: _answers(client))
        client.stub({"request": {"url": "/w"}, "response": {"status": 200}})
        workers: set[str] = set()

        def both_answer() -> bool:  # each connection goes to either worker
            workers.add(client.get("/__admin/store").json()["replica"])
            return len(workers) == 2

        eventually(both_answer)
        eventually(lambda: all(serves(client, "/w", 200) for _ in range(10)))
        assert client.post("/__admin/requests/reset").status == 200
        assert all(client.get("/w").status == 200 for _ in range(40))
        eventually(lambda: count(client, {"url": "/w"}) == 40)
        assert client.post("/__admin/shutdown").status == 200
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


def _answers(client: Client) -> bool:
    try:
        return client.get("/__admin/health").status == 200
    except OSError:
        return False


def test_workers_without_a_store_explain_what_is_missing(tmp_path: Path) -> None:
    """`--workers 2` alone exits 2, saying that workers need a shared store and how to give one."""
    done = subprocess.run(
        [sys.executable, "-m", "mockserver", "serve", "--port", "0", "--workers", "2"],
        capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert done.returncode == 2
    assert "--workers 2 needs a shared store" in done.stderr
    assert "--store redis://" in done.stderr
