"""The Jayway JSONPath dialect: compiled once, evaluated as Jayway does, and updatable."""

from __future__ import annotations

import pytest

from mockserver.compat.jsonpath import MISSING, compile_json_path

DOC = {"items": [{"id": 1, "qty": 3}, {"id": 2, "qty": 7}], "owner": {"active": True}}


def test_json_path_is_compiled_once() -> None:
    """Identical expressions share one compiled path, so a thousand stubs parse it once."""
    assert compile_json_path("$.items[?(@.qty > 5)].id") is compile_json_path(
        "$.items[?(@.qty > 5)].id"
    )


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("$.items[0].id", 1),
        ("$.items[?(@.qty > 5)].id", [2]),
        ("$.items.length()", 2),
        ("$.owner[?(@.active)]", [{"active": True}]),
        ("$.missing", MISSING),
    ],
)
def test_evaluate_gives_jayway_results(expression: str, expected: object) -> None:
    """Definite paths give one value, indefinite ones a list, nothing found gives MISSING."""
    assert compile_json_path(expression).evaluate(DOC) == expected


def test_update_replaces_every_selected_node() -> None:
    """`update` rewrites what the path selects and leaves the rest alone."""
    doc = {"a": {"token": "x"}, "b": [{"token": "y"}], "c": 1}
    updated = compile_json_path("$..token").update(doc, "***")
    assert updated == {"a": {"token": "***"}, "b": [{"token": "***"}], "c": 1}


def test_bad_expression_names_itself() -> None:
    """A malformed expression raises ValueError quoting the expression."""
    with pytest.raises(ValueError, match=r"invalid JSONPath '\$\.\['"):
        compile_json_path("$.[")
