"""Regular expressions with a time budget, so no pattern can stop the server.

Java's and Python's `re` engines backtrack: `(a+)+$` against 28 `a`s and a `!` runs for a
minute, and the server runs every match on its event loop. The `regex` package runs the
same syntax (possessive quantifiers and atomic groups included, as Java has them) and takes
a `timeout`; a match that runs out of time is a no-match whose reason says so, and it is
logged once per pattern, not once per request.

One request may meet many patterns (every stub, every journalled request a verification
reads), so a request also has a budget: after MAX_TIMEOUTS timed-out matches inside
`request_budget()` every further match in that request is a no-match at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

import regex
import structlog

MATCH_SECONDS = 0.05  # time one match of one pattern against one value may take
MAX_TIMEOUTS = 2  # timed-out matches per request before the rest are refused unrun
TIMEOUT_REASON = f"the regular expression ran out of time ({int(MATCH_SECONDS * 1000)} ms)"
SPENT_REASON = "this request has spent its time for regular expressions"


class _Spent:
    __slots__ = ("timeouts",)

    def __init__(self) -> None:
        self.timeouts = 0


_REQUEST: ContextVar[_Spent | None] = ContextVar("regex_request_budget", default=None)


class request_budget:  # noqa: N801 - used as a function: `with request_budget():`
    """Count timed-out matches for the request handled inside the block (a class, not a
    generator: it is entered for every served request)."""

    __slots__ = ("_token",)

    def __enter__(self) -> None:
        self._token = _REQUEST.set(_Spent())

    def __exit__(self, *exc: object) -> None:
        _REQUEST.reset(self._token)


class TimedPattern:
    """A compiled pattern whose every match stops after MATCH_SECONDS, as a no-match."""

    __slots__ = ("_compiled", "_logged", "pattern", "source")

    def __init__(self, python: str, source: str | None = None, flags: int = 0) -> None:
        self._compiled = regex.compile(python, flags | regex.VERSION0)
        self.pattern = python
        self.source = source if source is not None else python  # as the stub author wrote it
        self._logged = False

    @property
    def groups(self) -> int:
        return int(self._compiled.groups)

    def fullmatch(self, text: str) -> Any:
        return self._run(self._compiled.fullmatch, text)

    def search(self, text: str) -> Any:
        return self._run(self._compiled.search, text)

    def match(self, text: str) -> Any:
        return self._run(self._compiled.match, text)

    def finditer(self, text: str) -> Iterator[Any]:
        """Every match, all of them found within one time budget."""
        found = self._run(lambda t, timeout: list(self._compiled.finditer(t, timeout=timeout)),
                          text)
        return iter(found or ())

    def verdict(self, text: str) -> tuple[bool, str]:
        """Whether `text` matches in full, and why not when time ran out."""
        spent = _REQUEST.get()
        if spent is not None and spent.timeouts >= MAX_TIMEOUTS:
            return False, SPENT_REASON
        try:
            return self._compiled.fullmatch(text, timeout=MATCH_SECONDS) is not None, ""
        except TimeoutError:
            self._timed_out(text, spent)
            return False, TIMEOUT_REASON

    def _run(self, method: Any, text: str) -> Any:
        spent = _REQUEST.get()
        if spent is not None and spent.timeouts >= MAX_TIMEOUTS:
            return None
        try:
            return method(text, timeout=MATCH_SECONDS)
        except TimeoutError:
            self._timed_out(text, spent)
            return None

    def _timed_out(self, text: str, spent: _Spent | None) -> None:
        if spent is not None:
            spent.timeouts += 1
        if not self._logged:
            self._logged = True
            structlog.get_logger("mockserver").warning(
                "regex_timeout", pattern=self.source, value_length=len(text),
                limit_ms=int(MATCH_SECONDS * 1000))

    def __repr__(self) -> str:
        return f"TimedPattern({self.source!r})"


def compile_timed(python: str, source: str | None = None, flags: int = 0) -> TimedPattern:
    """Compile Python-syntax `python` (a translated Java pattern); `regex.error` when invalid."""
    return TimedPattern(python, source, flags)


ASCII = regex.ASCII
IGNORECASE = regex.IGNORECASE
DOTALL = regex.DOTALL
error = regex.error
