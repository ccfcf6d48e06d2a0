"""Every operator answers the hot path's yes/no exactly as its graded result does."""

from __future__ import annotations

from typing import Any

import pytest

from mockserver.matchers import Content, parse_string_matcher

SPECS: list[dict[str, Any]] = [
    {"equalTo": "abc"},
    {"equalTo": "ABC", "caseInsensitive": True},
    {"contains": "b"},
    {"doesNotContain": "b"},
    {"matches": "a.c"},
    {"doesNotMatch": "a.c"},
    {"absent": True},
    {"anything": "anything"},
    {"binaryEqualTo": "YWJj"},
    {"and": [{"contains": "a"}, {"contains": "c"}]},
    {"or": [{"equalTo": "x"}, {"equalTo": "abc"}]},
    {"not": {"equalTo": "abc"}},
    {"equalToJson": {"a": [1, 2]}},
    {"equalToJson": {"a": [2, 1]}, "ignoreArrayOrder": True},
    {"matchesJsonPath": "$.a[?(@ > 1)]"},
    {"matchesJsonPath": {"expression": "$.a[0]", "equalTo": "1"}},
    {"matchesJsonPath": {"expression": "$.a", "contains": "2"}},
    {"matchesJsonSchema": {"type": "object", "required": ["a"]}},
    {"equalToXml": "<a><b>1</b></a>"},
    {"matchesXPath": "/a/b[text()='1']"},
    {"matchesXPath": {"expression": "/a/b", "equalTo": "1"}},
    {"before": "2100-01-01T00:00:00Z"},
    {"equalToDateTime": "2020-01-01T00:00:00Z"},
]
VALUES = [None, "", "abc", "ABC", "xbz", '{"a": [1, 2]}', '{"a": [2, 1]}', "<a><b>1</b></a>",
          "<a><b>2</b></a>", "2020-01-01T00:00:00Z", "not json {", "<not-json/>"]


@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: next(iter(spec)))
def test_matches_agrees_with_match(spec: dict[str, Any]) -> None:
    """`matches` (no distance) and `match(...).matched` (graded) never disagree."""
    matcher = parse_string_matcher(spec)
    for value in VALUES:
        assert matcher.matches(value) == matcher.match(value).matched, value
        content = Content(b"" if value is None else value.encode())
        assert matcher.matches_content(content) == matcher.match_content(content).matched, value
