"""What the XML matcher tests share: sample documents, flags, and `match`, which asks a
matcher both ways (value and request content, graded and yes/no) and checks they agree."""

from __future__ import annotations

from typing import Any

from mockserver.matchers import Content, MatchResult, parse_string_matcher

THINGS = '<things><thing characteristic="tepid"/><thing characteristic="tedious"/></things>'
SOAP = (
    '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">'
    '<soap:Body><stuff xmlns="https://example.com/ns"><things/></stuff></soap:Body>'
    "</soap:Envelope>"
)
PLACEHOLDERS = {"enablePlaceholders": True}
XSI = "http://www.w3.org/2001/XMLSchema-instance"


def match(spec: dict[str, Any], body: str | None) -> MatchResult:
    """Match a body both as a plain value and as request Content; the two must agree."""
    matcher = parse_string_matcher(spec)
    as_value = matcher.match(body)
    as_content = matcher.match_content(Content((body or "").encode()))
    assert as_value.matched == as_content.matched
    assert matcher.matches(body) == as_value.matched  # the hot path's yes/no agrees
    assert matcher.matches_content(Content((body or "").encode())) == as_content.matched
    if body:
        assert as_value == as_content
    return as_value
