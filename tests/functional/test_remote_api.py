"""`MockServer.connect` / `RemoteMockServer`: the Python API over a running server's admin API."""

from __future__ import annotations

import pytest

from mockserver.api import MockServer, RemoteMockServer, UnmatchedRequestError
from mockserver.serve.runner import ThreadedRunner
from tests.conftest import Client


def test_stubs_journal_and_verification_in_a_namespace(server: ThreadedRunner,
                                                       client: Client) -> None:
    """A connected namespace serves its stubs at `url`, journals and verifies its requests."""
    remote = MockServer.connect(server.url, namespace="api")
    assert remote.url == f"{server.url}/__ns/api"
    stub_id = remote.on("GET", "/users/1").reply(200, json={"id": 1})
    assert remote.stub_ids() == [stub_id]
    reply = client.get("/__ns/api/users/1", headers={"X-Trace": "t1"})
    assert reply.json() == {"id": 1}
    assert remote.verify({"urlPath": "/users/1"}, count=1) == 1
    logged = remote.requests()
    assert [(r.url, r.matched, r.stub_id, r.headers["x-trace"]) for r in logged] == [
        ("/users/1", True, stub_id, "t1")]
    assert remote.calls(stub_id)[0].status == 200
    with pytest.raises(AssertionError, match="expected exactly 2 requests"):
        remote.verify({"urlPath": "/users/1"}, count=2)
    assert client.get("/__admin/requests").json()["requests"] == []


def test_unmatched_and_unused_are_reported_like_a_local_server(server: ThreadedRunner,
                                                               client: Client) -> None:
    """assert_no_unmatched shows the 404's report; assert_all_used names the unused stub."""
    remote = MockServer.connect(server.url, namespace="strays")
    remote.stub({"request": {"url": "/used"}, "response": {"body": "x"}})
    remote.stub({"name": "never", "request": {"url": "/never"}, "response": {"body": "x"}})
    client.get("/__ns/strays/used")
    client.get("/__ns/strays/usde")
    assert [r.url for r in remote.unmatched()] == ["/usde"]
    with pytest.raises(UnmatchedRequestError, match="GET /usde"):
        remote.assert_no_unmatched()
    with pytest.raises(AssertionError, match="never"):
        remote.assert_all_used()
    remote.reset()
    assert remote.requests() == [] and remote.stub_ids() == []


def test_scenarios_and_removal(server: ThreadedRunner, client: Client) -> None:
    """Scenario state is read, set and reset through the namespace; remove drops one stub."""
    remote = MockServer.connect(server.url, namespace="flow")
    remote.stubs([
        {"scenarioName": "f", "requiredScenarioState": "Started", "newScenarioState": "two",
         "request": {"url": "/s"}, "response": {"body": "1"}},
        {"scenarioName": "f", "requiredScenarioState": "two", "request": {"url": "/s"},
         "response": {"body": "2"}},
    ])
    assert remote.scenario_state("f") == "Started"
    client.get("/__ns/flow/s")
    assert remote.scenario_state("f") == "two"
    remote.reset_scenarios()
    assert remote.scenario_state("f") == "Started"
    remote.set_scenario_state("f", "two")
    assert client.get("/__ns/flow/s").text == "2"
    first = remote.stub_ids()[0]
    remote.remove(first)
    with pytest.raises(KeyError):
        remote.remove(first)


def test_a_fresh_namespace_is_deleted_on_close(server: ThreadedRunner, client: Client) -> None:
    """`RemoteMockServer.fresh` makes a unique namespace that leaving `with` deletes."""
    with RemoteMockServer.fresh(server.url, prefix="ci") as remote:
        assert remote.namespace is not None and remote.namespace.startswith("ci-")
        remote.on("GET", "/x").reply(204)
        names = [n["name"] for n in client.get("/__admin/namespaces").json()["namespaces"]]
        assert names == [remote.namespace]
    assert client.get("/__admin/namespaces").json()["namespaces"] == []


def test_reply_with_a_callable_is_refused_remotely(server: ThreadedRunner) -> None:
    """A Python callable cannot answer on a remote server: a clear error, not a broken stub."""
    remote = MockServer.connect(server.url, namespace="callable")
    with pytest.raises(RuntimeError, match="reply_with needs the server in this process"):
        remote.on("GET", "/x").reply_with(lambda request: None)
