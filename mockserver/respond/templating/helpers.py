"""Template helpers: WireMock's Handlebars helpers as plain Python callables, and their tables.

`helper_table(rng, clock)` binds the random source and the clock of one server, so `--seed`
makes every random helper repeatable and tests can freeze time. The same functions serve
Jinja2 templates (as globals and filters) and translated Handlebars templates (as `_hb.name`).
Helpers never touch files, the network or the environment.
"""

from __future__ import annotations

import random
import string
import uuid as _uuid
from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from mockserver.respond.templating import dates, documents, fakedata, text
from mockserver.respond.templating.context import MultiValue, Params
from mockserver.respond.templating.dates import Clock, utc_now
from mockserver.respond.templating.values import (
    HelperError,
    flag,
    is_empty,
    text_of,
    to_int,
    to_number,
    truthy,
)

Helper = Callable[..., Any]


# --- numbers and lists ---------------------------------------------------------------------


def _decimal(value: Any) -> Decimal:
    number = to_number(value)
    if number is None:
        return Decimal(0)  # WireMock counts what is not a number as 0
    return Decimal(repr(number)) if isinstance(number, float) else Decimal(number)


def math(left: Any, operator: Any, right: Any) -> int | float:
    """WireMock's `math`: + - * x / % on decimals. As in Java's BigDecimal, a quotient keeps the
    left operand's decimals (`10 / 4` is 3, `10.0 / 4` is 2.5); a result without decimals
    is a whole number."""
    a, b, op = _decimal(left), _decimal(right), text_of(operator).strip()
    try:
        if op == "+":
            result = a + b
        elif op == "-":
            result = a - b
        elif op in ("*", "x"):
            result = a * b
        elif op == "/":
            scale = Decimal(1).scaleb(min(0, int(a.as_tuple().exponent)))
            result = (a / b).quantize(scale, rounding=ROUND_HALF_UP)
        elif op == "%":
            result = a % b
        else:
            raise HelperError(f"unknown math operator {op!r} (expected one of: + - * x / %)")
    except (InvalidOperation, ZeroDivisionError) as exc:
        raise HelperError(f"math: cannot compute {a} {op} {b}") from exc
    return int(result) if int(result.as_tuple().exponent) >= 0 else float(result)


def hb_range(start: Any, end: Any = None) -> list[int]:
    """Handlebars `range 1 3` is inclusive: [1, 2, 3] (capped at 100,000 items)."""
    lo, hi = 0, to_int(start, "range")
    if end is not None:
        lo, hi = hi, to_int(end, "range")
    if hi - lo >= 100_000:
        raise HelperError("range is limited to 100000 items")
    return list(range(lo, hi + 1))


def array(*items: Any) -> list[Any]:
    return list(items)


def array_add(items: Any, item: Any, position: Any = None) -> list[Any]:
    out = list(items) if isinstance(items, (list, tuple)) else []
    if position is None or text_of(position) == "end":
        out.append(item)
    elif text_of(position) == "start":
        out.insert(0, item)
    else:
        out.insert(to_int(position, "position"), item)
    return out


def array_remove(items: Any, position: Any = None) -> list[Any]:
    out = list(items) if isinstance(items, (list, tuple)) else []
    if out:
        where = text_of(position) if position is not None else "end"
        out.pop(0 if where == "start" else -1 if where == "end" else to_int(position, "position"))
    return out


def array_join(separator: Any, *items: Any, prefix: Any = "", suffix: Any = "") -> str:
    flat: list[Any] = []
    for item in items:
        flat.extend(item if isinstance(item, (list, tuple)) else [item])
    return text_of(prefix) + text_of(separator).join(map(text_of, flat)) + text_of(suffix)


def join(items: Any, separator: Any = ", ") -> str:
    values = items if isinstance(items, (list, tuple, MultiValue)) else [items]
    return text_of(separator).join(text_of(v) for v in values)


def val(value: Any, default: Any = None, **_: Any) -> Any:
    return default if is_empty(value) and default is not None else value


def lookup(obj: Any, key: Any) -> Any:
    try:
        return obj[key]
    except (KeyError, IndexError, TypeError):
        return None


def is_even(value: Any) -> bool:
    return to_int(value, "value") % 2 == 0


def is_odd(value: Any) -> bool:
    return to_int(value, "value") % 2 == 1


# --- comparisons (Handlebars' ConditionalHelpers) ---------------------------------------------


