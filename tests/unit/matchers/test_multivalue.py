"""Multi-valued fields (headers, query and form parameters): any value, hasExactly, includes."""

from __future__ import annotations

from typing import Any

import pytest

from mockserver.errors import StubError
from mockserver.matchers.multivalue import parse_multi_value

HAS_1_2 = {"hasExactly": [{"equalTo": "1"}, {"equalTo": "2"}]}
INCLUDES_1_DIGIT = {"includes": [{"equalTo": "1"}, {"matches": "[0-9]"}]}


@pytest.mark.parametrize(
    ("spec", "values", "matched"),
    [
        # the compat doc's table (§2.4), confirmed on WireMock 3.13.2
        ({"equalTo": "2"}, ["1", "2"], True),
        (HAS_1_2, ["2", "1"], True),
        (HAS_1_2, ["1", "2", "3"], False),
        (HAS_1_2, ["1"], False),
        (INCLUDES_1_DIGIT, ["1", "7", "x"], True),
        (INCLUDES_1_DIGIT, ["7"], False),
        ({"absent": True}, None, True),
        ({"absent": True}, [""], False),
        ({"equalTo": "BAR", "caseInsensitive": True}, ["bar"], True),
        ({"equalTo": "b"}, ["a", "b"], True),
        ({"equalTo": "b"}, ["a, b"], False),
        # and around it
        ({"equalTo": "2"}, ["1", "3"], False),
        ({"equalTo": "2"}, None, False),
        ({"equalTo": "2"}, [], False),
        ({"absent": True}, [], True),
        ({"absent": True}, ["x"], False),
        ({"doesNotMatch": "x"}, None, True),
        ({"doesNotContain": "x"}, None, True),
        ({"not": {"equalTo": "x"}}, None, True),
        ({"or": [{"absent": True}, {"equalTo": "x"}]}, None, True),
        ({"contains": "x"}, None, False),
        ({"matches": ".*"}, None, False),
        ({"doesNotMatch": "x"}, ["y", "x"], True),
        (HAS_1_2, ["1", "2"], True),
        (HAS_1_2, ["1", "1"], False),
        (HAS_1_2, None, False),
        (HAS_1_2, [], False),
        ({"hasExactly": [{"absent": True}]}, None, False),
        (INCLUDES_1_DIGIT, ["1"], True),
        (INCLUDES_1_DIGIT, None, False),
        (INCLUDES_1_DIGIT, ["x", "y"], False),
        ({"includes": [{"equalTo": "a"}]}, ["b", "c", "a"], True),
    ],
)
def test_multi_value_patterns(
    spec: dict[str, Any], values: list[str] | None, matched: bool
) -> None:
    """Plain matchers take any value; hasExactly also fixes the count; includes needs each one."""
    result = parse_multi_value(spec, ("request", "queryParameters", "id")).match(values)
    assert result.matched is matched
    assert (result.distance == 0.0) is matched


def test_single_pattern_reports_the_best_value() -> None:
    """A plain matcher that misses every value is as near as its nearest value."""
    pattern = parse_multi_value({"equalTo": "abc"}, ())
    assert pattern.match(["xyz", "abd", "zzzz"]).distance == pytest.approx(1 / 3)


@pytest.mark.parametrize(
    ("matchers", "values", "distance"),
    [
        (["1", "2", "3", "4"], ["1"], 3 / 4),
        (["1", "2", "3", "4"], ["1", "2"], 2 / 4),
        (["1", "2"], ["9"], 1.0),
    ],
)
def test_includes_distance_is_the_share_of_unsatisfied_matchers(
    matchers: list[str], values: list[str], distance: float
) -> None:
    """includes grades a miss by the fraction of its matchers that no value satisfies."""
    pattern = parse_multi_value({"includes": [{"equalTo": v} for v in matchers]}, ())
    assert pattern.match(values).distance == pytest.approx(distance)


def test_has_exactly_count_mismatch_is_explained() -> None:
    """hasExactly with the wrong number of values says how many it expected and got."""
    result = parse_multi_value(HAS_1_2, ()).match(["1", "2", "3"])
    assert "expected 2 values, got 3" in result.reason


@pytest.mark.parametrize(
    ("spec", "path"),
    [
        ({"hasExactly": []}, ("hasExactly",)),
        ({"hasExactly": "1"}, ("hasExactly",)),
        ({"includes": None}, ("includes",)),
        ({"includes": {"equalTo": "1"}}, ("includes",)),
        ({"hasExactly": [{"equals": "1"}]}, ("hasExactly", 0, "equals")),
        ({"includes": [{"equalTo": "1"}, {"equalTo": None}]}, ("includes", 1, "equalTo")),
        ({"equals": "1"}, ("equals",)),
        ("1", ()),
    ],
)
def test_bad_specs_are_located(spec: Any, path: tuple) -> None:
    """Mistakes in a multi-value pattern name the path down to the bad matcher."""
    with pytest.raises(StubError) as info:
        parse_multi_value(spec, ("request", "headers", "X-Id"))
    assert info.value.path == ("request", "headers", "X-Id", *path)


@pytest.mark.parametrize(
    ("spec", "operator"),
    [
        ({"equalTo": "1"}, "equalTo"),
        ({"matches": "1"}, "matches"),
        (HAS_1_2, "hasExactly"),
        (INCLUDES_1_DIGIT, "includes"),
    ],
)
def test_round_trip_and_operator(spec: dict[str, Any], operator: str) -> None:
    """Each form serialises back to its JSON and names its operator for reports."""
    pattern = parse_multi_value(spec, ())
    assert pattern.to_json() == spec
    assert pattern.operator == operator


def test_report_text_lists_every_matcher() -> None:
    """A hasExactly expectation prints the kind and each operand in place of the operator."""
    pattern = parse_multi_value(HAS_1_2, ())
    assert pattern.report_operator(" = ") == " exactly [equalTo 1 AND equalTo 2]"
    assert pattern.report_value() == ""
