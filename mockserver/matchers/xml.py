"""XML body matchers: `equalToXml` (XMLUnit "similar" semantics) and `matchesXPath` (XPath 1.0).

Bodies are parsed at most once per request (cached on `Content`) by a hardened lxml parser: no
DTD loading, no network, entities never expanded, so XXE and billion-laughs payloads stay inert.
lxml is imported inside functions because importing it costs ~40 ms of start-up.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from copy import deepcopy
from dataclasses import dataclass
from typing import Any, ClassVar

from mockserver.compat.javaregex import compile_java_regex, translate
from mockserver.matchers.base import (
    EXACT,
    Content,
    MatchResult,
    ParseContext,
    StringMatcher,
    capped,
    no_match,
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
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_XML_NS = "http://www.w3.org/XML/1998/namespace"
_XMLNS_NS = "http://www.w3.org/2000/xmlns/"
_SCHEMA_KINDS = {
    "schemaLocation": "SCHEMA_LOCATION",
    "noNamespaceSchemaLocation": "NO_NAMESPACE_SCHEMA_LOCATION",
}
_WS = " \t\r\n"
_NUMBER = re.compile(r"[-+]?[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?")
_MAX_UNORDERED_WORK = 40_000  # control x test pairs tried before falling back to a sort
_ELEMENT, _TEXT, _PI = 0, 1, 2
_NO_NSMAP: Mapping[Any, str] = {}

_Check = Callable[[str | None], bool]


# --- parsing -------------------------------------------------------------------------------


class _Parsed:
    """One document parsed once, plus the forms derived from it on demand."""

    __slots__ = ("root", "error", "unbound", "_local", "_trees")

    def __init__(self, root: Any, error: str = "", unbound: bool = False) -> None:
        self.root = root
        self.error = error
        self.unbound = unbound  # uses a namespace prefix that is never declared
        self._local: Any = None
        self._trees: dict[str, _Node | str] = {}

    def tree(self, mode: str) -> _Node | str:
        """The comparison tree for a namespace mode, or why there is none."""
        if mode not in self._trees:
            if self.root is None:
                self._trees[mode] = self.error
            elif self.unbound and mode == "STRICT":
                self._trees[mode] = "body uses an undeclared namespace prefix"
            else:
                self._trees[mode] = _Builder(mode, None).element(self.root, {})
        return self._trees[mode]

    def local_root(self) -> Any:
        """A copy with namespaces stripped: WireMock runs XPath without `xPathNamespaces`
        namespace-unaware, so `/thing` finds `<t:thing xmlns:t="...">`."""
        if self._local is None:
            from lxml import etree

            copy = deepcopy(self.root)
            for el in copy.iter():
                if not isinstance(el.tag, str):
                    continue
                el.tag = _local_name(el.tag)
                if any("}" in key or ":" in key for key in el.attrib):
                    items = [(_local_name(k), v) for k, v in el.attrib.items()]
                    el.attrib.clear()
                    for key, value in items:
                        el.set(key, value)
            etree.cleanup_namespaces(copy)
            self._local = copy
        return self._local


def _parse(text: str | None) -> _Parsed:
    """Parse without resolving entities or touching the network; never raises."""
    if not text:
        return _Parsed(None, "body is empty")
    text = text.lstrip(_WS + "\ufeff")
    if not text.startswith("<"):
        return _Parsed(None, "body is not XML")
    try:
        from lxml import etree

        parser = etree.XMLParser(
            encoding="utf-8", recover=True, resolve_entities=False, no_network=True,
            load_dtd=False, huge_tree=False,
        )  # fmt: skip
        root = etree.fromstring(text.encode("utf-8", "replace"), parser)
        unbound = False
        for err in parser.error_log:
            if err.level < etree.ErrorLevels.ERROR:
                continue
            if err.domain != etree.ErrorDomains.NAMESPACE:
                why = f"{err.message} (line {err.line})"
                return _Parsed(None, f"body is not well-formed XML: {why}")
            unbound = True  # recover mode keeps `p:name` as a plain name, as a non-NS parser would
    except Exception as exc:  # noqa: BLE001 - lxml raises several families; a body must never crash matching
        return _Parsed(None, f"body is not XML: {exc}")
    if root is None:
        return _Parsed(None, "body is not XML")
    return _Parsed(root, unbound=unbound)


def _document(content: Content) -> _Parsed:
    """The body's parse, cached on the Content so many stubs parse one request body once."""
    parsed = content.__dict__.get("xml_document")
    if not isinstance(parsed, _Parsed):
        try:
            parsed = _parse(content.text)
        except Exception as exc:  # noqa: BLE001 - any lxml failure is a no-match
            parsed = _Parsed(None, f"body is not XML: {exc}")
        content.__dict__["xml_document"] = parsed
    return parsed


