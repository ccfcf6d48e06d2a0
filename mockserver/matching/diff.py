"""The lines of a near-miss report: each expectation of a pattern beside what a request carried.

Every section of a request pattern (host, method and URL, headers, query, body, ...) becomes
lines; each matcher prints its own expectation (`report_value`, `report_expected`,
`report_body`), so an operator's look lives with the operator. Whether a line matched comes
from the near miss's graded fields when they were graded, else from the matcher's yes/no.
A section that cannot be described is left out: a report never fails.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial

from mockserver.exchange import Content, Request
from mockserver.matchers.base import MatchResult, StringMatcher
from mockserver.matchers.multivalue import MultiValuePattern, any_matches
from mockserver.matchers.strings import EqualTo
from mockserver.matchers.url import UrlKind
from mockserver.matching.nearmiss import NearMiss
from mockserver.matching.pattern import (
    FieldResult,
    basic_auth_result,
    basic_auth_token,
    method_matches,
)
from mockserver.model import MultipartPattern, RequestPattern

__all__ = ["Line", "diff_lines"]


@dataclass(frozen=True, slots=True)
class Line:
    """One expectation beside the actual value; `matched` decides whether body lines show."""

    section: str
    left: str
    right: str
    matched: bool = True
    message: str | None = None


_SPACER = Line("spacer", "", "")


def _line(section: str, left: str, right: str, matched: bool, hint: str = "") -> Line:
    """WireMock's message rule: an empty actual value is "not present", even when it matched."""
    if not right:
        message: str | None = f"{section} is not present"
    elif not matched:
        message = f"{section} does not match"
    else:
        message = None
    if message is not None and hint:
        message += hint
    return Line(section, left, right, matched, message)


def diff_lines(near: NearMiss, scenario_state: str | None = None) -> list[Line]:
    """Every line of the report for `near`; `scenario_state` is the stub's scenario's current
    state when the caller knows it."""
    stub = near.stub
    pattern = stub.request if stub is not None else (near.pattern or RequestPattern())
    builder = _Builder(pattern, near.request, near.match.fields)
    lines: list[Line] = []
    for section in builder.sections():
        try:
            lines.extend(section())
        except Exception:  # noqa: BLE001 - a report must never fail: leave the section out
            continue
    if stub is not None and stub.scenario_name and stub.required_scenario_state is not None:
        lines.append(_scenario_line(
            stub.scenario_name, stub.required_scenario_state, scenario_state))
    return lines


