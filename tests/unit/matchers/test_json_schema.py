"""matchesJsonSchema: drafts, non-JSON bodies, specs."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mockserver.errors import StubError
from mockserver.matchers import Content, MatchResult, parse_string_matcher

PATH = ("request", "bodyPatterns", 0)
ORDER = {"ignoreArrayOrder": True}
EXTRA = {"ignoreExtraElements": True}
BOTH = {**ORDER, **EXTRA}
STORE = {
    "items": [
        {"id": 1, "name": "apple", "qty": 3, "tags": ["red", "fruit"], "price": 1.5},
        {"id": 2, "name": "bread", "qty": 7, "tags": [], "price": 2.25},
        {"id": 3, "name": "Cherry", "qty": 9, "price": 10},
    ],
    "owner": {"name": "ann", "active": True, "age": 41},
    "empty": [],
    "nothing": {},
    "none": None,
    "limit": 6,
}


def match(spec: dict[str, Any], body: Any) -> MatchResult:
    """Match a body both as a plain value and as request Content; the two must agree."""
    text = body if body is None or isinstance(body, str) else json.dumps(body)
    matcher = parse_string_matcher(spec, PATH)
    as_value = matcher.match(text)
    as_content = matcher.match_content(Content((text or "").encode()))
    assert as_value.matched == as_content.matched
    assert matcher.matches(text) == as_value.matched  # the hot path's yes/no agrees
    assert matcher.matches_content(Content((text or "").encode())) == as_content.matched
    if text:
        assert as_value == as_content
    assert 0.0 <= as_value.distance <= 1.0
    assert as_value.matched == (as_value.distance == 0.0)
    return as_value


def equal_to_json(expected: Any, actual: Any, **flags: bool) -> MatchResult:
    return match({"equalToJson": expected, **flags}, actual)


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


