"""`/__admin/scenarios`: listing, setting and resetting states, and transitions under load."""

from __future__ import annotations

import http.client
import threading
from collections import Counter
from typing import Any

import pytest

from tests.conftest import Client


def scenario(client: Client, name: str) -> dict[str, Any] | None:
    for item in client.get("/__admin/scenarios").json()["scenarios"]:
        if item["name"] == name:
            return item  # type: ignore[no-any-return]
    return None


def state_of(client: Client, name: str) -> str:
    found = scenario(client, name)
    assert found is not None, f"no scenario {name}"
    return str(found["state"])


def flow_stubs(client: Client, name: str = "flow") -> list[str]:
    """Started --GET /s--> done; in done GET /s answers 'second'."""
    return [
        client.stub({"scenarioName": name, "requiredScenarioState": "Started",
                     "newScenarioState": "done", "request": {"method": "GET", "url": "/s"},
                     "response": {"body": "first"}}),
        client.stub({"scenarioName": name, "requiredScenarioState": "done",
                     "request": {"method": "GET", "url": "/s"},
                     "response": {"body": "second"}}),
    ]


def test_list_shows_state_possible_states_and_mappings(client: Client) -> None:
    """A scenario is listed with its state, the states its stubs mention, and those stubs."""
    ids = flow_stubs(client)
    client.stub({"request": {"url": "/plain"}})
    listed = client.get("/__admin/scenarios").json()["scenarios"]
    assert len(listed) == 1
    item = listed[0]
    assert (item["id"], item["name"], item["state"]) == ("flow", "flow", "Started")
    assert sorted(item["possibleStates"]) == ["Started", "done"]
    assert sorted(m["id"] for m in item["mappings"]) == sorted(ids)


def test_serving_a_stub_moves_the_scenario_on(client: Client) -> None:
    """The Started stub answers once and moves the scenario to done, whose stub answers after."""
    flow_stubs(client)
    assert [client.get("/s").text for _ in range(3)] == ["first", "second", "second"]
    assert state_of(client, "flow") == "done"


def test_a_scenario_stub_without_required_state_answers_in_every_state(client: Client) -> None:
    """A stub naming only the scenario (no required state) is eligible whatever the state."""
    flow_stubs(client)
    client.stub({"scenarioName": "flow", "request": {"url": "/any"},
                 "response": {"body": "any"}})
    assert client.get("/any").text == "any"
    client.get("/s")
    assert client.get("/any").text == "any"


def test_put_state_sets_the_state(client: Client) -> None:
    """PUT /scenarios/{name}/state moves the scenario to a state its stubs know."""
    flow_stubs(client)
    reply = client.request("PUT", "/__admin/scenarios/flow/state", json_body={"state": "done"})
    assert (reply.status, reply.json()) == (200, {})
    assert client.get("/s").text == "second"


def test_put_state_of_an_unknown_scenario_is_404(client: Client) -> None:
    """Setting the state of a scenario no stub names is a 404 with WireMock's code 404."""
    flow_stubs(client)
    reply = client.request("PUT", "/__admin/scenarios/nope/state", json_body={"state": "done"})
    assert reply.status == 404
    assert reply.json()["errors"] == [{"code": 404, "title": "Scenario nope does not exist"}]


def test_put_an_unknown_state_is_422_with_code_11(client: Client) -> None:
    """A state none of the scenario's stubs mention is refused with code 11, state unchanged."""
    flow_stubs(client)
    reply = client.request("PUT", "/__admin/scenarios/flow/state", json_body={"state": "zzz"})
    assert reply.status == 422
    assert reply.json()["errors"] == [
        {"code": 11, "title": "Scenario flow does not support state zzz"}]
    assert state_of(client, "flow") == "Started"



def test_put_state_with_an_unknown_field_is_422_naming_it(client: Client) -> None:
    """A state body with a field WireMock's model does not know is refused, naming it."""
    flow_stubs(client)
    reply = client.request("PUT", "/__admin/scenarios/flow/state",
                           json_body={"state": "done", "zzz": 1})
    assert reply.status == 422
    assert reply.json()["errors"][0]["source"] == {"pointer": "/zzz"}
    assert state_of(client, "flow") == "Started"


