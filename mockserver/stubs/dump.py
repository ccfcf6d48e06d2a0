"""The model back into WireMock JSON (what the admin API returns) and into YAML files."""

from __future__ import annotations

from typing import Any

import yaml

from mockserver.model import StubMapping
from mockserver.stubs.keys import RESPONSE_KEYS


def response_json(stub: StubMapping) -> dict[str, Any]:
    raw = stub.response.raw
    out: dict[str, Any] = {}
    for key in RESPONSE_KEYS:
        if key in raw and raw[key] not in ([], {}):
            out[key] = raw[key]
    for key, value in raw.items():  # extension keys keep their place at the end
        if key not in out and key not in RESPONSE_KEYS:
            out[key] = value
    out.setdefault("status", stub.response.status)
    return out


def stub_to_json(stub: StubMapping, *, private: bool = False) -> dict[str, Any]:
    """WireMock's view of a stub; `private` adds what saved files carry (insertionIndex)."""
    out: dict[str, Any] = {"id": stub.id}
    if stub.name is not None:
        out["name"] = stub.name
    out["request"] = stub.request_json
    out["response"] = response_json(stub)
    out["uuid"] = stub.id
    if stub.persistent is not None:
        out["persistent"] = stub.persistent
    if stub.priority is not None:
        out["priority"] = stub.priority
    if stub.scenario_name is not None:
        out["scenarioName"] = stub.scenario_name
    if stub.required_scenario_state is not None:
        out["requiredScenarioState"] = stub.required_scenario_state
    if stub.new_scenario_state is not None:
        out["newScenarioState"] = stub.new_scenario_state
    if stub.metadata is not None:
        out["metadata"] = stub.metadata
    if stub.post_serve_actions is not None:
        out["postServeActions"] = list(stub.post_serve_actions)
    if stub.serve_event_listeners is not None:
        out["serveEventListeners"] = list(stub.serve_event_listeners)
    if private:
        out["insertionIndex"] = stub.insertion_index
    return out


class _Dumper(yaml.SafeDumper):
    """Block style, multi-line strings as literal blocks: files people can read and edit."""


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value and not any(c in value for c in "\r\t") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)


def to_yaml(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
