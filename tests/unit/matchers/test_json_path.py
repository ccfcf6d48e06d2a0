"""matchesJsonPath: Jayway semantics, nested matchers, distances, specs."""

from __future__ import annotations

from typing import Any

import pytest

from mockserver.errors import StubError
from mockserver.matchers import Content, parse_string_matcher
from tests.unit.matchers.json_bodies import (
    PATH,
    STORE,
    match,
)


@pytest.mark.parametrize(
    ("expression", "matched"),
    [
        ("$.owner", True),
        ("$.owner.name", True),
        ("$.owner.missing", False),
        ("$.missing.deeper", False),
        ("$.none", False),
        ("$.empty", False),
        ("$.nothing", False),
        ("$.items[0]", True),
        ("$.items[5]", False),
        ("$.items[-1].name", True),
        ("$.items[*].id", True),
        ("$.items[*].missing", False),
        ("$..name", True),
        ("$..nope", False),
        ("$['owner']['name']", True),
        ("$.items[?(@.qty > 5)]", True),
        ("$.items[?(@.qty > 50)]", False),
        ("$.items[?(@.qty>5)]", True),
        ("$.items[?(@.name == 'bread')]", True),
        ('$.items[?(@.name == "bread")]', True),
        ("$.items[?(@.name == 'durian')]", False),
        ("$.items[?(@.name != 'apple')]", True),
        ("$.items[?(@.qty > 5 && @.price < 3)]", True),
        ("$.items[?(@.qty > 8 && @.price < 3)]", False),
        ("$.items[?(@.qty < 0 || @.price == 10)]", True),
        ("$.items[?(@.tags)]", True),
        ("$.items[?(@.price > $.limit)]", True),
        ("$.items[?(@.price > 100)].name", False),
        ("$.items[?(@.name =~ /ch.*/i)]", True),
        ("$.items[?(@.name =~ /ch.*/)]", False),
        ("$.items[?(@.name =~ /app/)]", False),
        ("$.items[?(@.name =~ /\\w+ad/)]", True),
        ("$.items[?(@.name in ['bread', 'durian'])]", True),
        ("$.items[?(@.name in ['durian'])]", False),
        ("$.items[?(@.id nin [1, 2, 3])]", False),
        ("$.items[?(@.id nin [1, 2])]", True),
        ("$.items[?(@.tags size 2)]", True),
        ("$.items[?(@.tags size 5)]", False),
        ("$.items[?(@.tags empty true)].name", True),
        ("$.items[?(@.tags.length() > 1)]", True),
        ("$.items[?(@.owner.active == true)]", False),
        ("$.owner[?(@.active == true)]", True),
        ("$.items.length()", True),
        ("$.empty.length()", True),
        ("$.owner.name.length()", True),
        ("$.owner.active.length()", False),
        ("$", True),
        ("$[?(@.limit == 6)]", True),
        ("$[?(@.limit == 7)]", False),
        ("$.items[?(!@.tags)].name", True),
        ("$.items[?(@.tags[?(@ == 'red')])].name", True),
        ("$.items[?(@.tags[?(@ == 'blue')])].name", False),
        ("$.items[?(@.name =~ /(?i)APP.*/)]", True),
        ("$.items[?(@.name =~ /(?<first>ch)erry/i)]", True),
        ("$.items[?(@.name =~ /a\\/b/)]", False),
        ("$.items[1:].id", True),
        ("$.items[5:].id", False),
        ("$.owner.*", True),
    ],
)
def test_plain_json_path(expression: str, matched: bool) -> None:
    """The plain form matches when the Jayway expression yields something non-null, non-empty."""
    assert match({"matchesJsonPath": expression}, STORE).matched is matched


@pytest.mark.parametrize(
    "body",
    [None, "", "not json", "<items><qty>9</qty></items>", "  \n<x/>", "{", "[1, 2"],
)
def test_plain_json_path_needs_a_json_body(body: str | None) -> None:
    """Absent, XML and malformed bodies never match a JSONPath, and never raise."""
    result = match({"matchesJsonPath": "$..*"}, body)
    assert not result.matched and result.reason


