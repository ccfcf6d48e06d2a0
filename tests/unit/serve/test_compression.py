"""Which answers are gzipped: Accept-Encoding, status, method, type, size and framing."""

from __future__ import annotations

import gzip

import pytest

from mockserver.serve.compression import (
    MAX_SIZE,
    MIN_SIZE,
    accepts_gzip,
    compress,
    compressible,
    gzipped_headers,
)


@pytest.mark.parametrize(("header", "expected"), [
    ("gzip", True), ("GZIP, deflate", True), ("deflate, gzip;q=0.5", True), ("x-gzip", True),
    ("*", True), ("gzip;q=0", False), ("gzip;q=0.0, *", False), ("deflate", False),
    ("*;q=0", False), ("gzip;q=bad", False), ("", False), (None, False),
])
def test_accept_encoding(header: str | None, expected: bool) -> None:
    """gzip (or *) with a quality above zero is accepted; an explicit gzip;q=0 wins over *."""
    assert accepts_gzip(header) is expected


@pytest.mark.parametrize(("method", "status", "headers", "size", "expected"), [
    ("GET", 200, [("Content-Type", "application/json")], 100, True),
    ("POST", 201, [], 100, True),
    ("GET", 200, [], MIN_SIZE - 1, False),
    ("GET", 200, [], MAX_SIZE + 1, False),
    ("HEAD", 200, [], 100, False),
    ("GET", 204, [], 100, False),
    ("GET", 404, [], 100, False),
    ("GET", 302, [], 100, False),
    ("GET", 200, [("Content-Type", "image/jpeg")], 100, False),
    ("GET", 200, [("Content-Type", "image/svg+xml; charset=utf-8")], 100, True),
    ("GET", 200, [("Content-Type", "application/zip")], 100, False),
    ("GET", 200, [("Content-Type", "video/mp4")], 100, False),
    ("GET", 200, [("Content-Encoding", "br")], 100, False),
    ("GET", 200, [("Content-Length", "100")], 100, False),
])
def test_compressible(method: str, status: int, headers: list[tuple[str, str]], size: int,
                      expected: bool) -> None:
    """Jetty's rules: 2xx bar 204/205, not HEAD, 32 bytes at least, not media or archives,
    not already encoded or framed by the stub; and at most 1 MiB (the event loop's budget)."""
    assert compressible(method, status, headers, size) is expected


def test_gzipped_headers_extend_vary_and_name_the_coding() -> None:
    """An existing Vary gains Accept-Encoding; Content-Encoding: gzip is added."""
    assert gzipped_headers([("Vary", "Origin"), ("X", "1")]) == [
        ("Vary", "Origin, Accept-Encoding"), ("X", "1"), ("Content-Encoding", "gzip")]
    assert gzipped_headers([]) == [("Vary", "Accept-Encoding"), ("Content-Encoding", "gzip")]


def test_compress_round_trips_and_is_repeatable() -> None:
    """The same body compresses to the same bytes (no timestamp) and inflates back."""
    body = b"abc" * 100
    assert compress(body) == compress(body) and gzip.decompress(compress(body)) == body
