"""gzip of stub answers for clients that accept it, as WireMock's Jetty GzipHandler does."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import pytest

from mockserver.serve.runner import ThreadedRunner
from tests.conftest import Client, start_server

TEXT = "hello, compressible world " * 40  # ~1 KiB
GZIP = {"Accept-Encoding": "gzip"}


@pytest.fixture
def stubbed(client: Client) -> Client:
    return with_stubs(client)


def with_stubs(client: Client) -> Client:
    stubs = [
        ("/text", 200, {"Content-Type": "text/plain"}, TEXT),
        ("/tiny", 200, {"Content-Type": "text/plain"}, "x" * 31),
        ("/edge", 200, {"Content-Type": "text/plain"}, "x" * 32),
        ("/png", 200, {"Content-Type": "image/png"}, TEXT),
        ("/svg", 200, {"Content-Type": "image/svg+xml"}, TEXT),
        ("/notfound", 404, {"Content-Type": "text/plain"}, TEXT),
        ("/encoded", 200, {"Content-Type": "text/plain", "Content-Encoding": "identity"}, TEXT),
    ]
    for url, status, headers, body in stubs:
        client.stub({"request": {"url": url, "method": "ANY"},
                     "response": {"status": status, "headers": headers, "body": body}})
    return client


def test_text_body_is_gzipped_for_a_client_that_accepts_it(stubbed: Client) -> None:
    """Accept-Encoding: gzip gets Content-Encoding: gzip and a body that inflates to the stub's."""
    reply = stubbed.get("/text", headers=GZIP)
    assert reply.header("Content-Encoding") == "gzip"
    assert "Accept-Encoding" in (reply.header("Vary") or "")
    assert gzip.decompress(reply.body).decode() == TEXT
    assert len(reply.body) < len(TEXT)
    assert reply.header("Content-Length") == str(len(reply.body))


def test_no_gzip_without_accept_encoding_or_with_q_zero(stubbed: Client) -> None:
    """No Accept-Encoding, only deflate, or gzip;q=0: the body goes as it is."""
    for headers in ({}, {"Accept-Encoding": "deflate"}, {"Accept-Encoding": "gzip;q=0"}):
        reply = stubbed.get("/text", headers=headers)
        assert reply.header("Content-Encoding") is None and reply.text == TEXT


def test_size_threshold_is_jettys_32_bytes(stubbed: Client) -> None:
    """A 31-byte body goes plain, a 32-byte one gzipped."""
    assert stubbed.get("/tiny", headers=GZIP).header("Content-Encoding") is None
    assert stubbed.get("/edge", headers=GZIP).header("Content-Encoding") == "gzip"


def test_images_errors_head_and_encoded_bodies_go_plain(stubbed: Client) -> None:
    """PNG, a stub's 404, HEAD and a body with its own Content-Encoding are not gzipped;
    SVG is text and is."""
    for path in ("/png", "/notfound", "/encoded"):
        reply = stubbed.get(path, headers=GZIP)
        assert reply.header("Content-Encoding") in (None, "identity"), path
        assert reply.text == TEXT
    assert stubbed.request("HEAD", "/text", headers=GZIP).header("Content-Encoding") is None
    assert stubbed.get("/svg", headers=GZIP).header("Content-Encoding") == "gzip"


def test_journal_keeps_the_body_as_rendered(stubbed: Client) -> None:
    """The journalled response body is the stub's text, not the gzipped bytes."""
    stubbed.get("/text", headers=GZIP)
    (event,) = stubbed.get("/__admin/requests").json()["requests"]
    assert event["response"]["body"] == TEXT


@pytest.fixture
def plain_server(root_dir: Path) -> Iterator[ThreadedRunner]:
    runner = start_server(root_dir, gzip=False)
    try:
        yield runner
    finally:
        runner.stop()


def test_disable_gzip_turns_it_off(plain_server: ThreadedRunner) -> None:
    """With gzip disabled (--disable-gzip) even a gzip-accepting client gets plain text."""
    client = with_stubs(Client(plain_server.port))
    reply = client.get("/text", headers=GZIP)
    assert reply.header("Content-Encoding") is None and reply.text == TEXT


def test_repeated_answers_keep_each_clients_encoding(stubbed: Client) -> None:
    """A stub answered gzipped, plain, then gzipped again gives each client its own encoding
    (the gzipped bytes are reused, never sent to a client that did not ask)."""
    first = stubbed.get("/text", headers=GZIP)
    plain = stubbed.get("/text")
    again = stubbed.get("/text", headers=GZIP)
    assert plain.header("Content-Encoding") is None and plain.text == TEXT
    assert first.body == again.body and gzip.decompress(again.body).decode() == TEXT
    assert stubbed.request("HEAD", "/text", headers=GZIP).header("Content-Encoding") is None


def test_stub_replaced_with_the_same_id_is_gzipped_afresh(stubbed: Client) -> None:
    """Editing a stub changes what its gzipped answer inflates to."""
    stub_id = stubbed.stub({"request": {"url": "/edited"},
                            "response": {"status": 200, "body": "first " * 20}})
    assert gzip.decompress(stubbed.get("/edited", headers=GZIP).body) == b"first " * 20
    reply = stubbed.request("PUT", f"/__admin/mappings/{stub_id}", json_body={
        "request": {"url": "/edited"}, "response": {"status": 200, "body": "second " * 20}})
    assert reply.status == 200
    assert gzip.decompress(stubbed.get("/edited", headers=GZIP).body) == b"second " * 20
