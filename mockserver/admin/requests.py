"""`/__admin/requests` and `/__admin/near-misses`: the journal, for verification."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from aiohttp import web

from mockserver.admin.http import (
    AdminRouter,
    empty_json,
    json_response,
    not_found,
    path_uuid,
    query_int,
    read_json,
    state_of,
    stream_json_list,
)
from mockserver.admin.mappings import stubs_by_metadata
from mockserver.admin.views import epoch_millis, logged_request, near_miss, serve_event
from mockserver.errors import AdminError
from mockserver.exchange import Request
from mockserver.journal import ServeEvent
from mockserver.matching.nearmiss import nearest_requests
from mockserver.matching.pattern import matches
from mockserver.serve.scope import Scope
from mockserver.stubs import parse_request_pattern, parse_uuid

# Journal facts WireMock's bodies have no field for (its Java client refuses unknown fields).
EVICTED_HEADER = "X-Mockserver-Journal-Evicted"
MAX_ENTRIES_HEADER = "X-Mockserver-Journal-Max-Entries"
JOURNAL_BYTES_HEADER = "X-Mockserver-Journal-Bytes"
JOURNAL_MAX_BYTES_HEADER = "X-Mockserver-Journal-Max-Bytes"
JOURNAL_TRUNCATED_HEADER = "X-Mockserver-Journal-Truncated"  # listed entries kept truncated

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _disabled(request: web.Request) -> bool:
    return not state_of(request).journal.enabled


async def list_requests(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    if not state.journal.enabled:
        raise AdminError(500, "The request journal is disabled, so no requests are stored",
                         detail="start the server without --no-request-journal")
    events = state.journal.newest_first()
    if request.query.get("unmatched") == "true":
        events = [e for e in events if not e.was_matched]
    stub_id = request.query.get("matchingStub")
    if stub_id:
        try:
            stub_id = parse_uuid(stub_id, ())
        except Exception as exc:
            raise AdminError(400, f"{stub_id} is not a valid UUID", code=15) from exc
        events = [e for e in events if e.stub is not None and e.stub.id == stub_id]
    total = len(events)
    since = request.query.get("since")
    if since:
        try:
            moment = datetime.fromisoformat(since.replace("Z", "+00:00"))
        except ValueError as exc:
            raise AdminError(400, f"{since} is not a valid ISO8601 date", pointer="since") from exc
        if moment.tzinfo is None:  # the journal shows UTC, so a bare time means UTC
            moment = moment.replace(tzinfo=timezone.utc)
        # compare at the journal's millisecond precision: `since` set to an event's own
        # loggedDateString must exclude that event (strictly after, as in WireMock)
        cutoff = (moment - _EPOCH) // timedelta(milliseconds=1)  # exact, no float rounding
        events = [e for e in events if epoch_millis(e.request.logged_date) > cutoff]
    limit = query_int(request, "limit")
    if limit is not None:
        events = events[:limit]
    headers = journal_headers(state)
    cut = sum(1 for e in events if e.request_body_cut or e.response_body_cut)
    if cut:
        headers[JOURNAL_TRUNCATED_HEADER] = str(cut)
    return await stream_json_list(request, "requests", events, serve_event, {
        "meta": {"total": total}, "requestJournalDisabled": False}, headers)


def journal_headers(state: Scope) -> dict[str, str]:
    """Our journal facts travel as headers: WireMock's strict clients refuse unknown fields
    in its bodies, so a bounded journal that dropped requests must not add any there."""
    journal = state.journal
    out = {EVICTED_HEADER: str(journal.evicted), JOURNAL_BYTES_HEADER: str(journal.bytes)}
    if journal.max_entries is not None:
        out[MAX_ENTRIES_HEADER] = str(journal.max_entries)
    if journal.max_bytes is not None:
        out[JOURNAL_MAX_BYTES_HEADER] = str(journal.max_bytes)
    return out


def _with_journal_headers(reply: web.Response, state: Scope) -> web.Response:
    reply.headers.update(journal_headers(state))
    return reply


def cut_headers(event: ServeEvent) -> dict[str, str]:
    """Where a body was kept truncated: its full size and SHA-256, outside WireMock's JSON."""
    out: dict[str, str] = {}
    for side, cut in (("Request", event.request_body_cut), ("Response", event.response_body_cut)):
        if cut is not None:
            out[f"X-Mockserver-{side}-Body-Truncated"] = f"size={cut.size}; sha256={cut.sha256}"
    return out


async def get_request(request: web.Request) -> web.Response:
    event = state_of(request).journal.get(path_uuid(request))
    if event is None:
        return not_found()
    reply = json_response(serve_event(event))
    reply.headers.update(cut_headers(event))
    return reply


async def delete_request(request: web.Request) -> web.Response:
    state_of(request).journal.remove(path_uuid(request))
    return empty_json()


async def delete_all_requests(request: web.Request) -> web.Response:
    state_of(request).journal.clear()
    return empty_json()


async def _pattern(request: web.Request) -> Any:
    data = await read_json(request, allow_empty=True)
    return parse_request_pattern({} if data is None else data)[0]


async def count_requests(request: web.Request) -> web.Response:
    pattern = await _pattern(request)
    state = state_of(request)
    if _disabled(request):
        return json_response({"count": -1, "requestJournalDisabled": True})
    count = len(state.journal.matching(pattern))
    reply = json_response({"count": count, "requestJournalDisabled": False})
    return _with_journal_headers(reply, state)


