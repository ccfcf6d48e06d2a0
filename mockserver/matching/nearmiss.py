"""The nearest stubs to a request, and the nearest journalled requests to a pattern.

With thousands of stubs, grading all of them for every 404 would make unmatched requests
the slowest ones (a graded URL is an edit distance: about half a millisecond each). Up to
`GRADE_ALL_BELOW` stubs every stub is graded (the report is exactly WireMock's). Past it, a
bounded neighbourhood is gathered (at most `NEIGHBOURHOOD` stubs that could match the URL, as
many filed nearest to the request's path in the segment trie, same method first, and as many of
the residual list), ranked by a cheap estimate of the same distance, and only the `GRADED`
best by that estimate are graded exactly: a 404 costs the same at 1,000 or 100,000 stubs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import cast

from mockserver.exchange import Request
from mockserver.matchers.url import UrlKind
from mockserver.matching.pattern import RequestMatch, distance, method_matches, score
from mockserver.matching.registry import Registry
from mockserver.model import RequestPattern, StubMapping

NEAREST = 3
GRADE_ALL_BELOW = 500
NEIGHBOURHOOD = 200
GRADED = 8
MEMO_KEPT = 256  # unmatched requests whose nearest stubs are remembered
_MEMO = "nearest_stubs"


@dataclass(frozen=True, slots=True)
class NearMiss:
    stub: StubMapping | None
    request: Request
    match: RequestMatch
    pattern: RequestPattern | None = None


def nearest_stubs(registry: Registry, request: Request, limit: int = NEAREST) -> list[NearMiss]:
    """The `limit` stubs closest to `request`, closest first.

    The same unmatched request again (a client retrying, a poll) gets the answer found the
    first time, until the stubs change: grading depends on the stubs and the request only."""
    signature = request.signature()
    if signature is None:
        return _nearest(registry, request, limit)
    memo = cast("dict[tuple[object, ...], list[NearMiss]]",
                registry.derived.setdefault(_MEMO, {}))
    key = (limit, *signature)
    found = memo.get(key)
    if found is None:
        if len(memo) >= MEMO_KEPT:
            memo.clear()
        found = memo[key] = _nearest(registry, request, limit)
    return list(found)


def _nearest(registry: Registry, request: Request, limit: int) -> list[NearMiss]:
    stubs: Iterable[StubMapping]
    if len(registry) <= GRADE_ALL_BELOW:
        stubs = registry.all()
    else:
        stubs = sorted(registry.nearby(request, NEIGHBOURHOOD),
                       key=lambda stub: _estimate(stub, request))[:GRADED]
    ranked = sorted(stubs, key=lambda stub: distance(stub.request, request))[:limit]
    return [NearMiss(stub, request, score(stub.request, request)) for stub in ranked]


def _estimate(stub: StubMapping, request: Request) -> tuple[bool, float, bool]:
    """A cheap stand-in for `distance`: URL fits, an upper bound of its edit distance, method.

    The edit distance of two strings is that of what is left once their common prefix and
    suffix are cut, and at most the longer of the two leftovers: URLs sharing `/api/v1/` are
    told apart without running an edit distance at all.
    """
    pattern = stub.request
    url = pattern.url
    method_ok = method_matches(pattern.method, request.method)
    if url is None or url.test(request.url, request.path):
        return (False, 0.0, not method_ok)
    if url.kind in (UrlKind.URL, UrlKind.URL_PATH):
        expected = url.value
    elif url.kind is UrlKind.URL_PATH_TEMPLATE and url.template is not None:
        expected = url.template.blanked
    else:
        return (True, 1.0, not method_ok)  # a regex that fails is at distance 1
    actual = request.url if url.kind is UrlKind.URL else request.path
    return (True, _leftover_ratio(expected, actual), not method_ok)


def _leftover_ratio(a: str, b: str) -> float:
    longest = max(len(a), len(b)) or 1
    start = 0
    shortest = min(len(a), len(b))
    while start < shortest and a[start] == b[start]:
        start += 1
    end = 0
    while end < shortest - start and a[-1 - end] == b[-1 - end]:
        end += 1
    return max(len(a), len(b)) and max(len(a) - start - end, len(b) - start - end) / longest


def nearest_requests(
    requests: Iterable[Request], pattern: RequestPattern, limit: int = NEAREST
) -> list[NearMiss]:
    graded = [NearMiss(None, request, score(pattern, request), pattern) for request in requests]
    graded.sort(key=lambda n: n.match.distance)
    return graded[:limit]
