"""JSON body matchers: `equalToJson`, `matchesJsonPath` and `matchesJsonSchema`.

WireMock delegates these to json-unit, Jayway JsonPath and networknt; here they are a small
json-unit style comparer, jsonpath-ng behind a Jayway-to-jsonpath-ng translation, and the
`jsonschema` package. Expressions and schemas compile at load, so a bad stub fails early; bodies
are parsed once per request through `Content.json_value`, and matching never raises.
"""

from __future__ import annotations

import json
import math
import re
import threading
import warnings
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, islice
from typing import Any, ClassVar

from mockserver.compat.javanumber import java_double
from mockserver.compat.javaregex import compile_java_regex, translate
from mockserver.matchers.base import (
    EXACT,
    Content,
    MatchResult,
    ParseContext,
    StringMatcher,
    no_match,
)

# --- equalToJson --------------------------------------------------------------------------

_PLACEHOLDER = re.compile(
    r"[$#]\{json-unit\.(ignore|ignore-element|any-string|any-number|any-boolean)\}"
    r"|[$#]\{json-unit\.regex\}(.*)",
    re.DOTALL,
)
_PAIR_BUDGET = 50_000
"""Steps allowed per match, plus 16 per node of the body, when pairing arrays out of order."""


@dataclass(frozen=True, slots=True)
class _Placeholder:
    """A `${json-unit.*}` marker found in an expected string value."""

    kind: str
    pattern: re.Pattern[str] | None = None

    def accepts(self, actual: Any) -> bool:
        if self.kind in ("ignore", "ignore-element"):
            return True
        if self.kind == "any-string":
            return isinstance(actual, str)
        if self.kind == "any-number":
            return _is_number(actual)
        if self.kind == "any-boolean":
            return isinstance(actual, bool)
        return (
            isinstance(actual, str)
            and self.pattern is not None
            and bool(self.pattern.fullmatch(actual))
        )


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, (dict, list, _Placeholder))


