"""Answers for an operation that has no example: a value made from its schema, the same every time.

Deterministic on purpose: imported stub files go into git, and importing again must not churn
them. Formats get plausible values (a date-time, a UUID, an e-mail) so consumers that parse
them do not fail on `"string"`.
"""

from __future__ import annotations

from typing import Any

MAX_DEPTH = 8  # recursive schemas (a tree of categories) stop here

FORMATS = {
    "date-time": "2024-01-01T00:00:00Z",
    "date": "2024-01-01",
    "time": "00:00:00Z",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "email": "user@example.com",
    "uri": "https://example.com/",
    "url": "https://example.com/",
    "hostname": "example.com",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "byte": "ZXhhbXBsZQ==",
    "password": "secret",
}


def resolve(document: dict[str, Any], node: Any, depth: int = 0) -> Any:
    """`node` with a local `$ref` followed (`#/components/schemas/Pet`); others left as is."""
    seen = 0
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and seen < 32:
        ref = node["$ref"]
        if not ref.startswith("#/"):
            return {}
        target: Any = document
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            target = target.get(part) if isinstance(target, dict) else None
        node = target if target is not None else {}
        seen += 1
    return node


def example_of(document: dict[str, Any], media: dict[str, Any]) -> Any:
    """The example a media type object gives, or a value generated from its schema."""
    if "example" in media:
        return media["example"]
    examples = media.get("examples")
    if isinstance(examples, dict) and examples:
        first = resolve(document, next(iter(examples.values())))
        if isinstance(first, dict) and "value" in first:
            return first["value"]
    schema = media.get("schema")
    return value_of(document, schema) if schema is not None else None


def value_of(document: dict[str, Any], schema: Any, depth: int = 0) -> Any:
    """A deterministic value that conforms to `schema` (as far as a simple walk can)."""
    schema = resolve(document, schema)
    if not isinstance(schema, dict) or depth > MAX_DEPTH:
        return None
    for key in ("example", "const", "default"):
        if key in schema:
            return schema[key]
    examples = schema.get("examples")
    if isinstance(examples, list) and examples:
        return examples[0]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][0]
    for key in ("oneOf", "anyOf"):
        if isinstance(schema.get(key), list) and schema[key]:
            return value_of(document, schema[key][0], depth + 1)
    if isinstance(schema.get("allOf"), list):
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            value = value_of(document, part, depth + 1)
            if isinstance(value, dict):
                merged.update(value)
        return merged
    kind = schema.get("type")
    if isinstance(kind, list):  # OpenAPI 3.1: ["string", "null"]
        kind = next((k for k in kind if k != "null"), None)
    if kind is None and "properties" in schema:
        kind = "object"
    if kind == "object":
        out = {}
        for name, sub in (schema.get("properties") or {}).items():
            out[name] = value_of(document, sub, depth + 1)
        return out
    if kind == "array":
        item = value_of(document, schema.get("items", {}), depth + 1)
        count = max(1, int(schema.get("minItems", 1)))
        return [item] * min(count, 3)
    if kind == "string":
        text = FORMATS.get(str(schema.get("format", "")), "string")
        minimum = int(schema.get("minLength", 0))
        return text if len(text) >= minimum else text + "x" * (minimum - len(text))
    if kind == "integer":
        return _number(schema, 0, int)
    if kind == "number":
        return _number(schema, 0.0, float)
    if kind == "boolean":
        return True
    return None


def _number(schema: dict[str, Any], zero: Any, cast: Any) -> Any:
    low = schema.get("minimum", schema.get("exclusiveMinimum"))
    if isinstance(low, int | float) and not isinstance(low, bool):
        return cast(low + (1 if "exclusiveMinimum" in schema and "minimum" not in schema else 0))
    high = schema.get("maximum")
    if isinstance(high, int | float) and not isinstance(high, bool) and high < zero:
        return cast(high)
    return zero