def _scenario_line(name: str, required: str, current: str | None) -> Line:
    left = f"[Scenario '{name}' state: {required}]"
    if current is None:  # the caller does not know the state: show the expectation only
        return Line("Scenario", left, "")
    return _line("Scenario", left, f"[Scenario '{name}' state: {current}]", current == required)


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

    def sections(self) -> list[Callable[[], list[Line]]]:
        return [
            self.host, self.port, self.client_ip, self.scheme, self.method_and_url,
            self.headers, self.path_parameters, self.query, self.form, self.cookies,
            self.body, self.multipart, self.custom_matcher,
        ]

    def _matched(self, section: str, key: str | None, compute: Callable[[], bool]) -> bool:
        """The graded result from the near miss, or a fresh yes/no when it was not graded."""
        results = self._results.get((section, key))
        if results:
            return results.pop(0).matched
        return compute()

    def host(self) -> list[Line]:
        host = self.pattern.host
        if host is None:
            return []
        left = (host.report_operator("") + host.report_expected()).strip()
        matched = self._matched("host", None, partial(host.matches, self.request.host))
        return [_line("Host", left, self.request.host, matched)]

    def port(self) -> list[Line]:
        if self.pattern.port is None:
            return []
        matched = self.pattern.port == self.request.port
        return [_line("Port", str(self.pattern.port), str(self.request.port), matched)]

    def client_ip(self) -> list[Line]:
        client_ip = self.pattern.client_ip
        if client_ip is None:
            return []
        left = (client_ip.report_operator("") + client_ip.report_expected()).strip()
        matched = self._matched(
            "clientIp", None, partial(client_ip.matches, self.request.client_ip))
        return [_line("Client IP", left, self.request.client_ip, matched)]

    def scheme(self) -> list[Line]:
        if self.pattern.scheme is None:
            return []
        matched = self.pattern.scheme == self.request.scheme
        return [_line("Scheme", self.pattern.scheme, self.request.scheme, matched)]

    def method_and_url(self) -> list[Line]:
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
        return self._matched("url", None, partial(url.test, self.request.url, self.request.path))

    def headers(self) -> list[Line]:
        return self._header_lines(_with_basic_auth(self.pattern), self.request.header_values,
                                  graded=True)

    def _header_lines(
        self,
        patterns: Sequence[tuple[str, MultiValuePattern | StringMatcher]],
        values_of: Callable[[str], list[str] | None],
        *,
        graded: bool,
    ) -> list[Line]:
        lines: list[Line] = []
        for name, mv in patterns:
            values = values_of(name)
            compute: Callable[[], bool]
            if isinstance(mv, MultiValuePattern):
                operator, expected = mv.report_operator(""), mv.report_value()
                left = name + operator + (": " + expected if expected else "")
                compute, section = partial(mv.matches, values), "header"
            else:  # the basic-auth expectation
                left = f"{name} [prefix] : {mv.report_expected()}"
                compute, section = partial(self._basic_auth, values), "basicAuth"
            matched = self._matched(section, name, compute) if graded else compute()
            right = "\n".join(f"{name}: {value}" for value in values or [])
            lines.append(_line("Header", left, right, matched))
        if lines:
            lines.append(_SPACER)
        return lines

    def _basic_auth(self, values: list[str] | None) -> bool:
        assert self.pattern.basic_auth is not None
        return basic_auth_result(self.pattern.basic_auth, values).matched

    def path_parameters(self) -> list[Line]:
        url = self.pattern.url
        if (url is None or url.kind is not UrlKind.URL_PATH_TEMPLATE
                or not self.pattern.path_parameters or not self._url_matched()):
            return []
        matchers = dict(self.pattern.path_parameters)
        lines: list[Line] = []
        for name, value in url.path_parameters(self.request.path).items():
            matcher = matchers.get(name)
            if matcher is None:
                continue  # an unconstrained variable
            left = f"Path parameter: {name}{matcher.report_operator(' = ')}"
            left += matcher.report_value()
            matched = self._matched("pathParameter", name, partial(matcher.matches, value))
            lines.append(_line("Path parameter", left, f"{name}: {value}", matched))
        lines.append(_SPACER)
        return lines

    def query(self) -> list[Line]:
        return self._multi_values(
            "Query", "query", "Query: ", self.pattern.query_parameters, self.request.query)

    def form(self) -> list[Line]:
        return self._multi_values(
            "Form data", "form", "Form: ", self.pattern.form_parameters, self.request.form)

    def _multi_values(
        self,
        section: str,
        field: str,
        prefix: str,
        patterns: Sequence[tuple[str, MultiValuePattern]],
        actual: dict[str, list[str]],
    ) -> list[Line]:
        lines: list[Line] = []
        for key, mv in patterns:
            values = actual.get(key)
            left = prefix + key + mv.report_operator(" = ") + mv.report_value()
            matched = self._matched(field, key, partial(mv.matches, values))
            right = "\n".join(f"{key}: {value}" for value in values or [])
            lines.append(_line(section, left, right, matched))
        if lines:
            lines.append(_SPACER)
        return lines

    def cookies(self) -> list[Line]:
        lines: list[Line] = []
        for key, matcher in self.pattern.cookies:
            values = self.request.cookies.get(key)
            left = f"Cookie: {key}{matcher.report_operator('=')}{matcher.report_value()}"
            matched = self._matched("cookie", key, partial(any_matches, matcher, values))
            lines.append(_line("Cookie", left, values[0] if values else "", matched))
        if lines:
            lines.append(_SPACER)
        return lines

    def body(self) -> list[Line]:
        return self._body_lines(self.pattern.body_patterns, self.request.content, graded=True)

    def _body_lines(
        self, patterns: Sequence[StringMatcher], content: Content, *, graded: bool
    ) -> list[Line]:
        lines: list[Line] = []
        for matcher in patterns:
            compute = partial(matcher.matches_content, content)
            matched = self._matched("body", None, compute) if graded else compute()
            if matched:
                lines.append(Line("Body", "", "", True))
                continue
            try:
                lines.append(_line("Body", *matcher.report_body(content), False))
            except Exception:  # noqa: BLE001 - an expectation that cannot be described still counts
                lines.append(_line("Body", f"[{matcher.operator}]", "\n", False))
        return lines

    def multipart(self) -> list[Line]:
        lines: list[Line] = []
        for mp in self.pattern.multipart_patterns:
            matched = self._matched("multipart", mp.name, lambda: False)
            if not self.request.is_multipart:
                title = "[Multipart request body]"
                lines.append(_line(title, title, "", True))
            elif not matched:
                lines.extend(self._parts(mp))
        return lines

    def _parts(self, mp: MultipartPattern) -> Iterator[Line]:
        title = "[Multipart" + (f": {mp.name}" if mp.name is not None else "") + "]"
        for part in self.request.parts:
            part_name = part.name or ""
            yield _SPACER
            yield Line(title, title, f"[{part_name}]")
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
            yield Line("[/Multipart]", "[/Multipart]", f"[/{part_name}]")
            yield _SPACER

    def custom_matcher(self) -> list[Line]:
        custom = self.pattern.custom_matcher
        if custom is None:
            return []
        title = f"[custom matcher: {custom.get('name')}]"
        return [Line(title, title, title)]


def _with_basic_auth(
    pattern: RequestPattern,
) -> list[tuple[str, MultiValuePattern | StringMatcher]]:
    """Headers with basic auth as an `Authorization` expectation (replacing an explicit one)."""
    headers: list[tuple[str, MultiValuePattern | StringMatcher]] = list(pattern.headers)
    auth = pattern.basic_auth
    if auth is None:
        return headers
    expectation = EqualTo(f"Basic {basic_auth_token(auth)}")
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
