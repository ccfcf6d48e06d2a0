"""`matchesXPath`: XPath 1.0 over an XML body, alone or with a nested matcher on the result.

Without `xPathNamespaces` the expression runs namespace-unaware, as WireMock does; results
print as Java's XPath would (numbers, booleans, node text).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from copy import deepcopy
from dataclasses import dataclass
from typing import Any, ClassVar

from mockserver.matchers import xpath_budget
from mockserver.matchers.base import (
    EXACT,
    Content,
    MatchResult,
    ParseContext,
    StringMatcher,
    capped,
    no_match,
)
from mockserver.matchers.xml_document import (
    XML_NS,
    XMLNS_NS,
    XmlBodyMatcher,
    XmlDocument,
    short_text,
)

# --- matchesXPath --------------------------------------------------------------------------


@dataclass(eq=False, repr=False)
class MatchesXPath(XmlBodyMatcher):
    """`matchesXPath`: an XPath 1.0 expression must select something, or (object form) some
    selected node's string value must satisfy a nested matcher."""

    operator: ClassVar[str] = "matchesXPath"
    _expression: str
    _xpath: Any  # lxml.etree.XPath, compiled at load
    _namespaces: dict[str, str]
    _sub: StringMatcher | None
    _shape: dict[str, Any]

    def _holds(self, parsed: XmlDocument) -> bool:
        """`_grade(parsed).matched` without grading the nested matcher."""
        if parsed.root is None or xpath_budget.too_large(self._expression, parsed.elements):
            return False
        try:
            result = self._xpath(parsed.root if self._namespaces else parsed.local_root())
            if self._sub is None:
                return _truthy(result)
            items = result if isinstance(result, list) else [result]
            return any(self._sub.matches(value) for value in map(_string_value, items))
        except Exception:  # noqa: BLE001 - never let a client's body crash matching
            return False

    def to_json(self) -> dict[str, Any]:
        return deepcopy(self._shape)

    def report_value(self) -> str:
        return self._expression

    def report_body(self, content: Content) -> tuple[str, str]:
        actual = capped(self.report_actual(content))
        if self._sub is None:
            if isinstance(self._shape.get(self.operator), dict):
                # WireMock cannot describe an object form without an operator either
                raise ValueError("matchesXPath object form without an operator")
            return self._expression, actual
        return f"{self._expression} [{self._sub.operator}] {self._sub.report_expected()}", actual

    def _grade(self, parsed: XmlDocument) -> MatchResult:
        if parsed.root is None:
            return no_match(parsed.error)
        too_large = xpath_budget.too_large(self._expression, parsed.elements)
        if too_large is not None:
            return no_match(f"XPath {self._expression} not evaluated: {too_large}")
        try:
            result = self._xpath(parsed.root if self._namespaces else parsed.local_root())
            if self._sub is None:
                return EXACT if _truthy(result) else no_match(self._nothing(result))
            items = result if isinstance(result, list) else [result]
            best, nearest = None, ""
            for value in map(_string_value, items):
                outcome = self._sub.match(value)
                if outcome.matched:
                    return outcome
                if best is None or outcome.distance < best.distance:
                    best, nearest = outcome, value
        except Exception as exc:  # noqa: BLE001 - never let a client's body crash matching
            return no_match(f"XPath {self._expression} failed: {exc}")
        if best is None:  # as WireMock: the nested matcher is not asked about absence
            return no_match(self._nothing([]))
        why = f"XPath {self._expression}: nearest value {short_text(nearest)}"
        return MatchResult(False, best.distance, f"{why}: {best.reason}" if best.reason else why)

    def _nothing(self, result: Any) -> str:
        if isinstance(result, list):
            return f"XPath {self._expression} selected nothing"
        return f"XPath {self._expression} is {_string_value(result)}"


