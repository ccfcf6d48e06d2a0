"""Webhooks: callbacks sent to a real receiver after the stub's answer, journalled as sub-events."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest

from mockserver.api import MockServer
from tests.conftest import Client
from tests.upstream import Upstream, running_upstream


@pytest.fixture
def receiver() -> Iterator[Upstream]:
    with running_upstream() as up:
        yield up


@pytest.fixture
def server() -> Iterator[MockServer]:
    with MockServer() as running:
        yield running


def webhook_stub(path: str = "/trigger", *, legacy: bool = False,
                 **params: Any) -> dict[str, Any]:
    listener = {"name": "webhook", "parameters": params}
    stub: dict[str, Any] = {"request": {"urlPath": path}, "response": {"status": 200,
                                                                       "body": "answered"}}
    if legacy:
        stub["postServeActions"] = {"webhook": params}
    else:
        stub["serveEventListeners"] = [listener]
    return stub


def journal(server: MockServer) -> list[dict[str, Any]]:
    reply = Client(server.port).get("/__admin/requests")
    return reply.json()["requests"]  # type: ignore[no-any-return]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_webhook_renders_over_the_original_request_and_is_journalled(
    server: MockServer, receiver: Upstream
) -> None:
    """url, method, header values (string or list) and body are templates over
    originalRequest, originalResponse and parameters; the trigger gets WireMock's sub-events."""
    server.stub(webhook_stub(
        method="{{originalRequest.headers.X-Verb}}",
        url=receiver.url + "/echo/cb?id={{originalRequest.query.id}}",
        headers={"Content-Type": "application/json",
                 "X-Multi": ["a", "{{originalRequest.headers.X-In}}"]},
        body='{"got":"{{originalRequest.body}}","extra":"{{parameters.extra}}",'
             '"status":"{{originalResponse.status}}","answer":"{{originalResponse.body}}"}',
        extra="E1"))
    client = Client(server.port)
    reply = client.post("/trigger?id=7", body="hello",
                        headers={"X-Verb": "PUT", "X-In": "inner"})
    assert (reply.status, reply.text) == (200, "answered")
    (delivery,) = server.wait_for_webhooks(count=1, timeout=10)
    (sent,) = receiver.received
    assert (sent.method, sent.path) == ("PUT", "/echo/cb?id=7")
    assert [v for k, v in sent.headers if k == "X-Multi"] == ["a", "inner"]
    assert json.loads(sent.body) == {"got": "hello", "extra": "E1", "status": "200",
                                     "answer": "answered"}
    assert sent.header("X-Mockserver-Webhook") == "1"
    (event,) = journal(server)  # the callback is not journalled as a request
    kinds = [e["type"] for e in event["subEvents"]]
    assert kinds == ["WEBHOOK_REQUEST", "WEBHOOK_RESPONSE"]
    request = event["subEvents"][0]["data"]
    assert list(request) == ["url", "absoluteUrl", "method", "headers", "browserProxyRequest",
                             "loggedDate", "bodyAsBase64", "body", "scheme", "host", "port",
                             "loggedDateString", "queryParams", "formParams"]
    assert request["url"] == "/echo/cb?id=7"
    assert request["headers"] == {"Content-Type": "application/json", "X-Multi": ["a", "inner"]}
    assert request["queryParams"] == {"id": {"key": "id", "values": ["7"]}}
    response = event["subEvents"][1]["data"]
    assert list(response) == ["status", "headers", "bodyAsBase64", "body"]
    assert response["status"] == 200 and json.loads(response["body"])["method"] == "PUT"
    assert delivery.response == response and delivery.request == request


def test_legacy_post_serve_actions_fire_too_with_a_binary_body(
    server: MockServer, receiver: Upstream
) -> None:
    """The legacy `postServeActions: {webhook: {...}}` form fires; base64Body goes as bytes."""
    server.stub(webhook_stub(legacy=True, method="POST", url=receiver.url + "/echo/bin",
                             base64Body="AQID"))
    Client(server.port).get("/trigger")
    (delivery,) = server.wait_for_webhooks()
    assert receiver.received[0].body == b"\x01\x02\x03"
    assert delivery.request is not None and delivery.request["bodyAsBase64"] == "AQID"


