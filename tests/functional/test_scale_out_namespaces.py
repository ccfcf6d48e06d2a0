"""Replicas on one Redis store share namespaces as they share the default scope: each
namespace's stubs, journal, scenario states and settings, and which namespaces exist."""

from __future__ import annotations

import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.cluster import Cluster, count, serves
from tests.conftest import Client
from tests.redis_server import RedisServer, eventually

NS_A = "/__ns/team-a"
NS_B = "/__ns/team-b"


def stub(client: Client, mapping: dict[str, Any], prefix: str = "") -> str:
    reply = client.post(f"{prefix}/__admin/mappings", json_body=mapping)
    assert reply.status == 201, reply.text
    return str(reply.json()["id"])


def mappings(client: Client, prefix: str = "") -> list[str]:
    found = client.get(f"{prefix}/__admin/mappings").json()["mappings"]
    return [str(m["request"]["url"]) for m in found]


def names(client: Client) -> list[str]:
    reply = client.get("/__admin/namespaces")
    assert reply.status == 200, reply.text
    return [str(ns["name"]) for ns in reply.json()["namespaces"]]


def test_a_namespace_stub_made_on_either_replica_is_served_by_the_other(
        cluster: Cluster) -> None:
    """Namespace stubs made, edited and removed on A are served so on B and back; the default
    scope and another namespace see none of them."""
    a, b = cluster.replica(), cluster.replica()
    first = stub(a, {"request": {"url": "/from-a"}, "response": {"status": 201}}, NS_A)
    eventually(lambda: serves(b, f"{NS_A}/from-a", 201))
    stub(b, {"request": {"url": "/from-b"}, "response": {"status": 202}}, NS_A)
    eventually(lambda: serves(a, f"{NS_A}/from-b", 202))
    assert b.get("/from-b", headers={"X-Mock-Namespace": "team-a"}).status == 202
    edited = b.request("PUT", f"{NS_A}/__admin/mappings/{first}",
                       json_body={"request": {"url": "/from-a"}, "response": {"status": 203}})
    assert edited.status == 200
    eventually(lambda: serves(a, f"{NS_A}/from-a", 203))
    assert a.request("DELETE", f"{NS_A}/__admin/mappings/{first}").status == 200
    eventually(lambda: serves(b, f"{NS_A}/from-a", 404))
    for client in (a, b):
        assert mappings(client, NS_A) == ["/from-b"]
        assert mappings(client) == [] and mappings(client, NS_B) == []
        assert serves(client, "/from-b", 404) and serves(client, f"{NS_B}/from-b", 404)


def test_a_namespace_journal_covers_the_requests_of_every_replica(cluster: Cluster) -> None:
    """Count, find, unmatched and near misses in a namespace answer for what all three
    replicas served in it, and for nothing served elsewhere."""
    replicas = [cluster.replica() for _ in range(3)]
    stub(replicas[0], {"request": {"urlPath": "/hit"}, "response": {"status": 200}}, NS_A)
    stub(replicas[0], {"request": {"urlPath": "/hit"}, "response": {"status": 200}})
    for client in replicas:
        eventually(lambda c=client: serves(c, f"{NS_A}/hit", 200))  # noqa: B023 - bound per loop
    assert replicas[0].post(f"{NS_A}/__admin/requests/reset").status == 200
    for i, client in enumerate(replicas):
        for _ in range(i + 1):
            assert client.get(f"{NS_A}/hit?from={i}").status == 200
        assert client.get(f"{NS_A}/miss-{i}").status == 404
        assert client.get("/hit?from=default").status == 200
        assert client.get(f"{NS_B}/hit").status == 200  # the default layer
    for client in replicas:
        eventually(lambda c=client: count(c, {"urlPath": "/hit"}, NS_A) == 6)  # noqa: B023
        found = client.post(f"{NS_A}/__admin/requests/find",
                            json_body={"urlPath": "/hit"}).json()
        assert sorted(r["queryParams"]["from"]["values"][0] for r in found["requests"]) == [
            "0", "1", "1", "2", "2", "2"]
        unmatched = client.get(f"{NS_A}/__admin/requests/unmatched").json()["requests"]
        assert sorted(r["url"] for r in unmatched) == ["/miss-0", "/miss-1", "/miss-2"]
        near = client.get(f"{NS_A}/__admin/requests/unmatched/near-misses").json()
        assert len(near["nearMisses"]) == 6  # the namespace's /hit and the default one
        assert client.get(f"{NS_A}/__admin/requests").json()["meta"]["total"] == 9
        assert count(client, {"urlPath": "/hit"}) == 3  # the default scope's own three
        assert count(client, {"urlPath": "/hit"}, NS_B) == 3
    verify = replicas[2].post(f"{NS_A}/__admin/requests/count",
                              json_body={"urlPath": "/hit", "queryParameters": {
                                  "from": {"equalTo": "2"}}})
    assert verify.json()["count"] == 3


