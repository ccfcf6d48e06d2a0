"""Namespaces: isolated stubs, journal, scenarios and settings inside one running server."""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mockserver.api import RemoteMockServer
from mockserver.serve.runner import ThreadedRunner
from tests.conftest import Client, cli_server, start_server
from tests.upstream import running_upstream

NS_A = "/__ns/team-a"
NS_B = "/__ns/team-b"


def stub(client: Client, mapping: dict[str, Any], prefix: str = "") -> str:
    reply = client.post(f"{prefix}/__admin/mappings", json_body=mapping)
    assert reply.status == 201, reply.text
    return str(reply.json()["id"])


def hello(body: str, url: str = "/hello", **extra: Any) -> dict[str, Any]:
    return {"request": {"method": "GET", "url": url}, "response": {"body": body}, **extra}


def test_a_prefixed_request_is_served_by_its_namespace_with_the_prefix_taken_off(
        client: Client) -> None:
    """`/__ns/{name}/hello` matches a namespace stub for `/hello`; other scopes do not see it."""
    stub(client, hello("from a"), NS_A)
    assert client.get(f"{NS_A}/hello").text == "from a"
    assert client.get(f"{NS_B}/hello").status == 404
    assert client.get("/hello").status == 404


def test_the_journal_holds_the_url_without_the_prefix(client: Client) -> None:
    """The namespace journal records `/hello?x=1`, not the prefixed path; others stay empty."""
    stub(client, hello("hi"), NS_A)
    client.get(f"{NS_A}/hello?x=1")
    logged = client.get(f"{NS_A}/__admin/requests").json()
    assert [r["request"]["url"] for r in logged["requests"]] == ["/hello?x=1"]
    assert logged["requests"][0]["request"]["absoluteUrl"].endswith(f"{NS_A}/hello?x=1")
    assert client.get("/__admin/requests").json()["requests"] == []
    assert client.get(f"{NS_B}/__admin/requests").json()["requests"] == []


def test_templates_see_the_bare_url_and_a_base_url_keeping_the_prefix(client: Client) -> None:
    """`request.url` is unprefixed while `request.baseUrl` keeps `/__ns/{name}` for links."""
    stub(client, {"request": {"urlPath": "/link"},
                  "response": {"body": "{{request.url}} {{request.baseUrl}}/next",
                               "transformers": ["response-template"]}}, NS_A)
    text = client.get(f"{NS_A}/link?q=1").text
    assert text == f"/link?q=1 http://127.0.0.1:{client.port}{NS_A}/next"


def test_the_header_selects_a_namespace_for_stub_traffic_and_admin(client: Client) -> None:
    """`X-Mock-Namespace` on unprefixed paths reaches the same namespace as the prefix."""
    header = {"X-Mock-Namespace": "team-a"}
    reply = client.post("/__admin/mappings", json_body=hello("via header"), headers=header)
    assert reply.status == 201
    assert client.get("/hello", headers=header).text == "via header"
    assert client.get(f"{NS_A}/hello").text == "via header"
    assert client.get("/hello").status == 404
    assert len(client.get("/__admin/requests", headers=header).json()["requests"]) == 2


def test_default_stubs_show_through_and_a_namespace_stub_wins_regardless_of_priority(
        client: Client) -> None:
    """A namespace sees default stubs below its own; its own stub wins even with priority 10."""
    stub(client, hello("default", priority=1))
    stub(client, hello("default other", url="/other"))
    assert client.get(f"{NS_A}/hello").text == "default"
    stub(client, hello("namespace", priority=10), NS_A)
    assert client.get(f"{NS_A}/hello").text == "namespace"
    assert client.get(f"{NS_A}/other").text == "default other"
    assert client.get("/hello").text == "default"
    listed = client.get(f"{NS_A}/__admin/mappings").json()
    assert [m["response"]["body"] for m in listed["mappings"]] == ["namespace"]


def test_default_stubs_from_files_are_a_shared_layer(root_dir: Path) -> None:
    """Stubs loaded from `mappings/` answer in every namespace."""
    (root_dir / "mappings" / "ping.json").write_text(json.dumps(hello("pong", url="/ping")))
    runner = start_server(root_dir)
    try:
        client = Client(runner.port)
        assert client.get(f"{NS_A}/ping").text == "pong"
        assert client.get("/ping", headers={"X-Mock-Namespace": "x"}).text == "pong"
    finally:
        runner.stop()


