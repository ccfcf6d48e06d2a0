"""`equalToXml`: XMLUnit "similar" semantics, counting the comparisons WireMock counts.

Bodies are parsed at most once per request (cached on `Content`) by a hardened lxml parser: no
DTD loading, no network, entities never expanded, so XXE and billion-laughs payloads stay inert.
lxml is imported inside functions because importing it costs ~40 ms of start-up.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from mockserver.compat.javaregex import compile_java_regex
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
    ELEMENT,
    TEXT,
    Node,
    Placeholders,
    TreeBuilder,
    XmlBodyMatcher,
    XmlDocument,
    parse_xml,
    pretty_xml,
    short_text,
)

COMPARISON_TYPES = (
    "ATTR_NAME_LOOKUP", "ATTR_VALUE", "ATTR_VALUE_EXPLICITLY_SPECIFIED", "CHILD_LOOKUP",
    "CHILD_NODELIST_LENGTH", "CHILD_NODELIST_SEQUENCE", "DOCTYPE_NAME", "DOCTYPE_PUBLIC_ID",
    "DOCTYPE_SYSTEM_ID", "ELEMENT_NUM_ATTRIBUTES", "ELEMENT_TAG_NAME", "HAS_DOCTYPE_DECLARATION",
    "NAMESPACE_PREFIX", "NAMESPACE_URI", "NODE_TYPE", "NO_NAMESPACE_SCHEMA_LOCATION",
    "PROCESSING_INSTRUCTION_DATA", "PROCESSING_INSTRUCTION_TARGET", "SCHEMA_LOCATION",
    "TEXT_VALUE", "XML_ENCODING", "XML_STANDALONE", "XML_VERSION",
)  # fmt: skip
"""XMLUnit `ComparisonType` names accepted in `exemptedComparisons` (only the ones WireMock
counts can make a difference; the rest, e.g. NAMESPACE_PREFIX, are always ignored)."""

NAMESPACE_AWARENESS = ("STRICT", "LEGACY", "NONE")
_EQUAL_TO_XML_KEYS = (
    "equalToXml", "enablePlaceholders", "placeholderOpeningDelimiterRegex",
    "placeholderClosingDelimiterRegex", "exemptedComparisons", "ignoreOrderOfSameNode",
    "namespaceAwareness",
)  # fmt: skip
_ENDS = ("Opening", "Closing")
_MAX_UNORDERED_WORK = 40_000  # control x test pairs tried before falling back to a sort


# --- comparison ----------------------------------------------------------------------------


class _Tally:
    __slots__ = ("total", "diffs", "first", "stop")

    def __init__(self, stop: bool = False) -> None:
        self.total = 0
        self.diffs = 0
        self.first = ""  # the first difference, for the near-miss report
        self.stop = stop  # only equality matters: give up at the first difference


class _Comparer:
    """Counts the XMLUnit comparisons WireMock counts (minus exemptions) and the differing ones."""

    def __init__(self, exempt: frozenset[str], ignore_order: bool, mode: str) -> None:
        self._exempt = exempt
        self._ignore_order = ignore_order
        self._key_ns = mode == "STRICT" and "NAMESPACE_URI" not in exempt
        self._ns_both_ways = mode == "STRICT"  # LEGACY only checks namespaces the stub declares

    def compare(self, control: Node, test: Node, stop: bool = False) -> _Tally:
        """Every comparison counted, or (`stop`) only up to the first difference."""
        tally = _Tally(stop)
        self._node(control, test, "", tally)
        return tally

    def _count(self, tally: _Tally, kind: str, ok: bool, weight: int = 1) -> bool:
        """Count one comparison; True when it differs and is the first difference."""
        if kind in self._exempt:
            return False
        tally.total += weight
        if ok:
            return False
        tally.diffs += weight
        return not tally.first

    def _node(self, c: Node, t: Node, where: str, tally: _Tally) -> None:
        self._count(tally, "NODE_TYPE", True)
        if c.kind == ELEMENT:
            self._element(c, t, f"{where}/{c.name}", tally)
        elif c.kind == TEXT:
            ok = c.check(t.text) if c.check is not None else c.text == t.text
            if self._count(tally, "TEXT_VALUE", ok):
                expected, actual = short_text(c.text), short_text(t.text)
                tally.first = f"{where}: expected text {expected} but was {actual}"
        elif self._count(tally, "PROCESSING_INSTRUCTION_DATA", c.text == t.text):
            tally.first = f"{where}: expected <?{c.name} {c.text}?> but was <?{t.name} {t.text}?>"

    def _element(self, c: Node, t: Node, where: str, tally: _Tally) -> None:
        if c.ns is not None or (self._ns_both_ways and t.ns is not None):
            if self._count(tally, "NAMESPACE_URI", c.ns == t.ns):
                tally.first = f"{where}: expected namespace {c.ns} but was {t.ns}"
        if self._count(tally, "ELEMENT_TAG_NAME", c.name == t.name):
            tally.first = f"{where}: expected element <{c.name}> but was <{t.name}>"
        for kind, value in c.special.items():
            if self._count(tally, kind, t.special.get(kind) == value):
                tally.first = f"{where}: expected {kind.lower()} {short_text(value)}"
        absent_ok = 0
        for name, value in c.attrs.items():
            check, actual = c.checks.get(name), t.attrs.get(name)
            if actual is None:
                ok = check is not None and check(None)
                absent_ok += ok
                if self._count(tally, "ATTR_NAME_LOOKUP", ok):
                    tally.first = f"{where}: expected attribute {_attr(name)} but it is missing"
            elif self._count(tally, "ATTR_VALUE", check(actual) if check else actual == value):
                tally.first = (f"{where}: expected {_attr(name)}={short_text(value)}"
                               f" but was {short_text(actual)}")
        if self._count(tally, "ELEMENT_NUM_ATTRIBUTES", len(c.attrs) - absent_ok == len(t.attrs)):
            tally.first = f"{where}: expected {len(c.attrs)} attributes but found {len(t.attrs)}"
        if not (tally.stop and tally.diffs):
            self._children(c, t, where, tally)

    def _children(self, c: Node, t: Node, where: str, tally: _Tally) -> None:
        tests: dict[tuple[Any, ...], list[Node]] = {}
        for child in t.children:
            tests.setdefault(self._key(child), []).append(child)
        controls: dict[tuple[Any, ...], list[Node]] = {}
        for child in c.children:
            controls.setdefault(self._key(child), []).append(child)
        pairs: list[tuple[Node, Node]] = []
        missing: list[Node] = []
        for key, group in controls.items():
            found = tests.get(key, [])
            if self._ignore_order and key[0] == ELEMENT and max(len(group), len(found)) > 1:
                self._pair_unordered(group, found, pairs, missing)
            else:  # different names may come in any order; the same name keeps its order
                pairs.extend(zip(group, found, strict=False))
                missing.extend(group[len(found) :])
        absent_ok = 0
        for child in missing:
            if child.check is not None and child.check(None):
                absent_ok += 1  # `${xmlunit.ignore}` text may be absent altogether
            elif self._count(tally, "CHILD_LOOKUP", False, child.size):
                tally.first = f"{where}: expected {_describe(child)} but it is missing"
        expected_len = len(c.children) - absent_ok
        if self._count(tally, "CHILD_NODELIST_LENGTH", expected_len == len(t.children)):
            found_len = len(t.children)
            tally.first = f"{where}: expected {expected_len} child nodes but found {found_len}"
        for control, test in pairs:
            if tally.stop and tally.diffs:
                return
            self._node(control, test, where, tally)

    def _key(self, node: Node) -> tuple[Any, ...]:
        return (node.kind, node.ns if self._key_ns else None, node.name)

    def _pair_unordered(
        self,
        controls: list[Node],
        tests: list[Node],
        pairs: list[tuple[Node, Node]],
        missing: list[Node],
    ) -> None:
        """Pair each expected node with an equal actual one wherever it is (placeholder-free
        expected nodes first, so a wildcard does not take another node's partner)."""
        if len(controls) * len(tests) > _MAX_UNORDERED_WORK:  # WireMock's own way: sort by text
            controls, tests = sorted(controls, key=_text_of), sorted(tests, key=_text_of)
            pairs.extend(zip(controls, tests, strict=False))
            missing.extend(controls[len(tests) :])
            return
        remaining = list(tests)
        leftovers: list[Node] = []
        for control in sorted(controls, key=lambda node: node.placeholders):
            for index, test in enumerate(remaining):
                probe = _Tally(stop=True)
                self._node(control, test, "", probe)
                if not probe.diffs:
                    pairs.append((control, remaining.pop(index)))
                    break
            else:
                leftovers.append(control)
        pairs.extend(zip(leftovers, remaining, strict=False))
        missing.extend(leftovers[len(remaining) :])


def _text_of(node: Node) -> str:
    return node.text + "".join(_text_of(child) for child in node.children)


def _attr(name: Any) -> str:
    return name[1] if isinstance(name, tuple) else str(name)


def _describe(node: Node) -> str:
    if node.kind == ELEMENT:
        return f"element <{node.name}>"
    if node.kind == TEXT:
        return f"text {short_text(node.text)}"
    return f"<?{node.name}?>"


# --- equalToXml ----------------------------------------------------------------------------


@dataclass(eq=False, repr=False)
class EqualToXml(XmlBodyMatcher):
    """`equalToXml`: the body must be XMLUnit-"similar" to the expected document."""

    operator: ClassVar[str] = "equalToXml"
    equality: ClassVar[bool] = True
    spec: dict[str, Any]
    _expected: Node
    _comparer: _Comparer
    _mode: str
    absent_reason: ClassVar[str] = "no XML to compare (value is absent)"

    def _holds(self, parsed: XmlDocument) -> bool:
        """`_grade(parsed).matched`, giving up at the first difference."""
        try:
            actual = parsed.tree(self._mode)
            if isinstance(actual, str):
                return False
            return not self._comparer.compare(self._expected, actual, stop=True).diffs
        except Exception:  # noqa: BLE001 - never let a client's body crash matching
            return False

    def _grade(self, parsed: XmlDocument) -> MatchResult:
        try:
            actual = parsed.tree(self._mode)
            if isinstance(actual, str):
                return no_match(actual)
            tally = self._comparer.compare(self._expected, actual)
        except Exception as exc:  # noqa: BLE001 - never let a client's body crash matching
            return no_match(f"could not compare XML: {exc}")
        if not tally.diffs:
            return EXACT
        return MatchResult(False, min(1.0, tally.diffs / max(tally.total, 1)), tally.first)

    def to_json(self) -> dict[str, Any]:
        return dict(self.spec)

    def report_expected(self) -> str:
        return capped(pretty_xml(self.report_value()))

    def report_actual(self, content: Content) -> str:
        text = content.text
        return "" if text is None else pretty_xml(text)


def parse_equal_to_xml(spec: Mapping[str, Any], ctx: ParseContext) -> StringMatcher:
    """Build `equalToXml`; a malformed document or modifier is a load-time StubError."""
    expected = spec.get("equalToXml")
    if not isinstance(expected, str):
        raise ctx.error("equalToXml operand must be a string of XML", "equalToXml")
    for key in ("enablePlaceholders", "ignoreOrderOfSameNode"):
        if spec.get(key) is not None and not isinstance(spec[key], bool):
            raise ctx.error("expected true or false", key)
    for key in (f"placeholder{end}DelimiterRegex" for end in _ENDS):
        if spec.get(key) is not None:
            if not isinstance(spec[key], str):
                raise ctx.error("expected a regular expression string", key)
            try:
                compile_java_regex(spec[key].strip())
            except ValueError as exc:
                raise ctx.error(str(exc), key) from exc
    mode = spec.get("namespaceAwareness") or "STRICT"
    if mode not in NAMESPACE_AWARENESS:
        raise ctx.error(
            f"unknown namespaceAwareness {mode!r} (expected one of: STRICT, LEGACY, NONE)",
            "namespaceAwareness",
        )
    exempt = _exemptions(spec.get("exemptedComparisons"), ctx)
    placeholders = None
    if spec.get("enablePlaceholders"):
        opening, closing = (spec.get(f"placeholder{end}DelimiterRegex") for end in _ENDS)
        try:
            placeholders = Placeholders(opening, closing)
        except (ValueError, re.error) as exc:
            raise ctx.error(f"invalid placeholder delimiters: {exc}", "enablePlaceholders") from exc
    parsed = parse_xml(expected)
    if parsed.root is None:
        raise ctx.error("invalid XML: " + parsed.error.removeprefix("body is "), "equalToXml")
    if parsed.unbound and mode == "STRICT":
        raise ctx.error(
            "undeclared namespace prefix (declare it, or set namespaceAwareness: NONE)",
            "equalToXml",
        )
    try:
        tree = TreeBuilder(mode, placeholders).element(parsed.root, {})
    except ValueError as exc:
        raise ctx.error(f"invalid placeholder: {exc}", "equalToXml") from exc
    kept = {key: spec[key] for key in _EQUAL_TO_XML_KEYS if key in spec}
    comparer = _Comparer(exempt, bool(spec.get("ignoreOrderOfSameNode")), mode)
    return EqualToXml(kept, tree, comparer, mode)


def _exemptions(value: Any, ctx: ParseContext) -> frozenset[str]:
    if value is None:
        return frozenset()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)):
        raise ctx.error("expected a list of XMLUnit comparison types", "exemptedComparisons")
    for index, item in enumerate(items):
        if item not in COMPARISON_TYPES:
            choices = ", ".join(COMPARISON_TYPES)
            raise ctx.error(
                f"unknown comparison type {item!r} (expected one of: {choices})",
                "exemptedComparisons",
                index,
            )
    return frozenset(items)


__all__ = [
    "COMPARISON_TYPES", "NAMESPACE_AWARENESS", "EqualToXml", "parse_equal_to_xml",
]  # fmt: skip
