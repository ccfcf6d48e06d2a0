"""The live, ordered set of stubs, indexed so a request is tested against few of them.

Order is WireMock's: priority ascending, then newest first. Stubs whose URL pins a literal
path live in a bucket per path; regex and template stubs whose first path segment is literal
live in a bucket per segment; the rest (any URL, unanchored patterns) in one residual list.
A request looks at its path bucket, its segment bucket and the residual list, merged in order,
so with 10,000 stubs it still tests only the handful that could match.
"""

from __future__ import annotations

import heapq
import itertools
from bisect import bisect_left, insort
from collections.abc import Iterable, Iterator

from mockserver.exchange import Request
from mockserver.matchers.url import request_first_segment
from mockserver.matching.pattern import matches
from mockserver.matching.scenarios import Scenarios
from mockserver.model import StubMapping


def _key(stub: StubMapping) -> tuple[int, int]:
    return stub.order_key


def _remove_exact(ordered: list[StubMapping], stub: StubMapping) -> None:
    """Remove by position: order keys are unique, so bisect finds the very object."""
    index = bisect_left(ordered, stub.order_key, key=_key)
    if index < len(ordered) and ordered[index] is stub:
        del ordered[index]
    else:  # pragma: no cover - defensive, the index is kept consistent
        ordered[:] = [s for s in ordered if s is not stub]


class Registry:
    def __init__(self) -> None:
        self._by_id: dict[str, StubMapping] = {}
        self._ordered: list[StubMapping] = []
        self._by_path: dict[str, list[StubMapping]] = {}
        self._by_segment: dict[str, list[StubMapping]] = {}
        self._residual: list[StubMapping] = []
        self._paths_sorted: list[str] = []
        self._counter = itertools.count(1)
        self.scenarios = Scenarios()

    # -- reading -------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, stub_id: object) -> bool:
        return stub_id in self._by_id

    def get(self, stub_id: str) -> StubMapping | None:
        return self._by_id.get(stub_id)

    def all(self) -> list[StubMapping]:
        """Every stub in matching order (what `GET /__admin/mappings` lists)."""
        return list(self._ordered)

    def candidates(self, request: Request) -> Iterable[StubMapping]:
        """Stubs that could match `request`, in matching order."""
        lists = [self._residual]
        bucket = self._by_path.get(request.path)
        if bucket:
            lists.append(bucket)
        segment = request_first_segment(request.path)
        if segment is not None:
            seg_bucket = self._by_segment.get(segment)
            if seg_bucket:
                lists.append(seg_bucket)
        non_empty = [lst for lst in lists if lst]
        if len(non_empty) == 1:
            return non_empty[0]
        if not non_empty:
            return ()
        return heapq.merge(*non_empty, key=_key)

    def nearby(self, request: Request, neighbours: int = 8) -> list[StubMapping]:
        """Candidates plus stubs whose literal paths sort next to the request's path."""
        found = {stub.id: stub for stub in self.candidates(request)}
        position = bisect_left(self._paths_sorted, request.path)
        for path in self._paths_sorted[max(0, position - neighbours) : position + neighbours]:
            for stub in self._by_path.get(path, ()):
                found.setdefault(stub.id, stub)
        return list(found.values())

    def find(self, request: Request) -> StubMapping | None:
        """The stub that answers `request`, firing its scenario transition (atomically)."""
        scenarios = self.scenarios
        for stub in self.candidates(request):
            if matches(stub.request, request) and scenarios.eligible(stub):
                scenarios.transition(stub)
                return stub
        return None

    # -- writing -------------------------------------------------------------------------
    def add(self, stub: StubMapping) -> StubMapping:
        """Add a stub as the newest; an existing stub with the same id is replaced."""
        if stub.id in self._by_id:
            self.remove(stub.id)
        stub = stub.with_changes(insertion_index=next(self._counter))
        self._insert(stub)
        return stub

    def replace(self, stub: StubMapping) -> StubMapping:
        """Swap in a new version of an existing stub, keeping its place in the order."""
        old = self._by_id[stub.id]
        # Scenario membership moves across before the old version leaves, so a scenario whose
        # only stub is edited keeps its current state (as in WireMock).
        self.scenarios.add(stub)
        self._discard(old)
        stub = stub.with_changes(insertion_index=old.insertion_index)
        self._insert(stub, scenario=False)
        return stub

    def remove(self, stub_id: str) -> StubMapping | None:
        stub = self._by_id.get(stub_id)
        if stub is not None:
            self._discard(stub)
        return stub

    def swap(self, old: list[StubMapping], new: list[StubMapping]) -> list[StubMapping]:
        """Replace the stubs `old` by `new` in one synchronous step (a reloaded file).

        The i-th new stub takes the i-th old stub's place in the matching order, so a file
        keeps the precedence it had; extra new stubs count as the newest. Scenario membership
        of the new stubs is counted before the old ones leave, so scenario states survive.
        """
        for stub in new:
            self.scenarios.add(stub)
        places: list[int] = []
        for stub in old:
            if self._by_id.get(stub.id) is stub:  # a stale copy keeps nothing of its own
                self._discard(stub)
                places.append(stub.insertion_index)
        placed: list[StubMapping] = []
        for i, stub in enumerate(new):
            clash = self._by_id.get(stub.id)
            if clash is not None:
                self._discard(clash)
            index = places[i] if i < len(places) else next(self._counter)
            stub = stub.with_changes(insertion_index=index)
            self._insert(stub, scenario=False)
            placed.append(stub)
        return placed

    def clear(self) -> None:
        self._by_id.clear()
        self._ordered.clear()
        self._by_path.clear()
        self._by_segment.clear()
        self._residual.clear()
        self._paths_sorted.clear()
        self.scenarios.clear()

    def _bucket(self, stub: StubMapping) -> list[StubMapping]:
        url = stub.request.url
        if url is not None:
            literal = url.literal_path
            if literal is not None:
                bucket = self._by_path.get(literal)
                if bucket is None:
                    bucket = self._by_path[literal] = []
                    insort(self._paths_sorted, literal)
                return bucket
            if url.index_prefix is not None:
                return self._by_segment.setdefault(url.index_prefix, [])
        return self._residual

    def _insert(self, stub: StubMapping, *, scenario: bool = True) -> None:
        self._by_id[stub.id] = stub
        insort(self._ordered, stub, key=_key)
        insort(self._bucket(stub), stub, key=_key)
        if scenario:
            self.scenarios.add(stub)

    def _discard(self, stub: StubMapping) -> None:
        del self._by_id[stub.id]
        _remove_exact(self._ordered, stub)
        bucket = self._bucket(stub)
        _remove_exact(bucket, stub)
        if not bucket and bucket is not self._residual:
            url = stub.request.url
            assert url is not None
            if url.literal_path is not None:
                self._by_path.pop(url.literal_path, None)
                paths = self._paths_sorted
                index = bisect_left(paths, url.literal_path)
                if index < len(paths) and paths[index] == url.literal_path:
                    del paths[index]
            elif url.index_prefix is not None:
                self._by_segment.pop(url.index_prefix, None)
        self.scenarios.remove(stub)

    def __iter__(self) -> Iterator[StubMapping]:
        return iter(list(self._ordered))
