"""matchesJsonSchema: drafts, non-JSON bodies, specs."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mockserver.errors import StubError
from mockserver.matchers import parse_string_matcher
from tests.unit.matchers.json_bodies import (
    PATH,
    match,
)

SCHEMA = {
    "type": "object",
    "required": ["id", "name"],
    "properties": {"id": {"type": "integer"}, "name": {"type": "string", "minLength": 2}},
}


@pytest.mark.parametrize(
    ("schema", "body", "matched"),
    [
        (SCHEMA, {"id": 1, "name": "ann"}, True),
        (SCHEMA, {"id": 1, "name": "a"}, False),
        (SCHEMA, {"id": "1", "name": "ann"}, False),
        (SCHEMA, {"name": "ann"}, False),
        (SCHEMA, [1], False),
        (json.dumps(SCHEMA), {"id": 2, "name": "bo"}, True),
        ({"type": "string"}, "plain text", True),
        ({"type": "string", "pattern": "^a"}, "abc", True),
        ({"type": "string"}, '"json string"', True),
        ({"type": "integer"}, "42", True),
        ({"type": "integer"}, "4.5", False),
        ({"type": "string", "format": "email"}, "not-an-email", False),
        (True, "anything", True),
        (False, "anything", False),
    ],
)
def test_json_schema(schema: Any, body: Any, matched: bool) -> None:
    """A body validates against the schema; a non-JSON body is validated as a JSON string."""
    assert match({"matchesJsonSchema": schema}, body).matched is matched


@pytest.mark.parametrize(
    ("version", "schema", "body", "matched"),
    [
        ("V4", {"type": "number", "maximum": 5, "exclusiveMaximum": True}, "5", False),
        ("V6", {"type": "number", "exclusiveMaximum": 5}, "5", False),
        ("V7", {"if": {"type": "string"}, "then": {"minLength": 3}}, '"ab"', False),
        ("V7", {"if": {"type": "string"}, "then": {"minLength": 3}}, "7", True),
        ("V201909", {"type": "array", "unevaluatedItems": False}, "[]", True),
        ("V202012", {"prefixItems": [{"type": "integer"}], "items": False}, "[1]", True),
        ("V202012", {"prefixItems": [{"type": "integer"}], "items": False}, "[1, 2]", False),
        (None, {"prefixItems": [{"type": "integer"}], "items": False}, "[1, 2]", False),
    ],
)
def test_json_schema_versions(version: str | None, schema: Any, body: str, matched: bool) -> None:
    """schemaVersion picks the draft whose keywords apply (2020-12 by default)."""
    spec: dict[str, Any] = {"matchesJsonSchema": schema}
    if version:
        spec["schemaVersion"] = version
    assert match(spec, body).matched is matched


def test_json_schema_reason_and_absent_body() -> None:
    """A failed validation says where and why; an absent body is a plain no-match."""
    result = match({"matchesJsonSchema": SCHEMA}, {"id": "x", "name": "ann"})
    assert "$.id" in result.reason and "integer" in result.reason
    assert not match({"matchesJsonSchema": SCHEMA}, None).matched


def test_json_schema_unresolvable_ref_is_a_no_match() -> None:
    """A remote $ref is never fetched: validation fails with a reason instead of raising."""
    result = match({"matchesJsonSchema": {"$ref": "http://example.invalid/s.json"}}, "{}")
    assert not result.matched and "schema" in result.reason


@pytest.mark.parametrize(
    "spec",
    [
        {"matchesJsonSchema": SCHEMA},
        {"matchesJsonSchema": json.dumps(SCHEMA), "schemaVersion": "V7"},
    ],
)
def test_json_schema_round_trips(spec: dict[str, Any]) -> None:
    """to_json keeps the schema in the form given and schemaVersion only when given."""
    assert parse_string_matcher(spec).to_json() == spec


@pytest.mark.parametrize(
    ("spec", "path", "message"),
    [
        ({"matchesJsonSchema": "{oops"}, (*PATH, "matchesJsonSchema"), "not valid JSON"),
        ({"matchesJsonSchema": {"type": 5}}, (*PATH, "matchesJsonSchema"), "invalid JSON schema"),
        ({"matchesJsonSchema": "[1]"}, (*PATH, "matchesJsonSchema"), "object or a boolean"),
        (
            {"matchesJsonSchema": {}, "schemaVersion": "V3"},
            (*PATH, "schemaVersion"),
            "V4, V6, V7, V201909, V202012",
        ),
    ],
)
def test_json_schema_bad_specs_fail_at_load(
    spec: dict[str, Any], path: tuple[str | int, ...], message: str
) -> None:
    """An unparseable or invalid schema, or an unknown version, raises StubError at load."""
    with pytest.raises(StubError) as info:
        parse_string_matcher(spec, PATH)
    assert info.value.path == path
    assert message in info.value.message