def race(replicas: list[Client], path: str) -> Counter[str]:
    with ThreadPoolExecutor(max_workers=24) as pool:
        return Counter(pool.map(lambda i: replicas[i % 3].get(path).text, range(90)))


def claim(state: str, new: str | None, body: str) -> dict[str, Any]:
    mapping: dict[str, Any] = {"scenarioName": "race", "requiredScenarioState": state,
                               "request": {"url": "/claim"}, "response": {"body": body}}
    if new is not None:
        mapping["newScenarioState"] = new
    return mapping


def states(client: Client, prefix: str) -> dict[str, str]:
    found = client.get(f"{prefix}/__admin/scenarios").json()["scenarios"]
    return {s["name"]: s["state"] for s in found}


def test_a_namespace_scenario_transition_has_one_winner_across_replicas(
        cluster: Cluster) -> None:
    """Concurrent requests on three replicas race for a namespace scenario's transition: one
    wins; the same flow in another namespace and in the default scope has not moved."""
    replicas = [cluster.replica() for _ in range(3)]
    for prefix in (NS_A, NS_B, ""):
        stub(replicas[0], claim("Started", "taken", f"winner{prefix}"), prefix)
        stub(replicas[1], claim("taken", None, "late"), prefix)
    for client in replicas:
        eventually(lambda c=client: len(mappings(c, NS_A)) == 2)  # noqa: B023
    assert race(replicas, f"{NS_A}/claim") == {f"winner{NS_A}": 1, "late": 89}
    for client in replicas:
        assert states(client, NS_A) == {"race": "taken"}
        assert states(client, NS_B) == {"race": "Started"}
        assert states(client, "") == {"race": "Started"}


def test_a_default_scenario_moves_once_per_namespace_across_replicas(cluster: Cluster) -> None:
    """A default stub's scenario, served in a namespace by three replicas at once, moves on
    once in that namespace and stays where it was in the default scope."""
    replicas = [cluster.replica() for _ in range(3)]
    stub(replicas[0], claim("Started", "taken", "winner"))
    stub(replicas[0], claim("taken", None, "late"))
    for client in replicas:
        eventually(lambda c=client: len(mappings(c)) == 2)  # noqa: B023
    assert race(replicas, f"{NS_A}/claim") == {"winner": 1, "late": 89}
    for client in replicas:
        assert states(client, NS_A) == {"race": "taken"}
        assert states(client, "") == {"race": "Started"}
    assert replicas[1].post(f"{NS_A}/__admin/scenarios/reset").status == 200
    assert replicas[2].get(f"{NS_A}/claim").text == "winner"


