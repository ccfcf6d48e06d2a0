"""The plain string operators: equalTo, contains, regexes, absent, anything, binaryEqualTo."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from mockserver.errors import StubError
from mockserver.matchers import Content, parse_string_matcher
from mockserver.matchers.distance import normalised_distance


def m(spec: dict[str, Any]):
    return parse_string_matcher(spec, ("request", "headers", "X"))


@pytest.mark.parametrize(
    ("spec", "value", "matched"),
    [
        ({"equalTo": "abc"}, "abc", True),
        ({"equalTo": "abc"}, "ABC", False),
        ({"equalTo": "abc"}, "abcd", False),
        ({"equalTo": "abc"}, " abc", False),
        ({"equalTo": "abc"}, "", False),
        ({"equalTo": ""}, "", True),
        ({"equalTo": "abc", "caseInsensitive": True}, "ABC", True),
        ({"equalTo": "abc", "caseInsensitive": True}, "aBc", True),
        ({"equalTo": "abc", "caseInsensitive": True}, "abd", False),
        ({"equalTo": "abc", "caseInsensitive": False}, "ABC", False),
        ({"equalTo": "abc", "caseInsensitive": None}, "ABC", False),
        ({"caseInsensitive": True, "equalTo": "abc"}, "ABC", True),
        ({"equalTo": "BAR", "caseInsensitive": True}, "bar", True),
        ({"equalTo": "ünï", "caseInsensitive": True}, "ÜNÏ", True),
    ],
)
def test_equal_to(spec: dict[str, Any], value: str, matched: bool) -> None:
    """equalTo is exact and case-sensitive unless caseInsensitive is true."""
    result = m(spec).match(value)
    assert result.matched is matched
    assert (result.distance == 0.0) is matched


@pytest.mark.parametrize("case_insensitive", [False, True])
def test_equal_to_absent_value(case_insensitive: bool) -> None:
    """equalTo never matches an absent value, and the miss is the furthest possible."""
    result = m({"equalTo": "x", "caseInsensitive": case_insensitive}).match(None)
    assert not result.matched
    assert result.distance == 1.0


@pytest.mark.parametrize(
    ("spec", "value", "distance"),
    [
        ({"equalTo": "abc"}, "abd", 1 / 3),
        ({"equalTo": "abc"}, "abcd", 1 / 4),
        ({"equalTo": "abc"}, "xyz", 1.0),
        ({"equalTo": "abc"}, "", 1.0),
        ({"equalTo": "kitten"}, "sitting", 3 / 7),
        ({"equalTo": "/users/1"}, "/users/2", 1 / 8),
        ({"equalTo": "abc", "caseInsensitive": True}, "ABD", 1 / 3),
        ({"equalTo": "Hello", "caseInsensitive": True}, "hELLO world", 6 / 11),
    ],
)
def test_equal_to_distance_is_normalised_levenshtein(
    spec: dict[str, Any], value: str, distance: float
) -> None:
    """A near miss of equalTo is graded by Levenshtein distance over the longer length."""
    result = m(spec).match(value)
    assert not result.matched
    assert result.distance == pytest.approx(distance)


@pytest.mark.parametrize(
    ("expected", "actual"),
    [("abc", "abd"), ("/api/users", "/api/orders"), ("a", "bbbbbbbb"), ("same-ish", "same_ish")],
)
def test_equal_to_distance_agrees_with_normalised_distance(expected: str, actual: str) -> None:
    """equalTo's distance is exactly the shared normalised edit distance."""
    assert m({"equalTo": expected}).match(actual).distance == normalised_distance(expected, actual)


@pytest.mark.parametrize(("expected", "actual"), [("ß", "SS"), ("straße", "STRASSE")])
def test_equal_to_case_insensitive_is_char_by_char(expected: str, actual: str) -> None:
    """caseInsensitive follows Java equalsIgnoreCase: no multi-character case folding."""
    assert not m({"equalTo": expected, "caseInsensitive": True}).match(actual).matched


@pytest.mark.parametrize(
    ("spec", "value", "matched"),
    [
        ({"contains": "b"}, "abc", True),
        ({"contains": "abc"}, "abc", True),
        ({"contains": "B"}, "abc", False),
        ({"contains": "abcd"}, "abc", False),
        ({"contains": ""}, "abc", True),
        ({"contains": "x"}, None, False),
        ({"contains": ""}, None, False),
        ({"doesNotContain": "z"}, "abc", True),
        ({"doesNotContain": "b"}, "abc", False),
        ({"doesNotContain": "B"}, "abc", True),
        ({"doesNotContain": "z"}, None, True),
        ({"doesNotContain": "z"}, "", True),
    ],
)
def test_contains_and_does_not_contain(
    spec: dict[str, Any], value: str | None, matched: bool
) -> None:
    """contains is a case-sensitive substring test; doesNotContain negates it (true if absent)."""
    assert m(spec).match(value).matched is matched


