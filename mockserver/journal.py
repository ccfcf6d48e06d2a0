"""The request journal: a bounded store of serve events, oldest evicted first.

Bounded twice: by entries (`--max-request-journal-entries`) and by the bytes its bodies,
URLs and headers hold (`--max-request-journal-bytes`). A body larger than one entry's share
(`body_keep`: a sixteenth of the byte bound) is kept truncated, with its size and SHA-256,
so 5,000 uploads of a megabyte cannot grow the process by gigabytes.
Verification asks this store what happened; it says how many events it has dropped, so a
verification on a truncated journal never passes or fails silently.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import chain
from typing import Any, Protocol

from mockserver.exchange import Request
from mockserver.matching.pattern import matches
from mockserver.model import RequestPattern, StubMapping

_ENTRY_OVERHEAD = 1024  # the event, request and their small objects, roughly


@dataclass(frozen=True, slots=True)
class TruncatedBody:
    """What a body was before the journal kept only its first bytes."""

    size: int
    sha256: str

    @classmethod
    def of(cls, body: bytes) -> TruncatedBody:
        return cls(len(body), hashlib.sha256(body).hexdigest())


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
    request_body_cut: TruncatedBody | None = None  # set when the journal truncated it
    response_body_cut: TruncatedBody | None = None
    size: int = 0  # bytes charged to the journal

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
    def __init__(self, max_entries: int | None, *, max_bytes: int | None = None,
                 enabled: bool = True) -> None:
        self.enabled = enabled
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        # no byte bound (the record command): bodies are kept whole, as recordings need
        self.body_keep = None if max_bytes is None else max(1024, max_bytes // 16)
        self._events: OrderedDict[str, ServeEvent] = OrderedDict()
        self.evicted = 0
        self.bytes = 0
        self.truncated = 0  # bodies kept truncated, over the journal's life
        self.listener: JournalListener | None = None

    def __len__(self) -> int:
        return len(self._events)

    def add(self, event: ServeEvent) -> None:
        if not self.enabled:
            return
        request = event.request
        request.forget_derived()  # kept for months in a long run: only what was sent
        self._measure(event)
        events = self._events
        key = request.id
        if key in events:
            self.bytes -= events.pop(key).size
        events[key] = event
        self.bytes += event.size
        if (self.max_entries is not None and len(events) > self.max_entries) or (
                self.max_bytes is not None and self.bytes > self.max_bytes):
            self.evicted += self._evict()
        if self.listener is not None:
            self.listener.entry_added(event)

    def _measure(self, event: ServeEvent) -> None:
        """Truncate bodies past one entry's share and note the bytes the event holds."""
        request, keep = event.request, self.body_keep
        size = len(request.body)
        if keep is not None and size > keep:
            event.request_body_cut = TruncatedBody.of(request.body)
            request.body = request.body[:keep]
            size = keep
            self.truncated += 1
        if keep is not None and len(event.body) > keep:
            event.response_body_cut = TruncatedBody.of(event.body)
            event.body = event.body[:keep]
            self.truncated += 1
        event.size = (_ENTRY_OVERHEAD + size + len(event.body) + request.head_size()
                      + sum(map(len, chain.from_iterable(event.headers))))

    def _evict(self) -> int:
        """Drop the oldest events past either bound; how many went."""
        dropped = 0
        while self._events and (
            (self.max_entries is not None and len(self._events) > self.max_entries)
            or (self.max_bytes is not None and self.bytes > self.max_bytes
                and len(self._events) > 1)
        ):
            _, oldest = self._events.popitem(last=False)
            self.bytes -= oldest.size
            dropped += 1
        return dropped

    def mirror(self, events: list[ServeEvent], *, keep: Callable[[ServeEvent], bool]) -> None:
        """Take the shared journal's order: `events` (oldest first) become the newest, and of
        the others only those `keep` accepts stay (not yet shared ones)."""
        for event_id in [k for k, e in self._events.items() if not keep(e)]:
            del self._events[event_id]
        for event in events:
            self._events.pop(event.id, None)
            if not event.size:
                self._measure(event)
            self._events[event.id] = event
        self.bytes = sum(e.size for e in self._events.values())
        self._evict()

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
        if event is not None:
            self.bytes -= event.size
            if self.listener is not None:
                self.listener.entries_removed([event])
        return event

    def remove_where(self, predicate: Callable[[ServeEvent], bool]) -> list[ServeEvent]:
        removed = [e for e in self._events.values() if predicate(e)]
        for event in removed:
            del self._events[event.id]
            self.bytes -= event.size
        if removed and self.listener is not None:
            self.listener.entries_removed(removed)
        return removed

    def clear(self) -> None:
        self._events.clear()
        self.evicted = 0
        self.bytes = 0
        self.truncated = 0
        if self.listener is not None:
            self.listener.entries_cleared()