def _pair(a: Any, b: Any) -> tuple[Any, Any]:
    na, nb = to_number(a), to_number(b)
    if na is not None and nb is not None:
        return na, nb
    return text_of(a), text_of(b)


def eq(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float)) or isinstance(b, (int, float)):
        x, y = _pair(a, b)
        return bool(x == y)
    return text_of(a) == text_of(b) if isinstance(a, str) or isinstance(b, str) else a == b


def neq(a: Any, b: Any) -> bool:
    return not eq(a, b)


def gt(a: Any, b: Any) -> bool:
    x, y = _pair(a, b)
    return bool(x > y)


def gte(a: Any, b: Any) -> bool:
    x, y = _pair(a, b)
    return bool(x >= y)


def lt(a: Any, b: Any) -> bool:
    x, y = _pair(a, b)
    return bool(x < y)


def lte(a: Any, b: Any) -> bool:
    x, y = _pair(a, b)
    return bool(x <= y)


def all_of(*values: Any) -> bool:
    return all(truthy(v) for v in values)


def any_of(*values: Any) -> bool:
    return any(truthy(v) for v in values)


def not_(value: Any) -> bool:
    return not truthy(value)


def contains(container: Any, item: Any) -> bool:
    if isinstance(container, (list, tuple, MultiValue, dict, Params)):
        return item in container or text_of(item) in container
    return text_of(item) in text_of(container)


def matches(value: Any, pattern: Any) -> bool:
    return text.compiled_regex(text_of(pattern)).fullmatch(text_of(value)) is not None


# --- randomness (bound to the server's seeded generator) ------------------------------------

_ALPHABETS = {
    "ALPHANUMERIC": string.ascii_lowercase + string.ascii_uppercase + string.digits,
    "ALPHABETIC": string.ascii_lowercase + string.ascii_uppercase,
    "NUMERIC": string.digits,
    "ALPHANUMERIC_AND_SYMBOLS": string.ascii_letters + string.digits
    + "!@#$%^&*()-_=+[]{};:,.<>?/~",
    "HEXADECIMAL": "0123456789abcdef",
}


def make_random_helpers(rng: random.Random) -> dict[str, Helper]:
    """The helpers that draw from `rng`: one generator per server, seeded by `--seed`."""

    def new_uuid() -> str:
        return str(_uuid.UUID(int=rng.getrandbits(128), version=4))

    def random_value(length: Any = 36, type: Any = "ALPHANUMERIC",  # noqa: A002
                     uppercase: Any = False) -> str:
        kind = text_of(type).upper()
        if kind == "UUID":
            return new_uuid()
        if kind not in _ALPHABETS:
            raise HelperError(f"unknown randomValue type {kind!r} (expected one of: "
                              f"{', '.join([*_ALPHABETS, 'UUID'])})")
        count = to_int(length, "length")
        if not 0 <= count <= 100_000:
            raise HelperError("randomValue length must be between 0 and 100000")
        alphabet = _ALPHABETS[kind]
        if kind in ("ALPHANUMERIC", "ALPHABETIC") and not flag(uppercase):
            alphabet = alphabet.lower()
        value = "".join(rng.choice(alphabet) for _ in range(count))
        return value.upper() if flag(uppercase) else value

    def random_int(lower: Any = -(2**31), upper: Any = 2**31 - 1) -> int:
        """A whole number from `lower` up to, not including, `upper` (as WireMock's)."""
        lo, hi = to_int(lower, "lower"), to_int(upper, "upper")
        if hi <= lo:
            raise HelperError(f"randomInt: upper {hi} must be greater than lower {lo}")
        return rng.randrange(lo, hi)

    def random_decimal(lower: Any = 0.0, upper: Any = 1.0) -> float:
        lo, hi = to_number(lower), to_number(upper)
        if lo is None or hi is None or hi < lo:
            raise HelperError("randomDecimal needs numbers with lower <= upper")
        return rng.uniform(float(lo), float(hi))

    def pick_random(*items: Any) -> Any:
        choices: list[Any] = []
        for item in items:
            choices.extend(item if isinstance(item, (list, tuple)) else [item])
        if not choices:
            raise HelperError("pickRandom needs at least one value")
        return rng.choice(choices)

    return {"uuid": new_uuid, "randomValue": random_value, "randomInt": random_int,
            "randomDecimal": random_decimal, "pickRandom": pick_random,
            "random": fakedata.make_random(rng)}


