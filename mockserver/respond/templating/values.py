"""How template values print and convert: one set of rules for every helper.

Handlebars prints nothing for null, `true`/`false` for booleans and JSON-like text for
containers; helpers take numbers written as text (`{{math '2' '+' 3}}`).
"""

from __future__ import annotations

import json
import re
from typing import Any

from jinja2 import Undefined

from mockserver.errors import TemplateError
from mockserver.respond.templating.context import Params


class HelperError(TemplateError):
    """A helper was called with arguments it cannot use (shown in the render error)."""


def text_of(value: Any) -> str:
    """How a value prints in a template: '' for nothing, JSON for containers, `true`/`false`."""
    if value is None or isinstance(value, Undefined):
        return ""
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, ensure_ascii=False, default=text_of)
    if isinstance(value, Params):
        return str(value)
    return str(value)


def to_number(value: Any) -> int | float | None:
    if isinstance(value, bool) or value is None or isinstance(value, Undefined):
        return None
    if isinstance(value, (int, float)):
        return value
    try:
        text = text_of(value).strip()
        return int(text) if re.fullmatch(r"[+-]?\d+", text) else float(text)
    except ValueError:
        return None


def to_int(value: Any, name: str) -> int:
    number = to_number(value)
    if number is None or not float(number).is_integer():
        raise HelperError(f"{name} must be a whole number, got {text_of(value)!r}")
    return int(number)


def flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value) and not isinstance(value, Undefined)


def is_empty(value: Any) -> bool:
    if value is None or isinstance(value, Undefined):
        return True
    if isinstance(value, (str, list, tuple, dict)):
        return len(value) == 0
    return False


def truthy(value: Any) -> bool:
    """Handlebars' truthiness: '', 0, false, null, empty lists and maps are false."""
    if isinstance(value, Undefined) or value is None:
        return False
    return bool(value)
