"""`/__admin/dashboard`: a page showing what the server saw, and the JSON it reads.

The page is static package data (HTML, CSS, vanilla JS, no build step, nothing fetched from
the internet), so it works offline and inside a container. It polls `dashboard/journal` with
a cursor (the newest event id it holds) instead of holding a stream open: the serve path
stays untouched (no listener to call per request), a server stop never waits on an open
dashboard, and a reconnect after a restart or a dropped connection is just the next poll.

Every answer here is bounded: the journal comes a page at a time (newest first, paging back
with `before`), bodies are capped, and near misses are graded only for the unmatched rows of
the page being sent, within a budget of stub comparisons per answer. Near misses and the
"copy as stub" YAML reuse the 404 report's grading (`matching.nearmiss`) and the recorder's
request-pattern builder, so the dashboard never tells a different story from the server's own
reports.
"""

from __future__ import annotations

from collections import Counter
from importlib import resources
from typing import Any

from aiohttp import web

from mockserver.admin.http import AdminRouter, json_response, query_int, state_of
from mockserver.admin.views import iso_millis
from mockserver.errors import AdminError
from mockserver.journal import ServeEvent
from mockserver.matching.nearmiss import GRADE_ALL_BELOW, NearMiss
from mockserver.model import StubMapping
from mockserver.serve.scope import Scope
from mockserver.stubs import to_yaml

PAGE_SIZE = 50
MAX_PAGE = 200
MAX_STUBS = 1000  # listed stubs; the total is always given
GRADING_BUDGET = 1000  # stub comparisons one answer may grade (about 0.1 s of CPU)
BODY_LIMIT = 64 * 1024  # characters of a body the detail view shows
_STATIC = ("dashboard.html", "dashboard.css", "dashboard.js")
_TYPES = {"html": "text/html", "css": "text/css", "js": "text/javascript"}
# Request data is hostile: the page only ever runs its own script and styles.
_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


def _asset(name: str) -> bytes:
    return (resources.files("mockserver.admin") / "static" / name).read_bytes()


def _asset_response(name: str) -> web.Response:
    return web.Response(body=_asset(name), headers={
        "Content-Type": f"{_TYPES[name.rsplit('.', 1)[1]]}; charset=utf-8",
        "Content-Security-Policy": _CSP,
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-cache",
    })


async def page(request: web.Request) -> web.Response:
    return _asset_response("dashboard.html")


async def page_with_slash(request: web.Request) -> web.Response:
    """The page resolves its URLs relative to `/__admin/dashboard`; send strays there."""
    raise web.HTTPFound("../dashboard")


