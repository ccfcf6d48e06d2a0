"""String-value matchers: one factory per WireMock operator key, chosen from the spec object.

`parse_string_matcher({"equalTo": "x", "caseInsensitive": True}, path)` returns a matcher
object; mistakes in the spec raise `StubError` naming the key path and the valid choices.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mockserver.errors import KeyPath, StubError
from mockserver.matchers import datetime as _datetime
from mockserver.matchers import json as _json
from mockserver.matchers import logic as _logic
from mockserver.matchers import strings as _strings
from mockserver.matchers import xml as _xml
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
    "equalToJson": _json.parse_equal_to_json,
    "matchesJsonPath": _json.parse_matches_json_path,
    "matchesJsonSchema": _json.parse_matches_json_schema,
    "equalToXml": _xml.parse_equal_to_xml,
    "matchesXPath": _xml.parse_matches_xpath,
    "before": _datetime.parse_before,
    "after": _datetime.parse_after,
    "equalToDateTime": _datetime.parse_equal_to_date_time,
}

OPERATORS = tuple(sorted(FACTORIES))


def parse_string_matcher(spec: Any, path: KeyPath = ()) -> StringMatcher:
    """Build the matcher a WireMock operator object describes (first known operator key wins)."""
    if not isinstance(spec, Mapping):
        raise StubError(
            path, f"expected a matcher object such as {{equalTo: ...}}, got {_kind(spec)}"
        )
    for key in spec:
        factory = FACTORIES.get(key)
        if factory is not None:
            return factory(spec, ParseContext(path, parse_string_matcher))
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
