"""Jayway JsonPath, the dialect WireMock speaks, on top of jsonpath-ng.

Stub matchers (`matchesJsonPath`), response templates (`jsonPath` helper) and the near-miss
report all evaluate expressions this way: a Jayway expression is translated (quoted strings
masked, `=~ /re/i` turned into a full match, `in`/`nin`/`size`/`empty` expanded, a trailing
function such as `.length()` applied afterwards) and parsed once; filters on an object test
the object itself, as Jayway does. A definite path yields one value, an indefinite one a list.
"""

from __future__ import annotations

import json
import math
import re
import threading
import warnings
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from mockserver.compat.javanumber import java_double
from mockserver.compat.javaregex import translate
from mockserver.compat.timedregex import TimedPattern, compile_timed

__all__ = ["MISSING", "JsonPath", "compile_json_path", "java_string"]

_FUNCTIONS = ("length", "size", "min", "max", "avg", "stddev", "sum", "keys", "first", "last")
_TRAILING_FUNCTION = re.compile(r"(.*?)\.(" + "|".join(_FUNCTIONS) + r")\(\)\s*", re.DOTALL)
_FILTER_LENGTH = re.compile(r"\.(?:length|size)\(\)")
_OPERAND = r"(@[^\s()&|!=<>~]*)\s+"
_IN_LIST = re.compile(_OPERAND + r"(nin|in)\s+\[([^\]]*)\]")
_SIZE_OP = re.compile(_OPERAND + r"(size|empty)\s+(\d+|true|false)")
_INDEFINITE = re.compile(r"\.\.|\*|\[\s*\?|\[[^\]]*[,:][^\]]*\]")
_LITERAL = re.compile("\x00(\\d+)\x00")
MISSING = object()
"""What a path that selects nothing evaluates to (a JSON null is `None`)."""


@dataclass(frozen=True, slots=True)
class JsonPath:
    """A compiled Jayway expression: jsonpath-ng path, definiteness, trailing function."""

    path: Any
    definite: bool
    function: str | None

    def evaluate(self, doc: Any) -> Any:
        """The Jayway result (one value if definite, else a list), or `MISSING`."""
        values = [m.value for m in self.path.find(doc)]
        if self.definite:
            if not values:
                return MISSING
            result: Any = values[0]
        else:
            result = values
        return result if self.function is None else _apply_function(self.function, result)

    def find(self, doc: Any) -> list[Any]:
        """The selected nodes with their places (jsonpath-ng matches; no trailing function)."""
        return list(self.path.find(doc))

    def update(self, doc: Any, value: Any) -> Any:
        """`doc` with every selected node replaced by `value`."""
        return self.path.update(doc, value)


def _apply_function(name: str, value: Any) -> Any:
    if name in ("length", "size"):
        return len(value) if isinstance(value, (list, dict, str)) else MISSING
    if name == "keys":
        return list(value) if isinstance(value, dict) else MISSING
    if not isinstance(value, list) or not value:
        return MISSING
    if name in ("first", "last"):
        return value[0] if name == "first" else value[-1]
    nums = [float(v) for v in value if _is_number(v)]
    if not nums:
        return MISSING
    mean = sum(nums) / len(nums)
    if name == "stddev":
        return math.sqrt(max(0.0, sum(x * x for x in nums) / len(nums) - mean * mean))
    return {"min": min(nums), "max": max(nums), "sum": sum(nums), "avg": mean}[name]


def _mask(expression: str) -> tuple[str, list[str]]:
    """Hide quoted strings (and turn `=~ /re/i` into jsonpath-ng's full-match form)."""
    masked, literals, i, n = "", [], 0, len(expression)
    while i < n:
        c = expression[i]
        regex = c == "/" and masked.rstrip().endswith("=~")
        if c not in "'\"" and not regex:
            masked, i = masked + c, i + 1
            continue
        j = i + 1
        while j < n and expression[j] != c:
            j += 2 if expression[j] == "\\" else 1
        if j >= n:
            raise ValueError(f"unterminated {'regex' if regex else 'string'} at {i}")
        if regex:
            k = j + 1
            while k < n and expression[k].isalpha():
                k += 1
            literals.append(_regex_literal(expression[i + 1 : j], expression[j + 1 : k]))
            j = k - 1
        else:
            literals.append(expression[i : j + 1])
        masked += f"\x00{len(literals) - 1}\x00"
        i = j + 1
    return masked, literals


def _regex_literal(body: str, flags: str) -> str:
    """A Jayway `/re/flags` (full match) as a quoted pattern for jsonpath-ng's `re.search`."""
    inline = "".join(f for f in dict.fromkeys(flags) if f in "dimsuxU")
    core = translate((f"(?{inline})" if inline else "") + body.replace("\\/", "/"))
    pattern = rf"\A(?:{core})\Z"
    try:
        re.compile(pattern)
    except (re.error, OverflowError, RecursionError) as exc:
        raise ValueError(f"invalid regular expression /{body}/: {exc}") from exc
    return "'" + pattern.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _expand_in(m: re.Match[str]) -> str:
    left, op, items = m.group(1), m.group(2), [x.strip() for x in m.group(3).split(",")]
    items = [x for x in items if x]
    if op == "in":
        return "(" + (" || ".join(f"{left} == {x}" for x in items) or "!@") + ")"
    return "(" + (" && ".join(f"{left} != {x}" for x in items) or "@") + ")"


