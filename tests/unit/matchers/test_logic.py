"""`and`, `or`, `not`: matchers combined from other matchers, absent values included."""

from __future__ import annotations

from typing import Any

import pytest

from mockserver.errors import StubError
from mockserver.matchers import Content, parse_string_matcher

A_AND_B = {"and": [{"contains": "a"}, {"contains": "b"}]}
A_OR_B = {"or": [{"equalTo": "a"}, {"equalTo": "b"}]}
ABSENT_OR_A = {"or": [{"absent": True}, {"equalTo": "a"}]}
ABSENT_AND_NO_X = {"and": [{"absent": True}, {"doesNotContain": "x"}]}
NOT_CONTAINS_Z = {"not": {"contains": "z"}}
NOT_ABSENT = {"not": {"absent": True}}
NOT_NOT_A = {"not": {"not": {"equalTo": "a"}}}
NESTED = {"or": [{"and": [{"matches": "[0-9]+"}, {"doesNotMatch": "0.*"}]}, {"equalTo": "zero"}]}


@pytest.mark.parametrize(
    ("spec", "value", "matched"),
    [
        (A_AND_B, "ab", True),
        (A_AND_B, "xbxa", True),
        (A_AND_B, "a", False),
        (A_AND_B, "b", False),
        (A_AND_B, None, False),
        (ABSENT_AND_NO_X, None, True),
        (ABSENT_AND_NO_X, "y", False),
        (A_OR_B, "a", True),
        (A_OR_B, "b", True),
        (A_OR_B, "c", False),
        (A_OR_B, None, False),
        (ABSENT_OR_A, None, True),
        (ABSENT_OR_A, "a", True),
        (ABSENT_OR_A, "b", False),
        (ABSENT_OR_A, "", False),
        (NOT_CONTAINS_Z, "abc", True),
        (NOT_CONTAINS_Z, "xyz", False),
        (NOT_CONTAINS_Z, None, True),
        (NOT_ABSENT, None, False),
        (NOT_ABSENT, "", True),
        (NOT_ABSENT, "x", True),
        (NOT_NOT_A, "a", True),
        (NOT_NOT_A, "b", False),
        (NOT_NOT_A, None, False),
        (NESTED, "42", True),
        (NESTED, "042", False),
        (NESTED, "zero", True),
        (NESTED, "x", False),
        (NESTED, None, False),
    ],
)
def test_logical_operators(spec: dict[str, Any], value: str | None, matched: bool) -> None:
    """and needs every operand, or any operand, not inverts its operand (absent values too)."""
    result = parse_string_matcher(spec).match(value)
    assert result.matched is matched
    assert 0.0 <= result.distance <= 1.0
    assert (result.distance == 0.0) if matched else (result.distance > 0.0)


@pytest.mark.parametrize(
    ("spec", "body", "matched"),
    [
        ({"and": [{"binaryEqualTo": "AQID"}, {"not": {"absent": True}}]}, b"\x01\x02\x03", True),
        ({"and": [{"binaryEqualTo": "AQID"}, {"absent": True}]}, b"\x01\x02\x03", False),
        ({"or": [{"binaryEqualTo": "AQID"}, {"equalTo": "x"}]}, b"x", True),
        ({"or": [{"binaryEqualTo": "AQID"}, {"equalTo": "x"}]}, b"\x01\x02\x03", True),
        ({"or": [{"binaryEqualTo": "AQID"}, {"equalTo": "x"}]}, b"y", False),
        ({"not": {"binaryEqualTo": "AQID"}}, b"\x01\x02", True),
        ({"not": {"binaryEqualTo": "AQID"}}, b"\x01\x02\x03", False),
        ({"not": {"contains": "z"}}, b"", True),
        ({"and": [{"absent": True}, {"not": {"contains": "z"}}]}, b"", True),
    ],
)
def test_logical_operators_on_content(spec: dict[str, Any], body: bytes, matched: bool) -> None:
    """Combined matchers hand body bytes to operands that need them (binaryEqualTo)."""
    assert parse_string_matcher(spec).match_content(Content(body)).matched is matched


def test_and_distance_reflects_partial_success() -> None:
    """An `and` with one operand satisfied is nearer than one with none satisfied."""
    matcher = parse_string_matcher({"and": [{"contains": "a"}, {"contains": "b"}]})
    assert matcher.match("a").distance < matcher.match("x").distance


def test_or_distance_is_the_nearest_operand() -> None:
    """An `or` that misses is as near as its nearest operand."""
    matcher = parse_string_matcher({"or": [{"equalTo": "abcd"}, {"equalTo": "zzzzzzzz"}]})
    assert matcher.match("abcx").distance == pytest.approx(1 / 4)


@pytest.mark.parametrize(
    ("spec", "tail"),
    [
        ({"and": "x"}, ("and",)),
        ({"and": []}, ("and",)),
        ({"and": None}, ("and",)),
        ({"or": {"equalTo": "x"}}, ("or",)),
        ({"and": [{"equals": "x"}]}, ("and", 0, "equals")),
        ({"or": [{"equalTo": "a"}, {"equalTo": None}]}, ("or", 1, "equalTo")),
        ({"or": [{"equalTo": "a"}, "b"]}, ("or", 1)),
        ({"not": "x"}, ("not",)),
        ({"not": None}, ("not",)),
        ({"not": {"matches": "("}}, ("not", "matches")),
        ({"not": {"and": [{"or": [{"contains": None}]}]}}, ("not", "and", 0, "or", 0, "contains")),
    ],
)
def test_bad_operands_are_located(spec: dict[str, Any], tail: tuple) -> None:
    """A mistake inside a combined matcher names its path, list indexes included."""
    with pytest.raises(StubError) as info:
        parse_string_matcher(spec, ("request", "bodyPatterns", 0))
    assert info.value.path == ("request", "bodyPatterns", 0, *tail)


@pytest.mark.parametrize("spec", [A_AND_B, A_OR_B, NOT_CONTAINS_Z, NOT_NOT_A, NESTED, ABSENT_OR_A])
def test_to_json_round_trips(spec: dict[str, Any]) -> None:
    """Combined matchers serialise back to the JSON they were parsed from."""
    assert parse_string_matcher(spec).to_json() == spec


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (A_AND_B, ("a", "contains a AND contains b")),
        (A_OR_B, ("a", "equalTo a OR equalTo b")),
        (NOT_CONTAINS_Z, ("z", "z")),
    ],
)
def test_report_text(spec: dict[str, Any], expected: tuple[str, str]) -> None:
    """Reports show the first operand as the value and name each operand in the expectation."""
    matcher = parse_string_matcher(spec)
    assert (matcher.report_value(), matcher.report_expected()) == expected
