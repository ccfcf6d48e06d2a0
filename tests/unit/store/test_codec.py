"""Journal entries survive the trip through the shared store's encoding."""

from __future__ import annotations

from mockserver.exchange import Request
from mockserver.journal import ServeEvent
from mockserver.store.codec import decode_event, encode_event
from mockserver.stubs import parse_stub


def _event(stub_id: str | None = "3f1a0c5e-0000-4000-8000-000000000001") -> ServeEvent:
    request = Request(method="POST", url="/orders?x=1", headers=[("Content-Type", "a/b")],
                      body=b"\x00\xffbody", client_ip="10.0.0.9", scheme="https",
                      host="api.test", port=8443, protocol="HTTP/1.1", logged_date=1700000000.25)
    stub = None if stub_id is None else parse_stub(
        {"id": stub_id, "name": "orders", "request": {"urlPath": "/orders"},
         "response": {"status": 201}})
    return ServeEvent(request, stub, 201, [("X-A", "1")], b"\x01done",
                      response_definition={"status": 201}, sub_events=[{"type": "CHAOS"}],
                      added_delay=5.0, total_time=1.5, proxied=True)


def test_an_event_decodes_to_the_same_request_response_and_stub() -> None:
    """Every journalled field comes back, bytes bodies included, with the stub found by id."""
    event = _event()
    assert event.stub is not None
    back = decode_event(encode_event(event), {event.stub.id: event.stub}.get)
    assert back.id == event.id
    assert back.request.body == b"\x00\xffbody" and back.request.headers == event.request.headers
    assert (back.request.url, back.request.host, back.request.port) == (
        "/orders?x=1", "api.test", 8443)
    assert back.request.logged_date == event.request.logged_date
    assert (back.status, back.headers, back.body) == (201, [("X-A", "1")], b"\x01done")
    assert back.stub is event.stub
    assert back.sub_events == [{"type": "CHAOS"}] and back.proxied


def test_a_stub_this_replica_does_not_hold_comes_back_as_a_placeholder() -> None:
    """An entry naming an unknown stub keeps the stub's id and name, and counts as matched."""
    event = _event()
    back = decode_event(encode_event(event), lambda _id: None)
    assert back.was_matched and back.stub is not None
    assert (back.stub.id, back.stub.name) == (event.stub.id if event.stub else "", "orders")


def test_an_unmatched_event_stays_unmatched() -> None:
    """No stub in, no stub out."""
    back = decode_event(encode_event(_event(None)), lambda _id: None)
    assert not back.was_matched
