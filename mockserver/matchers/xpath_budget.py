"""What one XPath evaluation may cost, decided before it runs.

libxml2 cannot be interrupted, and evaluating in a thread would leave a runaway evaluation
burning a core forever, so the cost is bounded by its inputs instead:

* XML matchers read bodies of at most MAX_XML_BYTES; larger ones are a no-match saying so.
* An expression's *degree* estimates how its work grows with the document's element
  count n: 1 for paths and predicates that look only down or up a node's own branch; one
  more for each level of predicates that walks the whole document (`//`, an absolute path,
  the `descendant`, `ancestor`, `following` or `preceding` axes), since that runs once per
  candidate node; two more for each location step along `following`/`preceding`
  (or their `-sibling` forms), which libxml2 merges in cubic time (`//*/following::*`
  over a thousand elements takes almost a second).
* Each degree allows documents up to a number of elements (ELEMENTS_BY_DEGREE) that keeps
  one evaluation in the low tens of milliseconds; a larger document is a no-match with the
  reason. An expression above MAX_DEGREE is refused when the stub loads.
* EXSLT's `re:test` runs on the time-limited regex engine (`compat.timedregex`); lxml's
  own EXSLT regular expressions (Python's backtracking `re`) are switched off.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from mockserver.compat import timedregex

MAX_XML_BYTES = 1024 * 1024
ELEMENTS_BY_DEGREE = {1: 200_000, 2: 2_000, 3: 300, 4: 100}
MAX_DEGREE = max(ELEMENTS_BY_DEGREE)
EXSLT_REGEX_NS = "http://exslt.org/regular-expressions"

_STRING = re.compile(r"'[^']*'|\"[^\"]*\"")
_WIDE = re.compile(r"//|(?:^|[\[(,|=<>!+*\s])/|\b(?:descendant|ancestor|following|preceding)"
                   r"(?:-or-self|-sibling)?\s*::")
_SIDEWAYS_STEP = re.compile(r"\b(?:following|preceding)(?:-sibling)?\s*::")


def degree(expression: str) -> int:
    """How steeply evaluating `expression` can grow with the document (see the module)."""
    text = _STRING.sub("''", expression)
    top, predicates = _split_predicates(text)
    return 1 + 2 * len(_SIDEWAYS_STEP.findall(top)) + _nesting(predicates)


def _split_predicates(text: str) -> tuple[str, list[tuple[int, str]]]:
    """The text outside any `[...]`, and each predicate's own text with its depth."""
    top: list[str] = []
    stack: list[list[str]] = []
    found: list[tuple[int, str]] = []
    for char in text:
        if char == "[":
            stack.append([])
        elif char == "]" and stack:
            inner = "".join(stack.pop())
            found.append((len(stack) + 1, inner))
            if stack:
                stack[-1].append("[]")
        elif stack:
            stack[-1].append(char)
        else:
            top.append(char)
    return "".join(top), found


def _nesting(predicates: list[tuple[int, str]]) -> int:
    """The deepest nesting of predicates that each walk the whole document."""
    wide_depths = sorted({depth for depth, inner in predicates if _WIDE.search(inner)})
    return len(wide_depths)


def refusal(expression: str) -> str | None:
    """Why an expression is refused at load time, or None."""
    found = degree(expression)
    if found > MAX_DEGREE:
        return (f"XPath {expression!r} would cost too much on any real document (nested "
                "whole-document predicates or repeated following/preceding steps); "
                "rewrite it with fewer of them")
    return None


def too_large(expression: str, elements: int) -> str | None:
    """Why the document is too large for this expression, or None."""
    limit = ELEMENTS_BY_DEGREE[min(degree(expression), MAX_DEGREE)]
    if elements > limit:
        return (f"document has {elements} elements; this XPath is evaluated on at most "
                f"{limit}")
    return None


@lru_cache(maxsize=256)
def _pattern(pattern: str, flags: str) -> timedregex.TimedPattern:
    return timedregex.compile_timed(pattern, flags=timedregex.IGNORECASE if "i" in flags else 0)


def _string_value(value: Any) -> str:
    if isinstance(value, list):
        if not value:
            return ""
        value = value[0]
    if hasattr(value, "itertext"):
        return "".join(value.itertext())
    return str(value)


def _re_test(_context: Any, value: Any, pattern: Any, flags: Any = "") -> bool:
    """EXSLT `re:test(string, regex, flags)`, time-limited: out of time is false."""
    try:
        compiled = _pattern(_string_value(pattern), _string_value(flags))
    except timedregex.error:
        return False
    return compiled.search(_string_value(value)) is not None


EXTENSIONS = {(EXSLT_REGEX_NS, "test"): _re_test}
