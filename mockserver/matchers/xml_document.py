"""XML documents as the XML matchers see them: parsed once, safely, and compared as trees.

Bodies are parsed at most once per request (cached on `Content`) by a hardened lxml parser: no
DTD loading, no network, entities never expanded, so XXE and billion-laughs payloads stay inert.
A comparison tree names nodes as XMLUnit would under a namespace-awareness mode; an expected
tree may carry XMLUnit placeholders. lxml is imported inside functions because importing it
costs ~40 ms of start-up.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from copy import deepcopy
from typing import Any, ClassVar

from mockserver.compat.javaregex import compile_java_regex, translate
from mockserver.matchers.base import Content, MatchResult, StringMatcher, no_match
from mockserver.matchers.xpath_budget import MAX_XML_BYTES

XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML_NS = "http://www.w3.org/XML/1998/namespace"
XMLNS_NS = "http://www.w3.org/2000/xmlns/"
SCHEMA_KINDS = {
    "schemaLocation": "SCHEMA_LOCATION",
    "noNamespaceSchemaLocation": "NO_NAMESPACE_SCHEMA_LOCATION",
}
WS = " \t\r\n"
_NUMBER = re.compile(r"[-+]?[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?")
ELEMENT, TEXT, PI = 0, 1, 2
_NO_NSMAP: Mapping[Any, str] = {}

Check = Callable[[str | None], bool]


# --- parsing -------------------------------------------------------------------------------


class XmlDocument:
    """One document parsed once, plus the forms derived from it on demand."""

    __slots__ = ("root", "error", "unbound", "_elements", "_local", "_trees")

    def __init__(self, root: Any, error: str = "", unbound: bool = False) -> None:
        self.root = root
        self.error = error
        self.unbound = unbound  # uses a namespace prefix that is never declared
        self._elements = -1
        self._local: Any = None
        self._trees: dict[str, Node | str] = {}

    @property
    def elements(self) -> int:
        """How many elements the document has: what an XPath's cost grows with."""
        if self._elements < 0:
            self._elements = 0 if self.root is None else sum(1 for _ in self.root.iter())
        return self._elements

    def tree(self, mode: str) -> Node | str:
        """The comparison tree for a namespace mode, or why there is none."""
        if mode not in self._trees:
            if self.root is None:
                self._trees[mode] = self.error
            elif self.unbound and mode == "STRICT":
                self._trees[mode] = "body uses an undeclared namespace prefix"
            else:
                self._trees[mode] = TreeBuilder(mode, None).element(self.root, {})
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
                el.tag = local_name(el.tag)
                if any("}" in key or ":" in key for key in el.attrib):
                    items = [(local_name(k), v) for k, v in el.attrib.items()]
                    el.attrib.clear()
                    for key, value in items:
                        el.set(key, value)
            etree.cleanup_namespaces(copy)
            self._local = copy
        return self._local


def parse_xml(text: str | None) -> XmlDocument:
    """Parse without resolving entities or touching the network; never raises."""
    if not text:
        return XmlDocument(None, "body is empty")
    if len(text) > MAX_XML_BYTES:
        return XmlDocument(None, f"body is larger than {MAX_XML_BYTES} bytes: XML matchers "
                                 "do not read it")
    text = text.lstrip(WS + "\ufeff")
    if not text.startswith("<"):
        return XmlDocument(None, "body is not XML")
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
                return XmlDocument(None, f"body is not well-formed XML: {why}")
            unbound = True  # recover mode keeps `p:name` as a plain name, as a non-NS parser would
    except Exception as exc:  # noqa: BLE001 - lxml raises several families; a body must never crash matching
        return XmlDocument(None, f"body is not XML: {exc}")
    if root is None:
        return XmlDocument(None, "body is not XML")
    return XmlDocument(root, unbound=unbound)


def body_document(content: Content) -> XmlDocument:
    """The body's parse, cached on the Content so many stubs parse one request body once."""
    parsed = content.__dict__.get("xml_document")
    if not isinstance(parsed, XmlDocument):
        try:
            parsed = parse_xml(content.text)
        except Exception as exc:  # noqa: BLE001 - any lxml failure is a no-match
            parsed = XmlDocument(None, f"body is not XML: {exc}")
        content.__dict__["xml_document"] = parsed
    return parsed


def local_name(name: str) -> str:
    return name.rpartition("}")[2].rpartition(":")[2]


# --- comparison trees ----------------------------------------------------------------------


class Node:
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
        self.checks: dict[Any, Check] = {}  # attribute placeholders (expected tree only)
        self.check: Check | None = None  # text placeholder (expected tree only)
        self.children: list[Node] = []
        self.size = 1
        self.placeholders = False


