"""WireMock's side-by-side "Request was not matched" text: the closest stub beside the request.

The layout follows WireMock 3.13.2 (`PlainTextDiffRenderer`, `Diff`): for a console width W the
left column is padded to W/2 characters then `|`, each side wraps at W/2 - 2 characters, and a
line that does not match ends with `<<<<< <Section> does not match` (or `is not present`).
The left side prints each expectation, the right side what the request carried.

Building the lines never raises on odd input: a section that cannot be described is left out,
bodies are capped at `BODY_LIMIT` characters per side.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from mockserver.compat.javanumber import java_double
from mockserver.exchange import Content, Request
from mockserver.matchers import parse_string_matcher
from mockserver.matchers.base import MatchResult, StringMatcher
from mockserver.matchers.multivalue import MultiValuePattern, best_match
from mockserver.matchers.url import UrlKind
from mockserver.matching.nearmiss import NearMiss
from mockserver.matching.pattern import FieldResult, basic_auth_result, method_matches
from mockserver.model import MultipartPattern, RequestPattern

__all__ = ["BODY_LIMIT", "render_diff"]

TITLE = "Request was not matched"
BODY_LIMIT = 2000
MAX_WIDTH = 1000
_EVALUATE_LIMIT = 256 * 1024  # bodies up to this size get their JSONPath result shown
_EQUAL_TO_OPERATORS = frozenset({"equalTo", "equalToJson", "equalToXml", "binaryEqualTo"})
_BLANK_LINES = re.compile(r"^[ \t]*\r?\n", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class _Line:
    """One expectation beside the actual value; `matched` decides whether body lines show."""

    section: str
    left: str
    right: str
    matched: bool = True
    message: str | None = None


_SPACER = _Line("spacer", "", "")


def _line(section: str, left: str, right: str, matched: bool, hint: str = "") -> _Line:
    """WireMock's message rule: an empty actual value is "not present", even when it matched."""
    if not right:
        message: str | None = f"{section} is not present"
    elif not matched:
        message = f"{section} does not match"
    else:
        message = None
    if message is not None and hint:
        message += hint
    return _Line(section, left, right, matched, message)


