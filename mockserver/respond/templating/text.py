"""Text helpers: regular expressions (Java syntax), base64, URL encoding, Handlebars' strings.
"""

from __future__ import annotations

import base64
import re
import socket
from functools import lru_cache
from typing import Any
from urllib.parse import quote_plus, unquote_plus

from jinja2 import Undefined

from mockserver.compat import timedregex
from mockserver.compat.javaregex import translate as java_regex
from mockserver.compat.timedregex import TimedPattern, compile_timed
from mockserver.respond.templating.context import MultiValue, Params
from mockserver.respond.templating.values import HelperError, flag, is_empty, text_of, to_int


@lru_cache(maxsize=512)
def compiled_regex(pattern: str) -> TimedPattern:
    """A helper's Java regex, time-limited like a stub's (out of time: no match)."""
    try:
        python = java_regex(pattern)
        re.compile(python)
        return compile_timed(python, pattern)
    except (ValueError, re.error, timedregex.error) as exc:
        raise HelperError(f"invalid regular expression {pattern!r}: {exc}") from exc


def regex_extract(value: Any, pattern: Any, default: Any = None) -> str:
    """The first match of a Java regex in the text, or `default` (or '')."""
    m = compiled_regex(text_of(pattern)).search(text_of(value))
    if m is None:
        return "" if default is None else text_of(default)
    return str(m.group(0))


def regex_groups(value: Any, pattern: Any) -> list[str]:
    """The capture groups of the first match (`parts[0]` is group 1); empty when none."""
    m = compiled_regex(text_of(pattern)).search(text_of(value))
    return [] if m is None else [g or "" for g in m.groups()]


def base64_helper(value: Any, decode: Any = False, padding: Any = True) -> str:
    text = text_of(value)
    if flag(decode):
        data = text.strip()
        data += "=" * (-len(data) % 4)
        try:
            return base64.b64decode(data).decode("utf-8", errors="replace")
        except ValueError as exc:
            raise HelperError(f"base64: not valid base64: {exc}") from exc
    encoded = base64.b64encode(text.encode("utf-8")).decode("ascii")
    return encoded if padding is True or flag(padding) else encoded.rstrip("=")


def b64encode(value: Any) -> str:
    return base64_helper(value)


def b64decode(value: Any) -> str:
    return base64_helper(value, decode=True)


def url_encode(value: Any, decode: Any = False) -> str:
    """Java's `URLEncoder`: `a b&c` becomes `a+b%26c`."""
    text = text_of(value)
    return unquote_plus(text) if flag(decode) else quote_plus(text, safe="*")


def url_decode(value: Any) -> str:
    return unquote_plus(text_of(value))


def trim(value: Any) -> str:
    return text_of(value).strip()


def size(value: Any) -> int:
    """Items in a list or map, values of a query parameter, or characters of text."""
    if isinstance(value, MultiValue):
        return len(value)
    if isinstance(value, Undefined) or value is None:
        return 0
    if isinstance(value, (str, list, tuple, dict, Params)):
        return len(value)
    return len(text_of(value))


def form_data(value: Any, urlDecode: Any = False) -> dict[str, MultiValue]:  # noqa: N803
    out: dict[str, list[str]] = {}
    for pair in text_of(value).split("&"):
        if not pair:
            continue
        name, _, raw = pair.partition("=")
        if flag(urlDecode):
            name, raw = unquote_plus(name), unquote_plus(raw)
        out.setdefault(name, []).append(raw)
    return {k: MultiValue(v) for k, v in out.items()}


def capitalize(value: Any, fully: Any = False) -> str:
    text = text_of(value)
    if flag(fully):
        return " ".join(w[:1].upper() + w[1:].lower() for w in text.split(" "))
    return " ".join(w[:1].upper() + w[1:] for w in text.split(" "))


def capitalize_first(value: Any) -> str:
    text = text_of(value)
    return text[:1].upper() + text[1:]


def replace(value: Any, find: Any, replacement: Any) -> str:
    return text_of(value).replace(text_of(find), text_of(replacement))


def substring(value: Any, start: Any, end: Any = None) -> str:
    text = text_of(value)
    return text[to_int(start, "start") : None if end is None else to_int(end, "end")]


def default_if_empty(value: Any, default: Any) -> Any:
    return default if is_empty(value) else value


def abbreviate(value: Any, width: Any) -> str:
    text, limit = text_of(value), to_int(width, "width")
    return text if len(text) <= limit else text[: max(0, limit - 3)] + "..."


def upper(value: Any) -> str:
    return text_of(value).upper()


def lower(value: Any) -> str:
    return text_of(value).lower()


def strip_tags(value: Any) -> str:
    return re.sub(r"<[^>]*>", "", text_of(value))


def system_value(type: Any = "ENVIRONMENT", key: Any = "", **_: Any) -> str:  # noqa: A002
    """Always refused: templates must not read the server's environment."""
    return f"[ERROR: Access to {text_of(key)} is denied]"


def hostname() -> str:
    return socket.gethostname()
