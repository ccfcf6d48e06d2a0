"""Scenario state machines: which state each scenario is in, and the gate on stubs.

The server runs on one event loop, and `Registry.find` checks the gate and fires the
transition in one synchronous step, so concurrent requests can never both pass a gate that
only one of them should (WireMock's scenarios lose transitions under load). Replicas sharing
a store hand the check and the transition to `shared`, which does both in one atomic step
there (`Registry.find_async`); the states here are then a cache of the shared ones.
"""

from __future__ import annotations

from collections import Counter
from typing import Protocol

from mockserver.compat.javaset import hash_set_order
from mockserver.model import STARTED, StubMapping


class SharedScenarios(Protocol):
    """Scenario states kept where every replica sees them."""

    async def transition(self, name: str, required: str | None,
                         new: str | None) -> tuple[bool, str] | None:
        """Atomically: when `name` is in `required` (or `required` is None), move it to `new`
        (if given). (passed, state now), or None when the store cannot be reached."""

    def state_set(self, name: str, state: str) -> None:
        """An admin set the state of `name` (to share)."""

    def states_reset(self, name: str | None) -> None:
        """An admin reset `name`, or every scenario when None (to share)."""


class Scenarios:
    def __init__(self) -> None:
        self._states: dict[str, str] = {}
        self._members: Counter[str] = Counter()
        self.shared: SharedScenarios | None = None
        # a namespace's: the default scope's scenarios, whose stubs it serves with states of
        # its own (kept here, without stubs here)
        self.lower: Scenarios | None = None

    def cached(self, name: str, state: str) -> None:
        """The shared store says `name` is in `state` (only scenarios with stubs here or in
        the layer below)."""
        if name in self._states or (self.lower is not None and name in self.lower._states):
            self._states[name] = state

    def add(self, stub: StubMapping) -> None:
        name = stub.scenario_name
        if name is None:
            return
        self._members[name] += 1
        self._states.setdefault(name, STARTED)

    def remove(self, stub: StubMapping) -> None:
        name = stub.scenario_name
        if name is None or not self._members[name]:
            return
        self._members[name] -= 1
        if self._members[name] == 0:
            del self._members[name]
            self._states.pop(name, None)

    def clear(self) -> None:
        self._states.clear()
        self._members.clear()

    def eligible(self, stub: StubMapping) -> bool:
        if stub.scenario_name is None or stub.required_scenario_state is None:
            return True
        return self._states.get(stub.scenario_name, STARTED) == stub.required_scenario_state

    def transition(self, stub: StubMapping) -> None:
        """Move the scenario on after `stub` was served, if its required state still holds."""
        name = stub.scenario_name
        if name is None or stub.new_scenario_state is None:
            return
        if stub.required_scenario_state is None or self._states.get(name, STARTED) == (
            stub.required_scenario_state
        ):
            self._states[name] = stub.new_scenario_state

    def state(self, name: str) -> str | None:
        return self._states.get(name)

    def names(self) -> list[str]:
        return list(self._states)

    def set_state(self, name: str, state: str) -> None:
        self._states[name] = state
        if self.shared is not None:
            self.shared.state_set(name, state)

    def reset(self, name: str | None = None) -> None:
        if self.shared is not None:
            self.shared.states_reset(name)
        if name is None:
            for key in self._states:
                self._states[key] = STARTED
        elif name in self._states:
            self._states[name] = STARTED


def possible_states(stubs: list[StubMapping], name: str) -> list[str]:
    """States the scenario's stubs mention (required or new), in the order WireMock lists
    them: its Java `HashSet`'s."""
    seen: list[str] = []
    for stub in stubs:
        if stub.scenario_name != name:
            continue
        for state in (stub.required_scenario_state, stub.new_scenario_state):
            if state is not None:
                seen.append(state)
    return hash_set_order(seen)
