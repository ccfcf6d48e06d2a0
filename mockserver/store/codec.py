"""Journal entries as the bytes replicas share: a `ServeEvent` to compact JSON and back.

The stub that answered travels as its id and name only: every replica holds the same stubs, so
a reader finds it in its own registry; a stub gone since (or a file stub with a generated id)
comes back as a placeholder with that id and name, which is all the journal views need.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

from mockserver.exchange import Request
from mockserver.journal import ServeEvent
from mockserver.model import StubMapping
from mockserver.stubs.dump import stub_to_json
from mockserver.stubs.parse import parse_stub

StubLookup = Callable[[str], "StubMapping | None"]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
FORMAT = 1  # the first item of every entry: a reader skips entries of a format it does not know


def encode_event(event: ServeEvent) -> bytes:
    """One entry, a JSON array (cheaper to write and read than an object: this runs for every
    request served)."""
    request = event.request
    stub = event.stub
    return _ENCODER.encode([
        FORMAT, event.id, request.method, request.url, request.headers, _b64(request.body),
        request.client_ip, request.scheme, request.host, request.port, request.protocol,
        request.logged_date, event.status, event.headers, _b64(event.body),
        event.response_definition, event.sub_events, event.added_delay, event.total_time,
        event.proxied, None if stub is None else stub.id, None if stub is None else stub.name,
    ]).encode("utf-8")


def decode_event(raw: bytes, lookup: StubLookup) -> ServeEvent:
    """The event `encode_event` wrote; `ValueError`/`KeyError`/`TypeError` when it is not one."""
    (fmt, event_id, method, url, headers, body, client_ip, scheme, host, port, protocol,
     logged_date, status, response_headers, response_body, definition, sub_events, delay,
     total_time, proxied, stub_id, stub_name) = json.loads(raw)
    if fmt != FORMAT:
        raise ValueError(f"journal entry format {fmt!r}, expected {FORMAT}")
    request = Request(
        method=method, url=url, headers=[(k, v) for k, v in headers],
        body=base64.b64decode(body), client_ip=client_ip, scheme=scheme, host=host, port=port,
        protocol=protocol, logged_date=logged_date,
    )
    request.__dict__["id"] = event_id  # the cached property, as the serving replica made it
    stub = None
    if stub_id is not None:
        stub = lookup(stub_id) or placeholder_stub(stub_id, stub_name)
    return ServeEvent(
        request, stub, status, [(k, v) for k, v in response_headers],
        base64.b64decode(response_body), response_definition=definition,
        sub_events=sub_events, added_delay=delay, total_time=total_time, proxied=proxied,
    )


def placeholder_stub(stub_id: str, name: str | None) -> StubMapping:
    """A stand-in for a stub this replica does not hold: its id and name, matching anything."""
    data: dict[str, Any] = {"id": stub_id, "request": {"method": "ANY"}, "response": {}}
    if name is not None:
        data["name"] = name
    return parse_stub(data)


def encode_stub(stub: StubMapping) -> str:
    return json.dumps(stub_to_json(stub), separators=(",", ":"), ensure_ascii=False)
