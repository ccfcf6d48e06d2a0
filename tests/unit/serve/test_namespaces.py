"""The namespace service: selecting a scope from a path or header, the idle clock, the limit."""

from __future__ import annotations

from pathlib import Path

import pytest

from mockserver.exchange import Request
from mockserver.matching.registry import Registry
from mockserver.serve.namespaces import Namespace, NamespaceError, Namespaces
from mockserver.serve.state import ServerState
from mockserver.settings import ServerOptions
from mockserver.stubs import parse_stub


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def base(tmp_path: Path) -> ServerState:
    return ServerState(ServerOptions(root_dir=tmp_path))


def test_a_prefixed_path_selects_the_namespace_and_loses_the_prefix(base: ServerState) -> None:
    """`/__ns/a/x?q=1` is namespace a's `/x?q=1`; the prefix is returned for baseUrl."""
    namespaces = Namespaces(base)
    scope, url, prefix = namespaces.select("/__ns/a/x?q=1", None)
    assert (scope.namespace, url, prefix) == ("a", "/x?q=1", "/__ns/a")
    assert namespaces.select("/__ns/a", None)[1:] == ("/", "/__ns/a")
    assert namespaces.select("/__ns/a?q=1", None)[1:] == ("/?q=1", "/__ns/a")
    assert namespaces.select("/__ns/a/x", None)[0] is scope


def test_the_header_selects_only_on_an_unprefixed_path(base: ServerState) -> None:
    """The header names the namespace of a plain path; the prefix wins over the header."""
    namespaces = Namespaces(base)
    assert namespaces.select("/x", "h")[0].namespace == "h"
    assert namespaces.select("/__ns/p/x", "h")[0].namespace == "p"
    assert namespaces.select("/x", None)[0] is base
    assert namespaces.select("/__nsx/y", None) == (base, "/__nsx/y", "")


@pytest.mark.parametrize("name", ["", "a b", "x" * 65, "a/b", "ä"])
def test_names_outside_the_alphabet_are_refused(base: ServerState, name: str) -> None:
    """Names must be 1-64 of A-Z a-z 0-9 . _ -: anything else is a 400, nothing is made."""
    namespaces = Namespaces(base)
    with pytest.raises(NamespaceError) as caught:
        namespaces.get(name)
    assert caught.value.status == 400
    assert len(namespaces) == 0


def test_idle_namespaces_expire_and_used_ones_stay(base: ServerState) -> None:
    """Past the TTL since its last use a namespace goes; one used meanwhile stays."""
    clock = Clock()
    namespaces = Namespaces(base, ttl=60, clock=clock)
    namespaces.get("idle")
    namespaces.get("busy")
    clock.now += 45
    namespaces.get("busy")
    clock.now += 30
    assert [ns.namespace for ns in namespaces.listing()] == ["busy"]


def test_the_limit_refuses_a_new_name_but_frees_expired_ones_first(base: ServerState) -> None:
    """At the limit a new name is a 429, unless an expired namespace can make room."""
    clock = Clock()
    namespaces = Namespaces(base, ttl=60, limit=2, clock=clock)
    namespaces.get("a")
    namespaces.get("b")
    with pytest.raises(NamespaceError) as caught:
        namespaces.get("c")
    assert caught.value.status == 429
    assert namespaces.get("a").namespace == "a"  # existing names still work at the limit
    clock.now += 61
    assert namespaces.get("c").namespace == "c"
    assert sorted(ns.namespace or "" for ns in namespaces.listing()) == ["c"]


def stub(url: str, body: str, **extra: object) -> dict[str, object]:
    return {"request": {"url": url}, "response": {"body": body}, **extra}


def test_find_asks_the_namespace_first_then_the_default(base: ServerState) -> None:
    """A namespace stub wins over a default one of better priority; default stubs show through."""
    base.stubs.add(parse_stub(stub("/x", "default", priority=1)))
    base.stubs.add(parse_stub(stub("/y", "default y")))
    ns = Namespace("n", base, 0.0)
    ns.stubs.add(parse_stub(stub("/x", "mine", priority=9)))
    found = ns.find(Request("GET", "/x"))
    assert found is not None and found.response.body == "mine"
    found = ns.find(Request("GET", "/y"))
    assert found is not None and found.response.body == "default y"
    assert ns.find(Request("GET", "/z")) is None


def test_a_default_scenario_moves_in_the_namespace_states_only(base: ServerState) -> None:
    """Serving a default scenario stub from a namespace moves the namespace's state only."""
    base.stubs.add(parse_stub(stub("/s", "first", scenarioName="f",
                                   requiredScenarioState="Started", newScenarioState="two")))
    ns = Namespace("n", base, 0.0)
    assert ns.scenario_state("f") == "Started"
    assert ns.find(Request("GET", "/s")) is not None
    assert (ns.scenario_state("f"), base.scenario_state("f")) == ("two", "Started")
    assert ns.find(Request("GET", "/s")) is None


def test_the_registry_gates_on_the_scenarios_it_is_given() -> None:
    """`Registry.find(request, scenarios)` reads and moves the given states, not its own."""
    registry, other = Registry(), Registry()
    registry.add(parse_stub(stub("/s", "x", scenarioName="f", requiredScenarioState="Started",
                                 newScenarioState="done")))
    assert registry.find(Request("GET", "/s"), other.scenarios) is not None
    assert (registry.scenarios.state("f"), other.scenarios.state("f")) == ("Started", "done")
