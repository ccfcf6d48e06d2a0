"""`matchesJsonPath`: a Jayway JSONPath over a JSON body, alone or with a nested matcher.

The plain form passes when the path selects something non-empty; the object form asks its
nested matcher about what the path selects (each value of a list, the best one counting).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from mockserver.compat.jackson import scalar_text
from mockserver.compat.jsonpath import MISSING, JsonPath, compile_json_path, java_string
from mockserver.matchers.base import (
    EXACT,
    Content,
    MatchResult,
    ParseContext,
    StringMatcher,
    capped,
    no_match,
)
from mockserver.matchers.json import MAX_JSON_BYTES, EqualToJsonMatcher, JsonInputMatcher

_EVALUATE_LIMIT = 64 * 1024  # bodies up to this size get their JSONPath result in reports

_XML_START = re.compile(r"\s*<")


@dataclass(frozen=True, eq=False, repr=False)
class MatchesJsonPathMatcher(JsonInputMatcher):
    """Jayway JSONPath: plain form tests for a non-empty result, object form tests its value."""

    operator: ClassVar[str] = "matchesJsonPath"
    expression: str
    path: JsonPath
    sub: StringMatcher | None = None

    def match(self, value: str | None) -> MatchResult:
        if value is not None and _XML_START.match(value):  # WireMock's shortcut: no parse
            return self._match_text(value)
        return super().match(value)

    def matches(self, value: str | None) -> bool:
        if value is not None and _XML_START.match(value):
            return False
        return super().matches(value)

    def _match_text(self, text: str) -> MatchResult:
        return no_match("value is XML, not JSON" if _XML_START.match(text) else "not valid JSON")

    def _candidates(self, doc: Any) -> list[str | None] | MatchResult:
        """The values the nested matcher is asked about, or the result when there is none."""
        try:
            result = self.path.evaluate(doc)
        except Exception:  # noqa: BLE001 - a path error is a no-match, as in Jayway
            result = MISSING
        if self.sub is None:
            if result is MISSING or result is None:
                return no_match(f"{self.expression} found nothing")
            if isinstance(result, (list, dict)) and not result:
                return no_match(f"{self.expression} found an empty result")
            return EXACT
        if result is MISSING or result is None:
            return [None]
        if isinstance(result, dict) or (
            isinstance(result, list) and isinstance(self.sub, EqualToJsonMatcher)
        ):
            return [json.dumps(result, separators=(",", ":"))]
        if isinstance(result, list):
            return [java_string(v) for v in result] or [None]
        return [java_string(result)]

    def matches_content(self, content: Content) -> bool:
        doc = self._document(content)
        if doc is Content.INVALID:
            return super().matches_content(content)
        return self._holds(self._remembered(content, doc))

    def match_content(self, content: Content) -> MatchResult:
        doc = self._document(content)
        if doc is Content.INVALID:
            return super().match_content(content)
        return self._graded(self._remembered(content, doc))

    @staticmethod
    def _document(content: Content) -> Any:
        return Content.INVALID if len(content.raw) > MAX_JSON_BYTES else content.json_value

    def _remembered(self, content: Content, doc: Any) -> list[str | None] | MatchResult:
        """The candidates, evaluated once per request body: the yes/no, the near-miss
        distance and the report all ask, and one evaluation can cost a tenth of a second."""
        memo = content.__dict__.setdefault("json_path_candidates", {})
        key = (self.expression, self.sub is None, isinstance(self.sub, EqualToJsonMatcher))
        if key not in memo:
            memo[key] = self._candidates(doc)
        found: list[str | None] | MatchResult = memo[key]
        return found

    def _matches_json(self, doc: Any) -> bool:
        return self._holds(self._candidates(doc))

    def _holds(self, candidates: list[str | None] | MatchResult) -> bool:
        if isinstance(candidates, MatchResult):
            return candidates.matched
        assert self.sub is not None
        return any(self.sub.matches(candidate) for candidate in candidates)

    def _match_json(self, doc: Any) -> MatchResult:
        return self._graded(self._candidates(doc))

    def _graded(self, candidates: list[str | None] | MatchResult) -> MatchResult:
        if isinstance(candidates, MatchResult):
            return candidates
        assert self.sub is not None
        best = no_match()
        for candidate in candidates:
            outcome = self.sub.match(candidate)
            if outcome.matched:
                return outcome
            if outcome.distance <= best.distance:
                best = outcome
        reason = f"{self.expression}: {best.reason}" if best.reason else self.expression
        return no_match(reason, best.distance)

    def to_json(self) -> dict[str, Any]:
        if self.sub is None:
            return {self.operator: self.expression}
        return {self.operator: {"expression": self.expression, **self.sub.to_json()}}

    def report_value(self) -> str:
        return self.expression

    def report_body(self, content: Content) -> tuple[str, str]:
        actual = capped(self.report_actual(content))
        if self.sub is None:
            return self.expression, actual
        left = f"{self.expression} [{self.sub.operator}] {self.sub.report_expected()}"
        selected = self._selection_text(content)
        return left, actual if selected is None else capped(selected)

    def _selection_text(self, content: Content) -> str | None:
        """What the expression selects, printed as WireMock does; None when nothing."""
        if len(content.raw) > _EVALUATE_LIMIT:
            return None  # show the body rather than pay for the path twice
        doc = content.json_value
        if doc is Content.INVALID:
            return None
        try:
            result = self.path.evaluate(doc)
        except Exception:  # noqa: BLE001 - a path error selects nothing
            return None
        if isinstance(result, list):
            items = [scalar_text(item) for item in result]
            if not items:
                return None
            return items[0] if len(items) == 1 else "[" + ", ".join(items) + "]"
        if result is None or not isinstance(result, (dict, str, int, float)):
            return None
        return scalar_text(result)


def parse_matches_json_path(spec: Mapping[str, Any], ctx: ParseContext) -> StringMatcher:
    """`{matchesJsonPath: "$.x"}` or `{matchesJsonPath: {expression: "$.x", <operator>: ...}}`."""
    operand = spec["matchesJsonPath"]
    where: tuple[str, ...] = ("matchesJsonPath",)
    sub: StringMatcher | None = None
    expression = operand
    if isinstance(operand, Mapping):
        expression, where = operand.get("expression"), ("matchesJsonPath", "expression")
    if not isinstance(expression, str) or not expression.strip():
        raise ctx.error("expected a JSONPath expression string such as '$.name'", *where)
    try:
        path = compile_json_path(expression)
    except ValueError as exc:
        raise ctx.error(str(exc), *where) from exc
    if isinstance(operand, Mapping):
        rest = {k: v for k, v in operand.items() if k != "expression"}
        sub = ctx.sub(rest, "matchesJsonPath")
    return MatchesJsonPathMatcher(expression, path, sub)


__all__ = ["MatchesJsonPathMatcher", "parse_matches_json_path"]