class TreeBuilder:
    """lxml element -> `Node` tree, naming nodes as XMLUnit would under `namespaceAwareness`:
    STRICT by (namespace URI, local name); NONE by the name as written, `xmlns` declarations
    being ordinary attributes; LEGACY by local name, only a default namespace counting."""

    def __init__(self, mode: str, placeholders: Placeholders | None) -> None:
        from lxml import etree

        self._mode = mode
        self._placeholders = placeholders
        self._pi = etree.PI
        self._entity = etree.Entity

    def element(self, el: Any, parent_nsmap: Mapping[Any, str]) -> Node:
        uri, _, local = el.tag[1:].partition("}") if el.tag[0] == "{" else ("", "", el.tag)
        if self._mode == "STRICT":
            node = Node(ELEMENT, uri or None, local)
        elif self._mode == "NONE":
            node = Node(ELEMENT, None, f"{el.prefix}:{local}" if el.prefix else local)
        else:
            node = Node(ELEMENT, uri if uri and not el.prefix else None, local_name(local))
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
                target, data = child.target, (child.text or "").strip(WS)
                node.children.append(Node(PI, None, target, data))
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

    def _attribute(self, node: Node, nsmap: Mapping[Any, str], key: str, value: str) -> None:
        uri, _, local = key[1:].partition("}") if key[0] == "{" else ("", "", key)
        name: Any
        if self._mode != "STRICT":
            prefixes = [p for p, u in nsmap.items() if p and u == uri] + [""]
            prefix = "xml" if uri == XML_NS else prefixes[0]
            name = f"{prefix}:{local}" if uri and prefix else local
        elif uri == XSI and local in SCHEMA_KINDS:
            node.special[SCHEMA_KINDS[local]] = value
            return
        else:
            name = (uri or None, local)
        node.attrs[name] = value
        check = self._placeholders.parse(value) if self._placeholders else None
        if check is not None:
            node.checks[name] = check

    def _flush(self, node: Node, pending: list[str]) -> None:
        text = "".join(pending).strip(WS)
        pending.clear()
        if text:
            child = Node(TEXT, None, "#text", text)
            child.check = self._placeholders.parse(text) if self._placeholders else None
            node.children.append(child)


class Placeholders:
    """XMLUnit placeholders (`${xmlunit.ignore}`, `isNumber`, `matchesRegex(re)`) that fill a
    whole text node or attribute value of the expected document."""

    def __init__(self, opening: str | None, closing: str | None) -> None:
        open_re = translate(opening.strip()) if opening and opening.strip() else r"\$\{"
        close_re = translate(closing.strip()) if closing and closing.strip() else r"\}"
        self._pattern = re.compile(
            rf"\s*(?:{open_re})\s*xmlunit\.(?P<kw>\w+)(?:\((?P<args>.*)\))?\s*(?:{close_re})\s*",
            re.DOTALL,
        )

    def parse(self, value: str) -> Check | None:
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
            return lambda v: v is not None and pattern.fullmatch(v.strip(WS)) is not None
        if keyword in ("isDateTime", "isInRange"):
            raise ValueError(f"${{xmlunit.{keyword}}} is not supported")
        return None  # unknown keyword: XMLUnit compares the text literally


def _anything(value: str | None) -> bool:
    return True


def _is_number(value: str | None) -> bool:
    return value is not None and _NUMBER.fullmatch(value.strip(WS)) is not None


def short_text(text: str, limit: int = 60) -> str:
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")


def pretty_xml(text: str) -> str:
    """Indented XML without a declaration, or `text` itself when it does not parse or is
    larger than the XML matchers read (a report shows its first lines only)."""
    if len(text) > MAX_XML_BYTES:
        return text
    try:
        from lxml import etree

        parser = etree.XMLParser(remove_blank_text=True, resolve_entities=False,
                                 no_network=True, load_dtd=False)
        root = etree.fromstring(text.strip().encode("utf-8"), parser)
        pretty: str = etree.tostring(root, pretty_print=True, encoding="unicode")
        return pretty
    except Exception:  # noqa: BLE001 - not XML: show it as sent
        return text


class XmlBodyMatcher(StringMatcher):
    """An operator on XML bodies: both questions (graded, yes/no) asked of one parse, the
    request body's parsed once and shared by every XML operator looking at it."""

    absent_reason: ClassVar[str] = "no XML to evaluate (value is absent)"

    def match(self, value: str | None) -> MatchResult:
        if value is None:
            return no_match(self.absent_reason)
        return self._grade(parse_xml(value))

    def match_content(self, content: Content) -> MatchResult:
        return self._grade(body_document(content))

    def matches(self, value: str | None) -> bool:
        return value is not None and self._holds(parse_xml(value))

    def matches_content(self, content: Content) -> bool:
        return self._holds(body_document(content))

    def _grade(self, parsed: XmlDocument) -> MatchResult:
        raise NotImplementedError

    def _holds(self, parsed: XmlDocument) -> bool:
        """`_grade(parsed).matched`, answered as cheaply as the operator can."""
        raise NotImplementedError
