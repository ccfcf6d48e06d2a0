"""A bug is answered by the side it happened on: stub requests in plain text, logged as
`stub_error`; admin requests in WireMock's JSON envelope, logged as `admin_error`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from structlog.testing import capture_logs

from mockserver.serve.runner import ThreadedRunner
from tests.conftest import Client, start_server


@pytest.fixture
def broken(root_dir: Path) -> Iterator[tuple[Client, list[dict[str, Any]]]]:
    """A real server whose settings were replaced, through `.state`, by something that is not
    settings at all: every code path that reads them fails in a way nothing expects."""
    with capture_logs() as logs:  # before start: the server's logger is made inside
        server: ThreadedRunner = start_server(root_dir)
        try:
            server.call(setattr, server.state, "settings", None)
            yield Client(server.port), logs
        finally:
            server.stop()


def test_a_bug_serving_a_stub_is_a_plain_text_500_logged_as_stub_error(
    broken: tuple[Client, list[dict[str, Any]]],
) -> None:
    """A failure inside the stub handler answers text/plain 500 and logs `stub_error` with
    its traceback, not the admin API's JSON nor `admin_error`."""
    client, logs = broken
    client.stub({"request": {"url": "/anything"}, "response": {"body": "fine"}})
    reply = client.get("/anything")
    assert reply.status == 500
    assert reply.header("Content-Type") == "text/plain; charset=utf-8"
    assert reply.text.startswith("AttributeError: ")
    errors = [e for e in logs if e["log_level"] == "error"]
    assert [(e["event"], e["path"], e["exc_info"]) for e in errors] == [
        ("stub_error", "/anything", True)]


def test_a_bug_in_an_admin_handler_is_a_json_500_logged_as_admin_error(
    broken: tuple[Client, list[dict[str, Any]]],
) -> None:
    """A failure inside an admin handler answers WireMock's JSON error envelope and logs
    `admin_error` with its traceback."""
    client, logs = broken
    reply = client.get("/__admin/settings")
    assert reply.status == 500
    assert reply.header("Content-Type") == "application/json"
    (error,) = reply.json()["errors"]
    assert error["code"] == 10 and error["title"].startswith("internal error: AttributeError")
    errors = [e for e in logs if e["log_level"] == "error"]
    assert [(e["event"], e["path"], e["exc_info"]) for e in errors] == [
        ("admin_error", "/__admin/settings", True)]
