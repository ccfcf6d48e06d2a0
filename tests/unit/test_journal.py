"""The request journal: bounded, oldest evicted first, with a count of what it dropped."""

from __future__ import annotations

import hashlib

import pytest

from mockserver.exchange import Request
from mockserver.journal import Journal, ServeEvent
from mockserver.stubs.parse import parse_stub


def event(url: str = "/", matched: bool = True) -> ServeEvent:
    return ServeEvent(Request("GET", url), parse_stub({}) if matched else None)


@pytest.mark.parametrize(
    ("max_entries", "added", "kept", "evicted"),
    [
        (None, 5, 5, 0),
        (None, 1000, 1000, 0),
        (3, 5, 3, 2),
        (5, 5, 5, 0),
        (5, 4, 4, 0),
        (1, 4, 1, 3),
        (0, 2, 0, 2),
    ],
)
def test_bounded(max_entries: int | None, added: int, kept: int, evicted: int) -> None:
    """A bounded journal keeps the newest `max_entries` events and counts the evicted ones."""
    journal = Journal(max_entries)
    events = [event(f"/{i}") for i in range(added)]
    for e in events:
        journal.add(e)
    assert len(journal) == kept
    assert journal.evicted == evicted
    assert journal.newest_first() == events[::-1][:kept]
    assert list(journal.oldest_first()) == events[added - kept:]


def test_evicted_events_are_gone() -> None:
    """The oldest events are the ones dropped, and can no longer be fetched."""
    journal = Journal(2)
    first, second, third = event("/1"), event("/2"), event("/3")
    for e in (first, second, third):
        journal.add(e)
    assert journal.get(first.id) is None
    assert journal.get(second.id) is second
    assert journal.get(third.id) is third


def test_disabled_journal_stores_nothing() -> None:
    """A disabled journal accepts events silently and keeps none."""
    journal = Journal(None, enabled=False)
    journal.add(event())
    assert len(journal) == 0
    assert journal.evicted == 0
    assert journal.newest_first() == []


def test_get_and_remove() -> None:
    """Events are fetched and removed by id; an unknown id gives None."""
    journal = Journal(None)
    e = event()
    journal.add(e)
    assert journal.get(e.id) is e
    assert journal.remove(e.id) is e
    assert journal.get(e.id) is None
    assert journal.remove(e.id) is None
    assert len(journal) == 0


def test_remove_where() -> None:
    """remove_where drops the events a predicate selects, oldest first, and returns them."""
    journal = Journal(10)
    events = [event(f"/{i}", matched=i % 2 == 0) for i in range(6)]
    for e in events:
        journal.add(e)
    removed = journal.remove_where(lambda e: not e.was_matched)
    assert removed == [events[1], events[3], events[5]]
    assert list(journal.oldest_first()) == [events[0], events[2], events[4]]
    assert journal.evicted == 0
    assert journal.remove_where(lambda e: False) == []


def test_remove_where_frees_room() -> None:
    """After removals a bounded journal takes new events without evicting."""
    journal = Journal(3)
    events = [event(f"/{i}") for i in range(3)]
    for e in events:
        journal.add(e)
    journal.remove_where(lambda e: e is events[0])
    journal.add(event("/new"))
    assert len(journal) == 3
    assert journal.evicted == 0


def test_clear_resets_the_eviction_count() -> None:
    """clear empties the journal and forgets how many events were dropped."""
    journal = Journal(1)
    journal.add(event())
    journal.add(event())
    assert journal.evicted == 1
    journal.clear()
    assert len(journal) == 0
    assert journal.evicted == 0


def test_snapshots_are_not_live() -> None:
    """Listings are snapshots: adding during iteration neither fails nor shows up."""
    journal = Journal(None)
    journal.add(event("/1"))
    iterator = journal.oldest_first()
    journal.add(event("/2"))
    assert [e.request.url for e in iterator] == ["/1"]


@pytest.mark.parametrize(("matched", "was_matched"), [(True, True), (False, False)])
def test_was_matched(matched: bool, was_matched: bool) -> None:
    """An event was matched exactly when it carries a stub."""
    assert event(matched=matched).was_matched is was_matched


def test_event_ids_are_unique() -> None:
    """Every serve event gets its own id."""
    assert len({event().id for _ in range(100)}) == 100


def big(url: str, size: int) -> ServeEvent:
    return ServeEvent(Request("POST", url, body=b"x" * size), None, body=b"y" * size)


def test_bounded_in_bytes() -> None:
    """Past the byte bound the oldest events go, and the bytes held stay under the bound."""
    journal = Journal(None, max_bytes=64 * 1024)
    for i in range(100):
        journal.add(big(f"/{i}", 1000))
    assert journal.bytes <= 64 * 1024
    assert 0 < len(journal) < 100
    assert journal.evicted == 100 - len(journal)
    assert journal.newest_first()[0].request.url == "/99"


def test_large_bodies_are_kept_truncated_with_size_and_digest() -> None:
    """A body larger than one entry's share keeps its first bytes, its size and SHA-256."""
    journal = Journal(None, max_bytes=16 * 1024 * 1024)
    journal.add(big("/big", 3 * 1024 * 1024))
    kept = journal.newest_first()[0]
    assert len(kept.request.body) == len(kept.body) == 1024 * 1024
    assert kept.request_body_cut is not None and kept.request_body_cut.size == 3 * 1024 * 1024
    assert kept.request_body_cut.sha256 == hashlib.sha256(b"x" * 3 * 1024 * 1024).hexdigest()
    assert kept.response_body_cut is not None
    assert journal.truncated == 2


def test_removing_events_returns_their_bytes() -> None:
    """Removing and clearing give back the bytes the events held."""
    journal = Journal(None, max_bytes=1024 * 1024)
    first, second = big("/a", 10), big("/b", 10)
    journal.add(first)
    journal.add(second)
    journal.remove(first.id)
    assert journal.bytes == second.size
    journal.clear()
    assert journal.bytes == 0