def _compile_expected(value: Any) -> Any:
    """Replace placeholder strings with `_Placeholder`s; raises ValueError on a bad regex."""
    if isinstance(value, dict):
        return {k: _compile_expected(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_compile_expected(v) for v in value]
    if isinstance(value, str) and (m := _PLACEHOLDER.fullmatch(value)):
        if m.group(1):
            return _Placeholder(m.group(1))
        return _Placeholder("regex", compile_java_regex(m.group(2)))
    return value


def _size(value: Any) -> int:
    """Node count of a JSON value: the unit of the `equalToJson` distance."""
    if isinstance(value, dict):
        return 1 + sum(_size(v) for v in value.values())
    if isinstance(value, list):
        return 1 + sum(_size(v) for v in value)
    return 1


def _canon(value: Any) -> Any:
    """A hashable key equal for json-unit-equal values (`1` and `1.0`), never for placeholders."""
    if isinstance(value, dict):
        return ("o", frozenset((k, _canon(v)) for k, v in value.items()))
    if isinstance(value, list):
        return ("a", tuple(_canon(v) for v in value))
    if isinstance(value, _Placeholder):
        return ("p", id(value))
    return ("b" if isinstance(value, bool) else "n" if _is_number(value) else "v", value)


def _short(value: Any) -> str:
    text = json.dumps(value, default=lambda p: f"${{json-unit.{p.kind}}}")
    return text if len(text) <= 60 else text[:57] + "..."


class _Comparison:
    """One expected-vs-actual diff: counts differing nodes and remembers the first one."""

    __slots__ = ("ignore_order", "ignore_extra", "budget", "first", "quiet")

    def __init__(self, ignore_order: bool, ignore_extra: bool, budget: int) -> None:
        self.ignore_order = ignore_order
        self.ignore_extra = ignore_extra
        self.budget = budget
        self.first = ""
        self.quiet = 0

    def _note(self, where: str, what: str) -> None:
        if not self.first and not self.quiet:
            self.first = f"{where or '$'}: {what}"

    def diff(self, exp: Any, act: Any, where: str = "$") -> tuple[int, int]:
        """(differing nodes, compared nodes) of `act` against `exp`."""
        if isinstance(exp, _Placeholder):
            ok = exp.accepts(act)
            if not ok:
                self._note(where, f"expected {exp.kind} but was {_short(act)}")
            return (0 if ok else 1), 1
        if isinstance(exp, dict) and isinstance(act, dict):
            return self._diff_object(exp, act, where)
        if isinstance(exp, list) and isinstance(act, list):
            return self._diff_array(exp, act, where)
        if isinstance(exp, (dict, list)) or isinstance(act, (dict, list)):
            n = max(_size(exp), _size(act))
            self._note(where, f"expected {_short(exp)} but was {_short(act)}")
            return n, n
        if isinstance(exp, bool) or isinstance(act, bool):
            same = exp is act
        elif _is_number(exp) and _is_number(act):
            same = exp == act
        else:
            same = type(exp) is type(act) and exp == act
        if not same:
            self._note(where, f"expected {_short(exp)} but was {_short(act)}")
        return (0 if same else 1), 1

    def _diff_object(self, exp: dict[str, Any], act: dict[str, Any], where: str) -> tuple[int, int]:
        d, n = 0, 1
        for key, e in exp.items():
            if key in act:
                dd, nn = self.diff(e, act[key], f"{where}.{key}")
            elif isinstance(e, _Placeholder) and e.kind == "ignore-element":
                continue
            else:
                dd = nn = _size(e)
                self._note(f"{where}.{key}", "missing")
            d, n = d + dd, n + nn
        if not self.ignore_extra:
            for key in act.keys() - exp.keys():
                s = _size(act[key])
                d, n = d + s, n + s
                self._note(f"{where}.{key}", "unexpected field")
        return d, n

    def _diff_array(self, exp: list[Any], act: list[Any], where: str) -> tuple[int, int]:
        if self.ignore_order:
            pairs = self._assign(exp, act)
            n = 1 + sum(_size(exp[i]) for i in pairs)
            left_e = [i for i in range(len(exp)) if i not in pairs]
            taken = set(pairs.values())
            left_a = [j for j in range(len(act)) if j not in taken]
        else:
            n = 1
            left_e, left_a = list(range(len(exp))), list(range(len(act)))
        d = 0
        for i, j in zip(left_e, left_a, strict=False):
            dd, nn = self.diff(exp[i], act[j], f"{where}[{i}]")
            d, n = d + dd, n + nn
        for i in left_e[len(left_a) :]:
            s = _size(exp[i])
            d, n = d + s, n + s
            self._note(f"{where}[{i}]", "missing array element")
        if not self.ignore_extra:
            for j in left_a[len(left_e) :]:
                s = _size(act[j])
                d, n = d + s, n + s
                self._note(f"{where}[{j}]", "unexpected array element")
        return d, n

    def _assign(self, exp: list[Any], act: list[Any]) -> dict[int, int]:
        """Maximum pairing of expected to equal actual elements (greedy, then augmenting paths).

        Candidates are narrowed by canonical equality, or by one scalar field of an expected
        object (every match shares it); each step costs budget, so a pathological pair of
        arrays ends as a no-match instead of a quadratic stall.
        """
        ca = [_canon(a) for a in act]
        by_canon: dict[Any, list[int]] = {}
        for j, key in enumerate(ca):
            by_canon.setdefault(key, []).append(j)
        by_field: dict[str, dict[Any, list[int]]] = {}
        memo: dict[tuple[int, int], bool] = {}

        def candidates(i: int) -> Iterable[int]:
            e = exp[i]
            if not isinstance(e, (dict, list, _Placeholder)):
                return by_canon.get(_canon(e), ())
            if isinstance(e, dict) and (f := next((k for k, v in e.items() if _is_scalar(v)), "")):
                if f not in by_field:
                    index = by_field[f] = {}
                    for j, a in enumerate(act):
                        if isinstance(a, dict) and f in a:
                            index.setdefault(_canon(a[f]), []).append(j)
                return by_field[f].get(_canon(e[f]), ())
            return chain((i,) if i < len(act) else (), range(len(act)))

        def equal(i: int, j: int) -> bool:
            if (i, j) not in memo:
                self.budget -= 1
                self.quiet += 1
                memo[i, j] = self.diff(exp[i], act[j])[0] == 0
                self.quiet -= 1
            return memo[i, j]

        mine: dict[int, int] = {}
        owner: dict[int, int] = {}
        for i in range(len(exp)):
            for j in candidates(i):
                self.budget -= 1
                if self.budget <= 0:
                    return mine
                if j not in owner and equal(i, j):
                    mine[i], owner[j] = j, i
                    break
        for start in [i for i in range(len(exp)) if i not in mine]:
            prev: dict[int, int] = {}
            queue = deque([start])
            while queue:
                u = queue.popleft()
                for j in candidates(u):
                    self.budget -= 1
                    if self.budget <= 0:
                        return mine
                    if j in prev or not equal(u, j):
                        continue
                    prev[j] = u
                    if j in owner:
                        queue.append(owner[j])
                        continue
                    while True:  # flip the alternating path back to `start`
                        u = prev[j]
                        j_old = mine.get(u)
                        mine[u], owner[j] = j, u
                        if j_old is None:
                            break
                        j = j_old
                    queue.clear()
                    break
        return mine


class _JsonInputMatcher(StringMatcher):
    """Shared input handling: absent is a no-match, a body's JSON is parsed once per request."""

    def match(self, value: str | None) -> MatchResult:
        if value is None:
            return no_match("value is absent")
        try:
            doc = json.loads(value)
        except (ValueError, RecursionError):
            return self._match_text(value)
        return self._match_json(doc)

    def match_content(self, content: Content) -> MatchResult:
        doc = content.json_value
        if doc is not Content.INVALID:
            return self._match_json(doc)
        text = content.text  # not JSON: never parse it again, one stub after another
        return no_match("value is absent") if text is None else self._match_text(text)

    def _match_text(self, text: str) -> MatchResult:
        return no_match("value is not valid JSON")

    def _match_json(self, doc: Any) -> MatchResult:  # pragma: no cover - abstract
        raise NotImplementedError


@dataclass(frozen=True, eq=False, repr=False)
class EqualToJsonMatcher(_JsonInputMatcher):
    """json-unit comparison: key order free, numbers numeric, placeholders, two leniency flags."""

    operator: ClassVar[str] = "equalToJson"
    operand: Any
    expected_json: Any
    ignore_array_order: bool | None = None
    ignore_extra_elements: bool | None = None

    def _match_json(self, doc: Any) -> MatchResult:
        try:
            budget = _PAIR_BUDGET + 16 * _size(doc) if self.ignore_array_order else 0
            cmp = _Comparison(
                bool(self.ignore_array_order), bool(self.ignore_extra_elements), budget
            )
            d, n = cmp.diff(self.expected_json, doc)
        except RecursionError:
            return no_match("JSON too deeply nested to compare")
        return EXACT if d == 0 else no_match(cmp.first or "JSON differs", min(1.0, d / n))

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {self.operator: self.operand}
        if self.ignore_array_order is not None:
            out["ignoreArrayOrder"] = self.ignore_array_order
        if self.ignore_extra_elements is not None:
            out["ignoreExtraElements"] = self.ignore_extra_elements
        return out


def _json_operand(spec: Mapping[str, Any], key: str, ctx: ParseContext) -> Any:
    """The operand as a JSON value: a string operand holds JSON text."""
    operand = spec[key]
    if not isinstance(operand, str):
        return operand
    try:
        return json.loads(operand)
    except (ValueError, RecursionError) as exc:
        raise ctx.error(f"{key} operand is not valid JSON: {exc}", key) from exc


def _flag(spec: Mapping[str, Any], key: str, ctx: ParseContext) -> bool | None:
    value = spec.get(key)
    if value is not None and not isinstance(value, bool):
        raise ctx.error(f"{key} must be true or false, got {value!r}", key)
    return value


def parse_equal_to_json(spec: Mapping[str, Any], ctx: ParseContext) -> StringMatcher:
    """`{equalToJson: <JSON or JSON text>, ignoreArrayOrder?, ignoreExtraElements?}`."""
    expected = _json_operand(spec, "equalToJson", ctx)
    try:
        compiled = _compile_expected(expected)
    except ValueError as exc:
        raise ctx.error(f"bad ${{json-unit.regex}} placeholder: {exc}", "equalToJson") from exc
    except RecursionError as exc:
        raise ctx.error("equalToJson operand is too deeply nested", "equalToJson") from exc
    return EqualToJsonMatcher(
        spec["equalToJson"],
        compiled,
        _flag(spec, "ignoreArrayOrder", ctx),
        _flag(spec, "ignoreExtraElements", ctx),
    )


# --- matchesJsonPath ----------------------------------------------------------------------

_FUNCTIONS = ("length", "size", "min", "max", "avg", "stddev", "sum", "keys", "first", "last")
_TRAILING_FUNCTION = re.compile(r"(.*?)\.(" + "|".join(_FUNCTIONS) + r")\(\)\s*", re.DOTALL)
_FILTER_LENGTH = re.compile(r"\.(?:length|size)\(\)")
_OPERAND = r"(@[^\s()&|!=<>~]*)\s+"
_IN_LIST = re.compile(_OPERAND + r"(nin|in)\s+\[([^\]]*)\]")
_SIZE_OP = re.compile(_OPERAND + r"(size|empty)\s+(\d+|true|false)")
_INDEFINITE = re.compile(r"\.\.|\*|\[\s*\?|\[[^\]]*[,:][^\]]*\]")
_LITERAL = re.compile("\x00(\\d+)\x00")
_XML_START = re.compile(r"\s*<")
_MISSING = object()


@dataclass(frozen=True, slots=True)
class _JsonPath:
    """A compiled Jayway expression: jsonpath-ng path, definiteness, trailing function."""

    path: Any
    definite: bool
    function: str | None

    def evaluate(self, doc: Any) -> Any:
        """The Jayway result (one value if definite, else a list), or `_MISSING`."""
        values = [m.value for m in self.path.find(doc)]
        if self.definite:
            if not values:
                return _MISSING
            result: Any = values[0]
        else:
            result = values
        return result if self.function is None else _apply_function(self.function, result)


def _apply_function(name: str, value: Any) -> Any:
    if name in ("length", "size"):
        return len(value) if isinstance(value, (list, dict, str)) else _MISSING
    if name == "keys":
        return list(value) if isinstance(value, dict) else _MISSING
    if not isinstance(value, list) or not value:
        return _MISSING
    if name in ("first", "last"):
        return value[0] if name == "first" else value[-1]
    nums = [float(v) for v in value if _is_number(v)]
    if not nums:
        return _MISSING
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
    except re.error as exc:
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
def compile_json_path(expression: str) -> _JsonPath:
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
        parser, lexer, lock = _shared_parser()
        with lock, warnings.catch_warnings():
            warnings.simplefilter("ignore")  # jsonpath-ng deprecations are not the author's
            path = parser.parse(text, lexer=lexer)
    except Exception as exc:  # ply raises assorted types on garbage input
        raise ValueError(f"invalid JSONPath {expression!r}: {exc}") from exc
    _adopt_jayway_filters(path, _jayway_filter_class())
    return _JsonPath(path, definite, function)


@lru_cache(maxsize=1)
def _shared_parser() -> tuple[Any, Any, threading.Lock]:
    """One jsonpath-ng parser and lexer for every expression. jsonpath-ng builds a new parser
    per `parse()` and a new ply lexer per expression, which costs several times the parsing
    itself (0.9 ms against 0.2 ms): a thousand stubs would pay that at start-up. The lock
    is for reloads, which parse stub files in a worker thread."""
    import jsonpath_ng._ply.lex as ply_lex
    from jsonpath_ng.ext.parser import ExtendedJsonPathLexer, ExtendedJsonPathParser

    class ReusedLexer(ExtendedJsonPathLexer):
        """The ply lexer built once, reset for each expression."""

        def __init__(self) -> None:
            super().__init__()
            self._ply = ply_lex.lex(  # type: ignore[no-untyped-call]
                                   module=self, debug=False, optimize=True,
                                    lextab=self._ply_table_module, errorlog=ply_lex.NullLogger())

        def tokenize(self, string: str) -> Any:
            lexer = self._ply
            lexer.begin("INITIAL")
            lexer.lexstatestack = []
            lexer.latest_newline = 0
            lexer.string_value = None
            lexer.input(string)
            while (token := lexer.token()) is not None:
                token.col = token.lexpos - lexer.latest_newline
                yield token

    return ExtendedJsonPathParser(), ReusedLexer(), threading.Lock()


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


def _java_string(value: Any) -> str | None:
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


@dataclass(frozen=True, eq=False, repr=False)
class MatchesJsonPathMatcher(_JsonInputMatcher):
    """Jayway JSONPath: plain form tests for a non-empty result, object form tests its value."""

    operator: ClassVar[str] = "matchesJsonPath"
    expression: str
    path: _JsonPath
    sub: StringMatcher | None = None

    def match(self, value: str | None) -> MatchResult:
        if value is not None and _XML_START.match(value):  # WireMock's shortcut: no parse
            return self._match_text(value)
        return super().match(value)

    def _match_text(self, text: str) -> MatchResult:
        return no_match("value is XML, not JSON" if _XML_START.match(text) else "not valid JSON")

    def _match_json(self, doc: Any) -> MatchResult:
        try:
            result = self.path.evaluate(doc)
        except Exception:  # noqa: BLE001 - a path error is a no-match, as in Jayway
            result = _MISSING
        if self.sub is None:
            if result is _MISSING or result is None:
                return no_match(f"{self.expression} found nothing")
            if isinstance(result, (list, dict)) and not result:
                return no_match(f"{self.expression} found an empty result")
            return EXACT
        if result is _MISSING or result is None:
            candidates: list[str | None] = [None]
        elif isinstance(result, dict) or (
            isinstance(result, list) and isinstance(self.sub, EqualToJsonMatcher)
        ):
            candidates = [json.dumps(result, separators=(",", ":"))]
        elif isinstance(result, list):
            candidates = [_java_string(v) for v in result] or [None]
        else:
            candidates = [_java_string(result)]
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


# --- matchesJsonSchema --------------------------------------------------------------------

_SCHEMA_VALIDATORS = {
    "V4": "Draft4Validator",
    "V6": "Draft6Validator",
    "V7": "Draft7Validator",
    "V201909": "Draft201909Validator",
    "V202012": "Draft202012Validator",
}


@dataclass(frozen=True, eq=False, repr=False)
class MatchesJsonSchemaMatcher(_JsonInputMatcher):
    """JSON Schema validation; a non-JSON value is validated as a JSON string."""

    operator: ClassVar[str] = "matchesJsonSchema"
    operand: Any
    schema_version: str | None
    validator: Any

    def _match_text(self, text: str) -> MatchResult:
        return self._match_json(text)

    def _match_json(self, instance: Any) -> MatchResult:
        from jsonschema.exceptions import best_match

        try:
            errors = list(islice(self.validator.iter_errors(instance), 20))
            if not errors:
                return EXACT
            error = best_match(errors)
            where = error.json_path if error is not None else "$"
            return no_match(f"{where}: {error.message if error is not None else 'invalid'}")
        except Exception as exc:  # noqa: BLE001 - unresolvable $ref, deep nesting: never raise on input
            return no_match(f"schema could not be applied: {exc}")

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {self.operator: self.operand}
        if self.schema_version is not None:
            out["schemaVersion"] = self.schema_version
        return out


def parse_matches_json_schema(spec: Mapping[str, Any], ctx: ParseContext) -> StringMatcher:
    """`{matchesJsonSchema: <schema or JSON text>, schemaVersion?: V4|V6|V7|V201909|V202012}`."""
    import jsonschema  # imported late: it pulls in referencing and the metaschemas

    schema = _json_operand(spec, "matchesJsonSchema", ctx)
    if not isinstance(schema, (dict, bool)):
        raise ctx.error("a JSON schema must be an object or a boolean", "matchesJsonSchema")
    version = spec.get("schemaVersion")
    if version is not None and version not in _SCHEMA_VALIDATORS:
        choices = ", ".join(_SCHEMA_VALIDATORS)
        raise ctx.error(
            f"unknown schemaVersion {version!r} (expected one of: {choices})", "schemaVersion"
        )
    cls = getattr(jsonschema, _SCHEMA_VALIDATORS[version or "V202012"])
    try:
        cls.check_schema(schema)
    except jsonschema.SchemaError as exc:
        raise ctx.error(f"invalid JSON schema: {exc.message}", "matchesJsonSchema") from exc
    except RecursionError as exc:
        raise ctx.error("JSON schema is too deeply nested", "matchesJsonSchema") from exc
    validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
    return MatchesJsonSchemaMatcher(spec["matchesJsonSchema"], version, validator)


__all__ = [
    "EqualToJsonMatcher",
    "MatchesJsonPathMatcher",
    "MatchesJsonSchemaMatcher",
    "compile_json_path",
    "parse_equal_to_json",
    "parse_matches_json_path",
    "parse_matches_json_schema",
]