def _local_name(name: str) -> str:
    return name.rpartition("}")[2].rpartition(":")[2]


# --- comparison trees ----------------------------------------------------------------------


class _Node:
    """A node ready to compare: whitespace trimmed, comments dropped, names resolved per mode."""

    __slots__ = ("kind", "ns", "name", "text", "attrs", "special", "checks", "check",
                 "children", "size", "placeholders")  # fmt: skip

    def __init__(self, kind: int, ns: str | None, name: str, text: str = "") -> None:
        self.kind = kind
        self.ns = ns
        self.name = name
        self.text = text
        self.attrs: dict[Any, str] = {}
        self.special: dict[str, str] = {}  # SCHEMA_LOCATION / NO_NAMESPACE_SCHEMA_LOCATION
        self.checks: dict[Any, _Check] = {}  # attribute placeholders (expected tree only)
        self.check: _Check | None = None  # text placeholder (expected tree only)
        self.children: list[_Node] = []
        self.size = 1
        self.placeholders = False


class _Builder:
    """lxml element -> `_Node` tree, naming nodes as XMLUnit would under `namespaceAwareness`:
    STRICT by (namespace URI, local name); NONE by the name as written, `xmlns` declarations
    being ordinary attributes; LEGACY by local name, only a default namespace counting."""

    def __init__(self, mode: str, placeholders: _Placeholders | None) -> None:
        from lxml import etree

        self._mode = mode
        self._placeholders = placeholders
        self._pi = etree.PI
        self._entity = etree.Entity

    def element(self, el: Any, parent_nsmap: Mapping[Any, str]) -> _Node:
        uri, _, local = el.tag[1:].partition("}") if el.tag[0] == "{" else ("", "", el.tag)
        if self._mode == "STRICT":
            node = _Node(_ELEMENT, uri or None, local)
        elif self._mode == "NONE":
            node = _Node(_ELEMENT, None, f"{el.prefix}:{local}" if el.prefix else local)
        else:
            node = _Node(_ELEMENT, uri if uri and not el.prefix else None, _local_name(local))
        nsmap = el.nsmap if self._mode != "STRICT" else _NO_NSMAP  # costly in lxml
        for key, value in el.attrib.items():
            self._attribute(node, nsmap, key, value)
        if self._mode == "NONE":
            for prefix, ns_uri in nsmap.items():
                if parent_nsmap.get(prefix) != ns_uri:
                    node.attrs[f"xmlns:{prefix}" if prefix else "xmlns"] = ns_uri
        pending = [el.text or ""]
        for child in el:
            if isinstance(child.tag, str):
                self._flush(node, pending)
                node.children.append(self.element(child, nsmap))
            elif child.tag is self._pi:
                self._flush(node, pending)
                target, data = child.target, (child.text or "").strip(_WS)
                node.children.append(_Node(_PI, None, target, data))
            elif child.tag is self._entity:
                pending.append(child.text or "")  # kept as `&name;`: never expanded
            pending.append(child.tail or "")  # comments vanish; the text around them joins
        self._flush(node, pending)
        node.size = 1 + len(node.attrs) + sum(child.size for child in node.children)
        if self._placeholders is not None:
            node.placeholders = bool(node.checks) or any(
                child.placeholders or child.check is not None for child in node.children
            )
        return node

    def _attribute(self, node: _Node, nsmap: Mapping[Any, str], key: str, value: str) -> None:
        uri, _, local = key[1:].partition("}") if key[0] == "{" else ("", "", key)
        name: Any
        if self._mode != "STRICT":
            prefixes = [p for p, u in nsmap.items() if p and u == uri] + [""]
            prefix = "xml" if uri == _XML_NS else prefixes[0]
            name = f"{prefix}:{local}" if uri and prefix else local
        elif uri == _XSI and local in _SCHEMA_KINDS:
            node.special[_SCHEMA_KINDS[local]] = value
            return
        else:
            name = (uri or None, local)
        node.attrs[name] = value
        check = self._placeholders.parse(value) if self._placeholders else None
        if check is not None:
            node.checks[name] = check

    def _flush(self, node: _Node, pending: list[str]) -> None:
        text = "".join(pending).strip(_WS)
        pending.clear()
        if text:
            child = _Node(_TEXT, None, "#text", text)
            child.check = self._placeholders.parse(text) if self._placeholders else None
            node.children.append(child)