def flow(prefix: str = "") -> list[dict[str, Any]]:
    return [
        {"scenarioName": "flow", "requiredScenarioState": "Started", "newScenarioState": "done",
         "request": {"url": "/s"}, "response": {"body": "first"}},
        {"scenarioName": "flow", "requiredScenarioState": "done",
         "request": {"url": "/s"}, "response": {"body": "second"}},
    ]


def scenario_state(client: Client, prefix: str) -> str:
    found = client.get(f"{prefix}/__admin/scenarios").json()["scenarios"]
    return next(str(s["state"]) for s in found if s["name"] == "flow")


def test_a_default_scenario_moves_separately_in_each_namespace(client: Client) -> None:
    """A default-namespace scenario stub has its own state per namespace and in the default."""
    for mapping in flow():
        stub(client, mapping)
    assert [client.get(f"{NS_A}/s").text for _ in range(2)] == ["first", "second"]
    assert client.get(f"{NS_B}/s").text == "first"
    assert client.get("/s").text == "first"
    assert client.get("/s").text == "second"
    assert scenario_state(client, NS_A) == "done"
    assert client.get(f"{NS_A}/__ns-unused").status == 404
    reply = client.request("PUT", f"{NS_B}/__admin/scenarios/flow/state",
                           json_body={"state": "Started"})
    assert reply.status == 200
    assert client.post(f"{NS_A}/__admin/scenarios/reset").status == 200
    assert scenario_state(client, NS_A) == "Started"
    assert scenario_state(client, "") == "done"
    assert client.get(f"{NS_A}/s").text == "first"


def test_scenario_of_namespace_stubs_is_listed_with_the_namespace_state(client: Client) -> None:
    """A namespace's own scenario is listed, moved and reset through its admin API only."""
    for mapping in flow():
        stub(client, mapping, NS_A)
    client.get(f"{NS_A}/s")
    assert scenario_state(client, NS_A) == "done"
    assert client.get("/__admin/scenarios").json()["scenarios"] == []


def test_resetting_one_namespace_leaves_the_others_and_the_default(client: Client) -> None:
    """POST /__ns/a/__admin/reset drops a's stubs and journal; b and the default keep theirs."""
    for prefix in ("", NS_A, NS_B):
        stub(client, hello(f"at {prefix}"), prefix)
        client.get(f"{prefix}/hello")
    assert client.post(f"{NS_A}/__admin/reset").status == 200
    assert client.get(f"{NS_A}/__admin/mappings").json()["mappings"] == []
    assert client.get(f"{NS_A}/__admin/requests").json()["requests"] == []
    assert client.get(f"{NS_A}/hello").text == "at "  # the default layer again
    for prefix in ("", NS_B):
        assert len(client.get(f"{prefix}/__admin/mappings").json()["mappings"]) == 1
        assert len(client.get(f"{prefix}/__admin/requests").json()["requests"]) == 1
    assert client.post("/__admin/reset").status == 200
    assert len(client.get(f"{NS_B}/__admin/mappings").json()["mappings"]) == 1


def test_near_misses_of_a_namespace_consider_both_layers(client: Client) -> None:
    """An unmatched namespace request is journalled there, with near misses from both layers."""
    stub(client, hello("default", url="/hellp"))
    stub(client, hello("own", url="/hallo"), NS_A)
    reply = client.get(f"{NS_A}/hello")
    assert reply.status == 404
    unmatched = client.get(f"{NS_A}/__admin/requests/unmatched").json()["requests"]
    assert [r["url"] for r in unmatched] == ["/hello"]
    near = client.get(f"{NS_A}/__admin/requests/unmatched/near-misses").json()["nearMisses"]
    assert {n["stubMapping"]["request"]["url"] for n in near} == {"/hellp", "/hallo"}
    assert client.get("/__admin/requests/unmatched").json()["requests"] == []