# --- the tables ----------------------------------------------------------------------------

PURE_HELPERS: dict[str, Helper] = {
    "jsonPath": documents.json_path, "parseJson": documents.parse_json,
    "toJson": documents.to_json, "formatJson": documents.format_json, "xPath": documents.xpath,
    "soapXPath": documents.soap_xpath, "regexExtract": text.regex_extract,
    "regexGroups": text.regex_groups, "base64": text.base64_helper, "urlEncode": text.url_encode,
    "trim": text.trim, "size": text.size, "formData": text.form_data, "date": dates.date,
    "parseDate": dates.parse_date, "truncateDate": dates.truncate_date, "math": math,
    "range": hb_range, "array": array, "arrayAdd": array_add, "arrayRemove": array_remove,
    "arrayJoin": array_join, "join": join, "val": val, "lookup": lookup, "eq": eq, "neq": neq,
    "gt": gt, "gte": gte, "lt": lt, "lte": lte, "and": all_of, "or": any_of, "not": not_,
    "contains": contains, "matches": matches, "upper": text.upper, "lower": text.lower,
    "capitalize": text.capitalize, "capitalizeFirst": text.capitalize_first,
    "replace": text.replace, "substring": text.substring,
    "defaultIfEmpty": text.default_if_empty, "abbreviate": text.abbreviate,
    "stripTags": text.strip_tags, "systemValue": text.system_value, "hostname": text.hostname,
    "isEven": is_even, "isOdd": is_odd,
}  # fmt: skip

# Conditional helpers: usable as blocks (`{{#eq a b}}...{{/eq}}`).
CONDITIONS = frozenset({"eq", "neq", "gt", "gte", "lt", "lte", "and", "or", "not", "contains",
                        "matches", "isEven", "isOdd"})
RANDOM_HELPERS = frozenset({"uuid", "randomValue", "randomInt", "randomDecimal", "pickRandom",
                            "random"})
NOW_HELPERS = frozenset({"now"})
HANDLEBARS_HELPERS = frozenset(PURE_HELPERS) | RANDOM_HELPERS | NOW_HELPERS

# Jinja2 filters: `{{ request.body | jsonpath('$.id') }}`.
FILTERS: dict[str, Helper] = {
    "jsonpath": documents.json_path, "jsonPath": documents.json_path,
    "parseJson": documents.parse_json, "xpath": documents.xpath, "xPath": documents.xpath,
    "b64encode": text.b64encode, "b64decode": text.b64decode, "base64": text.base64_helper,
    "urlEncode": text.url_encode, "urlDecode": text.url_decode,
    "regexExtract": text.regex_extract, "regexGroups": text.regex_groups, "size": text.size,
    "toJson": documents.to_json, "parseDate": dates.parse_date, "date": dates.date,
    "math": math,
}  # fmt: skip

# Jinja2 globals (the Handlebars-only names stay out of the way of Jinja's own `range`).
_JINJA_ONLY_SKIP = frozenset({"range", "and", "or", "not", "lookup", "val", "join", "upper",
                              "lower", "replace", "capitalize", "array"})


class HelperTable:
    """`_hb.name(...)` in translated templates; attribute and item access, nothing else."""

    __slots__ = ("_table",)

    def __init__(self, table: Mapping[str, Helper]) -> None:
        self._table = dict(table)

    def __getattr__(self, name: str) -> Helper:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._table[name]
        except KeyError:
            raise AttributeError(f"no template helper named {name!r}") from None

    def __getitem__(self, name: str) -> Helper:
        return self._table[name]

    def __repr__(self) -> str:
        return "<template helpers>"


def helper_table(rng: random.Random, clock: Clock = utc_now) -> dict[str, Helper]:
    """Every helper by its WireMock name, bound to this server's random source and clock."""
    table = dict(PURE_HELPERS)
    table.update(make_random_helpers(rng))
    table["now"] = dates.make_now(clock)
    return table


def jinja_globals(table: Mapping[str, Helper]) -> dict[str, Helper]:
    """The helpers a Jinja2 template calls by name (`now()`, `randomInt(1, 6)`, ...)."""
    out = {k: v for k, v in table.items() if k not in _JINJA_ONLY_SKIP}
    out["jsonpath"] = documents.json_path
    out["xpath"] = documents.xpath
    return out
