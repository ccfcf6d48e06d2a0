"""The dashboard's journal paging: bounded pages, a polling cursor, and starting over."""

from __future__ import annotations

from pathlib import Path

from mockserver.admin.dashboard import NearMissBudget, hit_counts, journal_page
from mockserver.exchange import Request
from mockserver.journal import Journal, ServeEvent
from mockserver.serve.state import ServerState
from mockserver.settings import ServerOptions
from mockserver.stubs.parse import parse_stub


def filled(count: int) -> list[ServeEvent]:
    journal = Journal(None)
    for i in range(count):
        journal.add(ServeEvent(Request("GET", f"/r/{i}"), None, 404))
    return journal.newest_first()


def urls(events: list[ServeEvent]) -> list[str]:
    return [e.request.url for e in events]


def test_first_page_of_ten_thousand_is_the_newest_page_only() -> None:
    """With 10,000 entries the first page holds the newest `limit` and says older ones remain."""
    events = filled(10_000)
    page, has_older, reset = journal_page(events, after=None, before=None, limit=50)
    assert urls(page) == [f"/r/{i}" for i in range(9_999, 9_949, -1)]
    assert (has_older, reset) == (True, False)


def test_before_pages_back_from_the_oldest_row_shown() -> None:
    """`before` continues just past the given entry, and the last page says nothing is older."""
    events = filled(120)
    page, has_older, _ = journal_page(events, after=None, before=events[99].id, limit=50)
    assert urls(page) == [f"/r/{i}" for i in range(19, -1, -1)]
    assert has_older is False


def test_after_returns_only_what_arrived_since_the_cursor() -> None:
    """`after` (the newest id the page holds) yields just the newer entries, newest first."""
    events = filled(30)
    page, has_older, reset = journal_page(events, after=events[3].id, limit=50, before=None)
    assert urls(page) == ["/r/29", "/r/28", "/r/27"]
    assert (has_older, reset) == (False, False)
    assert journal_page(events, after=events[0].id, before=None, limit=50)[0] == []


def test_an_unknown_cursor_starts_over_from_the_newest_page() -> None:
    """A cursor the journal no longer holds (evicted, deleted, reset) asks the page to start
    over with the newest page."""
    events = filled(80)
    page, has_older, reset = journal_page(events, after="gone", before=None, limit=50)
    assert (len(page), has_older, reset) == (50, True, True)
    assert urls(page)[0] == "/r/79"


def test_more_new_entries_than_a_page_starts_over() -> None:
    """When more arrived than one answer may carry, the page starts over instead of growing."""
    events = filled(200)
    page, _, reset = journal_page(events, after=events[150].id, before=None, limit=50)
    assert (len(page), reset) == (50, True)


def test_an_evicted_before_cursor_gives_nothing_older() -> None:
    """Paging back from an entry that is gone ends the paging rather than repeating rows."""
    assert journal_page(filled(10), after=None, before="gone", limit=5) == ([], False, False)


def test_hit_counts_come_from_the_journal() -> None:
    """Each stub's hits are the journal entries it served; unmatched entries count for none."""
    one, two = parse_stub({"name": "one"}), parse_stub({"name": "two"})
    events = [ServeEvent(Request("GET", "/"), stub) for stub in (one, one, two, None)]
    assert hit_counts(events) == {one.id: 2, two.id: 1}


def test_near_miss_grading_stops_at_the_budget_but_always_grades_one(tmp_path: Path) -> None:
    """One answer grades stubs up to its budget (the first row always), the rest wait."""
    state = ServerState(ServerOptions(root_dir=tmp_path))
    for i in range(10):
        state.registry.add(parse_stub({"name": f"s{i}", "request": {"urlPath": f"/s/{i}"}}))
    budget = NearMissBudget(state, budget=25)
    outcomes = [budget.nearest(event) for event in filled(5)]
    assert [graded for graded, _ in outcomes] == [True, True, False, False, False]
    assert outcomes[0][1] is not None and outcomes[0][1]["stub"]["name"].startswith("s")
    assert NearMissBudget(state, budget=0).nearest(filled(1)[0])[0] is True