def test_settings_are_per_namespace(client: Client) -> None:
    """Global settings posted in a namespace stay in it."""
    reply = client.post(f"{NS_A}/__admin/settings", json_body={"fixedDelay": 5})
    assert reply.status == 200
    assert client.get(f"{NS_A}/__admin/settings").json()["settings"]["fixedDelay"] == 5
    assert "fixedDelay" not in client.get("/__admin/settings").json()["settings"]
    assert "fixedDelay" not in client.get(f"{NS_B}/__admin/settings").json()["settings"]


def test_a_recording_in_a_namespace_records_there_only(client: Client) -> None:
    """Recording started in a namespace proxies its traffic and leaves its stubs in it; the
    default and other namespaces never see the recording."""
    with running_upstream() as upstream:
        reply = client.post(f"{NS_A}/__admin/recordings/start",
                            json_body={"targetBaseUrl": upstream.url})
        assert reply.status == 200, reply.text
        assert client.get(f"{NS_A}/__admin/recordings/status").json() == {
            "status": "Recording"}
        assert client.get("/__admin/recordings/status").json() == {"status": "NeverStarted"}
        assert client.get(f"{NS_A}/text").status == 200
        assert client.get(f"{NS_B}/text").status == 404
        assert [r.path for r in upstream.received] == ["/text"]
        recorded = client.post(f"{NS_A}/__admin/recordings/stop").json()["mappings"]
    assert [m["request"]["url"] for m in recorded] == ["/text"]
    mine = client.get(f"{NS_A}/__admin/mappings").json()["mappings"]
    assert [m["id"] for m in mine] == [m["id"] for m in recorded]
    assert client.get(f"{NS_A}/text").status == 200  # served from the recorded stub
    assert client.get("/__admin/mappings").json()["mappings"] == []
    snapshot = client.post(f"{NS_B}/__admin/recordings/snapshot", json_body={})
    assert (snapshot.status, snapshot.json()["mappings"]) == (200, [])


def test_namespace_listing_and_deletion(client: Client) -> None:
    """GET /__admin/namespaces lists each with counts and last use; DELETE removes one."""
    stub(client, hello("a"), NS_A)
    client.get(f"{NS_A}/hello")
    client.get(f"{NS_B}/nothing")
    listed = client.get("/__admin/namespaces").json()
    assert listed["meta"]["total"] == 2
    by_name = {ns["name"]: ns for ns in listed["namespaces"]}
    assert (by_name["team-a"]["stubs"], by_name["team-a"]["requests"]) == (1, 1)
    assert (by_name["team-b"]["stubs"], by_name["team-b"]["requests"]) == (0, 1)
    assert by_name["team-a"]["lastUsed"].endswith("Z")
    assert client.request("DELETE", "/__admin/namespaces/team-a").status == 200
    assert [ns["name"] for ns in client.get("/__admin/namespaces").json()["namespaces"]] == [
        "team-b"]
    assert client.get(f"{NS_A}/hello").status == 404  # a fresh, empty team-a
    gone = client.request("DELETE", "/__admin/namespaces/never-used")
    assert gone.status == 404 and gone.json()["errors"][0]["title"]


def test_an_invalid_name_is_a_400_naming_the_rule(client: Client) -> None:
    """A name outside [A-Za-z0-9._-]{1,64} is refused on both planes, with WireMock's JSON."""
    for path in ("/__ns/" + "x" * 65 + "/hello", "/__ns/" + "x" * 65 + "/__admin/mappings"):
        reply = client.get(path)
        assert reply.status == 400, path
        assert "invalid namespace name" in reply.json()["errors"][0]["title"]
    reply = client.get("/hello", headers={"X-Mock-Namespace": "a b"})
    assert reply.status == 400


@pytest.fixture
def small_server(root_dir: Path) -> Iterator[ThreadedRunner]:
    runner = start_server(root_dir, max_namespaces=2, namespace_ttl=0.2)
    try:
        yield runner
    finally:
        runner.stop()


