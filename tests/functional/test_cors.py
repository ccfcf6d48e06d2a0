"""`--enable-stub-cors`: preflights answered before matching, origins allowed on answers.

The expected headers are what WireMock 3.13.2 sends under the same flag (its Jetty filter).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mockserver.serve.runner import ThreadedRunner
from tests.conftest import Client, start_server

ORIGIN = "http://app.example"


@pytest.fixture
def cors_server(root_dir: Path) -> Iterator[ThreadedRunner]:
    runner = start_server(root_dir, stub_cors=True)
    try:
        yield runner
    finally:
        runner.stop()


@pytest.fixture
def cors_client(cors_server: ThreadedRunner) -> Client:
    client = Client(cors_server.port)
    client.stub({"request": {"url": "/items"}, "response": {"status": 200, "body": "[]"}})
    return client


def test_preflight_is_answered_before_matching_and_not_journalled(cors_client: Client) -> None:
    """OPTIONS with Origin and Access-Control-Request-Method gets the filter's 200, even with
    no OPTIONS stub, and leaves the journal empty."""
    reply = cors_client.request("OPTIONS", "/items", headers={
        "Origin": ORIGIN, "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "X-Trace, content-type"})
    assert reply.status == 200 and reply.body == b""
    assert reply.header("Vary") == "Origin"
    assert reply.header("Access-Control-Allow-Origin") == ORIGIN
    assert reply.header("Access-Control-Allow-Credentials") == "true"
    assert reply.header("Access-Control-Max-Age") == "1800"
    assert reply.header("Access-Control-Allow-Methods") == "OPTIONS,GET,POST,PUT,PATCH,DELETE"
    assert reply.header("Access-Control-Allow-Headers") == "X-Trace,content-type"
    assert cors_client.get("/__admin/requests").json()["requests"] == []


def test_preflight_for_a_method_not_allowed_allows_nothing(cors_client: Client) -> None:
    """A preflight asking for TRACE gets a bare 200 without Access-Control-Allow-* headers."""
    reply = cors_client.request("OPTIONS", "/items", headers={
        "Origin": ORIGIN, "Access-Control-Request-Method": "TRACE"})
    assert reply.status == 200
    assert reply.header("Access-Control-Allow-Origin") is None


def test_plain_options_without_request_method_goes_to_the_stubs(cors_client: Client) -> None:
    """OPTIONS with Origin alone is no preflight: it is matched (a 404 here) and journalled."""
    reply = cors_client.request("OPTIONS", "/nothing", headers={"Origin": ORIGIN})
    assert reply.status == 404
    assert reply.header("Access-Control-Allow-Origin") == ORIGIN
    assert len(cors_client.get("/__admin/requests").json()["requests"]) == 1


def test_simple_request_and_unmatched_404_allow_the_origin(cors_client: Client) -> None:
    """A stub answer and the no-match 404 to a request with Origin both allow it."""
    for path, status in (("/items", 200), ("/missing", 404)):
        reply = cors_client.get(path, headers={"Origin": ORIGIN})
        assert reply.status == status
        assert reply.header_values("Access-Control-Allow-Origin") == [ORIGIN]
        assert reply.header("Access-Control-Allow-Credentials") == "true"


def test_request_without_origin_gets_no_allow_origin(cors_client: Client) -> None:
    """Same-origin requests (no Origin header) get only Vary: Origin."""
    reply = cors_client.get("/items")
    assert reply.header("Access-Control-Allow-Origin") is None
    assert reply.header("Vary") == "Origin"


def test_stub_allow_origin_wins_alone(cors_client: Client) -> None:
    """A stub's own Access-Control-Allow-Origin is sent once (WireMock sends both)."""
    cors_client.stub({"request": {"url": "/own"}, "response": {
        "status": 200, "headers": {"Access-Control-Allow-Origin": "https://mine.example"}}})
    reply = cors_client.get("/own", headers={"Origin": ORIGIN})
    assert reply.header_values("Access-Control-Allow-Origin") == ["https://mine.example"]


def test_without_the_flag_there_are_no_cors_headers(client: Client) -> None:
    """Without --enable-stub-cors a preflight is an ordinary request (404, journalled)."""
    reply = client.request("OPTIONS", "/items", headers={
        "Origin": ORIGIN, "Access-Control-Request-Method": "GET"})
    assert reply.status == 404 and reply.header("Access-Control-Allow-Origin") is None
