"""JSON as Jackson prints it, the way WireMock's reports show JSON.

Jackson's default pretty printer puts `{` entries on their own lines as `"key" : value`,
arrays inline as `[ a, b ]`, empty containers as `{ }` and `[ ]`, numbers as written
(`1.50` stays `1.50`) and doubles as Java prints them. Printing stops past a limit, so a
megabyte document costs no more than the part that will be shown.
"""

from __future__ import annotations

import json
import re
from typing import Any

from mockserver.compat.javanumber import java_double
from mockserver.errors import MockServerError

__all__ = ["pretty_json", "pretty_json_text", "scalar_text"]


class _Number(str):
    """A JSON number kept as written, so `1.50` prints as `1.50`."""


PARSE_LIMIT = 1024 * 1024


class _Enough(MockServerError):
    """Raised by the printer once the output is past what will be shown."""


def pretty_json_text(text: str, limit: int) -> str:
    """`text` pretty-printed (about `limit` characters at most), or `text` when not JSON or
    larger than PARSE_LIMIT (a report shows its first lines: parsing megabytes for them
    would hold the event loop for seconds)."""
    if len(text) > PARSE_LIMIT:
        return text
    try:
        value = json.loads(text, parse_float=_Number, parse_int=_Number,
                           parse_constant=_no_constants)
    except (ValueError, RecursionError):
        return text
    return pretty_json(value, limit, fallback=text)


def pretty_json(value: Any, limit: int, fallback: str = "") -> str:
    """A parsed JSON value pretty-printed, cut once past `limit` characters."""
    writer = _JsonWriter(limit)
    try:
        writer.value(value, 0)
    except _Enough:
        pass
    except RecursionError:
        return fallback
    return "".join(writer.parts)


def scalar_text(value: Any) -> str:
    """A JSON scalar as Jackson writes it unquoted (strings as they are, doubles as Java's)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, float):
        return java_double(value)
    if isinstance(value, int):
        return str(value)
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


class _JsonWriter:
    def __init__(self, limit: int) -> None:
        self.parts: list[str] = []
        self.left = limit

    def emit(self, text: str) -> None:
        self.parts.append(text)
        self.left -= len(text)
        if self.left <= 0:
            raise _Enough

    def value(self, value: Any, depth: int) -> None:
        if isinstance(value, dict):
            if not value:
                self.emit("{ }")
                return
            self.emit("{")
            for i, (key, item) in enumerate(value.items()):
                indent = "  " * (depth + 1)
                self.emit(("," if i else "") + "\n" + indent + _json_string(str(key)) + " : ")
                self.value(item, depth + 1)
            self.emit("\n" + "  " * depth + "}")
        elif isinstance(value, list):
            if not value:
                self.emit("[ ]")
                return
            self.emit("[ ")
            for i, item in enumerate(value):
                if i:
                    self.emit(", ")
                self.value(item, depth)
            self.emit(" ]")
        elif isinstance(value, str) and not isinstance(value, _Number):
            self.emit(_json_string(value))
        else:
            self.emit(scalar_text(value))


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b",
            "\f": "\\f"}
_TO_ESCAPE = re.compile(r'["\\\x00-\x1f]')


def _json_string(text: str) -> str:
    return '"' + _TO_ESCAPE.sub(
        lambda m: _ESCAPES.get(m.group(), f"\\u{ord(m.group()):04X}"), text) + '"'