def test_json_body_and_body_file_are_rendered(server: MockServer, receiver: Upstream) -> None:
    """jsonBody is sent as JSON text and bodyFileName's content (from __files) is rendered."""
    (server.root_dir / "__files").mkdir(exist_ok=True)
    (server.root_dir / "__files" / "hook.txt").write_text("file says {{originalRequest.path}}")
    server.stub(webhook_stub("/one", method="POST", url=receiver.url + "/echo/1",
                             jsonBody={"path": "{{originalRequest.path}}", "n": 1}))
    server.stub(webhook_stub("/two", method="POST", url=receiver.url + "/echo/2",
                             bodyFileName="hook.txt"))
    client = Client(server.port)
    client.get("/one")
    client.get("/two")
    server.wait_for_webhooks(count=2)
    bodies = {r.path: r.body for r in receiver.received}
    assert json.loads(bodies["/echo/1"]) == {"path": "/one", "n": 1}
    assert bodies["/echo/2"] == b"file says /two"


def test_a_get_webhook_sends_no_body(server: MockServer, receiver: Upstream) -> None:
    """As in WireMock, a GET webhook's body is dropped, from the wire and the sub-event."""
    server.stub(webhook_stub(url=receiver.url + "/echo/get", body="ignored"))
    Client(server.port).get("/trigger")
    (delivery,) = server.wait_for_webhooks()
    assert receiver.received[0].body == b""
    assert delivery.request is not None and "body" not in delivery.request


def test_the_delay_holds_only_the_callback(server: MockServer, receiver: Upstream) -> None:
    """With a 1 s webhook delay the stub answers at once; the callback follows later."""
    server.stub(webhook_stub(method="GET", url=receiver.url + "/echo/late",
                             delay={"type": "fixed", "milliseconds": 1000}))
    reply = Client(server.port).get("/trigger")
    assert reply.status == 200
    assert receiver.received == []  # answered before the delay has run out
    server.wait_for_webhooks(count=1, timeout=10)
    assert [r.path for r in receiver.received] == ["/echo/late"]


def test_an_unreachable_receiver_is_an_error_sub_event(server: MockServer) -> None:
    """A refused connection journals WEBHOOK_REQUEST then ERROR, and the wait fails saying so."""
    url = f"http://127.0.0.1:{free_port()}/nobody"
    server.stub(webhook_stub(url=url))
    assert Client(server.port).get("/trigger").status == 200
    with pytest.raises(AssertionError, match="failed: Failed to fire webhook GET"):
        server.wait_for_webhooks(timeout=10)
    (event,) = journal(server)
    assert [e["type"] for e in event["subEvents"]] == ["WEBHOOK_REQUEST", "ERROR"]
    assert event["subEvents"][1]["data"]["message"].startswith(f"Failed to fire webhook GET {url}")


def test_a_broken_template_is_an_error_sub_event(server: MockServer, receiver: Upstream) -> None:
    """A webhook template that does not render is reported as WireMock reports it; nothing sent."""
    server.stub(webhook_stub(url=receiver.url + "/echo/{{#if}}"))
    Client(server.port).get("/trigger")
    with pytest.raises(AssertionError, match="configuring webhook"):
        server.wait_for_webhooks(timeout=10)
    (event,) = journal(server)
    (error,) = event["subEvents"]
    assert error["type"] == "ERROR"
    assert error["data"]["message"].startswith("Exception thrown while configuring webhook: ")
    assert receiver.received == []


