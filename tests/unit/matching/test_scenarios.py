"""Scenario state machines: the gate on stubs, transitions, and life tied to member stubs."""

from __future__ import annotations

from typing import Any

import pytest

from mockserver.exchange import Request
from mockserver.matching.registry import Registry
from mockserver.matching.scenarios import Scenarios, possible_states
from mockserver.model import STARTED, StubMapping
from mockserver.stubs.parse import parse_stub


def stub(**fields: Any) -> StubMapping:
    fields.setdefault("request", {"urlPath": "/s"})
    return parse_stub(fields)


def test_scenario_starts_in_started() -> None:
    """A scenario comes into being in state Started when its first stub is added."""
    scenarios = Scenarios()
    scenarios.add(stub(scenarioName="sc"))
    assert scenarios.state("sc") == STARTED == "Started"
    assert scenarios.names() == ["sc"]


def test_stub_outside_scenarios_creates_none() -> None:
    """Stubs without a scenario name leave the scenario list empty."""
    scenarios = Scenarios()
    scenarios.add(stub(requiredScenarioState="x", newScenarioState="y"))
    assert scenarios.names() == []


@pytest.mark.parametrize(
    ("fields", "state", "eligible"),
    [
        ({}, "anything", True),
        ({"scenarioName": "sc"}, "x", True),
        ({"scenarioName": "sc", "newScenarioState": "y"}, "x", True),
        ({"scenarioName": "sc", "requiredScenarioState": "x"}, "x", True),
        ({"scenarioName": "sc", "requiredScenarioState": "x"}, "y", False),
        ({"scenarioName": "sc", "requiredScenarioState": "X"}, "x", False),
        ({"scenarioName": "sc", "requiredScenarioState": "Started"}, "Started", True),
        ({"requiredScenarioState": "x"}, "y", True),
    ],
)
def test_gate(fields: dict[str, Any], state: str, eligible: bool) -> None:
    """A stub is eligible only if it needs no state or its scenario is exactly in that state."""
    scenarios = Scenarios()
    s = stub(**fields)
    scenarios.add(s)
    if s.scenario_name:
        scenarios.set_state(s.scenario_name, state)
    assert scenarios.eligible(s) is eligible


@pytest.mark.parametrize(
    ("fields", "before", "after"),
    [
        ({"requiredScenarioState": "Started", "newScenarioState": "two"}, "Started", "two"),
        ({"requiredScenarioState": "Started", "newScenarioState": "two"}, "other", "other"),
        ({"newScenarioState": "two"}, "anything", "two"),
        ({"requiredScenarioState": "Started"}, "Started", "Started"),
        ({}, "x", "x"),
    ],
)
def test_transition(fields: dict[str, Any], before: str, after: str) -> None:
    """Serving moves the scenario on only if the stub names a new state and its gate still holds."""
    scenarios = Scenarios()
    s = stub(scenarioName="sc", **fields)
    scenarios.add(s)
    scenarios.set_state("sc", before)
    scenarios.transition(s)
    assert scenarios.state("sc") == after


def test_scenario_lives_while_a_stub_references_it() -> None:
    """A scenario keeps its state until its last stub goes, then disappears."""
    scenarios = Scenarios()
    first, second = stub(scenarioName="sc"), stub(scenarioName="sc")
    scenarios.add(first)
    scenarios.add(second)
    scenarios.set_state("sc", "x")
    scenarios.remove(first)
    assert scenarios.state("sc") == "x"
    scenarios.remove(second)
    assert scenarios.state("sc") is None
    assert scenarios.names() == []
    scenarios.remove(second)  # removing again is harmless
    scenarios.add(first)
    assert scenarios.state("sc") == STARTED


def test_reset() -> None:
    """Reset puts one scenario, or all of them, back to Started."""
    scenarios = Scenarios()
    scenarios.add(stub(scenarioName="a"))
    scenarios.add(stub(scenarioName="b"))
    scenarios.set_state("a", "x")
    scenarios.set_state("b", "y")
    scenarios.reset("a")
    assert (scenarios.state("a"), scenarios.state("b")) == (STARTED, "y")
    scenarios.reset("unknown")
    assert scenarios.names() == ["a", "b"]
    scenarios.set_state("a", "x")
    scenarios.reset()
    assert (scenarios.state("a"), scenarios.state("b")) == (STARTED, STARTED)


def test_clear_and_unknown_names() -> None:
    """clear forgets every scenario; an unknown scenario has no state."""
    scenarios = Scenarios()
    scenarios.add(stub(scenarioName="a"))
    scenarios.clear()
    assert scenarios.names() == []
    assert scenarios.state("a") is None