class _Placeholders:
    """XMLUnit placeholders (`${xmlunit.ignore}`, `isNumber`, `matchesRegex(re)`) that fill a
    whole text node or attribute value of the expected document."""

    def __init__(self, opening: str | None, closing: str | None) -> None:
        open_re = translate(opening.strip()) if opening and opening.strip() else r"\$\{"
        close_re = translate(closing.strip()) if closing and closing.strip() else r"\}"
        self._pattern = re.compile(
            rf"\s*(?:{open_re})\s*xmlunit\.(?P<kw>\w+)(?:\((?P<args>.*)\))?\s*(?:{close_re})\s*",
            re.DOTALL,
        )

    def parse(self, value: str) -> _Check | None:
        """The check a placeholder stands for; None for literal text. Raises ValueError."""
        found = self._pattern.fullmatch(value)
        if found is None:
            return None
        keyword, args = found["kw"], found["args"]
        if keyword == "ignore":
            return _anything
        if keyword == "isNumber":
            return _is_number
        if keyword == "matchesRegex":
            if not args:
                raise ValueError("${xmlunit.matchesRegex(...)} needs a regular expression")
            pattern = compile_java_regex(args)
            return lambda v: v is not None and pattern.fullmatch(v.strip(_WS)) is not None
        if keyword in ("isDateTime", "isInRange"):
            raise ValueError(f"${{xmlunit.{keyword}}} is not supported")
        return None  # unknown keyword: XMLUnit compares the text literally


def _anything(value: str | None) -> bool:
    return True


