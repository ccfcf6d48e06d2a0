"""What the JSON matcher tests share: a sample document, the flags, and `match`, which asks a
matcher both ways (value and request content, graded and yes/no) and checks they agree."""

from __future__ import annotations

import json
from typing import Any

from mockserver.matchers import Content, MatchResult, parse_string_matcher

PATH = ("request", "bodyPatterns", 0)
ORDER = {"ignoreArrayOrder": True}
EXTRA = {"ignoreExtraElements": True}
BOTH = {**ORDER, **EXTRA}
STORE = {
    "items": [
        {"id": 1, "name": "apple", "qty": 3, "tags": ["red", "fruit"], "price": 1.5},
        {"id": 2, "name": "bread", "qty": 7, "tags": [], "price": 2.25},
        {"id": 3, "name": "Cherry", "qty": 9, "price": 10},
    ],
    "owner": {"name": "ann", "active": True, "age": 41},
    "empty": [],
    "nothing": {},
    "none": None,
    "limit": 6,
}


def match(spec: dict[str, Any], body: Any) -> MatchResult:
    """Match a body both as a plain value and as request Content; the two must agree."""
    text = body if body is None or isinstance(body, str) else json.dumps(body)
    matcher = parse_string_matcher(spec, PATH)
    as_value = matcher.match(text)
    as_content = matcher.match_content(Content((text or "").encode()))
    assert as_value.matched == as_content.matched
    assert matcher.matches(text) == as_value.matched  # the hot path's yes/no agrees
    assert matcher.matches_content(Content((text or "").encode())) == as_content.matched
    if text:
        assert as_value == as_content
    assert 0.0 <= as_value.distance <= 1.0
    assert as_value.matched == (as_value.distance == 0.0)
    return as_value


def equal_to_json(expected: Any, actual: Any, **flags: bool) -> MatchResult:
    return match({"equalToJson": expected, **flags}, actual)