async def static_file(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    if name not in _STATIC:
        raise AdminError(404, f"no dashboard file {name!r}", code=404)
    return _asset_response(name)


# -- journal ------------------------------------------------------------------------------
def _stub_ref(stub: StubMapping) -> dict[str, Any]:
    return {"id": stub.id, "name": stub.name}


def near_miss_facts(near: NearMiss, scenario_state: str | None = None) -> dict[str, Any]:
    """The facts the 404 report carries: the closest stub, its distance, what differed
    (the scenario too, when the stub waits for a state its scenario is not in now)."""
    stub = near.stub
    assert stub is not None
    differences = [{"section": f.section, "key": f.key, "reason": f.result.reason}
                   for f in near.match.fields if not f.result.matched]
    required = stub.required_scenario_state
    if required is not None and scenario_state is not None and required != scenario_state:
        differences.append({"section": "scenario", "key": stub.scenario_name,
                            "reason": f"needs state {required}, is in {scenario_state}"})
    return {"stub": _stub_ref(stub), "distance": round(near.match.distance, 4),
            "differences": differences}


def _nearest(state: Scope, event: ServeEvent, limit: int) -> list[dict[str, Any]]:
    return [
        near_miss_facts(n, state.scenario_state(n.stub.scenario_name)
                        if n.stub.scenario_name else None)
        for n in state.nearest(event.request, limit) if n.stub is not None
    ]


class NearMissBudget:
    """Grading is the dear part of a page (an edit distance per stub per unmatched row), so
    one answer grades at most `GRADING_BUDGET` stub comparisons; the rest of its rows are
    marked pending and the page asks for them in follow-up answers. The event loop is never
    held for long, however many stubs and unmatched requests there are."""

    def __init__(self, state: Scope, budget: int | None = None) -> None:
        self.state = state
        self.left = GRADING_BUDGET if budget is None else budget
        self.graded = 0
        # nearest_stubs grades every stub up to GRADE_ALL_BELOW, a neighbourhood above it
        self.cost = max(1, min(len(state.registry), GRADE_ALL_BELOW))

    def nearest(self, event: ServeEvent) -> tuple[bool, dict[str, Any] | None]:
        """(graded, facts): the first grading of an answer always happens, so pages progress."""
        if self.graded and self.cost > self.left:
            return False, None
        self.left -= self.cost
        self.graded += 1
        found = _nearest(self.state, event, 1)
        return True, found[0] if found else None


def _row(event: ServeEvent, budget: NearMissBudget) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": event.id,
        "time": iso_millis(event.request.logged_date),
        "method": event.request.method,
        "url": event.request.url,
        "status": event.status,
        "stub": None if event.stub is None else _stub_ref(event.stub),
        "subEvents": [e.get("type") for e in event.sub_events],
    }
    if event.stub is None:
        graded, facts = budget.nearest(event)
        if graded:
            out["nearMiss"] = facts
        else:
            out["nearMissPending"] = True
    return out


def _index(events: list[ServeEvent], event_id: str) -> int | None:
    for i, event in enumerate(events):
        if event.id == event_id:
            return i
    return None


def journal_page(
    events: list[ServeEvent], *, after: str | None, before: str | None, limit: int
) -> tuple[list[ServeEvent], bool, bool]:
    """A slice of `events` (newest first), whether older ones remain, and whether the caller
    must start over (its cursor was evicted or deleted, or too much arrived to send at once)."""
    if after:
        found = _index(events, after)
        if found is not None and found <= limit:
            return events[:found], False, False
        return events[:limit], len(events) > limit, True
    start = 0
    if before:
        found = _index(events, before)
        if found is None:
            return [], False, False
        start = found + 1
    return events[start:start + limit], len(events) > start + limit, False


async def journal(request: web.Request) -> web.Response:
    state = state_of(request)
    limit = min(query_int(request, "limit") or PAGE_SIZE, MAX_PAGE)
    after, before = request.query.get("after"), request.query.get("before")
    if after and before:
        raise AdminError(400, "give either after or before, not both", pointer="after")
    events = state.journal.newest_first()
    chosen, has_older, reset = journal_page(events, after=after, before=before, limit=limit)
    budget = NearMissBudget(state)
    out: dict[str, Any] = {
        "entries": [_row(e, budget) for e in chosen],
        "hasOlder": has_older,
        "reset": reset,
        "total": len(events),
        "evicted": state.journal.evicted,
        "journalEnabled": state.journal.enabled,
    }
    return json_response(out)


async def near_misses(request: web.Request) -> web.Response:
    """The nearest stub for rows a page got as pending, as many as one answer's budget allows."""
    state = state_of(request)
    ids = [i for i in request.query.get("ids", "").split(",") if i][:MAX_PAGE]
    budget = NearMissBudget(state)
    found: dict[str, Any] = {}
    pending: list[str] = []
    for event_id in ids:
        event = state.journal.get(event_id)
        if event is None or event.stub is not None:
            found[event_id] = None  # gone from the journal, or matched: nothing to grade
            continue
        graded, facts = budget.nearest(event)
        if graded:
            found[event_id] = facts
        else:
            pending.append(event_id)
    return json_response({"nearMisses": found, "pending": pending})