def test_json_path_on_scalar_documents() -> None:
    """A JSON scalar or array body is a document too: `$` finds it, `$.x` finds nothing."""
    assert match({"matchesJsonPath": "$"}, 5).matched
    assert match({"matchesJsonPath": "$[1]"}, [1, 2]).matched
    assert not match({"matchesJsonPath": "$.x"}, "plain").matched
    assert not match({"matchesJsonPath": "$.x"}, [1]).matched


@pytest.mark.parametrize(
    ("expression", "operator", "matched"),
    [
        ("$.owner.name", {"equalTo": "ann"}, True),
        ("$.owner.name", {"equalTo": "bob"}, False),
        ("$.owner.age", {"equalTo": "41"}, True),
        ("$.owner.active", {"equalTo": "true"}, True),
        ("$.items[0].price", {"equalTo": "1.5"}, True),
        ("$.items[2].price", {"equalTo": "10"}, True),
        ("$.items[*].id", {"equalTo": "3"}, True),
        ("$.items[*].id", {"equalTo": "4"}, False),
        ("$.items[*].name", {"contains": "err"}, True),
        ("$.items[*].name", {"matches": "[a-z]+"}, True),
        ("$.items[?(@.qty > 5)].name", {"equalTo": "apple"}, False),
        ("$.items[0].tags", {"equalTo": "fruit"}, True),
        ("$.owner", {"contains": '"name":"ann"'}, True),
        ("$.owner", {"equalToJson": {"age": 41, "active": True, "name": "ann"}}, True),
        ("$.items[0].tags", {"equalToJson": ["red", "fruit"]}, True),
        ("$.items[0].tags", {"equalToJson": '["fruit", "red"]', "ignoreArrayOrder": True}, True),
        ("$.items[*].id", {"equalToJson": "[1, 2, 3]"}, True),
        ("$.items[*].id", {"equalToJson": "[3, 2, 1]"}, False),
        ("$.missing", {"absent": True}, True),
        ("$.none", {"absent": True}, True),
        ("$.items[?(@.qty > 50)]", {"absent": True}, True),
        ("$.owner.name", {"absent": True}, False),
        ("$.missing", {"equalTo": "x"}, False),
        ("$.missing", {"not": {"contains": "x"}}, True),
        ("$.items.length()", {"equalTo": "3"}, True),
        ("$.items[*].qty.sum()", {"equalTo": "19.0"}, True),
        ("$.items[*].qty.max()", {"equalTo": "9.0"}, True),
        ("$.items[*].qty.min()", {"equalTo": "3.0"}, True),
        ("$.items[*].price.avg()", {"equalTo": "4.583333333333333"}, True),
        ("$.items[*].name.first()", {"equalTo": "apple"}, True),
        ("$.items[*].name.last()", {"equalTo": "Cherry"}, True),
        ("$.owner.keys()", {"equalTo": "age"}, True),
        ("$.items[*].qty", {"or": [{"equalTo": "1"}, {"equalTo": "9"}]}, True),
    ],
)
def test_json_path_with_sub_matcher(
    expression: str, operator: dict[str, Any], matched: bool
) -> None:
    """The object form applies its operator to the result's Java-style string form(s)."""
    spec = {"matchesJsonPath": {"expression": expression, **operator}}
    assert match(spec, STORE).matched is matched


