"""The model back into WireMock JSON (what the admin API returns) and into YAML files."""

from __future__ import annotations

from typing import Any

import yaml

from mockserver.model import MultipartPattern, RequestPattern, StubMapping
from mockserver.stubs.keys import RESPONSE_KEYS


def response_json(stub: StubMapping) -> dict[str, Any]:
    """The response as submitted, keys in WireMock's order (see `ResponseDefinition`)."""
    raw = stub.response.source_json
    out: dict[str, Any] = {}
    for key in RESPONSE_KEYS:
        if key in raw and raw[key] not in ([], {}):
            out[key] = raw[key]
    for key, value in raw.items():  # extension keys keep their place at the end
        if key not in out and key not in RESPONSE_KEYS:
            out[key] = value
    out.setdefault("status", stub.response.status)
    return out


def request_pattern_json(p: RequestPattern) -> dict[str, Any]:
    """WireMock's JSON view of a pattern, keys in WireMock's output order."""
    out: dict[str, Any] = {}
    if p.scheme is not None:
        out["scheme"] = p.scheme
    if p.host is not None:
        out["host"] = p.host.to_json()
    if p.port is not None:
        out["port"] = p.port
    if p.url is not None:
        out.update(p.url.to_json())
    if p.client_ip is not None:
        out["clientIp"] = p.client_ip.to_json()
    out["method"] = p.method
    if p.headers:
        out["headers"] = {k: m.to_json() for k, m in p.headers}
    if p.path_parameters:
        out["pathParameters"] = {k: m.to_json() for k, m in p.path_parameters}
    if p.query_parameters:
        out["queryParameters"] = {k: m.to_json() for k, m in p.query_parameters}
    if p.form_parameters:
        out["formParameters"] = {k: m.to_json() for k, m in p.form_parameters}
    if p.cookies:
        out["cookies"] = {k: m.to_json() for k, m in p.cookies}
    if p.body_patterns:
        out["bodyPatterns"] = [m.to_json() for m in p.body_patterns]
    if p.multipart_patterns:
        out["multipartPatterns"] = [_multipart_json(m) for m in p.multipart_patterns]
    if p.custom_matcher is not None:
        out["customMatcher"] = p.custom_matcher
    if p.basic_auth is not None:
        out["basicAuthCredentials"] = {
            "username": p.basic_auth.username, "password": p.basic_auth.password}
    return out


def _multipart_json(m: MultipartPattern) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if m.name is not None:
        out["name"] = m.name
    if m.file_name is not None:
        out["fileName"] = m.file_name
    out["matchingType"] = m.matching_type
    if m.headers:
        out["headers"] = {k: v.to_json() for k, v in m.headers}
    if m.body_patterns:
        out["bodyPatterns"] = [b.to_json() for b in m.body_patterns]
    return out


def stub_to_json(stub: StubMapping, *, private: bool = False) -> dict[str, Any]:
    """WireMock's view of a stub; `private` adds what saved files carry (insertionIndex)."""
    out: dict[str, Any] = {"id": stub.id}
    if stub.name is not None:
        out["name"] = stub.name
    out["request"] = request_pattern_json(stub.request)
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
