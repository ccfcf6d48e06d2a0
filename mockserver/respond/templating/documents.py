"""Helpers that read JSON and XML: `jsonPath`, `parseJson`, `toJson`, `formatJson`, `xPath`.

JSONPath is Jayway's dialect, shared with the `matchesJsonPath` matcher; XML is parsed without
entities, DTDs or network access.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

from jinja2 import Undefined

from mockserver.compat.jsonpath import MISSING, compile_json_path
from mockserver.respond.templating.values import HelperError, text_of


def parse_json(value: Any) -> Any:
    """The JSON text as data (containers pass through); invalid JSON is an error."""
    if isinstance(value, (dict, list)) or value is None or isinstance(value, Undefined):
        return value if isinstance(value, (dict, list)) else None
    text = text_of(value)
    try:
        return json.loads(text)
    except ValueError as exc:
        raise HelperError(f"parseJson: not valid JSON: {exc}") from exc


def json_path(value: Any, expression: Any, default: Any = None) -> Any:
    """WireMock's `jsonPath`: Jayway syntax; a missing path gives `default` (or '')."""
    if isinstance(value, (dict, list)):
        doc: Any = value
    else:
        text = text_of(value)
        try:
            doc = json.loads(text) if text.strip() else None
        except ValueError:
            doc = None
    try:
        path = compile_json_path(text_of(expression))
    except ValueError as exc:
        raise HelperError(str(exc)) from exc
    result = MISSING if doc is None else path.evaluate(doc)
    if result is MISSING or (result is None and default is not None):
        return "" if default is None else default
    return result


def to_json(value: Any, pretty: bool = True) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2 if pretty else None, default=text_of)


def format_json(value: Any, format: str = "pretty") -> str:  # noqa: A002 - WireMock's option
    data = parse_json(value) if isinstance(value, str) else value
    if format == "compact":
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=text_of)
    return to_json(data)


def _xml_root(value: Any) -> Any:
    from lxml import etree

    text = text_of(value).lstrip()
    if not text.startswith("<"):
        return None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, recover=True)
    try:
        return etree.fromstring(text.encode("utf-8"), parser)
    except etree.XMLSyntaxError:
        return None


@lru_cache(maxsize=512)
def _compiled_xpath(expression: str) -> Any:
    from lxml import etree

    try:
        return etree.XPath(expression)
    except etree.XPathSyntaxError as exc:
        raise HelperError(f"invalid XPath {expression!r}: {exc}") from exc


def xpath(value: Any, expression: Any, default: Any = None) -> Any:
    """The first node's text (an element with children prints as XML); '' when none match."""
    from lxml import etree

    root = _xml_root(value)
    if root is None:
        return "" if default is None else default
    result = _compiled_xpath(text_of(expression))(root)
    if isinstance(result, list):
        if not result:
            return "" if default is None else default
        result = result[0]
    if isinstance(result, etree._Element):  # noqa: SLF001 - lxml's public element type
        if len(result):
            return etree.tostring(result, encoding="unicode", with_tail=False)
        return result.text or ""
    if isinstance(result, float) and result.is_integer():
        return int(result)
    return result if isinstance(result, (bool, int, float)) else str(result)


def soap_xpath(value: Any, expression: Any, default: Any = None) -> Any:
    """XPath relative to the SOAP body, with namespaces ignored."""
    relative = text_of(expression).lstrip("/")
    full = "/*[local-name()='Envelope']/*[local-name()='Body']/" + "/".join(
        f"*[local-name()='{step}']" if re.fullmatch(r"[\w.-]+", step) else step
        for step in relative.split("/")
    )
    return xpath(value, full, default)
