"""The request journal: a bounded store of serve events, oldest evicted first.

Verification asks this store what happened; it says how many events it has dropped, so a
verification on a truncated journal never passes or fails silently.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from mockserver.exchange import Request
from mockserver.matching.pattern import matches
from mockserver.model import RequestPattern, StubMapping


@dataclass(eq=False, slots=True)
class ServeEvent:
    """One request and what was done with it. The request body is stored once, by reference."""

    request: Request
    stub: StubMapping | None
    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    response_definition: dict[str, Any] = field(default_factory=dict)
    sub_events: list[dict[str, Any]] = field(default_factory=list)
    added_delay: float = 0.0
    total_time: float = 0.0
    proxied: bool = False

    @property
    def id(self) -> str:
        """The request's id: templates see the same `request.id` as the journal."""
        return self.request.id

    @property
    def was_matched(self) -> bool:
        return self.stub is not None


class JournalListener(Protocol):
    """Told of every change, to share it (a shared store); called on the serving loop, so it
    only queues work: the request path never waits for it."""

    def entry_added(self, event: ServeEvent) -> None: ...

    def entries_removed(self, events: list[ServeEvent]) -> None: ...

    def entries_cleared(self) -> None: ...


class Journal:
    def __init__(self, max_entries: int | None, *, enabled: bool = True) -> None:
        self.enabled = enabled
        self.max_entries = max_entries
        self._events: OrderedDict[str, ServeEvent] = OrderedDict()
        self.evicted = 0
        self.listener: JournalListener | None = None

    def __len__(self) -> int:
        return len(self._events)

    def add(self, event: ServeEvent) -> None:
        if not self.enabled:
            return
        event.request.forget_derived()  # kept for months in a long run: only what was sent
        self._events[event.id] = event
        if self.max_entries is not None:
            while len(self._events) > self.max_entries:
                self._events.popitem(last=False)
                self.evicted += 1
        if self.listener is not None:
            self.listener.entry_added(event)

    def mirror(self, events: list[ServeEvent], *, keep: Callable[[ServeEvent], bool]) -> None:
        """Take the shared journal's order: `events` (oldest first) become the newest, and of
        the others only those `keep` accepts stay (not yet shared ones)."""
        for event_id in [k for k, e in self._events.items() if not keep(e)]:
            del self._events[event_id]
        for event in events:
            self._events.pop(event.id, None)
            self._events[event.id] = event
        if self.max_entries is not None:
            while len(self._events) > self.max_entries:
                self._events.popitem(last=False)

    def get(self, event_id: str) -> ServeEvent | None:
        return self._events.get(event_id)

    def newest_first(self) -> list[ServeEvent]:
        return list(reversed(self._events.values()))

    def oldest_first(self) -> Iterator[ServeEvent]:
        return iter(list(self._events.values()))

    def requests(self) -> Iterator[Request]:
        return (event.request for event in self.oldest_first())

    def matching(self, pattern: RequestPattern) -> list[ServeEvent]:
        """The events whose request `pattern` matches, oldest first (verification)."""
        return [event for event in self.oldest_first() if matches(pattern, event.request)]

    def remove(self, event_id: str) -> ServeEvent | None:
        event = self._events.pop(event_id, None)
        if event is not None and self.listener is not None:
            self.listener.entries_removed([event])
        return event

    def remove_where(self, predicate: Callable[[ServeEvent], bool]) -> list[ServeEvent]:
        removed = [e for e in self._events.values() if predicate(e)]
        for event in removed:
            del self._events[event.id]
        if removed and self.listener is not None:
            self.listener.entries_removed(removed)
        return removed

    def clear(self) -> None:
        self._events.clear()
        self.evicted = 0
        if self.listener is not None:
            self.listener.entries_cleared()
