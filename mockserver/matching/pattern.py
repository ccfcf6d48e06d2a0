"""Matching a request against a request pattern: a quick yes/no, or a graded score.

`matches()` is the hot path: it stops at the first field that fails, cheapest fields first.
`score()` grades every field, so near misses can be ranked and explained; it weighs fields
as WireMock does (URL, host and port ×10, method, scheme and client IP ×3, the rest ×1).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from mockserver.exchange import Part, Request
from mockserver.matchers.base import EXACT, MatchResult, no_match, result_of
from mockserver.matchers.multivalue import any_matches, best_match
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


def basic_auth_token(auth: BasicAuth) -> str:
    """The credentials as an `Authorization: Basic` header carries them."""
    return base64.b64encode(f"{auth.username}:{auth.password}".encode()).decode("ascii")


def basic_auth_result(auth: BasicAuth, values: list[str] | None) -> MatchResult:
    """`Basic <base64(user:pass)>`: the scheme word case-insensitive, the token exact."""
    token = basic_auth_token(auth)
    if not values:
        return no_match("Authorization header is not present")
    for value in values:
        scheme, _, credentials = value.partition(" ")
        if scheme.lower() == "basic" and credentials == token:
            return EXACT
    return no_match("credentials differ")


def matches(pattern: RequestPattern, request: Request) -> bool:
    """True when every field of the pattern matches; stops at the first failure and never
    asks a matcher for a distance."""
    if not method_matches(pattern.method, request.method):
        return False
    if pattern.url is not None and not pattern.url.test(request.url, request.path):
        return False
    if pattern.scheme is not None and pattern.scheme != request.scheme:
        return False
    if pattern.host is not None and not pattern.host.matches(request.host):
        return False
    if pattern.port is not None and pattern.port != request.port:
        return False
    if pattern.client_ip is not None and not pattern.client_ip.matches(request.client_ip):
        return False
    return _details_match(pattern, request)


def _details_match(pattern: RequestPattern, request: Request) -> bool:
    """The detailed fields' yes/no, in the order `_detail_fields` grades them."""
    if pattern.path_parameters and pattern.url is not None:
        values = pattern.url.path_parameters(request.path)
        if not all(m.matches(values.get(name)) for name, m in pattern.path_parameters):
            return False
    for name, mv in pattern.headers:
        if pattern.basic_auth is not None and name.lower() == "authorization":
            continue  # basic auth replaces an explicit Authorization matcher
        if not mv.matches(request.header_values(name)):
            return False
    if pattern.basic_auth is not None and not basic_auth_result(
        pattern.basic_auth, request.header_values("Authorization")
    ).matched:
        return False
    # each `all` is guarded: most stubs leave most fields out, and an empty `all(...)` still
    # costs a generator per request
    if pattern.query_parameters and not all(
            mv.matches(request.query.get(name)) for name, mv in pattern.query_parameters):
        return False
    if pattern.form_parameters and not all(
            mv.matches(request.form.get(name)) for name, mv in pattern.form_parameters):
        return False
    if pattern.cookies and not all(
            any_matches(m, request.cookies.get(name)) for name, m in pattern.cookies):
        return False
    if pattern.body_patterns and not all(
            m.matches_content(request.content) for m in pattern.body_patterns):
        return False
    if pattern.multipart_patterns and not all(
            _multipart_matches(mp, request) for mp in pattern.multipart_patterns):
        return False
    return pattern.custom_matcher is None  # custom (Java) matchers are not supported


def score(pattern: RequestPattern, request: Request) -> RequestMatch:
    """Every field graded; the distance is the weighted mean of the field distances.

    As in WireMock, the detailed fields count only once the cheap ones (URL, method, ...)
    all match, so a stub for another URL always ranks behind one for the right URL.
    """
    cheap = list(_cheap_fields(pattern, request))
    detail = _detail_fields(pattern, request)
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


def _detail_fields(pattern: RequestPattern, request: Request) -> list[FieldResult]:
    out: list[FieldResult] = []
    if pattern.path_parameters and pattern.url is not None:
        values = pattern.url.path_parameters(request.path)
        for name, matcher in pattern.path_parameters:
            out.append(FieldResult("pathParameter", name, matcher.match(values.get(name))))
    for name, mv in pattern.headers:
        if pattern.basic_auth is not None and name.lower() == "authorization":
            continue  # basic auth replaces an explicit Authorization matcher
        out.append(FieldResult("header", name, mv.match(request.header_values(name))))
    if pattern.basic_auth is not None:
        result = basic_auth_result(pattern.basic_auth, request.header_values("Authorization"))
        out.append(FieldResult("basicAuth", "Authorization", result))
    for name, mv in pattern.query_parameters:
        out.append(FieldResult("query", name, mv.match(request.query.get(name))))
    for name, mv in pattern.form_parameters:
        out.append(FieldResult("form", name, mv.match(request.form.get(name))))
    for name, matcher in pattern.cookies:
        out.append(FieldResult("cookie", name, best_match(matcher, request.cookies.get(name))))
    for matcher in pattern.body_patterns:
        out.append(FieldResult("body", None, matcher.match_content(request.content)))
    for mp in pattern.multipart_patterns:
        out.append(FieldResult("multipart", mp.name, result_of(
            _multipart_matches(mp, request), _multipart_reason(request))))
    if pattern.custom_matcher is not None:
        out.append(FieldResult("customMatcher", str(pattern.custom_matcher.get("name")),
                               no_match("custom matchers are not supported")))
    return out


def _multipart_matches(mp: MultipartPattern, request: Request) -> bool:
    if not request.is_multipart or not request.parts:
        return False
    outcomes = (_part_matches(mp, part) for part in request.parts)
    return all(outcomes) if mp.matching_type == "ALL" else any(outcomes)


def _multipart_reason(request: Request) -> str:
    if not request.is_multipart:
        return "request is not multipart"
    return "no parts" if not request.parts else "no part matches"


def _part_matches(mp: MultipartPattern, part: Part) -> bool:
    if mp.file_name is not None and (mp.headers or mp.body_patterns):
        if part.filename != mp.file_name:
            return False
    for name, mv in mp.headers:
        if not mv.matches(part.header_values(name)):
            return False
    return all(m.matches_content(part.content) for m in mp.body_patterns)
