"""The framework-free request: lazily derived views and cheap ids."""

from __future__ import annotations

import gzip
import os
import uuid
import warnings
import zlib

import pytest

from mockserver.errors import BodyTooLarge
from mockserver.exchange import (
    Request,
    WireRequest,
    decode_content,
    new_id,
    parse_cookies,
    parse_query,
)


def test_new_id_is_a_version_4_uuid() -> None:
    """Generated ids are canonical RFC 4122 version-4 UUIDs, all different."""
    ids = [new_id() for _ in range(2000)]
    assert len(set(ids)) == len(ids)
    for text in ids:
        parsed = uuid.UUID(text)
        assert str(parsed) == text
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122


def test_request_id_is_made_once_and_kept() -> None:
    """A request's id is created on first use and then stays the same."""
    request = Request("GET", "/a")
    assert request.id == request.id


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {}),
        ("a=1&a=2", {"a": ["1", "2"]}),
        ("name=a+b&x=%20y", {"name": ["a b"], "x": [" y"]}),
        ("flag", {"flag": [""]}),
        ("e=", {"e": [""]}),
    ],
)
def test_query_is_decoded_and_multi_valued(query: str, expected: dict[str, list[str]]) -> None:
    """Query values are decoded; `?a` and `?a=` both mean present and empty."""
    assert parse_query(query) == expected


def test_cookies_from_several_headers() -> None:
    """Cookies from every Cookie header are collected; quoted values lose their quotes."""
    assert parse_cookies(['a=1; b="two"', "a=3"]) == {"a": ["1", "3"], "b": ["two"]}


def test_derived_views() -> None:
    """Path, header lookup (any case) and form fields come from the raw request."""
    request = Request(
        "POST", "/p%20q?x=1",
        headers=[("Content-Type", "application/x-www-form-urlencoded"), ("X-A", "1"),
                 ("x-a", "2")],
        body=b"f=a+b",
    )
    assert request.path == "/p%20q"
    assert request.header_values("X-a") == ["1", "2"]
    assert request.form == {"f": ["a b"]}
    assert request.body_text == "f=a+b"


def test_forget_derived_keeps_the_request_and_its_id() -> None:
    """Dropping cached views loses nothing: they are rebuilt, and the id stays."""
    request = Request("GET", "/a?x=1", headers=[("Cookie", "c=1")], body=b"{}")
    first_id = request.id
    assert request.query == {"x": ["1"]} and request.cookies == {"c": ["1"]}
    request.forget_derived()
    assert "query" not in request.__dict__ and "cookies" not in request.__dict__
    assert request.id == first_id
    assert request.query == {"x": ["1"]} and request.content.json_value == {}


def test_decode_content_undoes_gzip_members_and_both_deflate_forms() -> None:
    """gzip (several members too), x-gzip, zlib and raw deflate all decode to the original."""
    raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    assert decode_content(gzip.compress(b"a") + gzip.compress(b"b"), "gzip") == b"ab"
    assert decode_content(gzip.compress(b"a"), " X-GZIP ") == b"a"
    assert decode_content(zlib.compress(b"a"), "deflate") == b"a"
    assert decode_content(raw.compress(b"a") + raw.flush(), "deflate") == b"a"
    assert decode_content(b"as sent", "identity") == b"as sent"


@pytest.mark.parametrize(
    ("body", "coding"),
    [(b"not gzip", "gzip"), (gzip.compress(b"abc" * 100)[:-4], "gzip"),
     (zlib.compress(b"abc" * 100)[:-4], "deflate"), (b"x", "br")],
    ids=["corrupt", "truncated-gzip", "truncated-deflate", "unknown-coding"],
)
def test_decode_content_refuses_what_it_cannot_decode(body: bytes, coding: str) -> None:
    """Corrupt, truncated or unknown encodings are not decodable (None), never an exception."""
    assert decode_content(body, coding) is None


def test_decode_content_stops_at_the_limit() -> None:
    """A body inflating past the limit is not decodable, so a small bomb stays small."""
    bomb = gzip.compress(bytes(1_000_000))
    assert decode_content(bomb, "gzip", limit=1_000_000) == bytes(1_000_000)
    assert decode_content(bomb, "gzip", limit=999_999) is None


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_a_forked_process_makes_request_ids_of_its_own() -> None:
    """Workers forked from one parent never hand out the same request id."""
    read, write = os.pipe()
    with warnings.catch_warnings():  # 3.12+ warns about forking a threaded process (xdist's)
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.write(write, new_id().encode())
        os._exit(0)
    os.close(write)
    child_id = os.read(read, 100).decode()
    os.close(read)
    os.waitpid(pid, 0)
    assert child_id[:24] != new_id()[:24]


def test_strict_decode_refuses_a_body_inflating_past_the_limit() -> None:
    """With `strict`, a body inflating past the limit is BodyTooLarge, not kept as sent."""
    bomb = gzip.compress(bytes(1024 * 1024))
    assert decode_content(bomb, "gzip", 1000) is None
    with pytest.raises(BodyTooLarge):
        decode_content(bomb, "gzip", 1000, strict=True)
    assert decode_content(gzip.compress(b"abc"), "gzip", 3, strict=True) == b"abc"


def _wire(raw_headers: list[tuple[bytes, bytes]]) -> WireRequest:
    return WireRequest("GET", "/x", raw_headers, [], peer=("127.0.0.1", 1), sockname=None,
                       scheme="http", protocol="HTTP/1.1", logged_date=0.0)


@pytest.mark.parametrize("name", ["accept-encoding", "ACCEPT-ENCODING", "Accept-Encoding",
                                  "X-Twice", "x-none", "Host", "h"])
def test_wire_header_found_among_raw_bytes_equals_the_decoded_index(name: str) -> None:
    """`header` reads the parser's bytes until the headers are decoded; both ways give the
    same answer (first value, case-insensitive name, None when absent, latin-1 values)."""
    raw = [(b"Host", b"localhost"), (b"Accept-Encoding", b"gzip"), (b"x-twice", b"1"),
           (b"X-Twice", b"2"), (b"H", b"caf\xe9")]
    lazy = _wire(list(raw))
    indexed = _wire(list(raw))
    indexed.header_values("Host")  # builds the decoded index
    assert "_headers_by_name" in indexed.__dict__
    assert lazy.header(name) == indexed.header(name)
    assert "_headers_by_name" not in lazy.__dict__
    assert _wire(list(raw)).header("h") == "café"
