"""JSON body matchers: what they share, and `equalToJson`.

WireMock delegates `equalToJson` to json-unit; here it is a small json-unit style comparer
(placeholders, numbers compared numerically, two leniency flags). Every JSON operator reads a
body parsed once per request through `Content.json_value` (`JsonInputMatcher`), and matching
never raises. `matchesJsonPath` and `matchesJsonSchema` live in `json_path` and `json_schema`.
"""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import chain
from typing import Any, ClassVar

from mockserver.compat.jackson import pretty_json, pretty_json_text
from mockserver.compat.javaregex import compile_java_regex
from mockserver.compat.timedregex import TimedPattern
from mockserver.errors import MockServerError
from mockserver.matchers.base import (
    EXACT,
    REPORT_LIMIT,
    Content,
    MatchResult,
    ParseContext,
    StringMatcher,
    capped,
    no_match,
)

_PRINTED = REPORT_LIMIT + 1  # pretty-printing stops once past what a report shows

# --- equalToJson --------------------------------------------------------------------------

_PLACEHOLDER = re.compile(
    r"[$#]\{json-unit\.(ignore|ignore-element|any-string|any-number|any-boolean)\}"
    r"|[$#]\{json-unit\.regex\}(.*)",
    re.DOTALL,
)
_PAIR_BUDGET = 50_000
MAX_JSON_BYTES = 256 * 1024  # JSON matchers read values up to this size (docs/limits.md)
GRADE_JSON_BYTES = 64 * 1024  # equalToJson grades a near miss's distance up to this size
_TOO_LARGE = f"value is larger than {MAX_JSON_BYTES} bytes: JSON matchers do not read it"
"""Steps allowed per match, plus 16 per node of the body, when pairing arrays out of order."""


@dataclass(frozen=True, slots=True)
class _Placeholder:
    """A `${json-unit.*}` marker found in an expected string value."""

    kind: str
    pattern: TimedPattern | None = None

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


class _Differs(MockServerError):
    """Raised by a comparison that only needs to know whether the documents are equal."""


class _Comparison:
    """One expected-vs-actual diff: counts differing nodes and remembers the first one.

    With `stop`, the first difference outside a pairing probe raises `_Differs`: every
    difference counted is also noted, so nothing is missed by stopping there."""

    __slots__ = ("ignore_order", "ignore_extra", "budget", "first", "quiet", "stop")

    def __init__(
        self, ignore_order: bool, ignore_extra: bool, budget: int, stop: bool = False
    ) -> None:
        self.ignore_order = ignore_order
        self.ignore_extra = ignore_extra
        self.budget = budget
        self.first = ""
        self.quiet = 0
        self.stop = stop

    def _note(self, where: str, what: str) -> None:
        if self.quiet:
            return
        if self.stop:
            raise _Differs
        if not self.first:
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


class JsonInputMatcher(StringMatcher):
    """Shared input handling: absent is a no-match, a body's JSON is parsed once per request,
    and a value larger than MAX_JSON_BYTES is not read at all (a no-match saying so): parsing
    and comparing megabytes per stub would hold the event loop for seconds."""

    def match(self, value: str | None) -> MatchResult:
        if value is None:
            return no_match("value is absent")
        if len(value) > MAX_JSON_BYTES:
            return no_match(_TOO_LARGE)
        try:
            doc = json.loads(value)
        except (ValueError, RecursionError):
            return self._match_text(value)
        return self._grade(doc, len(value))

    def match_content(self, content: Content) -> MatchResult:
        if len(content.raw) > MAX_JSON_BYTES:
            return no_match(_TOO_LARGE)
        doc = content.json_value
        if doc is not Content.INVALID:
            return self._grade(doc, len(content.raw))
        text = content.text  # not JSON: never parse it again, one stub after another
        return no_match("value is absent") if text is None else self._match_text(text)

    def matches(self, value: str | None) -> bool:
        if value is None or len(value) > MAX_JSON_BYTES:
            return False
        try:
            doc = json.loads(value)
        except (ValueError, RecursionError):
            return self._match_text(value).matched
        return self._matches_json(doc)

    def matches_content(self, content: Content) -> bool:
        if len(content.raw) > MAX_JSON_BYTES:
            return False
        doc = content.json_value
        if doc is not Content.INVALID:
            return self._matches_json(doc)
        text = content.text
        return text is not None and self._match_text(text).matched

    def _matches_json(self, doc: Any) -> bool:
        return self._match_json(doc).matched

    def _grade(self, doc: Any, size: int) -> MatchResult:
        """The graded result for a document of `size` bytes (a subclass may grade less)."""
        return self._match_json(doc)

    def _match_text(self, text: str) -> MatchResult:
        return no_match("value is not valid JSON")

    def _match_json(self, doc: Any) -> MatchResult:  # pragma: no cover - abstract
        raise NotImplementedError


@dataclass(frozen=True, eq=False, repr=False)
class EqualToJsonMatcher(JsonInputMatcher):
    """json-unit comparison: key order free, numbers numeric, placeholders, two leniency flags."""

    operator: ClassVar[str] = "equalToJson"
    equality: ClassVar[bool] = True
    operand: Any
    expected_json: Any
    ignore_array_order: bool | None = None
    ignore_extra_elements: bool | None = None

    def _comparison(self, doc: Any, stop: bool) -> _Comparison:
        budget = _PAIR_BUDGET + 16 * _size(doc) if self.ignore_array_order else 0
        return _Comparison(
            bool(self.ignore_array_order), bool(self.ignore_extra_elements), budget, stop
        )

    def _matches_json(self, doc: Any) -> bool:
        try:
            return self._comparison(doc, stop=True).diff(self.expected_json, doc)[0] == 0
        except (_Differs, RecursionError):
            return False

    def _grade(self, doc: Any, size: int) -> MatchResult:
        if size > GRADE_JSON_BYTES:  # grading compares every node: the yes/no stops early
            if self._matches_json(doc):
                return EXACT
            return no_match(f"JSON differs (a value over {GRADE_JSON_BYTES} bytes is not graded)")
        return self._match_json(doc)

    def _match_json(self, doc: Any) -> MatchResult:
        try:
            cmp = self._comparison(doc, stop=False)
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

    def report_value(self) -> str:
        operand = self.operand
        return operand if isinstance(operand, str) else pretty_json(operand, _PRINTED)

    def report_expected(self) -> str:
        return capped(pretty_json_text(self.report_value(), _PRINTED))

    def report_actual(self, content: Content) -> str:
        text = content.text
        return "" if text is None else pretty_json_text(text, _PRINTED)


def json_operand(spec: Mapping[str, Any], key: str, ctx: ParseContext) -> Any:
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
    expected = json_operand(spec, "equalToJson", ctx)
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


__all__ = ["EqualToJsonMatcher", "JsonInputMatcher", "json_operand", "parse_equal_to_json"]
