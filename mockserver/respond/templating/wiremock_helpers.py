"""WireMock's exact behaviour, for translated Handlebars templates only.

Stub files written for WireMock depend on Java details that a Jinja2 user would find odd:
values print with Java's `toString` (`[a, b]`, `{k=v}`), `jsonPath` prints objects as Jackson's
pretty JSON, `eq` is Java `equals` (so `eq 1 '1'` is false, and so is
`eq request.method 'POST'`: the method is an object in WireMock), `regexExtract` prints
`[ERROR: Nothing matched ...]`, `join` takes the separator first, and a negative index into a
request's multi-value counts from one before the end. These replace the plain helpers under
`_hb`; Jinja2 templates keep the plain ones.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

from jinja2 import Undefined

from mockserver.compat.javanumber import java_double
from mockserver.compat.jsonpath import compile_json_path
from mockserver.respond.templating import documents, text
from mockserver.respond.templating.context import MethodValue, MultiValue, Params
from mockserver.respond.templating.values import text_of


class JsonMap(dict[str, Any]):
    """An object `jsonPath` found: iterates like a map, prints as Jackson's pretty JSON."""


def jackson_pretty(value: Any, level: int = 0) -> str:
    """Jackson's DefaultPrettyPrinter: objects one field a line (`"k" : v`), arrays inline."""
    if isinstance(value, dict):
        if not value:
            return "{ }"
        pad = "  " * (level + 1)
        fields = [f"{pad}{json.dumps(str(k), ensure_ascii=False)} : "
                  f"{jackson_pretty(v, level + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(fields) + "\n" + "  " * level + "}"
    if isinstance(value, (list, tuple)):
        if not value:
            return "[ ]"
        return "[ " + ", ".join(jackson_pretty(v, level + 1) for v in value) + " ]"
    if isinstance(value, float):
        return java_double(value) if math.isfinite(value) else "null"
    if isinstance(value, MultiValue):
        return json.dumps(str.__str__(value), ensure_ascii=False)
    return json.dumps(value, ensure_ascii=False, default=text_of)


def java_string(value: Any, top: bool = True) -> str:
    """How WireMock prints a value: Java's `toString`, with null as nothing at the top level."""
    if value is None or isinstance(value, Undefined):
        return "" if top else "null"
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return java_double(value)
    if isinstance(value, JsonMap):
        return jackson_pretty(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{java_string(k, False)}={java_string(v, False)}"
                               for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(java_string(v, False) for v in value) + "]"
    if isinstance(value, Params):
        return "{" + ", ".join(f"{k}={java_string(value[k], False)}" for k in value) + "}"
    return text_of(value)


def json_path(value: Any, expression: Any, default: Any = None) -> Any:
    """WireMock's jsonPath: `[ERROR: ...]` for bad JSON or paths; objects print pretty."""
    if value is None or isinstance(value, Undefined):
        return ""
    if isinstance(value, (dict, list)):
        doc: Any = value
    else:
        try:
            doc = json.loads(text_of(value))
        except ValueError:
            return f"[ERROR: {text_of(value)} is not valid JSON]"
    try:
        compile_json_path(text_of(expression))
    except ValueError:
        return f"[ERROR: {text_of(expression)} is not a valid JSONPath expression]"
    result = documents.json_path(doc, expression, default)
    return JsonMap(result) if isinstance(result, dict) else result


def regex_extract(value: Any, pattern: Any, default: Any = None) -> str:
    found = text.regex_extract(value, pattern, default="\x00")
    if found != "\x00":
        return found
    return text_of(default) if default is not None else f"[ERROR: Nothing matched {pattern}]"


def regex_groups(value: Any, pattern: Any) -> MultiValue:
    """The groups of every match, in order (what WireMock assigns with a variable name)."""
    regex = text.compiled_regex(text_of(pattern))
    groups = [g or "" for m in regex.finditer(text_of(value)) for g in m.groups()]
    return MultiValue(groups)


def join(separator: Any, items: Any = None) -> str:
    """`{{join ',' list}}`: the separator comes first."""
    if not isinstance(items, (list, tuple, MultiValue)):
        return "[ERROR: The parameter must be list]"
    return text_of(separator).join(java_string(v, False) for v in items)


def _unwrap(value: Any) -> Any:
    """WireMock hands a single-valued request parameter to helpers as its value."""
    if type(value) is MultiValue:
        return value[0] if len(value) == 1 else list(value)
    return value


def _java_equals(a: Any, b: Any) -> bool:
    a, b = _unwrap(a), _unwrap(b)
    if isinstance(a, MethodValue) or isinstance(b, MethodValue):
        return isinstance(a, MethodValue) and isinstance(b, MethodValue) and a == b
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return type(a) is type(b) and a == b
    if isinstance(a, str) != isinstance(b, str):
        return False
    return bool(a == b)


def eq(a: Any, b: Any = None, yes: Any = True, no: Any = False) -> Any:
    """Java `equals`: `eq 1 '1'` is false; `yes=`/`no=` choose what prints."""
    return yes if _java_equals(a, b) else no


def neq(a: Any, b: Any = None, yes: Any = True, no: Any = False) -> Any:
    return no if _java_equals(a, b) else yes


def at(value: Any, index: int) -> Any:
    """A negative index into a request multi-value counts as WireMock's does (size - 1 + i)."""
    if isinstance(value, MultiValue) and index < 0:
        index = len(value) - 1 + index
        return value[index] if 0 <= index < len(value) else None
    try:
        return value[index]
    except (IndexError, KeyError, TypeError):
        return None


def to_json(value: Any) -> str:
    return "" if value is None else jackson_pretty(value)


def format_json(value: Any, format: str = "pretty") -> str:  # noqa: A002 - WireMock's option
    data = documents.parse_json(value) if isinstance(value, str) else value
    if format == "compact":
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=text_of)
    return jackson_pretty(data)


OVERRIDES: dict[str, Callable[..., Any]] = {
    "jsonPath": json_path, "regexExtract": regex_extract, "regexGroups": regex_groups,
    "join": join, "eq": eq, "neq": neq, "toJson": to_json, "formatJson": format_json,
    "show": java_string, "at": at,
}  # fmt: skip
