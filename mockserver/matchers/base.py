"""What every matcher shares: the graded result and the string-matcher contract.

A matcher answers three questions. `matches` is the hot path's cheap yes/no. `match` grades:
a `MatchResult` carries a distance in [0, 1] so the nearest stubs (or journalled requests) can
be ranked when nothing matches exactly; only near misses and verification ask it. The
`report_*` methods say how the near-miss report prints the matcher, so the report never
branches on operator names.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from mockserver.errors import KeyPath, StubError
from mockserver.exchange import Content

__all__ = [
    "EXACT", "REPORT_LIMIT", "Content", "MatchResult", "ParseContext", "StringMatcher", "capped",
    "no_match", "result_of",
]


@dataclass(frozen=True, slots=True)
class MatchResult:
    """Outcome of one matcher: exact match or not, how far off, and why (for reports)."""

    matched: bool
    distance: float
    reason: str = ""


EXACT = MatchResult(True, 0.0)


def no_match(reason: str = "", distance: float = 1.0) -> MatchResult:
    return MatchResult(False, distance, reason)


def result_of(ok: bool, reason: str = "") -> MatchResult:
    """A binary operator's result: distance 0 or 1."""
    return EXACT if ok else MatchResult(False, 1.0, reason)


REPORT_LIMIT = 2000
"""Characters of a body (or expected body) a near-miss report shows per side."""


def capped(text: str) -> str:
    """`text` cut at `REPORT_LIMIT` characters, saying how many were left out."""
    if len(text) <= REPORT_LIMIT:
        return text
    return text[:REPORT_LIMIT] + f"\n... ({len(text) - REPORT_LIMIT} more characters)"


class StringMatcher:
    """One WireMock operator (`equalTo`, `matches`, `equalToJson`, ...) over an optional string.

    Two questions at two prices: `matches` is the hot path's yes/no and must stay cheap;
    `match` grades (a distance, a reason) and is asked only for near misses and verification.
    A `None` value means absent: only absent-like operators can succeed then. Body matchers
    receive a `Content` through `matches_content` / `match_content`, which subclasses override
    to reuse cached parses or to see raw bytes.
    """

    operator: ClassVar[str] = ""

    def match(self, value: str | None) -> MatchResult:  # pragma: no cover - abstract
        raise NotImplementedError

    def match_content(self, content: Content) -> MatchResult:
        return self.match(content.text)

    def matches(self, value: str | None) -> bool:
        """Whether `value` matches. Operators whose grade costs more than the answer override
        this (and `matches_content`) to skip the grade."""
        return self.match(value).matched

    def matches_content(self, content: Content) -> bool:
        """`matches` for a body. An operator that reads bodies its own way (`match_content`)
        is asked that way unless it also answers this question itself."""
        if type(self).match_content is StringMatcher.match_content:
            return self.matches(content.text)
        return self.match_content(content).matched

    def to_json(self) -> dict[str, Any]:  # pragma: no cover - abstract
        """The WireMock JSON form, as it would be written in a stub file."""
        raise NotImplementedError

    # How the near-miss report prints this operator (WireMock's `getValue()`, `getExpected()`
    # and body lines). A new operator overrides what it prints differently, nothing else.

    equality: ClassVar[bool] = False
    """Equality operators print without their name (`Header: value`, not `[equalTo] value`)."""

    def report_operator(self, default: str) -> str:
        """`default` for equality operators, otherwise ` [operator] `."""
        return default if self.equality else f" [{self.operator}] "

    def report_value(self) -> str:
        """The operand as the stub author wrote it (WireMock's `getValue()`)."""
        operand = self.to_json().get(self.operator)
        return operand if isinstance(operand, str) else json.dumps(operand)

    def report_expected(self) -> str:
        """The expectation as WireMock prints it (`getExpected()`): pretty JSON and so on."""
        return self.report_value()

    def report_actual(self, content: Content) -> str:
        """A request body as the report shows it beside this expectation."""
        return content.text or ""

    def report_body(self, content: Content) -> tuple[str, str]:
        """The expected and actual columns of a body expectation that failed."""
        return (f"[{self.operator}]\n" + capped(self.report_expected()),
                "\n" + capped(self.report_actual(content)))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.to_json()!r}>"


class ParseContext:
    """Passed to matcher factories: where the spec sits, and how to parse nested matchers."""

    def __init__(
        self,
        path: KeyPath,
        parse_sub: Callable[[Any, KeyPath], StringMatcher],
    ) -> None:
        self.path = path
        self._parse_sub = parse_sub

    def error(self, message: str, *extra: str | int) -> StubError:
        return StubError((*self.path, *extra), message)

    def sub(self, spec: Any, *extra: str | int) -> StringMatcher:
        """Parse a nested string matcher found at `path + extra`."""
        return self._parse_sub(spec, (*self.path, *extra))

    def at(self, *extra: str | int) -> ParseContext:
        return ParseContext((*self.path, *extra), self._parse_sub)


MatcherFactory = Callable[[Mapping[str, Any], ParseContext], StringMatcher]