def _is_number(value: str | None) -> bool:
    return value is not None and _NUMBER.fullmatch(value.strip(_WS)) is not None


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

    def compare(self, control: _Node, test: _Node) -> _Tally:
        tally = _Tally()
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

    def _node(self, c: _Node, t: _Node, where: str, tally: _Tally) -> None:
        self._count(tally, "NODE_TYPE", True)
        if c.kind == _ELEMENT:
            self._element(c, t, f"{where}/{c.name}", tally)
        elif c.kind == _TEXT:
            ok = c.check(t.text) if c.check is not None else c.text == t.text
            if self._count(tally, "TEXT_VALUE", ok):
                tally.first = f"{where}: expected text {_short(c.text)} but was {_short(t.text)}"
        elif self._count(tally, "PROCESSING_INSTRUCTION_DATA", c.text == t.text):
            tally.first = f"{where}: expected <?{c.name} {c.text}?> but was <?{t.name} {t.text}?>"

    def _element(self, c: _Node, t: _Node, where: str, tally: _Tally) -> None:
        if c.ns is not None or (self._ns_both_ways and t.ns is not None):
            if self._count(tally, "NAMESPACE_URI", c.ns == t.ns):
                tally.first = f"{where}: expected namespace {c.ns} but was {t.ns}"
        if self._count(tally, "ELEMENT_TAG_NAME", c.name == t.name):
            tally.first = f"{where}: expected element <{c.name}> but was <{t.name}>"
        for kind, value in c.special.items():
            if self._count(tally, kind, t.special.get(kind) == value):
                tally.first = f"{where}: expected {kind.lower()} {_short(value)}"
        absent_ok = 0
        for name, value in c.attrs.items():
            check, actual = c.checks.get(name), t.attrs.get(name)
            if actual is None:
                ok = check is not None and check(None)
                absent_ok += ok
                if self._count(tally, "ATTR_NAME_LOOKUP", ok):
                    tally.first = f"{where}: expected attribute {_attr(name)} but it is missing"
            elif self._count(tally, "ATTR_VALUE", check(actual) if check else actual == value):
                tally.first = (
                    f"{where}: expected {_attr(name)}={_short(value)} but was {_short(actual)}"
                )
        if self._count(tally, "ELEMENT_NUM_ATTRIBUTES", len(c.attrs) - absent_ok == len(t.attrs)):
            tally.first = f"{where}: expected {len(c.attrs)} attributes but found {len(t.attrs)}"
        if not (tally.stop and tally.diffs):
            self._children(c, t, where, tally)

    def _children(self, c: _Node, t: _Node, where: str, tally: _Tally) -> None:
        tests: dict[tuple[Any, ...], list[_Node]] = {}
        for child in t.children:
            tests.setdefault(self._key(child), []).append(child)
        controls: dict[tuple[Any, ...], list[_Node]] = {}
        for child in c.children:
            controls.setdefault(self._key(child), []).append(child)
        pairs: list[tuple[_Node, _Node]] = []
        missing: list[_Node] = []
        for key, group in controls.items():
            found = tests.get(key, [])
            if self._ignore_order and key[0] == _ELEMENT and max(len(group), len(found)) > 1:
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

    def _key(self, node: _Node) -> tuple[Any, ...]:
        return (node.kind, node.ns if self._key_ns else None, node.name)

    def _pair_unordered(
        self,
        controls: list[_Node],
        tests: list[_Node],
        pairs: list[tuple[_Node, _Node]],
        missing: list[_Node],
    ) -> None:
        """Pair each expected node with an equal actual one wherever it is (placeholder-free
        expected nodes first, so a wildcard does not take another node's partner)."""
        if len(controls) * len(tests) > _MAX_UNORDERED_WORK:  # WireMock's own way: sort by text
            controls, tests = sorted(controls, key=_text_of), sorted(tests, key=_text_of)
            pairs.extend(zip(controls, tests, strict=False))
            missing.extend(controls[len(tests) :])
            return
        remaining = list(tests)
        leftovers: list[_Node] = []
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


def _text_of(node: _Node) -> str:
    return node.text + "".join(_text_of(child) for child in node.children)


def _short(text: str, limit: int = 60) -> str:
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")


def _attr(name: Any) -> str:
    return name[1] if isinstance(name, tuple) else str(name)


def _describe(node: _Node) -> str:
    if node.kind == _ELEMENT:
        return f"element <{node.name}>"
    if node.kind == _TEXT:
        return f"text {_short(node.text)}"
    return f"<?{node.name}?>"


# --- equalToXml ----------------------------------------------------------------------------