def render_diff(
    near: NearMiss,
    width: int = 119,
    scenario_state: str | None = None,
    *,
    title: str = TITLE,
    left_heading: str = "Closest stub",
) -> str:
    """The plain-text report for one near miss, at console width `width` (WireMock's default 119).

    `scenario_state` is the current state of the stub's scenario, when the caller knows it.
    `title` and `left_heading` name the report and its left column (verification failures
    put the expected pattern there).
    """
    width = max(1, min(int(width), MAX_WIDTH))
    middle = width // 2 - 1
    column = width // 2 - 2
    stub = near.stub
    pattern = stub.request if stub is not None else (near.pattern or RequestPattern())
    builder = _Builder(pattern, near.request, near.match.fields)
    lines: list[_Line] = []
    for section in builder.sections():
        try:
            lines.extend(section())
        except Exception:  # noqa: BLE001 - a report must never fail: leave the section out
            continue
    if stub is not None and stub.scenario_name and stub.required_scenario_state is not None:
        lines.append(_scenario_line(
            stub.scenario_name, stub.required_scenario_state, scenario_state))

    out = [
        "",
        " " * (middle - len(title) // 2) + title,
        " " * (middle - len(title) // 2) + "=" * len(title),
        "",
        "-" * width,
        "|" + f" {left_heading}".ljust(middle) + "|" + " Request".ljust(middle) + "|",
        "-" * width,
    ]
    out.append(_single("", "", None, middle))
    if stub is not None and stub.name is not None:
        _write(out, stub.name, "", None, middle, column)
        out.append(_single("", "", None, middle))
    for line in lines:
        if line.section == "Body" and line.matched:
            continue  # WireMock prints body expectations only when they fail
        _write(out, line.left, line.right, line.message, middle, column)
    out.append(_single("", "", None, middle))
    out.append("-" * width)
    return "\n".join(out) + "\n"


def _scenario_line(name: str, required: str, current: str | None) -> _Line:
    left = f"[Scenario '{name}' state: {required}]"
    if current is None:  # the caller does not know the state: show the expectation only
        return _Line("Scenario", left, "")
    return _line("Scenario", left, f"[Scenario '{name}' state: {current}]", current == required)


# --- layout --------------------------------------------------------------------------------


def _write(
    out: list[str], left: str, right: str, message: str | None, middle: int, column: int
) -> None:
    lefts = _split(_wrap(left.replace("\r\n", "\n"), column))
    rights = _split(_wrap(right.replace("\r\n", "\n"), column))
    out.append(_single(lefts[0] if lefts else "", rights[0] if rights else "", message, middle))
    for i in range(1, max(len(lefts), len(rights))):
        left_part = lefts[i] if i < len(lefts) else ""
        right_part = rights[i] if i < len(rights) else ""
        out.append(_single(left_part, right_part, None, middle))


def _single(left: str, right: str, message: str | None, middle: int) -> str:
    text = left.ljust(middle + 1) + "|"
    if right:
        text += " " + (right.ljust(middle - 6) + "<<<<< " + message if message else right)
    elif message:
        text += "".ljust(middle - 5) + "<<<<< " + message
    return text


def _split(text: str) -> list[str]:
    """Java's `String.split("\\n")`: trailing empty pieces are dropped."""
    if "\n" not in text:
        return [text]
    parts = text.split("\n")
    while parts and not parts[-1]:
        parts.pop()
    return parts


def _wrap(text: str, limit: int) -> str:
    """Word-wrap only when some line is longer than `limit` (WireMock's `Strings.wrap` rules).

    Spaces are the only break points; existing newlines count as ordinary characters, words
    longer than the limit are cut, and lines left blank by the wrapping are removed.
    """
    limit = max(limit, 1)
    if max(len(line) for line in text.split("\n")) <= limit:
        return text
    pieces: list[str] = []
    offset, length = 0, len(text)
    while offset < length:
        window = text[offset : min(offset + limit + 1, length)]
        if window.startswith(" "):
            offset += 1
            continue
        if length - offset <= limit:
            break
        space = window.rfind(" ")
        if space > 0:
            pieces.append(text[offset : offset + space])
            offset += space + 1
        else:
            pieces.append(text[offset : offset + limit])
            offset += limit
        pieces.append("\n")
    pieces.append(text[offset:])
    return _BLANK_LINES.sub("", "".join(pieces))


# --- the lines -----------------------------------------------------------------------------


class _Builder:
    """Turns a request pattern and a request into report lines, section by section."""

    def __init__(
        self, pattern: RequestPattern, request: Request, fields: Sequence[FieldResult]
    ) -> None:
        self.pattern = pattern
        self.request = request
        self._results: dict[tuple[str, str | None], list[MatchResult]] = {}
        for field in fields:
            self._results.setdefault((field.section, field.key), []).append(field.result)

    def sections(self) -> list[Callable[[], list[_Line]]]:
        return [
            self.host, self.port, self.client_ip, self.scheme, self.method_and_url,
            self.headers, self.path_parameters, self.query, self.form, self.cookies,
            self.body, self.multipart, self.custom_matcher,
        ]

    def _matched(self, section: str, key: str | None, compute: Callable[[], MatchResult]) -> bool:
        """The graded result from the near miss, or a fresh one when it was not graded."""
        results = self._results.get((section, key))
        if results:
            return results.pop(0).matched
        return compute().matched

    def host(self) -> list[_Line]:
        host = self.pattern.host
        if host is None:
            return []
        left = (_operator(host, "") + _expected(host)).strip()
        matched = self._matched("host", None, partial(host.match, self.request.host))
        return [_line("Host", left, self.request.host, matched)]

    def port(self) -> list[_Line]:
        if self.pattern.port is None:
            return []
        matched = self.pattern.port == self.request.port
        return [_line("Port", str(self.pattern.port), str(self.request.port), matched)]

    def client_ip(self) -> list[_Line]:
        client_ip = self.pattern.client_ip
        if client_ip is None:
            return []
        left = (_operator(client_ip, "") + _expected(client_ip)).strip()
        matched = self._matched("clientIp", None, partial(client_ip.match, self.request.client_ip))
        return [_line("Client IP", left, self.request.client_ip, matched)]

    def scheme(self) -> list[_Line]:
        if self.pattern.scheme is None:
            return []
        matched = self.pattern.scheme == self.request.scheme
        return [_line("Scheme", self.pattern.scheme, self.request.scheme, matched)]

    def method_and_url(self) -> list[_Line]:
        pattern, request = self.pattern, self.request
        method = _line("HTTP method", pattern.method, request.method,
                       method_matches(pattern.method, request.method))
        if pattern.url is None:
            return [method, _line("URL", "(always)", request.url, True), _SPACER]
        url = pattern.url
        matched = self._url_matched()
        hint = ""
        if url.kind in (UrlKind.URL_PATTERN, UrlKind.URL_PATH_PATTERN) and not _escaped(url.value):
            hint += '. When using a regex, "?" should be "\\\\?"'
        if not url.value.startswith("/"):
            hint += ". URLs must start with a /"
        left = url.kind.report_label + url.value
        return [method, _line("URL", left, request.url, matched, hint), _SPACER]

    def _url_matched(self) -> bool:
        url = self.pattern.url
        if url is None:
            return True
        return self._matched("url", None, partial(url.match, self.request.url, self.request.path))

    def headers(self) -> list[_Line]:
        return self._header_lines(_with_basic_auth(self.pattern), self.request.header_values,
                                  graded=True)

    def _header_lines(
        self,
        patterns: Sequence[tuple[str, MultiValuePattern | StringMatcher]],
        values_of: Callable[[str], list[str] | None],
        *,
        graded: bool,
    ) -> list[_Line]:
        lines: list[_Line] = []
        for name, mv in patterns:
            values = values_of(name)
            compute: Callable[[], MatchResult]
            if isinstance(mv, MultiValuePattern):
                operator, expected = _multi_operator(mv, ""), _multi_expected(mv)
                left = name + operator + (": " + expected if expected else "")
                compute, section = partial(mv.match, values), "header"
            else:  # the basic-auth expectation
                left = f"{name} [prefix] : {_expected(mv)}"
                compute, section = partial(self._basic_auth, values), "basicAuth"
            matched = (self._matched(section, name, compute) if graded
                       else compute().matched)
            right = "\n".join(f"{name}: {value}" for value in values or [])
            lines.append(_line("Header", left, right, matched))
        if lines:
            lines.append(_SPACER)
        return lines

    def _basic_auth(self, values: list[str] | None) -> MatchResult:
        assert self.pattern.basic_auth is not None
        return basic_auth_result(self.pattern.basic_auth, values)

    def path_parameters(self) -> list[_Line]:
        url = self.pattern.url
        if (url is None or url.kind is not UrlKind.URL_PATH_TEMPLATE
                or not self.pattern.path_parameters or not self._url_matched()):
            return []
        matchers = dict(self.pattern.path_parameters)
        lines: list[_Line] = []
        for name, value in url.path_parameters(self.request.path).items():
            matcher = matchers.get(name)
            if matcher is None:
                continue  # an unconstrained variable
            left = f"Path parameter: {name}{_operator(matcher, ' = ')}{_value(matcher)}"
            matched = self._matched("pathParameter", name, partial(matcher.match, value))
            lines.append(_line("Path parameter", left, f"{name}: {value}", matched))
        lines.append(_SPACER)
        return lines

    def query(self) -> list[_Line]:
        return self._multi_values(
            "Query", "query", "Query: ", self.pattern.query_parameters, self.request.query)

    def form(self) -> list[_Line]:
        return self._multi_values(
            "Form data", "form", "Form: ", self.pattern.form_parameters, self.request.form)

    def _multi_values(
        self,
        section: str,
        field: str,
        prefix: str,
        patterns: Sequence[tuple[str, MultiValuePattern]],
        actual: dict[str, list[str]],
    ) -> list[_Line]:
        lines: list[_Line] = []
        for key, mv in patterns:
            values = actual.get(key)
            left = prefix + key + _multi_operator(mv, " = ") + _multi_expected(mv)
            matched = self._matched(field, key, partial(mv.match, values))
            right = "\n".join(f"{key}: {value}" for value in values or [])
            lines.append(_line(section, left, right, matched))
        if lines:
            lines.append(_SPACER)
        return lines

    def cookies(self) -> list[_Line]:
        lines: list[_Line] = []
        for key, matcher in self.pattern.cookies:
            values = self.request.cookies.get(key)
            left = f"Cookie: {key}{_operator(matcher, '=')}{_value(matcher)}"
            matched = self._matched("cookie", key, partial(best_match, matcher, values))
            lines.append(_line("Cookie", left, values[0] if values else "", matched))
        if lines:
            lines.append(_SPACER)
        return lines

    def body(self) -> list[_Line]:
        return self._body_lines(self.pattern.body_patterns, self.request.content, graded=True)

    def _body_lines(
        self, patterns: Sequence[StringMatcher], content: Content, *, graded: bool
    ) -> list[_Line]:
        lines: list[_Line] = []
        for matcher in patterns:
            compute = partial(matcher.match_content, content)
            matched = self._matched("body", None, compute) if graded else compute().matched
            if matched:
                lines.append(_Line("Body", "", "", True))
                continue
            try:
                lines.append(_body_line(matcher, content))
            except Exception:  # noqa: BLE001 - an expectation that cannot be described still counts
                lines.append(_line("Body", f"[{matcher.operator}]", "\n", False))
        return lines

    def multipart(self) -> list[_Line]:
        lines: list[_Line] = []
        for mp in self.pattern.multipart_patterns:
            matched = self._matched("multipart", mp.name, lambda: MatchResult(False, 1.0))
            if not self.request.is_multipart:
                title = "[Multipart request body]"
                lines.append(_line(title, title, "", True))
            elif not matched:
                lines.extend(self._parts(mp))
        return lines

    def _parts(self, mp: MultipartPattern) -> Iterator[_Line]:
        title = "[Multipart" + (f": {mp.name}" if mp.name is not None else "") + "]"
        for part in self.request.parts:
            part_name = part.name or ""
            yield _SPACER
            yield _Line(title, title, f"[{part_name}]")
            yield _SPACER
            header_lines = self._header_lines(mp.headers, part.header_values, graded=False)
            body_lines = self._body_lines(mp.body_patterns, part.content, graded=False)
            name_ok = mp.file_name is None or not (mp.headers or mp.body_patterns) or (
                part.filename == mp.file_name)
            part_ok = name_ok and all(line.matched for line in header_lines + body_lines)
            if not part_ok:
                yield from header_lines
                yield from body_lines
                yield _SPACER
            yield _Line("[/Multipart]", "[/Multipart]", f"[/{part_name}]")
            yield _SPACER

    def custom_matcher(self) -> list[_Line]:
        custom = self.pattern.custom_matcher
        if custom is None:
            return []
        title = f"[custom matcher: {custom.get('name')}]"
        return [_Line(title, title, title)]


def _with_basic_auth(
    pattern: RequestPattern,
) -> list[tuple[str, MultiValuePattern | StringMatcher]]:
    """Headers with basic auth as an `Authorization` expectation (replacing an explicit one)."""
    headers: list[tuple[str, MultiValuePattern | StringMatcher]] = list(pattern.headers)
    auth = pattern.basic_auth
    if auth is None:
        return headers
    token = base64.b64encode(f"{auth.username}:{auth.password}".encode()).decode("ascii")
    expectation = parse_string_matcher({"equalTo": f"Basic {token}"})
    for i, (name, _) in enumerate(headers):
        if name.lower() == "authorization":
            headers[i] = (name, expectation)
            return headers
    headers.append(("Authorization", expectation))
    return headers


def _escaped(regex: str) -> bool:
    """WireMock's check that the first `?` of a URL regex is escaped (it looks for `\\\\?`)."""
    index = regex.find("?")
    if index < 0:
        return True
    return index >= 2 and regex[index - 2 : index] == "\\\\"


# --- how expectations print ----------------------------------------------------------------


def _operator(matcher: StringMatcher, default: str) -> str:
    """`default` for the equality operators, otherwise ` [operator] `."""
    return default if matcher.operator in _EQUAL_TO_OPERATORS else f" [{matcher.operator}] "


def _multi_operator(mv: MultiValuePattern, default: str) -> str:
    if mv.kind == "single":
        return _operator(mv.matchers[0], default)
    names = " AND ".join(f"{m.operator} {_expected(m)}" for m in mv.matchers)
    return (" exactly " if mv.kind == "hasExactly" else " including ") + f"[{names}]"


def _multi_expected(mv: MultiValuePattern) -> str:
    return _value(mv.matchers[0]) if mv.kind == "single" else ""


def _value(matcher: StringMatcher) -> str:
    """The operand as the stub author wrote it (WireMock's `getValue()`)."""
    op = matcher.operator
    if op == "absent":
        return ""
    if op in ("and", "or"):
        operands = matcher.to_json()[op]
        return _value(parse_string_matcher(operands[0])) if operands else ""
    if op == "not":
        return _expected(parse_string_matcher(matcher.to_json()["not"]))
    if op in ("matchesJsonPath", "matchesXPath"):
        return _path_parts(matcher)[0]
    operand = matcher.to_json().get(op)
    if isinstance(operand, str):
        return operand
    if op in ("equalToJson", "matchesJsonSchema"):
        return _pretty_json(operand)
    return matcher.expected()


def _expected(matcher: StringMatcher) -> str:
    """The expectation as WireMock prints it (`getExpected()`): pretty JSON and XML, and so on."""
    op = matcher.operator
    if op == "absent":
        return "(absent)"
    if op in ("and", "or"):
        parts = [parse_string_matcher(spec) for spec in matcher.to_json()[op]]
        joiner = " AND " if op == "and" else " OR "
        return joiner.join(f"{m.operator} {_expected(m)}" for m in parts)
    if op in ("before", "after", "equalToDateTime"):
        return matcher.expected()
    if op == "equalToJson":
        return _cap(_pretty_json_text(_value(matcher)))
    if op == "equalToXml":
        return _cap(_pretty_xml(_value(matcher)))
    return _value(matcher)


def _path_parts(matcher: StringMatcher) -> tuple[str, StringMatcher | None]:
    """A JSONPath / XPath matcher's expression and its nested matcher (object form)."""
    if matcher.operator == "matchesJsonPath":
        from mockserver.matchers.json import MatchesJsonPathMatcher  # loaded with such stubs

        assert isinstance(matcher, MatchesJsonPathMatcher)
        return matcher.expression, matcher.sub
    shape = matcher.to_json().get(matcher.operator)
    if isinstance(shape, dict):
        rest = {k: v for k, v in shape.items() if k not in ("expression", "xPathNamespaces")}
        return str(shape.get("expression", "")), parse_string_matcher(rest)
    return str(shape), None


def _body_line(matcher: StringMatcher, content: Content) -> _Line:
    op = matcher.operator
    actual = _cap(_formatted_body(matcher, content))
    if op in ("matchesJsonPath", "matchesXPath"):
        expression, sub = _path_parts(matcher)
        if sub is None:
            return _line("Body", expression, actual, False)
        left = f"{expression} [{sub.operator}] {_expected(sub)}"
        result = _json_path_result(matcher, content)
        return _line("Body", left, actual if result is None else _cap(result), False)
    if op == "binaryEqualTo":
        return _line("Body", _value(matcher), actual, False)
    left = f"[{op}]\n" + _cap(_expected(matcher))
    return _line("Body", left, "\n" + actual, False)


def _formatted_body(matcher: StringMatcher, content: Content) -> str:
    text = content.text
    if text is None:
        return ""
    if matcher.operator == "equalToJson":
        return _pretty_json_text(text)
    if matcher.operator == "equalToXml":
        return _pretty_xml(text)
    if matcher.operator == "binaryEqualTo":
        return base64.b64encode(content.raw).decode("ascii")
    return text


def _json_path_result(matcher: StringMatcher, content: Content) -> str | None:
    """What a JSONPath expression selects, printed as WireMock does; None when nothing."""
    if matcher.operator != "matchesJsonPath" or len(content.raw) > _EVALUATE_LIMIT:
        return None  # past the limit, show the body rather than pay for the path twice
    from mockserver.matchers.json import MatchesJsonPathMatcher  # loaded with such stubs

    assert isinstance(matcher, MatchesJsonPathMatcher)
    doc = content.json_value
    if doc is Content.INVALID:
        return None
    try:
        result = matcher.path.evaluate(doc)
    except Exception:  # noqa: BLE001 - a path error selects nothing
        return None
    if isinstance(result, list):
        items = [_scalar_text(item) for item in result]
        if not items:
            return None
        return items[0] if len(items) == 1 else "[" + ", ".join(items) + "]"
    if result is None or not isinstance(result, (dict, str, int, float)):
        return None
    return _scalar_text(result)


def _scalar_text(value: Any) -> str:
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


def _cap(text: str) -> str:
    if len(text) <= BODY_LIMIT:
        return text
    return text[:BODY_LIMIT] + f"\n... ({len(text) - BODY_LIMIT} more characters)"


# --- Jackson-style pretty JSON, XML -----------------------------------------------------------


class _Number(str):
    """A JSON number kept as written, so `1.50` prints as `1.50`."""


class _Enough(Exception):
    """Raised by the pretty-printer once the output is past what will be shown."""


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _pretty_json_text(text: str) -> str:
    """Jackson's default pretty printer over `text`, or `text` itself when it is not JSON."""
    try:
        value = json.loads(text, parse_float=_Number, parse_int=_Number,
                           parse_constant=_no_constants)
    except (ValueError, RecursionError):
        return text
    return _pretty_json(value, fallback=text)


def _pretty_json(value: Any, fallback: str = "") -> str:
    writer = _JsonWriter(BODY_LIMIT + 1)
    try:
        writer.value(value, 0)
    except _Enough:
        pass
    except RecursionError:
        return fallback
    return "".join(writer.parts)


class _JsonWriter:
    """Jackson's default pretty printer: `{` entries on their own lines as `"key" : value`,
    arrays inline as `[ a, b ]`, empty containers as `{ }` and `[ ]`; stops past `limit`."""

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
            self.emit(_scalar_text(value))


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b",
            "\f": "\\f"}
_TO_ESCAPE = re.compile(r'["\\\x00-\x1f]')


def _json_string(text: str) -> str:
    return '"' + _TO_ESCAPE.sub(
        lambda m: _ESCAPES.get(m.group(), f"\\u{ord(m.group()):04X}"), text) + '"'


def _pretty_xml(text: str) -> str:
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
