"""equalToJson (and every JSON operator under hostile input): semantics, distances, specs."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mockserver.errors import StubError
from mockserver.matchers import Content, MatchResult, parse_string_matcher
from tests.unit.matchers.json_bodies import (
    BOTH,
    EXTRA,
    ORDER,
    PATH,
    equal_to_json,
)

# --- equalToJson -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expected", "actual", "flags"),
    [
        ({"a": 1, "b": "x"}, {"b": "x", "a": 1}, {}),
        ({"a": 1}, {"a": 1.0}, {}),
        ({"a": 1.0}, {"a": 1}, {}),
        ({"a": 100}, {"a": 1e2}, {}),
        ([1, 2, 3], [1, 2, 3], {}),
        ({"a": {"b": [{"c": None}]}}, {"a": {"b": [{"c": None}]}}, {}),
        ('"hello"', '"hello"', {}),
        (5, 5.0, {}),
        ("null", "null", {}),
        (True, True, {}),
        ([1, 2, 3], [3, 1, 2], ORDER),
        ([1, 1, 2], [1, 2, 1], ORDER),
        ([[1, 2], [3]], [[3], [2, 1]], ORDER),
        ({"a": 1}, {"a": 1, "b": 2}, EXTRA),
        ({"a": {"b": 1}}, {"a": {"b": 1, "c": 2}, "d": 3}, EXTRA),
        ([1, 2], [1, 2, 3], EXTRA),
        ({"a": 1, "b": [1, 2]}, {"a": 1, "b": [2, 1, 3], "c": 3}, BOTH),
        ([{"a": 1}, {"a": 1, "b": 2}], [{"a": 1, "b": 2}, {"a": 1, "c": 3}], BOTH),
        ([{"id": 2}, {"id": 1}], [{"id": 1, "x": 0}, {"id": 3}, {"id": 2, "y": 0}], BOTH),
        ('{"a": [1, 2]}', {"a": [1, 2]}, {}),
        ('"text"', '"text"', {}),
    ],
)
def test_equal_to_json_matches(expected: Any, actual: Any, flags: dict[str, bool]) -> None:
    """json-unit equality: key order free, numbers numeric, flags loosen order and extras."""
    assert equal_to_json(expected, actual, **flags).matched


@pytest.mark.parametrize(
    ("expected", "actual", "flags"),
    [
        ([1, 2, 3], [3, 2, 1], {}),
        ({"a": 1}, {"a": 1, "b": 2}, {}),
        ([1, 2], [1, 2, 3], {}),
        ([1, 2], [1], EXTRA),
        ({"a": 1, "b": 2}, {"a": 1}, EXTRA),
        ({"a": True}, {"a": 1}, {}),
        ({"a": 1}, {"a": True}, {}),
        ({"a": False}, {"a": 0}, {}),
        ({"a": 1}, {"a": "1"}, {}),
        ({"a": None}, {}, {}),
        ({"a": None}, {"a": "null"}, {}),
        ({"a": {}}, {"a": []}, {}),
        ([1, 1, 2], [1, 2, 2], ORDER),
        ([1, 2], [2, 1, 3], ORDER),
        ([1, 2], [2, 3, 1], EXTRA),
        ({"a": [1, 2]}, {"a": [2, 1]}, EXTRA),
        ([[1, 2], [3]], [[3], [2, 1]], {}),
    ],
)
def test_equal_to_json_rejects(expected: Any, actual: Any, flags: dict[str, bool]) -> None:
    """Array order, extra fields and items, and JSON types all matter unless a flag says not."""
    result = equal_to_json(expected, actual, **flags)
    assert not result.matched
    assert 0.0 < result.distance <= 1.0
    assert result.reason


@pytest.mark.parametrize(
    ("placeholder", "actual", "matched"),
    [
        ("${json-unit.ignore}", {"a": [1, {"b": 2}]}, True),
        ("${json-unit.ignore}", {"a": None}, True),
        ("${json-unit.ignore}", {}, False),
        ("${json-unit.ignore-element}", {"a": 5}, True),
        ("${json-unit.ignore-element}", {}, True),
        ("${json-unit.any-string}", {"a": "x"}, True),
        ("${json-unit.any-string}", {"a": ""}, True),
        ("${json-unit.any-string}", {"a": 5}, False),
        ("${json-unit.any-string}", {"a": None}, False),
        ("${json-unit.any-number}", {"a": 5}, True),
        ("${json-unit.any-number}", {"a": -2.5}, True),
        ("${json-unit.any-number}", {"a": "5"}, False),
        ("${json-unit.any-number}", {"a": True}, False),
        ("${json-unit.any-boolean}", {"a": False}, True),
        ("${json-unit.any-boolean}", {"a": "true"}, False),
        ("${json-unit.any-boolean}", {"a": 1}, False),
        ("${json-unit.regex}[a-z]+", {"a": "abc"}, True),
        ("${json-unit.regex}[a-z]+", {"a": "abc1"}, False),
        ("${json-unit.regex}[a-z]+", {"a": "1abc"}, False),
        ("${json-unit.regex}\\d{3}", {"a": 123}, False),
        ("${json-unit.regex}(?<x>a)b", {"a": "ab"}, True),
        ("${json-unit.regex}[a-z]+", {}, False),
        ("#{json-unit.ignore}", {"a": 1}, True),
        ("${json-unit.ignore} ", {"a": 1}, False),
    ],
)
def test_placeholders(placeholder: str, actual: Any, matched: bool) -> None:
    """Each ${json-unit.*} placeholder accepts exactly the values json-unit documents."""
    assert equal_to_json({"a": placeholder}, actual).matched is matched


def test_placeholders_in_string_operand_and_arrays() -> None:
    """Placeholders work inside a JSON-text operand and as array elements, with either flag."""
    spec = '{"id": "${json-unit.any-number}", "tags": ["${json-unit.any-string}", "b"]}'
    assert equal_to_json(spec, {"id": 7, "tags": ["a", "b"]}).matched
    assert equal_to_json(spec, {"id": 7, "tags": ["b", "a"]}, **ORDER).matched
    assert not equal_to_json(spec, {"id": 7, "tags": ["b", "a"]}).matched
    assert equal_to_json('"${json-unit.ignore}"', [1, 2]).matched


@pytest.mark.parametrize(
    ("actual_near", "actual_far"),
    [
        ({"a": 1, "b": 2, "c": 3, "d": 0}, {"a": 1, "b": 0, "c": 0, "d": 0}),
        ({"a": 1, "b": 2, "c": 3, "d": 4, "e": 5}, {"a": 1}),
        ({"a": 1, "b": 2, "c": 3, "d": 5}, ["unrelated"]),
        ({"a": 1, "b": 2, "c": 3, "d": "4"}, {"a": 1, "b": 2, "x": {"deep": [1, 2, 3]}}),
    ],
)
def test_distance_ranks_closer_documents_lower(actual_near: Any, actual_far: Any) -> None:
    """Fewer differing nodes give a smaller distance, so near misses can be ranked."""
    expected = {"a": 1, "b": 2, "c": 3, "d": 4}
    near, far = equal_to_json(expected, actual_near), equal_to_json(expected, actual_far)
    assert 0.0 < near.distance < far.distance <= 1.0


def test_distance_of_unordered_near_miss_counts_only_the_odd_element() -> None:
    """With ignoreArrayOrder a single wrong element costs one node, not the whole array."""
    expected = list(range(10))
    one_off = equal_to_json(expected, [9, 8, 7, 6, 5, 4, 3, 2, 1, 42], **ORDER)
    assert 0.0 < one_off.distance < 0.2
    assert equal_to_json(expected, {"x": 1}).distance == 1.0


@pytest.mark.parametrize(
    ("expected", "actual", "flags", "where"),
    [
        ({"a": {"b": [1, 2]}}, {"a": {"b": [1, 3]}}, {}, "$.a.b[1]: expected 2 but was 3"),
        ({"a": 1}, {}, {}, "$.a: missing"),
        ({"a": 1}, {"a": 1, "z": 0}, {}, "$.z: unexpected field"),
        ({"a": "${json-unit.any-number}"}, {"a": "x"}, {}, "$.a: expected any-number"),
        ([1, 2], [2, 5], ORDER, "$[0]: expected 1 but was 5"),
    ],
)
def test_reason_names_the_first_difference(
    expected: Any, actual: Any, flags: dict[str, bool], where: str
) -> None:
    """A near-miss reason points at the JSON path of the first difference."""
    assert equal_to_json(expected, actual, **flags).reason.startswith(where)


@pytest.mark.parametrize(
    ("body", "reason"),
    [(None, "absent"), ("", "not valid JSON"), ("not json", "not valid JSON"), ("{", "JSON")],
)
def test_equal_to_json_needs_a_json_body(body: str | None, reason: str) -> None:
    """An absent or non-JSON body is a no-match with a reason, never an exception."""
    result = equal_to_json({"a": 1}, body)
    assert not result.matched and result.distance == 1.0
    assert reason in result.reason


def test_empty_body_is_absent() -> None:
    """WireMock treats an empty request body as absent, so the reason says so."""
    result = parse_string_matcher({"equalToJson": {}}).match_content(Content(b""))
    assert not result.matched and "absent" in result.reason


@pytest.mark.parametrize(
    "spec",
    [
        {"equalToJson": {"b": [1, 2], "a": 1}},
        {"equalToJson": '{ "b": [1, 2], "a": 1 }'},
        {"equalToJson": [1, 2], "ignoreArrayOrder": True},
        {"equalToJson": "[1]", "ignoreExtraElements": False, "ignoreArrayOrder": True},
        {"equalToJson": 5},
    ],
)
def test_equal_to_json_round_trips(spec: dict[str, Any]) -> None:
    """to_json gives back the operand in the form it was written, with only the given flags."""
    assert parse_string_matcher(spec).to_json() == spec


def test_equal_to_json_expected_is_json_text() -> None:
    """The near-miss report shows the expected document as Jackson-style pretty JSON."""
    assert parse_string_matcher({"equalToJson": '{"a": 1}'}).report_value() == '{"a": 1}'
    as_object = parse_string_matcher({"equalToJson": {"a": [1]}})
    assert as_object.report_expected() == '{\n  "a" : [ 1 ]\n}'
    assert json.loads(as_object.report_expected()) == {"a": [1]}


def test_body_json_is_parsed_once_per_request() -> None:
    """match_content reads the cached Content.json_value rather than parsing again."""
    content = Content(b'{"a": 1}')
    content.__dict__["json_value"] = {"a": 2}  # a stand-in cache entry proves which path ran
    assert not parse_string_matcher({"equalToJson": {"a": 1}}).match_content(content).matched
    assert parse_string_matcher({"equalToJson": {"a": 2}}).match_content(content).matched


def test_large_unordered_arrays_match_quickly() -> None:
    """Reversed arrays of thousands of scalars and objects pair up (a quadratic pairing would
    run into the test's time limit; speed itself is measured by benchmarks, not asserted)."""
    scalars = list(range(5000))
    objects: list[dict[str, Any]] = [{"id": i, "v": [i, "x"]} for i in range(3000)]
    assert equal_to_json(scalars, scalars[::-1], **ORDER).matched
    shuffled = [{"id": o["id"], "v": o["v"][::-1], "more": 1} for o in reversed(objects)]
    assert equal_to_json(objects, shuffled, **BOTH).matched
    assert not equal_to_json(scalars, [*scalars[:-1], -1], **ORDER).matched


def test_pathological_unordered_arrays_give_up_as_no_match() -> None:
    """Arrays that defeat every shortcut stop at the step budget instead of stalling."""
    expected = [["${json-unit.any-number}", i] for i in range(700)]
    actual = [[i, "s"] for i in range(700)]
    assert not equal_to_json(expected, actual, **BOTH).matched


@pytest.mark.parametrize(
    ("spec", "path", "message"),
    [
        ({"equalToJson": "{not json"}, (*PATH, "equalToJson"), "not valid JSON"),
        ({"equalToJson": ""}, (*PATH, "equalToJson"), "not valid JSON"),
        ({"equalToJson": {"a": "${json-unit.regex}[a-"}}, (*PATH, "equalToJson"), "regex"),
        ({"equalToJson": {}, "ignoreArrayOrder": "yes"}, (*PATH, "ignoreArrayOrder"), "true"),
        ({"equalToJson": {}, "ignoreExtraElements": 1}, (*PATH, "ignoreExtraElements"), "true"),
    ],
)
def test_equal_to_json_bad_specs_fail_at_load(
    spec: dict[str, Any], path: tuple[str | int, ...], message: str
) -> None:
    """Stub-author mistakes raise StubError at load, located at the offending key."""
    with pytest.raises(StubError) as info:
        parse_string_matcher(spec, PATH)
    assert info.value.path == path
    assert message in info.value.message


# --- hostile input ---------------------------------------------------------------------------

SCHEMA = {
    "type": "object",
    "required": ["id", "name"],
    "properties": {"id": {"type": "integer"}, "name": {"type": "string", "minLength": 2}},
}

GARBAGE = [
    "\ufffd\ufffd{\x00",
    "[" * 100_000,
    "[" * 5000 + "]" * 5000,
    '{"a": ' * 3000 + "1" + "}" * 3000,
    "9" * 5000,
    "NaN",
    '{"a": "\\ud800"}',
    json.dumps({"items": [{"qty": i, "name": str(i)} for i in range(20_000)]}),
    " " * 10_000,
]
SPECS = [
    {"equalToJson": {"a": 1}},
    {"equalToJson": [1], **BOTH},
    {"equalToJson": '"${json-unit.ignore}"'},
    {"matchesJsonPath": "$..qty"},
    {"matchesJsonPath": "$.items[?(@.qty > 5 && @.name =~ /1.*/)]"},
    {"matchesJsonPath": {"expression": "$..name", "equalTo": "x"}},
    {"matchesJsonPath": {"expression": "$.items.length()", "absent": True}},
    {"matchesJsonSchema": SCHEMA},
    {"matchesJsonSchema": {"type": "array", "items": {"$ref": "#"}}},
]


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: json.dumps(s)[:40])
def test_matchers_never_raise_on_garbage(spec: dict[str, Any]) -> None:
    """Huge, deeply nested, invalid or replaced-UTF-8 bodies give a MatchResult, never an error."""
    matcher = parse_string_matcher(spec)
    for body in GARBAGE:
        for result in (matcher.match(body), matcher.match_content(Content(body.encode()))):
            assert isinstance(result, MatchResult)
            assert 0.0 <= result.distance <= 1.0
    raw = Content(b"\xff\xfe\x00{\x80", charset="no-such-charset")
    assert isinstance(matcher.match_content(raw), MatchResult)
