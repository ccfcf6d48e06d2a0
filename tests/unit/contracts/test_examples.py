"""Values made from schemas: deterministic, conforming, and safe on recursive schemas."""

from __future__ import annotations

from typing import Any

import jsonschema

from mockserver.contracts.examples import example_of, value_of

DOC: dict[str, Any] = {"components": {"schemas": {
    "Node": {"type": "object", "required": ["name"],
             "properties": {"name": {"type": "string", "minLength": 8},
                            "children": {"type": "array",
                                         "items": {"$ref": "#/components/schemas/Node"}}}},
    "Pet": {"allOf": [{"type": "object", "properties": {"id": {"type": "integer",
                                                                "minimum": 3}}},
                      {"type": "object", "properties": {"kind": {"enum": ["cat", "dog"]}}}]},
}}}


def test_formats_and_bounds_conform() -> None:
    """Generated values satisfy formats, minimums, lengths and enums."""
    schema = {"type": "object", "properties": {
        "when": {"type": "string", "format": "date-time"},
        "n": {"type": "integer", "minimum": 5},
        "code": {"type": "string", "minLength": 10},
        "kind": {"type": ["string", "null"], "enum": ["a", "b"]}}}
    value = value_of(DOC, schema)
    assert value == {"when": "2024-01-01T00:00:00Z", "n": 5, "code": "stringxxxx", "kind": "a"}
    jsonschema.validate(value, schema)


def test_refs_all_of_and_recursion() -> None:
    """Local refs are followed, allOf merged, and a recursive schema stops."""
    assert value_of(DOC, {"$ref": "#/components/schemas/Pet"}) == {"id": 3, "kind": "cat"}
    tree = value_of(DOC, {"$ref": "#/components/schemas/Node"})
    depth = 0
    while isinstance(tree, dict) and tree.get("children"):
        tree, depth = tree["children"][0], depth + 1
    assert 3 < depth < 20


def test_examples_win_over_schemas() -> None:
    """A media type's example, then its first named example, then the schema."""
    assert example_of(DOC, {"example": 1, "schema": {"type": "string"}}) == 1
    assert example_of(DOC, {"examples": {"one": {"value": [1]}}}) == [1]
    assert example_of(DOC, {"schema": {"type": "boolean"}}) is True