@pytest.mark.parametrize(
    ("spec", "value", "matched"),
    [
        ({"matches": "[a-z]+"}, "abc", True),
        ({"matches": "[a-z]+"}, "abc1", False),
        ({"matches": "abc"}, "xabcx", False),
        ({"matches": "b"}, "abc", False),
        ({"matches": "a.b"}, "a\nb", True),
        ({"matches": ".*"}, "line1\nline2", True),
        ({"matches": ".*"}, "", True),
        ({"matches": ".+"}, "", False),
        ({"matches": "abc"}, "ABC", False),
        ({"matches": "(?i)abc"}, "ABC", True),
        ({"matches": "(?<word>[a-z]+)-\\k<word>"}, "ab-ab", True),
        ({"matches": "\\d{3}"}, "123", True),
        ({"matches": ".*"}, None, False),
        ({"doesNotMatch": "[a-z]+"}, "abc", False),
        ({"doesNotMatch": "[a-z]+"}, "abc1", True),
        ({"doesNotMatch": "b"}, "abc", True),
        ({"doesNotMatch": "a.b"}, "a\nb", False),
        ({"doesNotMatch": ".*"}, None, True),
    ],
)
def test_regex_operators_full_match_with_dotall(
    spec: dict[str, Any], value: str | None, matched: bool
) -> None:
    """matches/doesNotMatch use a full match with DOTALL; doesNotMatch is true when absent."""
    assert m(spec).match(value).matched is matched


@pytest.mark.parametrize("spec", [{"absent": True}, {"absent": False}, {"absent": "yes"}])
@pytest.mark.parametrize(("value", "matched"), [(None, True), ("", False), ("x", False)])
def test_absent(spec: dict[str, Any], value: str | None, matched: bool) -> None:
    """absent matches only a missing value, whatever its operand (`absent: false` too)."""
    matcher = m(spec)
    assert matcher.match(value).matched is matched
    assert matcher.to_json() == {"absent": True}


@pytest.mark.parametrize("value", [None, "", "anything at all"])
def test_anything(value: str | None) -> None:
    """anything matches every value, absent included, and serialises as WireMock does."""
    matcher = m({"anything": "anything"})
    assert matcher.match(value).matched
    assert matcher.to_json() == {"anything": "anything"}


@pytest.mark.parametrize(
    ("operand", "body", "matched"),
    [
        ("AQID", b"\x01\x02\x03", True),
        ("AQID", b"\x01\x02", False),
        ("AQID", b"\x01\x02\x03\x04", False),
        ("AQID", b"", False),
        (base64.b64encode(b"\xff\xfe\x00").decode(), b"\xff\xfe\x00", True),
        (base64.b64encode(b"hello").decode(), b"hello", True),
        (base64.b64encode(b"hello").decode(), b"Hello", False),
    ],
)
def test_binary_equal_to_on_bytes(operand: str, body: bytes, matched: bool) -> None:
    """binaryEqualTo compares the raw bytes of a body with its base64 operand."""
    assert m({"binaryEqualTo": operand}).match_content(Content(body)).matched is matched


def test_binary_equal_to_ignores_the_declared_charset() -> None:
    """binaryEqualTo sees bytes, not text decoded with the body's charset."""
    body = "é".encode("latin-1")
    operand = base64.b64encode(body).decode()
    assert m({"binaryEqualTo": operand}).match_content(Content(body, "latin-1")).matched


@pytest.mark.parametrize(
    ("spec", "body", "charset", "matched"),
    [
        ({"equalTo": "héllo"}, "héllo".encode(), "utf-8", True),
        ({"equalTo": "héllo"}, "héllo".encode("latin-1"), "latin-1", True),
        ({"contains": "x"}, b"", "utf-8", False),
        ({"absent": True}, b"", "utf-8", True),
        ({"absent": True}, b" ", "utf-8", False),
        ({"doesNotContain": "x"}, b"", "utf-8", True),
    ],
)
def test_string_operators_on_content(
    spec: dict[str, Any], body: bytes, charset: str, matched: bool
) -> None:
    """Text operators see the body decoded with its charset; an empty body is absent."""
    assert m(spec).match_content(Content(body, charset)).matched is matched


