"""The nearest stubs to a request, and the nearest journalled requests to a pattern.

With thousands of stubs, grading all of them for every 404 would make unmatched requests
the slowest ones. Up to `GRADE_ALL_BELOW` stubs every stub is graded (the report is exactly
WireMock's); past it only a bounded neighbourhood is: at most `NEIGHBOURHOOD` stubs that could
match the URL, as many filed nearest to the request's path in the segment trie (same method
first) and as many of the residual list, so a 404 costs the same at 1,000 or 100,000 stubs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from mockserver.exchange import Request
from mockserver.matching.pattern import RequestMatch, distance, score
from mockserver.matching.registry import Registry
from mockserver.model import RequestPattern, StubMapping

NEAREST = 3
GRADE_ALL_BELOW = 500
NEIGHBOURHOOD = 200


@dataclass(frozen=True, slots=True)
class NearMiss:
    stub: StubMapping | None
    request: Request
    match: RequestMatch
    pattern: RequestPattern | None = None


def nearest_stubs(registry: Registry, request: Request, limit: int = NEAREST) -> list[NearMiss]:
    stubs: Iterable[StubMapping]
    if len(registry) <= GRADE_ALL_BELOW:
        stubs = registry.all()
    else:
        stubs = registry.nearby(request, NEIGHBOURHOOD)
    ranked = sorted(stubs, key=lambda stub: distance(stub.request, request))[:limit]
    return [NearMiss(stub, request, score(stub.request, request)) for stub in ranked]


def nearest_requests(
    requests: Iterable[Request], pattern: RequestPattern, limit: int = NEAREST
) -> list[NearMiss]:
    graded = [NearMiss(None, request, score(pattern, request), pattern) for request in requests]
    graded.sort(key=lambda n: n.match.distance)
    return graded[:limit]