def test_one_namespace_past_the_limit_is_a_429(small_server: ThreadedRunner) -> None:
    """With --max-namespaces 2 a third name is refused until one is deleted."""
    client = Client(small_server.port)
    assert client.get("/__ns/one/x").status == 404
    assert client.get("/__ns/two/__admin/mappings").status == 200
    refused = client.get("/__ns/three/__admin/mappings")
    assert refused.status == 429
    assert "--max-namespaces 2" in refused.json()["errors"][0]["title"]
    assert client.get("/__ns/three/x").status == 429
    assert client.get("/__ns/one/x").status == 404  # existing ones still work
    client.request("DELETE", "/__admin/namespaces/one")
    assert client.get("/__ns/three/__admin/mappings").status == 200


def test_idle_namespaces_expire_after_the_ttl(small_server: ThreadedRunner) -> None:
    """A namespace unused for longer than --namespace-ttl is gone, with its stubs."""
    client = Client(small_server.port)
    stub(client, hello("a"), "/__ns/idle")
    time.sleep(0.3)  # longer than the 0.2 s TTL: the only way to let a namespace go idle
    assert client.get("/__admin/namespaces").json()["namespaces"] == []
    assert client.get("/__ns/idle/hello").status == 404


def test_shutdown_from_a_namespace_is_refused(client: Client) -> None:
    """A namespace cannot stop the shared server (403); the server keeps serving."""
    reply = client.post(f"{NS_A}/__admin/shutdown")
    assert reply.status == 403
    assert client.get("/__admin/health").status == 200


def test_unknown_admin_paths_in_a_namespace_are_an_empty_404(client: Client) -> None:
    """WireMock's answer to an unknown admin route holds inside a namespace too."""
    reply = client.get(f"{NS_A}/__admin/nope")
    assert (reply.status, reply.body) == (404, b"")


def test_namespace_listing_is_not_scoped(client: Client) -> None:
    """The namespace listing exists only at the server level."""
    assert client.get(f"{NS_A}/__admin/namespaces").status == 404


def test_the_command_line_sets_the_limit(tmp_path: Path) -> None:
    """`mockserver serve --max-namespaces 1` refuses a second namespace."""
    with cli_server(tmp_path / "root", "--max-namespaces", "1", "--namespace-ttl", "60") as (
            client, _):
        assert client.get("/__ns/first/x").status == 404
        assert client.get("/__ns/second/x").status == 429
        listed = client.get("/__admin/namespaces").json()
        assert (listed["meta"]["limit"], listed["meta"]["ttlSeconds"]) == (1, 60.0)


def test_one_keep_alive_connection_mixes_namespace_admin_and_stub_traffic(
        client: Client) -> None:
    """On one connection, a namespace admin request then namespaced stub requests are each
    answered by the right scope (the admin request moves the connection to the admin API)."""
    connection = http.client.HTTPConnection("127.0.0.1", client.port, timeout=20)
    try:
        body = json.dumps(hello("kept alive"))
        connection.request("POST", f"{NS_A}/__admin/mappings", body=body,
                           headers={"Content-Type": "application/json"})
        created = connection.getresponse()
        assert created.status == 201
        created.read()
        connection.request("GET", f"{NS_A}/hello")
        reply = connection.getresponse()
        assert (reply.status, reply.read()) == (200, b"kept alive")
    finally:
        connection.close()
    assert client.get(f"{NS_A}/hello").text == "kept alive"
    assert client.get("/hello").status == 404


def test_a_locked_admin_api_is_locked_in_every_namespace(root_dir: Path) -> None:
    """With --admin-api-token, a namespace's admin API wants the token as /__admin does,
    while its stub traffic does not; the remote API sends the token it is given."""
    runner = start_server(root_dir, admin_api_token="s3cret")
    try:
        client = Client(runner.port)
        assert client.get(f"{NS_A}/__admin/mappings").status == 401
        assert client.get("/__admin/mappings", headers={"X-Mock-Namespace": "a"}).status == 401
        remote = RemoteMockServer(runner.url, "team-a", authorization="Bearer s3cret")
        remote.on("GET", "/hello").reply(200, body="locked")
        assert client.get(f"{NS_A}/hello").text == "locked"
        assert remote.verify({"url": "/hello"}, count=1) == 1
        assert client.get("/__admin/namespaces").status == 401
    finally:
        runner.stop()