def test_sub_matcher_distance_is_the_closest_element() -> None:
    """Of many results, the nearest one sets the distance, and the reason names the path."""
    spec = {"matchesJsonPath": {"expression": "$.items[*].name", "equalTo": "breas"}}
    near = match(spec, STORE)
    far = match({"matchesJsonPath": {"expression": "$.owner.name", "equalTo": "breas"}}, STORE)
    assert 0.0 < near.distance < far.distance <= 1.0
    assert "$.items[*].name" in near.reason


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (5, "5"),
        (5.0, "5.0"),
        (-0.25, "-0.25"),
        (1e20, "1.0E20"),
        (12345678.9, "1.23456789E7"),
        (0.0001, "1.0E-4"),
        (True, "true"),
        (False, "false"),
        ("s", "s"),
        ({"k": [1, None]}, '{"k":[1,null]}'),
    ],
)
def test_json_path_results_print_like_java(value: Any, text: str) -> None:
    """Scalars reach the sub-matcher as Java prints them: `5`, `5.0`, `1.0E20`, `true`."""
    spec = {"matchesJsonPath": {"expression": "$.v", "equalTo": text}}
    assert match(spec, {"v": value}).matched


def test_json_path_matches_plain_values() -> None:
    """The matcher also works on header values and metadata text, not only on bodies."""
    matcher = parse_string_matcher({"matchesJsonPath": "$.a"})
    assert matcher.match('{"a": 1}').matched
    assert not matcher.match('{"b": 1}').matched
    assert not matcher.match(None).matched
    assert not matcher.match("<a/>").matched


@pytest.mark.parametrize(
    "spec",
    [
        {"matchesJsonPath": "$.items[?(@.qty > 5)]"},
        {"matchesJsonPath": {"expression": "$.a", "equalTo": "x"}},
        {"matchesJsonPath": {"expression": "$.a", "absent": True}},
        {"matchesJsonPath": {"expression": "$.a", "equalToJson": "[1]", "ignoreArrayOrder": True}},
    ],
)
def test_json_path_round_trips(spec: dict[str, Any]) -> None:
    """to_json gives back the plain or object shape that was written."""
    assert parse_string_matcher(spec).to_json() == spec


def test_json_path_expected_names_the_expression() -> None:
    """The near-miss report shows the expression (and the operator in the object form)."""
    assert parse_string_matcher({"matchesJsonPath": "$.a"}).report_value() == "$.a"
    nested = parse_string_matcher({"matchesJsonPath": {"expression": "$.b", "equalTo": "x"}})
    left, right = nested.report_body(Content(b'{"b": "y"}'))
    assert (left, right) == ("$.b [equalTo] x", "y")


@pytest.mark.parametrize(
    ("spec", "path", "message"),
    [
        ({"matchesJsonPath": "$.items[?(@.qty >"}, (*PATH, "matchesJsonPath"), "invalid JSONPath"),
        ({"matchesJsonPath": "$.a[?(@.b == 'x)]"}, (*PATH, "matchesJsonPath"), "unterminated"),
        ({"matchesJsonPath": "$.a[?(@.b =~ /[a-/)]"}, (*PATH, "matchesJsonPath"), "regular"),
        ({"matchesJsonPath": ""}, (*PATH, "matchesJsonPath"), "expression"),
        ({"matchesJsonPath": 5}, (*PATH, "matchesJsonPath"), "expression"),
        (
            {"matchesJsonPath": {"equalTo": "x"}},
            (*PATH, "matchesJsonPath", "expression"),
            "expression",
        ),
        (
            {"matchesJsonPath": {"expression": "$$$", "equalTo": "x"}},
            (*PATH, "matchesJsonPath", "expression"),
            "invalid JSONPath",
        ),
        (
            {"matchesJsonPath": {"expression": "$.a", "equals": "x"}},
            (*PATH, "matchesJsonPath", "equals"),
            "unknown operator",
        ),
        ({"matchesJsonPath": {"expression": "$.a"}}, (*PATH, "matchesJsonPath"), "empty"),
    ],
)
def test_json_path_bad_specs_fail_at_load(
    spec: dict[str, Any], path: tuple[str | int, ...], message: str
) -> None:
    """Bad expressions and sub-matchers raise StubError at load, located at the right key."""
    with pytest.raises(StubError) as info:
        parse_string_matcher(spec, PATH)
    assert info.value.path == path
    assert message in info.value.message