def _expand_size(m: re.Match[str]) -> str:
    left, op, arg = m.groups()
    if op == "size":
        return f"{left}.`len` == {arg}"
    return f"{left}.`len` {'==' if arg == 'true' else '>'} 0"


@lru_cache(maxsize=2048)
def compile_json_path(expression: str) -> JsonPath:
    """Translate a Jayway expression and parse it with jsonpath-ng; raises ValueError."""
    try:
        masked, literals = _mask(expression.strip())
        function = None
        if m := _TRAILING_FUNCTION.fullmatch(masked):
            masked, function = m.group(1), m.group(2)
        definite = not _INDEFINITE.search(masked)
        masked = _FILTER_LENGTH.sub(".`len`", masked)
        masked = _SIZE_OP.sub(_expand_size, _IN_LIST.sub(_expand_in, masked))
        text = _LITERAL.sub(lambda lm: literals[int(lm.group(1))], masked)
        parser, lock = _shared_parser()
        with lock, warnings.catch_warnings():
            warnings.simplefilter("ignore")  # jsonpath-ng deprecations are not the author's
            path = parser.parse(text)
    except Exception as exc:  # ply raises assorted types on garbage input
        raise ValueError(f"invalid JSONPath {expression!r}: {exc}") from exc
    _adopt_timed_regexes(path, _timed_regex_class())  # first: it walks jsonpath-ng's classes
    _adopt_jayway_filters(path, _jayway_filter_class())
    return JsonPath(path, definite, function)


@lru_cache(maxsize=1)
def _shared_parser() -> tuple[Any, threading.Lock]:
    """One jsonpath-ng parser for every expression: jsonpath-ng's `parse()` builds a new one
    per call, which costs several times the parsing itself. Only public names are used (each
    parse gets jsonpath-ng's own lexer, about 0.5 ms per expression more than reusing a private
    ply lexer would), so every jsonpath-ng from the declared floor on works. The lock is for
    reloads, which parse stub files in a worker thread."""
    from jsonpath_ng.ext.parser import ExtendedJsonPathParser

    return ExtendedJsonPathParser(), threading.Lock()


@lru_cache(maxsize=1)
def _jayway_filter_class() -> type:
    """jsonpath-ng's filter, except that on an object it tests the object itself, as Jayway does.

    (jsonpath-ng tests the object's values, so `$.owner[?(@.active)]` would find nothing.)
    """
    from jsonpath_ng.ext.filter import Filter
    from jsonpath_ng.jsonpath import DatumInContext

    class JaywayFilter(Filter):
        def find(self, datum: Any) -> Any:
            datum = DatumInContext.wrap(datum)
            if isinstance(datum.value, dict):
                return [datum] if all(e.find(datum) for e in self.expressions) else []
            return super().find(datum)

    return JaywayFilter


def _adopt_jayway_filters(node: Any, cls: type) -> None:
    """Swap every filter in a parsed path (filters nest inside filters) for `cls`."""
    if type(node) is cls.__mro__[1]:
        node.__class__ = cls
    for child in vars(node).values() if hasattr(node, "__dict__") else ():
        for item in child if isinstance(child, list) else [child]:
            if type(item).__module__.startswith("jsonpath_ng"):
                _adopt_jayway_filters(item, cls)


@lru_cache(maxsize=1)
def _timed_regex_class() -> type:
    """jsonpath-ng's comparison, except that `=~` runs on the time-limited regex engine
    (`compat.timedregex`): out of time, the value does not match."""
    from jsonpath_ng.ext.filter import Expression
    from jsonpath_ng.jsonpath import DatumInContext

    class TimedRegexExpression(Expression):
        timed: TimedPattern

        def find(self, datum: Any) -> Any:
            wrapped = DatumInContext.wrap(datum)
            return [found for found in self.target.find(wrapped)
                    if isinstance(found.value, str) and self.timed.search(found.value)]

    return TimedRegexExpression


def _adopt_timed_regexes(node: Any, cls: type) -> None:
    """Swap every `=~` comparison with a literal pattern for `cls`, its pattern compiled."""
    swap: Any = node if type(node) is cls.__mro__[1] else None
    if swap is not None and swap.op == "=~" and isinstance(swap.value, str):
        swap.__class__ = cls
        swap.timed = compile_timed(swap.value, swap.value)
    for child in vars(node).values() if hasattr(node, "__dict__") else ():
        for item in child if isinstance(child, list) else [child]:
            if type(item).__module__.startswith("jsonpath_ng"):
                _adopt_timed_regexes(item, cls)


def java_string(value: Any) -> str | None:
    """How Jayway/Java prints a JSON value: `true`, `5`, `5.0`, `1.0E20`, strings as-is."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return java_double(value)
    if isinstance(value, int):
        return repr(value)
    return json.dumps(value, separators=(",", ":"))




def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
