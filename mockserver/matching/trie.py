"""A trie of path segments holding stubs, so a request is tested only against stubs whose URL
could fit it.

Each node has literal children, one child for `ANY_SEGMENT`, and two shelves of stubs: those
whose key ends exactly here and those whose key lets anything follow. A shelf is split by the
stub's method (`ANY` and `GET_OR_HEAD` under their own names), and every list on it is kept in
matching order, so the lists a lookup collects only need merging.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import deque
from collections.abc import Iterator

from mockserver.matching.segments import ANY_SEGMENT, Segment
from mockserver.model import StubMapping

Shelf = dict[str, list[StubMapping]]


def _key(stub: StubMapping) -> tuple[int, int]:
    return stub.order_key


def remove_exact(ordered: list[StubMapping], stub: StubMapping) -> None:
    """Remove by position: order keys are unique, so bisect finds the very object."""
    index = bisect_left(ordered, stub.order_key, key=_key)
    if index < len(ordered) and ordered[index] is stub:
        del ordered[index]
    else:  # pragma: no cover - defensive, the index is kept consistent
        ordered[:] = [s for s in ordered if s is not stub]


def methods_for(method: str) -> tuple[str, ...]:
    """The stub methods that accept a request method (see `pattern.method_matches`)."""
    if method in ("GET", "HEAD"):
        return (method, "ANY", "GET_OR_HEAD")
    return (method, "ANY")


class _Node:
    __slots__ = ("children", "wild", "exact", "open")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.wild: _Node | None = None
        self.exact: Shelf = {}
        self.open: Shelf = {}

    def empty(self) -> bool:
        return not (self.children or self.wild or self.exact or self.open)

    def stubs(self) -> Iterator[StubMapping]:
        for shelf in (self.exact, self.open):
            for stubs in shelf.values():
                yield from stubs


class SegmentTrie:
    def __init__(self) -> None:
        self._root = _Node()

    def insert(self, segments: tuple[Segment, ...], is_open: bool, stub: StubMapping) -> None:
        node = self._root
        for segment in segments:
            if segment is ANY_SEGMENT:
                if node.wild is None:
                    node.wild = _Node()
                node = node.wild
            else:
                child = node.children.get(segment)
                if child is None:
                    child = node.children[segment] = _Node()
                node = child
        shelf = node.open if is_open else node.exact
        insort(shelf.setdefault(stub.request.method, []), stub, key=_key)

    def discard(self, segments: tuple[Segment, ...], is_open: bool, stub: StubMapping) -> None:
        trail = [self._root]
        for segment in segments:
            node = trail[-1]
            found = node.wild if segment is ANY_SEGMENT else node.children.get(segment)
            if found is None:  # pragma: no cover - defensive, keys are recorded on insert
                return
            trail.append(found)
        shelf = trail[-1].open if is_open else trail[-1].exact
        stubs = shelf.get(stub.request.method)
        if stubs is None:  # pragma: no cover - defensive
            return
        remove_exact(stubs, stub)
        if not stubs:
            del shelf[stub.request.method]
        # prune the nodes left empty, deepest first, so removed paths cost no memory
        for depth in range(len(segments), 0, -1):
            node = trail[depth]
            if not node.empty():
                break
            parent, segment = trail[depth - 1], segments[depth - 1]
            if segment is ANY_SEGMENT:
                parent.wild = None
            else:
                del parent.children[segment]

    def clear(self) -> None:
        self._root = _Node()

    def lookup(self, parts: list[str], method: str) -> list[list[StubMapping]]:
        """The ordered stub lists whose keys fit the split request path and method."""
        methods = methods_for(method)
        found: list[list[StubMapping]] = []
        last = len(parts)
        stack = [(self._root, 0)]
        while stack:
            node, depth = stack.pop()
            if node.open:
                found.extend(lst for m in methods if (lst := node.open.get(m)))
            if depth == last:
                if node.exact:
                    found.extend(lst for m in methods if (lst := node.exact.get(m)))
                continue
            child = node.children.get(parts[depth])
            if child is not None:
                stack.append((child, depth + 1))
            if node.wild is not None:
                stack.append((node.wild, depth + 1))
        return found

    def neighbourhood(self, parts: list[str], method: str, cap: int) -> list[StubMapping]:
        """Up to `cap` stubs filed near the request path, nearest first.

        Walks the request path as deep as the trie follows it, then widens to whole subtrees
        from the deepest node back towards the root; stubs of a fitting method come first at
        each node, so a near miss for `POST /api/v1/users/7` finds `POST /api/v1/users/{id}`
        before the siblings of `/api`.
        """
        trail = [self._root]
        for part in parts:
            node = trail[-1]
            nxt = node.children.get(part) or node.wild
            if nxt is None:
                break
            trail.append(nxt)
        methods = methods_for(method)
        out: list[StubMapping] = []
        seen: set[int] = set()
        for start in reversed(trail):
            # breadth first, children taken lazily: a node with 10,000 children costs only
            # as many steps as stubs are still wanted
            queue: deque[Iterator[_Node]] = deque([iter((start,))])
            while queue and len(out) < cap:
                found = next(queue[0], None)
                if found is None:
                    queue.popleft()
                    continue
                node = found
                if id(node) in seen:
                    continue
                seen.add(id(node))
                for shelf in (node.exact, node.open):
                    for m in methods:
                        out.extend(shelf.get(m, ()))
                for shelf in (node.exact, node.open):
                    for m, stubs in shelf.items():
                        if m not in methods:
                            out.extend(stubs)
                if node.children:
                    queue.append(iter(node.children.values()))
                if node.wild is not None:
                    queue.append(iter((node.wild,)))
            if len(out) >= cap:
                break
        return out[:cap]