async def find_requests(request: web.Request) -> web.StreamResponse:
    pattern = await _pattern(request)
    if _disabled(request):
        return json_response({"requests": [], "requestJournalDisabled": True})
    state = state_of(request)
    found = state.journal.matching(pattern)
    return await stream_json_list(request, "requests", found, _logged,
                                  {"requestJournalDisabled": False}, journal_headers(state))


async def unmatched_requests(request: web.Request) -> web.StreamResponse:
    if _disabled(request):
        return json_response({"requests": [], "requestJournalDisabled": True})
    # newest first, unlike find (WireMock 3.13.2, checked against the jar)
    events = [e for e in state_of(request).journal.newest_first() if not e.was_matched]
    return await stream_json_list(request, "requests", events, _logged,
                                  {"requestJournalDisabled": False})


def _logged(event: ServeEvent) -> dict[str, Any]:
    return logged_request(event.request)


async def unmatched_near_misses(request: web.Request) -> web.Response:
    state = state_of(request)
    out: list[dict[str, Any]] = []
    for event in state.journal.oldest_first():
        if not event.was_matched:
            out.extend(near_miss(n) for n in state.nearest(event.request))
    return json_response({"nearMisses": out})


async def remove_requests(request: web.Request) -> web.StreamResponse:
    pattern = await _pattern(request)
    removed = state_of(request).journal.remove_where(lambda e: matches(pattern, e.request))
    return await _removed(request, removed)


async def _removed(request: web.Request, events: list[ServeEvent]) -> web.StreamResponse:
    """Removed events newest first, as WireMock lists them (the journal's order, reversed)."""
    return await stream_json_list(request, "serveEvents", events[::-1], serve_event, {})


async def remove_requests_by_metadata(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    ids = {s.id for s in stubs_by_metadata(state, await read_json(request))}
    removed = state.journal.remove_where(lambda e: e.stub is not None and e.stub.id in ids)
    return await _removed(request, removed)


def _logged_field_error(key: str, expected: str) -> AdminError:
    return AdminError(422, "Error parsing JSON", pointer=f"/{key}", detail=f"expected {expected}")


def request_from_logged(data: Any) -> Request:
    """A LoggedRequest body (`{"url": ..., "method": ...}`) as a request to grade."""
    if not isinstance(data, dict):
        raise AdminError(422, "Error parsing JSON", detail="expected a logged request object")
    raw_headers = data.get("headers") or {}
    if not isinstance(raw_headers, dict):
        raise _logged_field_error("headers", "an object of header names to values")
    headers: list[tuple[str, str]] = []
    for name, value in raw_headers.items():
        values = value if isinstance(value, list) else [value]
        headers.extend((str(name), str(v)) for v in values)
    body = data.get("body")
    if body is None and data.get("bodyAsBase64"):
        import base64
        import binascii

        try:
            raw = base64.b64decode(str(data["bodyAsBase64"]), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise _logged_field_error("bodyAsBase64", "base64 text") from exc
    else:
        raw = (body or "").encode("utf-8") if isinstance(body, str) else b""
    try:
        port = int(data.get("port") or 80)
    except (TypeError, ValueError) as exc:
        raise _logged_field_error("port", "a port number") from exc
    url = str(data.get("url") or data.get("absoluteUrl") or "/")
    if "://" in url:
        url = "/" + url.split("://", 1)[1].partition("/")[2]
    return Request(
        method=str(data.get("method") or "GET"), url=url, headers=headers, body=raw,
        client_ip=str(data.get("clientIp") or "127.0.0.1"),
        scheme=str(data.get("scheme") or "http"),
        host=str(data.get("host") or "localhost"), port=port,
    )


async def near_misses_for_request(request: web.Request) -> web.Response:
    state = state_of(request)
    logged = request_from_logged(await read_json(request))
    found = state.nearest(logged)
    return json_response({"nearMisses": [near_miss(n) for n in found]})


async def near_misses_for_pattern(request: web.Request) -> web.Response:
    data = await read_json(request, allow_empty=True)
    pattern, pattern_json = parse_request_pattern({} if data is None else data)
    state = state_of(request)
    found = nearest_requests(state.journal.requests(), pattern)
    return json_response({"nearMisses": [near_miss(n, pattern_json=pattern_json) for n in found]})


def add_routes(router: AdminRouter) -> None:
    a = "/__admin"
    router.add_get(f"{a}/requests", list_requests)
    router.add_delete(f"{a}/requests", delete_all_requests)
    router.add_post(f"{a}/requests/reset", delete_all_requests)
    router.add_post(f"{a}/requests/count", count_requests)
    router.add_post(f"{a}/requests/find", find_requests)
    router.add_post(f"{a}/requests/remove", remove_requests)
    router.add_post(f"{a}/requests/remove-by-metadata", remove_requests_by_metadata)
    router.add_get(f"{a}/requests/unmatched", unmatched_requests)
    router.add_get(f"{a}/requests/unmatched/near-misses", unmatched_near_misses)
    router.add_get(f"{a}/requests/{{id}}", get_request)
    router.add_delete(f"{a}/requests/{{id}}", delete_request)
    router.add_post(f"{a}/near-misses/request", near_misses_for_request)
    router.add_post(f"{a}/near-misses/request-pattern", near_misses_for_pattern)