@dataclass(eq=False, repr=False)
class EqualToXml(StringMatcher):
    """`equalToXml`: the body must be XMLUnit-"similar" to the expected document."""

    operator: ClassVar[str] = "equalToXml"
    equality: ClassVar[bool] = True
    spec: dict[str, Any]
    _expected: _Node
    _comparer: _Comparer
    _mode: str

    def match(self, value: str | None) -> MatchResult:
        if value is None:
            return no_match("no XML to compare (value is absent)")
        return self._compare(_parse(value))

    def match_content(self, content: Content) -> MatchResult:
        return self._compare(_document(content))

    def _compare(self, parsed: _Parsed) -> MatchResult:
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
            placeholders = _Placeholders(opening, closing)
        except (ValueError, re.error) as exc:
            raise ctx.error(f"invalid placeholder delimiters: {exc}", "enablePlaceholders") from exc
    parsed = _parse(expected)
    if parsed.root is None:
        raise ctx.error("invalid XML: " + parsed.error.removeprefix("body is "), "equalToXml")
    if parsed.unbound and mode == "STRICT":
        raise ctx.error(
            "undeclared namespace prefix (declare it, or set namespaceAwareness: NONE)",
            "equalToXml",
        )
    try:
        tree = _Builder(mode, placeholders).element(parsed.root, {})
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


# --- matchesXPath --------------------------------------------------------------------------


@dataclass(eq=False, repr=False)
class MatchesXPath(StringMatcher):
    """`matchesXPath`: an XPath 1.0 expression must select something, or (object form) some
    selected node's string value must satisfy a nested matcher."""

    operator: ClassVar[str] = "matchesXPath"
    _expression: str
    _xpath: Any  # lxml.etree.XPath, compiled at load
    _namespaces: dict[str, str]
    _sub: StringMatcher | None
    _shape: dict[str, Any]

    def match(self, value: str | None) -> MatchResult:
        if value is None:
            return no_match("no XML to evaluate (value is absent)")
        return self._evaluate(_parse(value))

    def match_content(self, content: Content) -> MatchResult:
        return self._evaluate(_document(content))

    def expected(self) -> str:
        return self._expression

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

    def _evaluate(self, parsed: _Parsed) -> MatchResult:
        if parsed.root is None:
            return no_match(parsed.error)
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
        why = f"XPath {self._expression}: nearest value {_short(nearest)}"
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
    return MatchesXPath(expression, _compile(expression, namespaces, ctx), namespaces, sub, shape)


def _namespaces(value: Any, ctx: ParseContext, where: tuple[str, ...]) -> dict[str, str]:
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and k and isinstance(v, str) for k, v in value.items()
    ):
        raise ctx.error("expected a map of namespace prefix to URI", *where)
    return {k: v for k, v in value.items() if v not in (_XML_NS, _XMLNS_NS)}


def _compile(expression: str, namespaces: dict[str, str], ctx: ParseContext) -> Any:
    """Compile once and try it on a tiny document, so unknown prefixes, functions and
    variables fail at load rather than never matching."""
    from lxml import etree

    stripped = expression.strip()
    candidates = [expression]
    if stripped[:1].isalpha() or stripped[:1] in "_*@":
        # WireMock evaluates from the document node, lxml from the root element: a relative
        # path such as `order/id` means `/order/id` (function calls do not parse this way).
        candidates.insert(0, "/" + stripped)
    for index, candidate in enumerate(candidates):
        try:
            xpath = etree.XPath(candidate, namespaces=namespaces or None, smart_strings=False)
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


__all__ = [
    "COMPARISON_TYPES", "NAMESPACE_AWARENESS", "EqualToXml", "MatchesXPath",
    "parse_equal_to_xml", "parse_matches_xpath",
]  # fmt: skip


def pretty_xml(text: str) -> str:
    """Indented XML without a declaration, or `text` itself when it does not parse."""
    try:
        from lxml import etree

        parser = etree.XMLParser(remove_blank_text=True, resolve_entities=False,
                                 no_network=True, load_dtd=False)
        root = etree.fromstring(text.strip().encode("utf-8"), parser)
        pretty: str = etree.tostring(root, pretty_print=True, encoding="unicode")
        return pretty
    except Exception:  # noqa: BLE001 - not XML: show it as sent
        return text