@pytest.mark.parametrize("body", [["done"], "done", 3])
def test_put_state_with_a_body_that_is_not_an_object_is_422(client: Client, body: Any) -> None:
    """A state body that is not a JSON object is refused rather than taken as a reset."""
    flow_stubs(client)
    client.get("/s")
    reply = client.request("PUT", "/__admin/scenarios/flow/state", json_body=body)
    assert reply.status == 422
    assert state_of(client, "flow") == "done"

def test_started_is_refused_when_no_stub_mentions_it(client: Client) -> None:
    """As in WireMock, `Started` is only a settable state if some stub names it."""
    client.stub({"scenarioName": "xy", "requiredScenarioState": "x", "newScenarioState": "y",
                 "request": {"url": "/xy"}})
    reply = client.request("PUT", "/__admin/scenarios/xy/state", json_body={"state": "Started"})
    assert reply.status == 422
    assert reply.json()["errors"][0]["code"] == 11


def test_put_state_with_an_empty_body_resets_only_that_scenario(client: Client) -> None:
    """An empty PUT body resets just that scenario to Started."""
    flow_stubs(client, "flow")
    flow_stubs(client, "other")
    client.request("PUT", "/__admin/scenarios/flow/state", json_body={"state": "done"})
    client.request("PUT", "/__admin/scenarios/other/state", json_body={"state": "done"})
    reply = client.request("PUT", "/__admin/scenarios/flow/state")
    assert (reply.status, reply.json()) == (200, {})
    assert (state_of(client, "flow"), state_of(client, "other")) == ("Started", "done")


@pytest.mark.parametrize("path", ["/__admin/scenarios/reset", "/__admin/reset"])
def test_reset_puts_every_scenario_back_to_started(client: Client, path: str) -> None:
    """scenarios/reset (and a full reset) puts every scenario back in Started."""
    flow_stubs(client)
    client.get("/s")
    assert state_of(client, "flow") == "done"
    client.post(path)
    if path == "/__admin/reset":  # a full reset also forgets the admin-made stubs
        assert scenario(client, "flow") is None
        return
    assert state_of(client, "flow") == "Started"
    assert client.get("/s").text == "first"


def test_a_scenario_lives_while_a_stub_names_it(client: Client) -> None:
    """A scenario appears with its first stub and disappears with its last."""
    first, second = flow_stubs(client)
    client.request("DELETE", f"/__admin/mappings/{first}")
    assert scenario(client, "flow") is not None
    client.request("DELETE", f"/__admin/mappings/{second}")
    assert client.get("/__admin/scenarios").json() == {"scenarios": []}


def test_editing_a_scenario_stub_keeps_the_scenario_state(client: Client) -> None:
    """Editing a stub through PUT does not reset its scenario's state (WireMock keeps it)."""
    stub_id = client.stub({"scenarioName": "solo", "newScenarioState": "moved",
                           "request": {"url": "/solo"}})
    client.get("/solo")
    assert state_of(client, "solo") == "moved"
    client.request("PUT", f"/__admin/mappings/{stub_id}",
                   json_body={"scenarioName": "solo", "newScenarioState": "moved",
                              "request": {"url": "/solo"}, "response": {"status": 202}})
    assert state_of(client, "solo") == "moved"


def test_concurrent_requests_fire_the_transition_exactly_once(client: Client) -> None:
    """50 simultaneous requests against a Started->done stub pair: exactly one gets 'first'."""
    flow_stubs(client)
    workers = 50
    gate = threading.Barrier(workers)
    bodies: list[str] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def hit() -> None:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", client.port, timeout=20)
            try:
                conn.connect()
                gate.wait(timeout=20)
                conn.request("GET", "/s")
                body = conn.getresponse().read().decode()
            finally:
                conn.close()
            with lock:
                bodies.append(body)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            with lock:
                failures.append(exc)

    threads = [threading.Thread(target=hit) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert failures == []
    assert Counter(bodies) == {"first": 1, "second": workers - 1}
    assert state_of(client, "flow") == "done"
    assert client.post("/__admin/requests/count", json_body={"url": "/s"}).json()["count"] == 50
