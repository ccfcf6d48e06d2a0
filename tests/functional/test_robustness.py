"""Nothing a client sends crashes the server: garbage, huge headers, odd bodies."""

from __future__ import annotations

import socket

import pytest

from tests.conftest import Client


def raw_exchange(port: int, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.mark.parametrize(
    "payload",
    [
        b"\x00\xff\xfe garbage \r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 200_000 + b"\r\n\r\n",
        b"GET /\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n",
        b"POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nab",
        b"POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    ],
)
def test_garbage_never_crashes(client: Client, payload: bytes) -> None:
    """After any malformed request the server still answers normal ones."""
    raw_exchange(client.port, payload)
    assert client.get("/__admin/health").status == 200


def test_invalid_json_under_json_matchers(client: Client) -> None:
    """A non-JSON (or non-UTF-8) body under JSON matchers is a no-match, not an error."""
    client.stub({"request": {"method": "POST", "url": "/j", "bodyPatterns": [
        {"equalToJson": {"a": 1}}]}, "response": {"body": "json"}})
    client.stub({"request": {"method": "POST", "url": "/jp", "bodyPatterns": [
        {"matchesJsonPath": "$.a"}]}, "response": {"body": "jsonpath"}})
    for body in (b"{not json", b"\xff\xfe\x00", b"[" * 100_000, b"<a/>"):
        assert client.post("/j", body=body).status == 404
        assert client.post("/jp", body=body).status == 404
    assert client.post("/j", body='{"a": 1}').text == "json"


def test_bad_admin_requests_get_json_errors(client: Client) -> None:
    """Malformed admin bodies get a 4xx JSON error naming the problem."""
    reply = client.post("/__admin/mappings", body="{nope")
    assert reply.status == 422
    assert reply.json()["errors"][0]["title"]
    reply = client.post("/__admin/mappings", json_body={"request": {"foo": 1}})
    assert reply.status == 422
    assert reply.json()["errors"][0]["source"]["pointer"] == "/request/foo"
    reply = client.post("/__admin/mappings", json_body={
        "request": {"queryParameters": {"page": {"equals": "1"}}}})
    assert reply.status == 422
    assert "equals" in reply.json()["errors"][0]["detail"]
    assert client.get("/__admin/mappings/not-a-uuid").status == 400
    assert client.get("/__admin/mappings?limit=abc").status == 400
