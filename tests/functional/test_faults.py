"""WireMock's four faults on the wire (raw sockets), journaled, and the server keeps serving."""

from __future__ import annotations

import logging
import socket
from pathlib import Path

import pytest

from mockserver.respond.faults import GARBAGE
from mockserver.serve.runner import ThreadedRunner
from tests.conftest import Client, cli_server


def raw_exchange(port: int, path: str) -> tuple[bytes, str]:
    """Send a GET on a fresh socket; return every byte received and how the stream ended."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
        data = b""
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                return data, "reset"
            if not chunk:
                return data, "eof"
            data += chunk


def fault_stub(client: Client, path: str, fault: str) -> str:
    return client.stub({"request": {"url": path}, "response": {"status": 200, "fault": fault}})


def test_empty_response_closes_without_a_byte(client: Client) -> None:
    """EMPTY_RESPONSE: a clean close (FIN) and zero bytes."""
    fault_stub(client, "/f/empty", "EMPTY_RESPONSE")
    assert raw_exchange(client.port, "/f/empty") == (b"", "eof")


def test_connection_reset_by_peer_sends_rst(client: Client) -> None:
    """CONNECTION_RESET_BY_PEER: the client reads ECONNRESET and no bytes."""
    fault_stub(client, "/f/reset", "CONNECTION_RESET_BY_PEER")
    assert raw_exchange(client.port, "/f/reset") == (b"", "reset")


def test_malformed_response_chunk(client: Client) -> None:
    """MALFORMED_RESPONSE_CHUNK: a chunked 200 status line and headers, then garbage, then close."""
    fault_stub(client, "/f/malformed", "MALFORMED_RESPONSE_CHUNK")
    data, end = raw_exchange(client.port, "/f/malformed")
    assert data == b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + GARBAGE
    assert end == "eof"


def test_random_data_then_close(client: Client) -> None:
    """RANDOM_DATA_THEN_CLOSE: garbage with no status line, then close."""
    fault_stub(client, "/f/random", "RANDOM_DATA_THEN_CLOSE")
    assert raw_exchange(client.port, "/f/random") == (GARBAGE, "eof")


@pytest.mark.parametrize("fault", ["EMPTY_RESPONSE", "CONNECTION_RESET_BY_PEER",
                                   "MALFORMED_RESPONSE_CHUNK", "RANDOM_DATA_THEN_CLOSE"])
def test_faulted_requests_are_journaled(client: Client, fault: str) -> None:
    """Each faulted request is in the journal, matched to its stub, with the stub's status."""
    stub_id = fault_stub(client, "/f/j", fault)
    raw_exchange(client.port, "/f/j")
    [event] = client.get("/__admin/requests").json()["requests"]
    assert event["request"]["url"] == "/f/j"
    assert event["wasMatched"] is True
    assert event["stubMapping"]["id"] == stub_id
    assert event["responseDefinition"]["fault"] == fault
    count = client.post("/__admin/requests/count", json_body={"url": "/f/j"}).json()["count"]
    assert count == 1


def test_server_keeps_serving_and_logs_no_traceback(server: ThreadedRunner, client: Client,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    """After many faults the server still answers, and nothing is logged as an error."""
    for fault in ("EMPTY_RESPONSE", "CONNECTION_RESET_BY_PEER", "MALFORMED_RESPONSE_CHUNK",
                  "RANDOM_DATA_THEN_CLOSE"):
        fault_stub(client, f"/k/{fault}", fault)
    client.stub({"request": {"url": "/k/ok"}, "response": {"body": "still here"}})
    with caplog.at_level(logging.DEBUG):
        for _ in range(5):
            for fault in ("EMPTY_RESPONSE", "CONNECTION_RESET_BY_PEER",
                          "MALFORMED_RESPONSE_CHUNK", "RANDOM_DATA_THEN_CLOSE"):
                raw_exchange(client.port, f"/k/{fault}")
        assert client.get("/k/ok").text == "still here"
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert not [r for r in caplog.records if r.exc_info]


def test_fault_after_a_delay(client: Client) -> None:
    """A fault waits for the stub's delay first, as in WireMock."""
    import time

    client.stub({"request": {"url": "/f/slow"},
                 "response": {"fault": "EMPTY_RESPONSE", "fixedDelayMilliseconds": 300}})
    started = time.perf_counter()
    assert raw_exchange(client.port, "/f/slow") == (b"", "eof")
    assert time.perf_counter() - started >= 0.29


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        ("EMPTY_RESPONSE", (b"", "eof")),
        ("CONNECTION_RESET_BY_PEER", (b"", "reset")),
        ("MALFORMED_RESPONSE_CHUNK",
         (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + GARBAGE, "eof")),
        ("RANDOM_DATA_THEN_CLOSE", (GARBAGE, "eof")),
    ],
)
def test_faults_from_the_command_line_server(
    tmp_path: Path, fault: str, expected: tuple[bytes, str]
) -> None:
    """The CLI server (on uvloop when installed) breaks connections the same way."""
    with cli_server(tmp_path / "root") as (client, _):
        fault_stub(client, "/f", fault)
        assert raw_exchange(client.port, "/f") == expected
        assert client.get("/__admin/health").status == 200