def test_a_cached_state_is_kept_for_scenarios_here_or_in_the_layer_below() -> None:
    """A shared state is cached for a scenario with stubs here or below (a namespace over the
    default scope), and not for one nobody serves."""
    below, here = Scenarios(), Scenarios()
    below.add(stub(scenarioName="default-flow"))
    here.add(stub(scenarioName="own-flow"))
    here.lower = below
    for name in ("default-flow", "own-flow", "nobody"):
        here.cached(name, "moved")
    assert (here.state("default-flow"), here.state("own-flow")) == ("moved", "moved")
    assert here.state("nobody") is None and below.state("default-flow") == STARTED


def test_possible_states() -> None:
    """Possible states are the required and new states the scenario's stubs mention."""
    stubs = [
        stub(scenarioName="sc", requiredScenarioState="Started", newScenarioState="two"),
        stub(scenarioName="sc", requiredScenarioState="two", newScenarioState="three"),
        stub(scenarioName="sc", newScenarioState="two"),
        stub(scenarioName="other", requiredScenarioState="zzz"),
        stub(),
    ]
    assert possible_states(stubs, "sc") == ["Started", "two", "three"]
    assert possible_states(stubs, "other") == ["zzz"]
    assert possible_states(stubs, "none") == []


def test_possible_states_come_in_wiremocks_order() -> None:
    """The order WireMock 3.13.2 listed for these stubs (its HashSet's), not first-seen."""
    stubs = [
        stub(scenarioName="P", requiredScenarioState="Started", newScenarioState="zeta"),
        stub(scenarioName="P", requiredScenarioState="zeta", newScenarioState="alpha"),
        stub(scenarioName="P", requiredScenarioState="alpha", newScenarioState="Mid"),
        stub(scenarioName="P", newScenarioState="b2"),
        stub(scenarioName="P", requiredScenarioState="a10"),
    ]
    assert possible_states(stubs, "P") == ["zeta", "b2", "a10", "Started", "alpha", "Mid"]


def test_registry_walks_a_scenario() -> None:
    """Requests step through a scenario: each stub answers only in its state."""
    registry = Registry()
    registry.add(stub(name="first", scenarioName="sc", requiredScenarioState="Started",
                      newScenarioState="second"))
    registry.add(stub(name="second", scenarioName="sc", requiredScenarioState="second",
                      newScenarioState="third"))
    registry.add(stub(name="third", scenarioName="sc", requiredScenarioState="third"))
    answers = [registry.find(Request("GET", "/s")).name for _ in range(4)]
    assert answers == ["first", "second", "third", "third"]
    assert registry.scenarios.state("sc") == "third"


def test_ineligible_stub_falls_through_to_the_next() -> None:
    """A matching stub whose state does not hold is skipped for a lower-priority one."""
    registry = Registry()
    registry.add(stub(name="fallback", priority=9))
    registry.add(stub(name="gated", priority=1, scenarioName="sc", requiredScenarioState="open"))
    assert registry.find(Request("GET", "/s")).name == "fallback"
    registry.scenarios.set_state("sc", "open")
    assert registry.find(Request("GET", "/s")).name == "gated"


def test_unmatched_requests_do_not_transition() -> None:
    """Only a served stub moves its scenario on."""
    registry = Registry()
    registry.add(stub(scenarioName="sc", newScenarioState="moved"))
    assert registry.find(Request("GET", "/other")) is None
    assert registry.scenarios.state("sc") == STARTED


def test_registry_removes_scenario_with_its_last_stub() -> None:
    """Deleting the last stub of a scenario deletes the scenario."""
    registry = Registry()
    only = registry.add(stub(scenarioName="sc", newScenarioState="x"))
    registry.find(Request("GET", "/s"))
    assert registry.scenarios.state("sc") == "x"
    registry.remove(only.id)
    assert registry.scenarios.names() == []


def test_editing_a_scenario_stub_keeps_the_state() -> None:
    """Replacing (editing) the only stub of a scenario does not reset the scenario's state."""
    registry = Registry()
    only = registry.add(stub(scenarioName="sc", newScenarioState="x"))
    registry.find(Request("GET", "/s"))
    registry.replace(stub(id=only.id, scenarioName="sc", newScenarioState="x",
                          response={"status": 201}))
    assert registry.scenarios.state("sc") == "x"


def test_editing_one_of_several_scenario_stubs_keeps_the_state() -> None:
    """Replacing one stub of a scenario with other members keeps the scenario's state."""
    registry = Registry()
    first = registry.add(stub(scenarioName="sc", newScenarioState="x"))
    registry.add(stub(scenarioName="sc", requiredScenarioState="x", request={"urlPath": "/t"}))
    registry.find(Request("GET", "/s"))
    registry.replace(stub(id=first.id, scenarioName="sc", newScenarioState="x"))
    assert registry.scenarios.state("sc") == "x"
