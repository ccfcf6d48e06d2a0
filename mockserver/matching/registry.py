"""The live, ordered set of stubs, indexed so a request is tested against few of them.

Order is WireMock's: priority ascending, then newest first (insertion sequence numbers break
ties). Stubs are filed in two segment tries by the literal part of their URL matcher (see
`segments`): one walked with the request path, one with path and query for `urlPattern`;
stubs whose URL pins nothing (any URL, top-level alternation, inline flags) sit in a residual
list. A request merges the lists its walk collects with the residual list, in order, so with
10,000 stubs under one `/api/v1/` prefix it still tests only the handful that could match.
"""

from __future__ import annotations

import heapq
import itertools
from bisect import insort
from collections.abc import Iterable, Iterator

from mockserver.exchange import Request
from mockserver.matching.pattern import matches
from mockserver.matching.scenarios import Scenarios
from mockserver.matching.segments import UrlKey, url_key
from mockserver.matching.trie import SegmentTrie, remove_exact
from mockserver.model import StubMapping


def _key(stub: StubMapping) -> tuple[int, int]:
    return stub.order_key


ROUTES_KEPT = 4096  # (method, URL) pairs whose candidates are remembered
_MERGED_KEPT = 64  # candidates merged once and kept as one list, up to this many


class Registry:
    def __init__(self) -> None:
        self._by_id: dict[str, StubMapping] = {}
        self._ordered: list[StubMapping] = []
        self._keys: dict[str, UrlKey | None] = {}
        self._by_path = SegmentTrie()
        self._by_url = SegmentTrie()
        self._residual: list[StubMapping] = []
        self._counter = itertools.count(1)
        self.scenarios = Scenarios()
        # the candidates of recently seen (method, URL)s: tests repeat their URLs, so most
        # requests skip both trie walks; forgotten on any change to the stubs
        self._routes: dict[tuple[str, str], tuple[list[StubMapping], ...]] = {}
        # answers other modules derive from the stubs alone (near misses of repeated 404s),
        # kept until the stubs change
        self.derived: dict[object, object] = {}

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
        route = (request.method, request.url)
        found = self._routes.get(route)
        if found is None:
            found = self._route(route[0], request)
            if len(self._routes) >= ROUTES_KEPT:
                self._routes.clear()
            self._routes[route] = found
        if len(found) == 1:
            return found[0]
        return heapq.merge(*found, key=_key) if found else ()

    def _route(self, method: str, request: Request) -> tuple[list[StubMapping], ...]:
        """A request's ordered candidate lists: merged at once into one when short, else
        merged as matching goes (a long merge is cut short by the first match)."""
        lists = self._by_path.lookup(request.path.split("/"), method)
        lists += self._by_url.lookup(request.url.split("/"), method)
        if self._residual:
            lists.append(self._residual)
        if len(lists) > 1 and sum(len(stubs) for stubs in lists) <= _MERGED_KEPT:
            return (list(heapq.merge(*lists, key=_key)),)
        return tuple(lists)

    def nearby(self, request: Request, cap: int) -> list[StubMapping]:
        """Stubs worth grading for a near miss, in matching order: at most `cap` that could
        match, `cap` filed nearest to the request's path (same method first) and `cap` of the
        residual list, so the work for a 404 does not grow with the number of stubs."""
        found: dict[int, StubMapping] = {}
        for stub in itertools.islice(self.candidates(request), cap):
            found[id(stub)] = stub
        parts = request.path.split("/")
        for trie in (self._by_path, self._by_url):
            for stub in trie.neighbourhood(parts, request.method, cap):
                found.setdefault(id(stub), stub)
        for stub in self._residual[:cap]:
            found.setdefault(id(stub), stub)
        return sorted(found.values(), key=_key)

    def find(self, request: Request, scenarios: Scenarios | None = None) -> StubMapping | None:
        """The stub that answers `request`, firing its scenario transition (atomically).

        `scenarios` holds the states to gate on and move instead of this registry's own (a
        namespace sees the default stubs' scenarios in states of its own)."""
        if scenarios is None:
            scenarios = self.scenarios
        for stub in self.candidates(request):
            if matches(stub.request, request) and scenarios.eligible(stub):
                scenarios.transition(stub)
                return stub
        return None

    def find_ungated(self, request: Request, scenarios: Scenarios | None = None,
                     ) -> tuple[StubMapping | None, bool]:
        """For replicas sharing scenario states: (the stub that answers, False) when no
        scenario gate decides it, else (None, True): then `find_async` asks the store.
        `scenarios` as for `find`."""
        if scenarios is None:
            scenarios = self.scenarios
        for stub in self.candidates(request):
            if matches(stub.request, request) and scenarios.eligible(stub):
                if stub.scenario_name is not None and (
                        stub.required_scenario_state is not None
                        or stub.new_scenario_state is not None):
                    return None, True
                return stub, False
        return None, False

    async def find_async(self, request: Request,
                         scenarios: Scenarios | None = None) -> StubMapping | None:
        """`find` for replicas sharing scenario states: a scenario stub that matches here
        (on the cached state) is served only if the shared store agrees, in one atomic step
        there, so across replicas exactly one request wins a transition. When the store says
        the state moved on, the cache is corrected and matching starts again; when it cannot
        be reached, the cached state decides (serving goes on, the replicas may drift).
        `scenarios` as for `find` (its `shared` decides)."""
        if scenarios is None:
            scenarios = self.scenarios
        shared = scenarios.shared
        if shared is None:
            return self.find(request, scenarios)
        for _attempt in range(8):
            for stub in self.candidates(request):
                if not (matches(stub.request, request) and scenarios.eligible(stub)):
                    continue
                name = stub.scenario_name
                if name is None:
                    return stub
                required = stub.required_scenario_state
                if required is None and stub.new_scenario_state is None:
                    return stub
                verdict = await shared.transition(name, required, stub.new_scenario_state)
                if verdict is None:
                    scenarios.transition(stub)
                    return stub
                passed, now = verdict
                scenarios.cached(name, now)
                if passed:
                    return stub
                break  # the state moved on elsewhere: match again with the new state
            else:
                return None
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
        self._changed()
        self._by_id.clear()
        self._ordered.clear()
        self._keys.clear()
        self._by_path.clear()
        self._by_url.clear()
        self._residual.clear()
        self.scenarios.clear()

    def _insert(self, stub: StubMapping, *, scenario: bool = True) -> None:
        self._changed()
        self._by_id[stub.id] = stub
        insort(self._ordered, stub, key=_key)
        key = self._keys[stub.id] = url_key(stub.request.url)
        if key is None:
            insort(self._residual, stub, key=_key)
        else:
            trie = self._by_url if key.on_url else self._by_path
            trie.insert(key.segments, key.open, stub)
        if scenario:
            self.scenarios.add(stub)

    def _discard(self, stub: StubMapping) -> None:
        self._changed()
        del self._by_id[stub.id]
        remove_exact(self._ordered, stub)
        key = self._keys.pop(stub.id)
        if key is None:
            remove_exact(self._residual, stub)
        else:
            trie = self._by_url if key.on_url else self._by_path
            trie.discard(key.segments, key.open, stub)
        self.scenarios.remove(stub)

    def _changed(self) -> None:
        self._routes.clear()
        self.derived.clear()

    def __iter__(self) -> Iterator[StubMapping]:
        return iter(list(self._ordered))
