"""The nearest stubs to a request, and the nearest journalled requests to a pattern.

With thousands of stubs, grading all of them for every 404 would make unmatched requests
the slowest ones; past a threshold only the stubs that share the request's path, its first
segment or that match any URL are graded, plus the stubs whose literal paths sort next to it.
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
        stubs = registry.nearby(request)
    ranked = sorted(stubs, key=lambda stub: distance(stub.request, request))[:limit]
    return [NearMiss(stub, request, score(stub.request, request)) for stub in ranked]


def nearest_requests(
    requests: Iterable[Request], pattern: RequestPattern, limit: int = NEAREST
) -> list[NearMiss]:
    graded = [NearMiss(None, request, score(pattern, request), pattern) for request in requests]
    graded.sort(key=lambda n: n.match.distance)
    return graded[:limit]
