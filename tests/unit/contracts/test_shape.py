"""JSON documents compared by shape: what breaks a consumer is drift, what doesn't is not."""

from __future__ import annotations

from mockserver.contracts.shape import DRIFT, WARNING, compare, json_path


def test_values_differ_but_shape_holds() -> None:
    """Different values of the same types are no difference unless values are asked for."""
    assert compare({"id": 1, "tags": ["a"]}, {"id": 2.5, "tags": ["b", "c"]}) == []
    found = compare({"id": 1}, {"id": 2}, values=True)
    assert [(d.json_path, d.severity) for d in found] == [("$.id", DRIFT)]


def test_missing_changed_and_added() -> None:
    """A missing key and a changed type are drift; an added key is a warning."""
    found = compare({"a": {"b": 1, "c": "x"}}, {"a": {"c": 3, "d": None}})
    assert [(d.json_path, d.severity, d.message) for d in found] == [
        ("$.a.b", DRIFT, "missing in the live answer"),
        ("$.a.c", DRIFT, "type changed from string to number"),
        ("$.a.d", WARNING, "added in the live answer"),
    ]


def test_array_elements_are_compared_over_the_common_length() -> None:
    """A longer or shorter live array is fine; its elements' shapes are checked."""
    found = compare({"items": [{"id": 1}, {"id": 2}]}, {"items": [{"id": "1"}]})
    assert [d.json_path for d in found] == ["$.items[0].id"]


def test_ignored_paths_cover_what_is_below_them() -> None:
    """An ignored path hides its differences and those of everything under it."""
    found = compare({"meta": {"t": 1}, "x": 1}, {"meta": "now", "x": "1"},
                    ignored=[("meta",), ("x",)])
    assert found == []


def test_json_path_quotes_odd_keys() -> None:
    """Keys that are not identifiers print in brackets."""
    assert json_path(("a b", 0, "it's", "ok")) == "$['a b'][0]['it\\'s'].ok"
