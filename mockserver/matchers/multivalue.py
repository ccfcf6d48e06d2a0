"""Matchers over multi-valued things (headers, query and form parameters).

A plain string matcher passes when any value passes; `hasExactly` also fixes the count;
`includes` needs every listed matcher satisfied by some value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mockserver.errors import KeyPath, StubError
from mockserver.matchers.base import EXACT, MatchResult, StringMatcher, no_match


def any_matches(matcher: StringMatcher, values: Sequence[str] | None) -> bool:
    """The yes/no over repeated values: some value matches (absent values ask about None)."""
    if not values:
        return matcher.matches(None)
    return any(matcher.matches(value) for value in values)


def best_match(matcher: StringMatcher, values: Sequence[str] | None) -> MatchResult:
    """The grade over repeated values: exact when any value matches, else the nearest value's
    result (the first of equals)."""
    if not values:
        return matcher.match(None)
    best: MatchResult | None = None
    for value in values:
        result = matcher.match(value)
        if result.matched:
            return EXACT
        if best is None or result.distance < best.distance:
            best = result
    assert best is not None
    return best


@dataclass(frozen=True, slots=True)
class MultiValuePattern:
    kind: str  # "single", "hasExactly" or "includes"
    matchers: tuple[StringMatcher, ...]

    def matches(self, values: Sequence[str] | None) -> bool:
        """The hot path's yes/no: no distances."""
        if self.kind == "single":
            return any_matches(self.matchers[0], values)
        if not values:
            return False
        if self.kind == "hasExactly" and len(values) != len(self.matchers):
            return False
        return all(any(m.matches(v) for v in values) for m in self.matchers)

    def match(self, values: Sequence[str] | None) -> MatchResult:
        if self.kind == "single":
            return best_match(self.matchers[0], values)
        if not values:
            return no_match("not present")
        if self.kind == "hasExactly" and len(values) != len(self.matchers):
            return no_match(f"expected {len(self.matchers)} values, got {len(values)}")
        misses = sum(
            1 for m in self.matchers if not any(m.matches(v) for v in values)
        )
        if misses:
            return no_match("", misses / len(self.matchers))
        return EXACT

    def to_json(self) -> dict[str, Any]:
        if self.kind == "single":
            return self.matchers[0].to_json()
        return {self.kind: [m.to_json() for m in self.matchers]}

    def report_operator(self, default: str) -> str:
        """How the report names the operator: `default` for a single equality matcher."""
        if self.kind == "single":
            return self.matchers[0].report_operator(default)
        names = " AND ".join(f"{m.operator} {m.report_expected()}" for m in self.matchers)
        return (" exactly " if self.kind == "hasExactly" else " including ") + f"[{names}]"

    def report_value(self) -> str:
        return self.matchers[0].report_value() if self.kind == "single" else ""

    @property
    def operator(self) -> str:
        return self.matchers[0].operator if self.kind == "single" else self.kind


def parse_multi_value(spec: Any, path: KeyPath) -> MultiValuePattern:
    from mockserver.matchers import parse_string_matcher

    if isinstance(spec, dict):
        for kind in ("hasExactly", "includes"):
            if kind in spec:
                items = spec[kind]
                if not isinstance(items, list) or not items:
                    raise StubError((*path, kind), f"{kind} expects a non-empty list of matchers")
                return MultiValuePattern(
                    kind,
                    tuple(parse_string_matcher(item, (*path, kind, i))
                          for i, item in enumerate(items)),
                )
    return MultiValuePattern("single", (parse_string_matcher(spec, path),))