def test_a_webhook_calling_its_own_stub_stops_at_the_loop_guard(server: MockServer) -> None:
    """A stub whose webhook calls the same stub fires three levels deep, then stops."""
    server.stub(webhook_stub(url=f"{server.url}/trigger"))
    Client(server.port).get("/trigger")
    with pytest.raises(AssertionError, match="suggests a loop"):
        server.wait_for_webhooks(count=4, timeout=10)
    events = journal(server)
    assert len(events) == 4
    depths = sorted(e["request"]["headers"].get("X-Mockserver-Webhook", "0") for e in events)
    assert depths == ["0", "1", "2", "3"]


def test_the_wait_fails_readably_when_nothing_fires(server: MockServer) -> None:
    """Waiting for a callback that never comes names the count and what finished."""
    with pytest.raises(AssertionError, match=r"expected 1 webhook callback within 0.2s, "
                                             r"0 finished"):
        server.wait_for_webhooks(count=1, timeout=0.2)


def test_unknown_listener_fields_are_refused(server: MockServer) -> None:
    """A listener entry with a field WireMock does not know is a 422 naming it."""
    stub = webhook_stub(url="http://127.0.0.1:1/x")
    stub["serveEventListeners"][0]["zzz"] = 1
    reply = Client(server.port).post("/__admin/mappings", json_body=stub)
    assert reply.status == 422
    assert reply.json()["errors"][0]["source"]["pointer"] == "/serveEventListeners/0/zzz"


def test_the_pool_size_bounds_callbacks_in_flight(receiver: Upstream) -> None:
    """With --webhook-threadpool-size 1, a second callback is not sent while the first one's
    receiver is still answering; it goes once the first is done."""
    with MockServer(webhook_threadpool_size=1) as running:
        running.stub(webhook_stub(url=receiver.url + "/stream"))
        client = Client(running.port)
        client.get("/trigger")
        deadline = time.monotonic() + 10
        while not receiver.received and time.monotonic() < deadline:
            time.sleep(0.01)  # waiting for the first callback to reach the receiver
        assert [r.path for r in receiver.received] == ["/stream"]
        client.get("/trigger")
        second = journal(running)[0]
        assert second["subEvents"] == []  # its slot is taken: nothing sent yet
        receiver.release.set()
        running.wait_for_webhooks(count=2, timeout=20)
        assert [r.path for r in receiver.received] == ["/stream", "/stream"]
        answers = [s["data"]["body"] for e in journal(running) for s in e["subEvents"]
                   if s["type"] == "WEBHOOK_RESPONSE"]
        assert answers == ["first chunk;second chunk"] * 2  # a streamed answer is read whole


def test_shutdown_cancels_a_delayed_callback(receiver: Upstream) -> None:
    """Stopping the server ends callbacks still waiting out their delay: none is sent after."""
    with MockServer() as running:
        running.stub(webhook_stub(url=receiver.url + "/echo/never",
                                  delay={"type": "fixed", "milliseconds": 60_000}))
        assert Client(running.port).get("/trigger").status == 200
        assert running.state.webhooks.pending == 1
    assert receiver.received == []


def test_a_namespace_stub_fires_its_webhook_and_journals_it_in_the_namespace(
    server: MockServer, receiver: Upstream
) -> None:
    """A webhook stub added in a namespace fires from namespaced traffic, rendered over the
    unprefixed request; the trigger is journalled in the namespace only."""
    client = Client(server.port)
    reply = client.post("/__ns/hooks/__admin/mappings", json_body=webhook_stub(
        method="POST", url=receiver.url + "/echo/cb", body="{{originalRequest.url}}"))
    assert reply.status == 201
    assert client.get("/__ns/hooks/trigger?x=1").text == "answered"
    server.wait_for_webhooks(count=1, timeout=10)
    (sent,) = receiver.received
    assert sent.body == b"/trigger?x=1"
    logged = client.get("/__ns/hooks/__admin/requests").json()["requests"]
    assert [e["request"]["url"] for e in logged] == ["/trigger?x=1"]
    assert journal(server) == []