def test_namespace_settings_and_resets_are_shared(cluster: Cluster) -> None:
    """Settings posted in a namespace on A show on B (only there); a namespace reset on B
    empties it on A and leaves the default scope's stubs."""
    a, b = cluster.replica(), cluster.replica()
    assert a.post(f"{NS_A}/__admin/settings", json_body={"fixedDelay": 7}).status == 200
    eventually(lambda: b.get(f"{NS_A}/__admin/settings").json()["settings"].get(
        "fixedDelay") == 7)
    assert "fixedDelay" not in b.get("/__admin/settings").json()["settings"]
    stub(a, {"request": {"url": "/kept"}, "response": {"status": 200}})
    stub(a, {"request": {"url": "/gone"}, "response": {"status": 200}}, NS_A)
    eventually(lambda: serves(b, f"{NS_A}/gone", 200))
    assert b.post(f"{NS_A}/__admin/reset").status == 200
    eventually(lambda: mappings(a, NS_A) == [])
    assert serves(a, f"{NS_A}/gone", 404)
    assert serves(a, f"{NS_A}/kept", 200)  # the default layer, still there
    assert a.get(f"{NS_A}/__admin/settings").json()["settings"]["fixedDelay"] == 7


def test_listing_and_deleting_namespaces_cover_every_replica(cluster: Cluster) -> None:
    """Namespaces made on A are listed on B with every replica's request count; one deleted
    on B is gone on A, with its stubs, and a second deletion is a 404."""
    a, b = cluster.replica(), cluster.replica()
    stub(a, {"request": {"url": "/x"}, "response": {"status": 200}}, NS_A)
    assert b.get(f"{NS_B}/nothing").status == 404
    eventually(lambda: serves(b, f"{NS_A}/x", 200))
    assert a.get(f"{NS_A}/x").status == 200
    for client in (a, b):
        listed = client.get("/__admin/namespaces").json()
        by_name = {ns["name"]: ns for ns in listed["namespaces"]}
        assert sorted(by_name) == ["team-a", "team-b"] and listed["meta"]["total"] == 2
        assert (by_name["team-a"]["stubs"], by_name["team-a"]["requests"]) == (1, 2)
        assert (by_name["team-b"]["stubs"], by_name["team-b"]["requests"]) == (0, 1)
    assert b.request("DELETE", "/__admin/namespaces/team-a").status == 200
    eventually(lambda: names(a) == ["team-b"])
    assert mappings(a, NS_A) == []  # made again, empty
    assert serves(a, f"{NS_A}/x", 404)
    assert b.request("DELETE", "/__admin/namespaces/team-b").status == 200
    assert a.request("DELETE", "/__admin/namespaces/team-b").status == 404


def test_a_replica_started_late_holds_the_namespaces_made_before(cluster: Cluster) -> None:
    """A replica joining later serves every namespace's stubs, in their scenario states, and
    counts the requests served before it started."""
    a = cluster.replica()
    for prefix in (NS_A, NS_B):
        stub(a, {"request": {"url": "/early"}, "response": {"body": f"early{prefix}"}}, prefix)
    stub(a, claim("Started", "taken", "first"), NS_A)
    stub(a, claim("taken", None, "second"), NS_A)
    assert a.get(f"{NS_A}/claim").text == "first"
    late = cluster.replica()
    assert names(late) == ["team-a", "team-b"]
    assert late.get(f"{NS_A}/early").text == f"early{NS_A}"
    assert late.get(f"{NS_B}/early").text == f"early{NS_B}"
    assert late.get(f"{NS_A}/claim").text == "second"
    assert count(late, {"url": "/claim"}, NS_A) == 2
    assert mappings(late) == []


def test_the_namespace_limit_holds_across_replicas(tmp_path: Path,
                                                   redis_server: RedisServer) -> None:
    """With --max-namespaces 2, one namespace made on each replica fills the limit: a third
    name is refused on both until one is deleted."""
    cluster = Cluster(tmp_path / "root", redis_server.url)
    try:
        a, b = cluster.replica(max_namespaces=2), cluster.replica(max_namespaces=2)
        assert a.get("/__ns/one/__admin/mappings").status == 200
        assert b.get("/__ns/two/__admin/mappings").status == 200
        eventually(lambda: names(a) == ["one", "two"])
        for client in (a, b):
            refused = client.get("/__ns/three/__admin/mappings")
            assert refused.status == 429
            assert "--max-namespaces 2" in refused.json()["errors"][0]["title"]
        assert b.request("DELETE", "/__admin/namespaces/one").status == 200
        eventually(lambda: names(a) == ["two"])
        assert a.get("/__ns/three/__admin/mappings").status == 200
    finally:
        cluster.stop()