def _text(body: bytes) -> dict[str, Any]:
    text = body.decode("utf-8", errors="replace")
    return {"body": text[:BODY_LIMIT], "bodySize": len(body),
            "bodyTruncated": len(text) > BODY_LIMIT}


def _event_or_404(request: web.Request) -> tuple[Scope, ServeEvent]:
    state = state_of(request)
    event_id = request.match_info["id"]
    event = state.journal.get(event_id)
    if event is None:
        raise AdminError(404, f"no journal entry {event_id!r} (deleted or evicted)", code=404)
    return state, event


async def journal_entry(request: web.Request) -> web.Response:
    state, event = _event_or_404(request)
    req = event.request
    out: dict[str, Any] = {
        "id": event.id,
        "time": iso_millis(req.logged_date),
        "request": {"method": req.method, "url": req.url, "absoluteUrl": req.absolute_url,
                    "clientIp": req.client_ip, "protocol": req.protocol,
                    "headers": [list(h) for h in req.headers], **_text(req.body)},
        "response": {"status": event.status, "headers": [list(h) for h in event.headers],
                     **_text(event.body)},
        "stub": None if event.stub is None else _stub_ref(event.stub),
        "proxied": event.proxied,
        "timing": {"addedDelay": int(event.added_delay), "totalTime": int(event.total_time)},
        "subEvents": event.sub_events,
    }
    if event.stub is None:
        out["nearMisses"] = _nearest(state, event, 3)
    return json_response(out)


def stub_for(state: Scope, event: ServeEvent) -> dict[str, Any]:
    """A stub that would have matched `event`: the recorder's pattern, secrets as wildcards."""
    from mockserver.record import RecordSpec, request_pattern, stub_name
    from mockserver.record.session import default_redaction

    spec = RecordSpec(redaction=default_redaction(state.options))
    redacted: list[str] = []
    out: dict[str, Any] = {}
    name = stub_name(event.request.decoded_path)
    if name:
        out["name"] = name
    out["request"] = request_pattern(event.request, spec, redacted)
    out["response"] = {"status": 200, "body": ""}
    if redacted:
        out["metadata"] = {"redacted": redacted}
    return out


async def copy_as_stub(request: web.Request) -> web.Response:
    state, event = _event_or_404(request)
    return web.Response(text=to_yaml(stub_for(state, event)),
                        content_type="application/yaml", charset="utf-8")


# -- stubs --------------------------------------------------------------------------------
def hit_counts(events: list[ServeEvent]) -> Counter[str]:
    """Hits per stub id, counted from the journal: the serve path keeps no counter."""
    return Counter(e.stub.id for e in events if e.stub is not None)


async def stubs(request: web.Request) -> web.Response:
    state = state_of(request)
    hits = hit_counts(state.journal.newest_first())
    listed = []
    all_stubs = state.registry.all()
    for stub in all_stubs[:MAX_STUBS]:
        url = stub.request.url
        listed.append({**_stub_ref(stub), "method": stub.request.method,
                       "url": None if url is None else url.value,
                       "urlKind": None if url is None else url.kind.value,
                       "scenario": stub.scenario_name, "hits": hits.get(stub.id, 0)})
    return json_response({"stubs": listed, "total": len(all_stubs),
                          "hitsFromJournal": True, "evicted": state.journal.evicted})


def add_routes(router: AdminRouter) -> None:
    d = "/__admin/dashboard"
    router.add_get(d, page)
    router.add_get(f"{d}/", page_with_slash)
    router.add_get(f"{d}/static/{{name}}", static_file)
    router.add_get(f"{d}/journal", journal)
    router.add_get(f"{d}/near-misses", near_misses)
    router.add_get(f"{d}/journal/{{id}}", journal_entry)
    router.add_get(f"{d}/journal/{{id}}/stub.yaml", copy_as_stub)
    router.add_get(f"{d}/stubs", stubs)
