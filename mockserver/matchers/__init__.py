"""String-value matchers: one factory per WireMock operator key, chosen from the spec object.

`parse_string_matcher({"equalTo": "x", "caseInsensitive": True}, path)` returns a matcher
object; mistakes in the spec raise `StubError` naming the key path and the valid choices.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import import_module
from typing import Any

from mockserver.errors import KeyPath, StubError, describe
from mockserver.matchers import logic as _logic
from mockserver.matchers import strings as _strings
from mockserver.matchers.base import (
    EXACT,
    Content,
    MatcherFactory,
    MatchResult,
    ParseContext,
    StringMatcher,
    no_match,
    result_of,
)

FACTORIES: dict[str, MatcherFactory] = {
    "equalTo": _strings.parse_equal_to,
    "contains": _strings.parse_contains,
    "doesNotContain": _strings.parse_does_not_contain,
    "matches": _strings.parse_matches,
    "doesNotMatch": _strings.parse_does_not_match,
    "absent": _strings.parse_absent,
    "anything": _strings.parse_anything,
    "binaryEqualTo": _strings.parse_binary_equal_to,
    "and": _logic.parse_and,
    "or": _logic.parse_or,
    "not": _logic.parse_not,
}

# The JSON, XML and date-time families load on first use: most stub sets never need them,
# and importing them (with jsonpath-ng, lxml, jsonschema behind) is start-up time.
_LAZY: dict[str, tuple[str, str]] = {
    "equalToJson": ("json", "parse_equal_to_json"),
    "matchesJsonPath": ("json_path", "parse_matches_json_path"),
    "matchesJsonSchema": ("json_schema", "parse_matches_json_schema"),
    "equalToXml": ("xml", "parse_equal_to_xml"),
    "matchesXPath": ("xpath", "parse_matches_xpath"),
    "before": ("datetime", "parse_before"),
    "after": ("datetime", "parse_after"),
    "equalToDateTime": ("datetime", "parse_equal_to_date_time"),
}

OPERATORS = tuple(sorted([*FACTORIES, *_LAZY]))


def _factory(operator: str) -> MatcherFactory | None:
    factory = FACTORIES.get(operator)
    if factory is None and operator in _LAZY:
        module, name = _LAZY[operator]
        factory = getattr(import_module(f"mockserver.matchers.{module}"), name)
        FACTORIES[operator] = factory
    return factory


def parse_string_matcher(spec: Any, path: KeyPath = ()) -> StringMatcher:
    """Build the matcher a WireMock operator object describes (first known operator key wins)."""
    if not isinstance(spec, Mapping):
        raise StubError(
            path, f"expected a matcher object such as {{equalTo: ...}}, got {_kind(spec)}"
        )
    for key in spec:
        factory = _factory(key)
        if factory is not None:
            try:
                return factory(spec, ParseContext(path, parse_string_matcher))
            except StubError:
                raise
            except Exception as exc:  # noqa: BLE001 - a library's surprise is the author's mistake
                raise StubError((*path, key), f"invalid {key}: {describe(exc)}") from exc
    if not spec:
        raise StubError(path, "empty matcher (expected one of: " + ", ".join(OPERATORS) + ")")
    unknown = next(iter(spec))
    raise StubError(
        (*path, unknown),
        f"unknown operator {unknown!r} (expected one of: {', '.join(OPERATORS)})",
    )


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


__all__ = [
    "EXACT",
    "FACTORIES",
    "OPERATORS",
    "Content",
    "MatchResult",
    "ParseContext",
    "StringMatcher",
    "no_match",
    "parse_string_matcher",
    "result_of",
]