def test_a_namespace_used_on_one_replica_does_not_expire_on_another(
        tmp_path: Path, redis_server: RedisServer) -> None:
    """Idle means idle on every replica: a namespace made on A and used only on B outlives
    A's TTL; once nobody uses it, it expires on both."""
    cluster = Cluster(tmp_path / "root", redis_server.url)
    try:
        a, b = cluster.replica(namespace_ttl=2.0), cluster.replica(namespace_ttl=2.0)
        stub(a, {"request": {"url": "/busy"}, "response": {"status": 200}}, "/__ns/busy")
        eventually(lambda: serves(b, "/__ns/busy/busy", 200))
        until = time.monotonic() + 3.0  # longer than the TTL, used all along on B
        while time.monotonic() < until:
            assert serves(b, "/__ns/busy/busy", 200)
            time.sleep(0.1)
        assert names(a) == ["busy"]
        assert serves(a, "/__ns/busy/busy", 200)
        eventually(lambda: names(a) == [])  # unused everywhere, now
        eventually(lambda: mappings(b, "/__ns/busy") == [])
    finally:
        cluster.stop()


def test_namespaces_serve_without_redis_and_are_shared_again_when_it_is_back(
        cluster: Cluster, redis_server: RedisServer) -> None:
    """With Redis down, namespaces keep serving and take new stubs on each replica; when it
    comes back empty, both replicas serve what either held and made meanwhile."""
    a, b = cluster.replica(), cluster.replica()
    stub(a, {"request": {"url": "/kept"}, "response": {"status": 200}}, NS_A)
    eventually(lambda: serves(b, f"{NS_A}/kept", 200))
    redis_server.stop()
    eventually(lambda: a.get("/__admin/store").json()["available"] is False)
    assert serves(b, f"{NS_A}/kept", 200)
    stub(a, {"request": {"url": "/made-while-down"}, "response": {"status": 200}}, NS_A)
    stub(a, {"request": {"url": "/new-namespace"}, "response": {"status": 200}}, NS_B)
    assert serves(a, f"{NS_A}/made-while-down", 200)
    redis_server.start()  # empty: it kept nothing
    for client in (a, b):
        eventually(lambda c=client: c.get("/__admin/store").json()["available"])  # noqa: B023
    eventually(lambda: serves(b, f"{NS_A}/made-while-down", 200))
    eventually(lambda: serves(b, f"{NS_B}/new-namespace", 200))
    assert serves(b, f"{NS_A}/kept", 200)
    assert names(b) == ["team-a", "team-b"]


def test_namespaces_share_one_subscription_per_replica(
        cluster: Cluster, redis_server: RedisServer) -> None:
    """However many namespaces exist, each replica holds one pub/sub connection and a
    handful of others to Redis."""
    redis = pytest.importorskip("redis")
    a, b = cluster.replica(), cluster.replica()
    for i in range(40):
        assert a.get(f"/__ns/n{i}/x").status == 404
        stub(b, {"request": {"url": "/y"}, "response": {"status": 200}}, f"/__ns/m{i}")
    eventually(lambda: len(names(a)) == 80)
    assert serves(a, "/__ns/m39/y", 200)
    client = redis.Redis(host="127.0.0.1", port=redis_server.port)
    try:
        clients = client.client_list()
        subscribers = [c for c in clients if int(c["sub"]) or int(c["psub"])]
        assert len(subscribers) == 2  # one per replica
        assert all(int(c["psub"]) == 1 for c in subscribers)
        assert len(clients) <= 2 * 4 + 1  # a few per replica, and this one
    finally:
        client.close()
