"""`and`, `or`, `not`: matchers built from other matchers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mockserver.matchers.base import (
    EXACT,
    Content,
    MatchResult,
    ParseContext,
    StringMatcher,
    no_match,
)


@dataclass(frozen=True, slots=True, repr=False)
class And(StringMatcher):
    operands: tuple[StringMatcher, ...]
    operator = "and"

    def matches(self, value: str | None) -> bool:
        return all(m.matches(value) for m in self.operands)

    def matches_content(self, content: Content) -> bool:
        return all(m.matches_content(content) for m in self.operands)

    def match(self, value: str | None) -> MatchResult:
        return self._combine([m.match(value) for m in self.operands])

    def match_content(self, content: Content) -> MatchResult:
        return self._combine([m.match_content(content) for m in self.operands])

    @staticmethod
    def _combine(results: list[MatchResult]) -> MatchResult:
        if all(r.matched for r in results):
            return EXACT
        reason = next(r.reason for r in results if not r.matched)
        return no_match(reason, sum(r.distance for r in results) / len(results))

    def to_json(self) -> dict[str, Any]:
        return {"and": [m.to_json() for m in self.operands]}

    def report_value(self) -> str:
        return self.operands[0].report_value()

    def report_expected(self) -> str:
        return " AND ".join(f"{m.operator} {m.report_expected()}" for m in self.operands)


@dataclass(frozen=True, slots=True, repr=False)
class Or(StringMatcher):
    operands: tuple[StringMatcher, ...]
    operator = "or"

    def matches(self, value: str | None) -> bool:
        return any(m.matches(value) for m in self.operands)

    def matches_content(self, content: Content) -> bool:
        return any(m.matches_content(content) for m in self.operands)

    def match(self, value: str | None) -> MatchResult:
        return self._combine([m.match(value) for m in self.operands])

    def match_content(self, content: Content) -> MatchResult:
        return self._combine([m.match_content(content) for m in self.operands])

    @staticmethod
    def _combine(results: list[MatchResult]) -> MatchResult:
        if any(r.matched for r in results):
            return EXACT
        return no_match(results[0].reason, min(r.distance for r in results))

    def to_json(self) -> dict[str, Any]:
        return {"or": [m.to_json() for m in self.operands]}

    def report_value(self) -> str:
        return self.operands[0].report_value()

    def report_expected(self) -> str:
        return " OR ".join(f"{m.operator} {m.report_expected()}" for m in self.operands)


@dataclass(frozen=True, slots=True, repr=False)
class Not(StringMatcher):
    operand: StringMatcher
    operator = "not"

    def matches(self, value: str | None) -> bool:
        return not self.operand.matches(value)

    def matches_content(self, content: Content) -> bool:
        return not self.operand.matches_content(content)

    def match(self, value: str | None) -> MatchResult:
        return EXACT if self.matches(value) else no_match("negated match")

    def match_content(self, content: Content) -> MatchResult:
        return EXACT if self.matches_content(content) else no_match("negated match")

    def to_json(self) -> dict[str, Any]:
        return {"not": self.operand.to_json()}

    def report_value(self) -> str:
        return self.operand.report_expected()


def _operands(spec: Mapping[str, Any], key: str, ctx: ParseContext) -> tuple[StringMatcher, ...]:
    items = spec[key]
    if not isinstance(items, list) or not items:
        raise ctx.error(f"{key} expects a list of matchers", key)
    return tuple(ctx.sub(item, key, i) for i, item in enumerate(items))


def parse_and(spec: Mapping[str, Any], ctx: ParseContext) -> StringMatcher:
    return And(_operands(spec, "and", ctx))


def parse_or(spec: Mapping[str, Any], ctx: ParseContext) -> StringMatcher:
    return Or(_operands(spec, "or", ctx))


def parse_not(spec: Mapping[str, Any], ctx: ParseContext) -> StringMatcher:
    return Not(ctx.sub(spec["not"], "not"))