def parse_matches_xpath(spec: Mapping[str, Any], ctx: ParseContext) -> StringMatcher:
    """Build `matchesXPath` (plain or object form); the expression is compiled at load."""
    raw = spec.get("matchesXPath")
    shape: dict[str, Any] = {}
    namespaces: dict[str, str] = {}
    if "xPathNamespaces" in spec:
        namespaces.update(_namespaces(spec["xPathNamespaces"], ctx, ("xPathNamespaces",)))
    sub = None
    if isinstance(raw, str):
        expression = shape["matchesXPath"] = raw
    elif isinstance(raw, Mapping):
        if not isinstance(raw.get("expression"), str):
            raise ctx.error("expected an XPath string", "matchesXPath", "expression")
        expression = raw["expression"]
        if "xPathNamespaces" in raw:
            where = ("matchesXPath", "xPathNamespaces")
            namespaces.update(_namespaces(raw["xPathNamespaces"], ctx, where))
        rest = {k: v for k, v in raw.items() if k not in ("expression", "xPathNamespaces")}
        sub = ctx.sub(rest, "matchesXPath") if rest else None
        inner = {k: raw[k] for k in ("expression", "xPathNamespaces") if k in raw}
        shape["matchesXPath"] = {**inner, **(sub.to_json() if sub else {})}
    else:
        raise ctx.error(
            "expected an XPath string or {expression: ..., <operator>: ...}", "matchesXPath"
        )
    if "xPathNamespaces" in spec:
        shape["xPathNamespaces"] = dict(spec["xPathNamespaces"])
    unbound = sorted(prefix for prefix, uri in namespaces.items() if not uri)
    if unbound:
        # XPath cannot bind a prefix to no namespace (lxml raises TypeError); WireMock accepts
        # such a stub and never matches it, and so do we, after checking the expression
        checked = {k: v or "urn:mockserver:no-namespace" for k, v in namespaces.items()}
        _compile(expression, checked, ctx)
        return NeverMatchesXPath(expression, None, namespaces, sub, shape,
                                 f"XPath {expression}: xPathNamespaces binds "
                                 f"{', '.join(map(repr, unbound))} to an empty URI")
    return MatchesXPath(expression, _compile(expression, namespaces, ctx), namespaces, sub, shape)


@dataclass(eq=False, repr=False)
class NeverMatchesXPath(MatchesXPath):
    """`matchesXPath` whose namespaces cannot be used: loaded, shown, never matching."""

    _reason: str = ""

    def _holds(self, parsed: XmlDocument) -> bool:
        return False

    def _grade(self, parsed: XmlDocument) -> MatchResult:
        return no_match(self._reason)


def _namespaces(value: Any, ctx: ParseContext, where: tuple[str, ...]) -> dict[str, str]:
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and k and isinstance(v, str) for k, v in value.items()
    ):
        raise ctx.error("expected a map of namespace prefix to URI", *where)
    return {k: v for k, v in value.items() if v not in (XML_NS, XMLNS_NS)}


def _compile(expression: str, namespaces: dict[str, str], ctx: ParseContext) -> Any:
    """Compile once and try it on a tiny document, so unknown prefixes, functions and
    variables fail at load rather than never matching."""
    from lxml import etree

    refused = xpath_budget.refusal(expression)
    if refused is not None:
        raise ctx.error(refused, "matchesXPath")
    stripped = expression.strip()
    candidates = [expression]
    if stripped[:1].isalpha() or stripped[:1] in "_*@":
        # WireMock evaluates from the document node, lxml from the root element: a relative
        # path such as `order/id` means `/order/id` (function calls do not parse this way).
        candidates.insert(0, "/" + stripped)
    for index, candidate in enumerate(candidates):
        try:
            xpath = etree.XPath(candidate, namespaces=namespaces or None, smart_strings=False,
                                regexp=False, extensions=xpath_budget.EXTENSIONS)
            xpath(etree.fromstring(b"<x/>"))
            return xpath
        except etree.XPathSyntaxError as exc:
            if index + 1 < len(candidates):
                continue
            raise ctx.error(f"invalid XPath {expression!r}: {exc}", "matchesXPath") from exc
        except etree.XPathError as exc:
            raise ctx.error(f"invalid XPath {expression!r}: {exc}", "matchesXPath") from exc
    raise AssertionError("unreachable")  # pragma: no cover


def _truthy(result: Any) -> bool:
    """A selection must be non-empty; other results follow XPath's `boolean()`."""
    if isinstance(result, float):
        return result != 0 and not math.isnan(result)
    return bool(result)


def _string_value(item: Any) -> str:
    """How WireMock hands a selected node to the nested matcher: elements as XML text,
    attributes and text as their value, numbers as Java's NumberFormat prints them."""
    if isinstance(item, bool):
        return "true" if item else "false"
    if isinstance(item, float):
        return _java_number(item)
    if isinstance(item, str):
        return item
    if isinstance(item, tuple):  # namespace node: (prefix, uri)
        return str(item[1])
    if not isinstance(item.tag, str):  # comment, processing instruction, entity
        return str(item.text or "")
    from lxml import etree

    return str(etree.tostring(item, encoding="unicode", with_tail=False))


def _java_number(value: float) -> str:
    """As Java's `NumberFormat.getInstance()` (en): grouping, at most 3 decimals, half-even."""
    if not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("∞" if value > 0 else "-∞")
    return f"{value:,.3f}".rstrip("0").rstrip(".")


__all__ = ["MatchesXPath", "parse_matches_xpath"]
