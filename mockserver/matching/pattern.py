"""Matching a request against a request pattern: a quick yes/no, or a graded score.

`matches()` is the hot path: it stops at the first field that fails, cheapest fields first.
`score()` grades every field, so near misses can be ranked and explained; it weighs fields
as WireMock does (URL, host and port ×10, method, scheme and client IP ×3, the rest ×1).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from mockserver.exchange import Part, Request
from mockserver.matchers.base import EXACT, MatchResult, StringMatcher, no_match, result_of
from mockserver.model import BasicAuth, MultipartPattern, RequestPattern


@dataclass(frozen=True, slots=True)
class FieldResult:
    """The outcome for one part of a pattern: `section` such as "header", `key` its name."""

    section: str
    key: str | None
    result: MatchResult
    weight: float = 1.0


@dataclass(frozen=True, slots=True)
class RequestMatch:
    matched: bool
    distance: float
    fields: tuple[FieldResult, ...] = ()


def method_matches(expected: str, actual: str) -> bool:
    if expected == "ANY" or expected == actual:
        return True
    return expected == "GET_OR_HEAD" and actual in ("GET", "HEAD")


def basic_auth_result(auth: BasicAuth, values: list[str] | None) -> MatchResult:
    """`Basic <base64(user:pass)>`: the scheme word case-insensitive, the token exact."""
    token = base64.b64encode(f"{auth.username}:{auth.password}".encode()).decode("ascii")
    if not values:
        return no_match("Authorization header is not present")
    for value in values:
        scheme, _, credentials = value.partition(" ")
        if scheme.lower() == "basic" and credentials == token:
            return EXACT
    return no_match("credentials differ")


def matches(pattern: RequestPattern, request: Request) -> bool:
    """True when every field of the pattern matches; stops at the first failure."""
    if not method_matches(pattern.method, request.method):
        return False
    if pattern.url is not None and not pattern.url.test(request.url, request.path):
        return False
    if pattern.scheme is not None and pattern.scheme != request.scheme:
        return False
    if pattern.host is not None and not pattern.host.match(request.host).matched:
        return False
    if pattern.port is not None and pattern.port != request.port:
        return False
    if pattern.client_ip is not None and not pattern.client_ip.match(request.client_ip).matched:
        return False
    return all(f.result.matched for f in _detail_fields(pattern, request, stop_early=True))


def score(pattern: RequestPattern, request: Request) -> RequestMatch:
    """Every field graded; the distance is the weighted mean of the field distances.

    As in WireMock, the detailed fields count only once the cheap ones (URL, method, ...)
    all match, so a stub for another URL always ranks behind one for the right URL.
    """
    cheap = list(_cheap_fields(pattern, request))
    detail = list(_detail_fields(pattern, request, stop_early=False))
    counted = cheap + detail if all(f.result.matched for f in cheap) else cheap
    total_weight = sum(f.weight for f in counted) or 1.0
    distance = sum(f.weight * f.result.distance for f in counted) / total_weight
    matched = all(f.result.matched for f in cheap) and all(f.result.matched for f in detail)
    return RequestMatch(matched, 0.0 if matched else distance, tuple(cheap + detail))


def distance(pattern: RequestPattern, request: Request) -> float:
    """`score(pattern, request).distance`, skipping the detailed fields when the cheap ones
    already differ (they would not count): ranking many stubs for one near miss."""
    cheap = _cheap_fields(pattern, request)
    if all(f.result.matched for f in cheap):
        return score(pattern, request).distance
    return sum(f.weight * f.result.distance for f in cheap) / sum(f.weight for f in cheap)


def _cheap_fields(pattern: RequestPattern, request: Request) -> list[FieldResult]:
    return [
        FieldResult("scheme", None, result_of(
            pattern.scheme is None or pattern.scheme == request.scheme), 3.0),
        FieldResult("host", None, EXACT if pattern.host is None
                    else pattern.host.match(request.host), 10.0),
        FieldResult("port", None, result_of(
            pattern.port is None or pattern.port == request.port), 10.0),
        FieldResult("clientIp", None, EXACT if pattern.client_ip is None
                    else pattern.client_ip.match(request.client_ip), 3.0),
        FieldResult("url", None, EXACT if pattern.url is None
                    else pattern.url.match(request.url, request.path), 10.0),
        FieldResult("method", None, result_of(method_matches(pattern.method, request.method)), 3.0),
    ]


def _detail_fields(
    pattern: RequestPattern, request: Request, *, stop_early: bool
) -> list[FieldResult]:
    out: list[FieldResult] = []

    def add(section: str, key: str | None, result: MatchResult) -> bool:
        out.append(FieldResult(section, key, result))
        return stop_early and not result.matched

    if pattern.path_parameters and pattern.url is not None:
        values = pattern.url.path_parameters(request.path)
        for name, matcher in pattern.path_parameters:
            if add("pathParameter", name, matcher.match(values.get(name))):
                return out
    for name, mv in pattern.headers:
        if pattern.basic_auth is not None and name.lower() == "authorization":
            continue  # basic auth replaces an explicit Authorization matcher
        if add("header", name, mv.match(request.header_values(name))):
            return out
    if pattern.basic_auth is not None:
        result = basic_auth_result(pattern.basic_auth, request.header_values("Authorization"))
        if add("basicAuth", "Authorization", result):
            return out
    for name, mv in pattern.query_parameters:
        if add("query", name, mv.match(request.query.get(name))):
            return out
    for name, mv in pattern.form_parameters:
        if add("form", name, mv.match(request.form.get(name))):
            return out
    for name, matcher in pattern.cookies:
        if add("cookie", name, _best(matcher, request.cookies.get(name))):
            return out
    for matcher in pattern.body_patterns:
        if add("body", None, matcher.match_content(request.content)):
            return out
    for mp in pattern.multipart_patterns:
        if add("multipart", mp.name, _multipart_result(mp, request)):
            return out
    if pattern.custom_matcher is not None:
        add("customMatcher", str(pattern.custom_matcher.get("name")),
            no_match("custom matchers are not supported"))
    return out


def _best(matcher: StringMatcher, values: list[str] | None) -> MatchResult:
    """A single-valued matcher (cookies) over repeated values: the best value counts."""
    if not values:
        return matcher.match(None)
    best = None
    for value in values:
        result = matcher.match(value)
        if result.matched:
            return EXACT
        if best is None or result.distance < best.distance:
            best = result
    assert best is not None
    return best


def _multipart_result(mp: MultipartPattern, request: Request) -> MatchResult:
    if not request.is_multipart:
        return no_match("request is not multipart")
    parts = request.parts
    if not parts:
        return no_match("no parts")
    outcomes = [_part_matches(mp, part) for part in parts]
    ok = all(outcomes) if mp.matching_type == "ALL" else any(outcomes)
    return result_of(ok, "no part matches")


def _part_matches(mp: MultipartPattern, part: Part) -> bool:
    if mp.file_name is not None and (mp.headers or mp.body_patterns):
        if part.filename != mp.file_name:
            return False
    for name, mv in mp.headers:
        if not mv.match(part.header_values(name)).matched:
            return False
    return all(m.match_content(part.content).matched for m in mp.body_patterns)