@pytest.mark.parametrize(
    ("spec", "value", "json"),
    [
        ({"equalTo": 5}, "5", {"equalTo": "5"}),
        ({"equalTo": 1.5}, "1.5", {"equalTo": "1.5"}),
        ({"equalTo": True}, "true", {"equalTo": "true"}),
        ({"equalTo": False}, "false", {"equalTo": "false"}),
        ({"contains": 42}, "x42y", {"contains": "42"}),
        ({"matches": 123}, "123", {"matches": "123"}),
        ({"doesNotContain": 7}, "8", {"doesNotContain": "7"}),
    ],
)
def test_scalar_operands_are_read_as_text(spec: dict[str, Any], value: str, json: dict) -> None:
    """A number or boolean operand (`equalTo: 5` in YAML) means its text form."""
    matcher = m(spec)
    assert matcher.match(value).matched
    assert matcher.to_json() == json


@pytest.mark.parametrize(
    ("spec", "tail"),
    [
        ({"equalTo": None}, ("equalTo",)),
        ({"equalTo": [1]}, ("equalTo",)),
        ({"equalTo": {"a": 1}}, ("equalTo",)),
        ({"contains": None}, ("contains",)),
        ({"doesNotContain": ["x"]}, ("doesNotContain",)),
        ({"matches": None}, ("matches",)),
        ({"matches": "("}, ("matches",)),
        ({"matches": "[a-"}, ("matches",)),
        ({"doesNotMatch": "a{2,1}"}, ("doesNotMatch",)),
        ({"equalTo": "x", "caseInsensitive": "yes"}, ("caseInsensitive",)),
        ({"equalTo": "x", "caseInsensitive": 1}, ("caseInsensitive",)),
        ({"binaryEqualTo": "not base64!"}, ("binaryEqualTo",)),
        ({"binaryEqualTo": None}, ("binaryEqualTo",)),
        ({"equals": "x"}, ("equals",)),
        ({"caseInsensitive": True}, ("caseInsensitive",)),
        ({}, ()),
    ],
)
def test_bad_operands_raise_stub_error_with_key_path(spec: dict[str, Any], tail: tuple) -> None:
    """A mistake in a matcher names the full key path down to the offending key."""
    with pytest.raises(StubError) as info:
        m(spec)
    assert info.value.path == ("request", "headers", "X", *tail)
    assert str(info.value).startswith(".".join(("request", "headers", "X", *tail)) + ": ")


@pytest.mark.parametrize("spec", ["equalTo", None, 5, ["equalTo", "x"], True])
def test_non_object_matcher_is_rejected(spec: Any) -> None:
    """A matcher must be an object such as {equalTo: ...}; the error sits at its own path."""
    with pytest.raises(StubError) as info:
        parse_string_matcher(spec, ("request", "cookies", "c"))
    assert info.value.path == ("request", "cookies", "c")
    assert "equalTo" in info.value.message


def test_unknown_operator_lists_the_choices() -> None:
    """An unknown operator's error lists the valid operator names."""
    with pytest.raises(StubError) as info:
        m({"equals": "x"})
    assert "unknown operator 'equals'" in info.value.message
    for name in ("absent", "contains", "equalTo", "matches"):
        assert name in info.value.message


@pytest.mark.parametrize(
    ("spec", "json"),
    [
        ({"contains": "a", "equalTo": "b"}, {"contains": "a"}),
        ({"equalTo": "b", "contains": "a"}, {"equalTo": "b"}),
        ({"caseInsensitive": True, "equalTo": "b"}, {"equalTo": "b", "caseInsensitive": True}),
    ],
)
def test_first_known_operator_wins(spec: dict[str, Any], json: dict[str, Any]) -> None:
    """When several operator keys are given, the first one in the object is used."""
    assert m(spec).to_json() == json


@pytest.mark.parametrize(
    "spec",
    [
        {"equalTo": "x"},
        {"equalTo": "x", "caseInsensitive": True},
        {"contains": "x"},
        {"doesNotContain": "x"},
        {"matches": "x.*"},
        {"doesNotMatch": "x.*"},
        {"absent": True},
        {"anything": "anything"},
        {"binaryEqualTo": "AQID"},
    ],
)
def test_to_json_round_trips(spec: dict[str, Any]) -> None:
    """Each matcher serialises back to the WireMock JSON it was parsed from."""
    assert m(spec).to_json() == spec
    assert parse_string_matcher(m(spec).to_json()).to_json() == spec


@pytest.mark.parametrize(
    ("spec", "expected"),
    [({"equalTo": "x"}, "x"), ({"matches": "a+"}, "a+"), ({"absent": True}, "(absent)")],
)
def test_expected_text_for_reports(spec: dict[str, Any], expected: str) -> None:
    """The expected value printed in near-miss reports is the operand (or `(absent)`)."""
    assert m(spec).report_expected() == expected
