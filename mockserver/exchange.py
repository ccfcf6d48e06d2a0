"""Framework-free views of one HTTP exchange, so matching and rendering never see aiohttp.

Derived forms (decoded query, cookies, form fields, body text) are computed on first use and
cached: with thousands of stubs, a request is parsed once, not once per stub.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import parse_qsl, unquote

from mockserver.errors import BodyTooLarge

MultiDict = dict[str, list[str]]

# Content codings `decode_content` undoes ("" and identity: nothing to undo).
DECODABLE_CODINGS = ("identity", "gzip", "x-gzip", "deflate")
SIGNATURE_BODY = 16 * 1024  # larger bodies are not kept to recognise a request again
DECODE_LIMIT = 50 * 1024 * 1024  # decoded bytes beyond this: not decodable, kept as sent

_INVALID = object()

if TYPE_CHECKING:  # typed as what it does the same as
    from functools import cached_property as once
else:
    class once:  # noqa: N801 - a decorator, named like `property`
        """`functools.cached_property` without its lock: before Python 3.12 that takes an
        `RLock` on every first access, and a served request computes several of these (its
        path, id, headers...), which made the lock a measurable share of serving one.
        Requests are never shared between threads while being derived, so none is needed."""

        __slots__ = ("_fn", "_name")

        def __init__(self, fn):
            self._fn = fn
            self._name = fn.__name__

        def __set_name__(self, owner, name):
            self._name = name

        def __get__(self, obj, owner=None):
            if obj is None:
                return self
            value = obj.__dict__[self._name] = self._fn(obj)
            return value


class Content:
    """A body (or multipart part) seen by content matchers; parsed at most once per request.

    Many stubs may test the same body: the text, JSON and XML forms are computed lazily and
    cached here so a thousand `matchesJsonPath` stubs parse the body once.
    """

    __slots__ = ("raw", "charset", "__dict__")

    def __init__(self, raw: bytes, charset: str = "utf-8") -> None:
        self.raw = raw
        self.charset = charset

    @once
    def text(self) -> str | None:
        """The body as text, or None when empty (WireMock treats an empty body as absent)."""
        if not self.raw:
            return None
        try:
            return self.raw.decode(self.charset, errors="replace")
        except LookupError:
            return self.raw.decode("utf-8", errors="replace")

    @once
    def json_value(self) -> Any:
        """The parsed JSON document, or `Content.INVALID` when the body is not JSON."""
        text = self.text
        if text is None:
            return _INVALID
        try:
            return json.loads(text)
        except (ValueError, RecursionError):
            return _INVALID

    INVALID: ClassVar[object] = _INVALID




def _id_prefix() -> str:
    h = os.urandom(10).hex()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-"


_ID_PREFIX = _id_prefix()
_ID_COUNTER = itertools.count(int.from_bytes(os.urandom(5), "big"))


def _new_id_source() -> None:
    """A forked process (`--workers`) draws its own prefix: workers share one journal."""
    global _ID_PREFIX, _ID_COUNTER
    _ID_PREFIX = _id_prefix()
    _ID_COUNTER = itertools.count(int.from_bytes(os.urandom(5), "big"))


if hasattr(os, "register_at_fork"):  # not on Windows, which does not fork
    os.register_at_fork(after_in_child=_new_id_source)


def new_id() -> str:
    """A version-4-shaped UUID string: a random prefix per process and a counter.

    Every journaled request gets one, so it must cost next to nothing; ids need to be unique
    (they key the journal), not unpredictable.
    """
    return f"{_ID_PREFIX}{next(_ID_COUNTER) & 0xFFFFFFFFFFFF:012x}"


def parse_query(query: str) -> MultiDict:
    """Decoded query parameters; `?a` and `?a=` both give an empty value (present)."""
    out: MultiDict = {}
    if not query:
        return out
    for key, value in parse_qsl(query, keep_blank_values=True):
        out.setdefault(key, []).append(value)
    return out


def parse_cookies(header_values: list[str]) -> MultiDict:
    out: MultiDict = {}
    for header in header_values:
        for part in header.split(";"):
            name, sep, value = part.strip().partition("=")
            if not name or not sep:
                continue
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1]
            out.setdefault(name, []).append(value)
    return out


def charset_of(content_type: str | None) -> str:
    if content_type:
        for param in content_type.split(";")[1:]:
            key, _, value = param.strip().partition("=")
            if key.lower() == "charset" and value:
                return value.strip().strip('"')
    return "utf-8"


def decode_content(body: bytes, coding: str, limit: int = DECODE_LIMIT, *,
                   strict: bool = False) -> bytes | None:
    """A gzip (or x-gzip) or deflate body decoded, or None when it cannot be: an unknown
    coding, corrupt or truncated data, or more than `limit` bytes once inflated (a small
    request must not grow into gigabytes; `strict` raises `BodyTooLarge` for that instead).
    Deflate may be zlib-wrapped or raw, as some send. Inflating stops at `limit + 1` bytes.
    """
    coding = coding.strip().lower()
    if coding in ("", "identity"):
        return body
    if coding in ("gzip", "x-gzip"):
        return _inflate(body, 16 + zlib.MAX_WBITS, limit, strict, members=True)
    if coding == "deflate":
        decoded = _inflate(body, zlib.MAX_WBITS, limit, strict)
        return decoded if decoded is not None else _inflate(body, -zlib.MAX_WBITS, limit, strict)
    return None


def _inflate(data: bytes, wbits: int, limit: int, strict: bool, *,
             members: bool = False) -> bytes | None:
    """Every member of a (multi-member) stream, or None past `limit` or when incomplete."""
    out: list[bytes] = []
    size = 0
    while True:
        inflater = zlib.decompressobj(wbits)
        try:
            chunk = inflater.decompress(data, limit + 1 - size)
        except zlib.error:
            return None
        size += len(chunk)
        if size > limit and strict:
            raise BodyTooLarge(limit)
        if size > limit or not inflater.eof:
            return None
        out.append(chunk)
        data = inflater.unused_data.lstrip(b"\x00") if members else b""
        if not data:
            return b"".join(out)


@dataclass(eq=False)
class Request:
    """An incoming request as WireMock's matchers see it: raw URL, ordered headers, bytes body."""

    method: str
    url: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    client_ip: str = "127.0.0.1"
    scheme: str = "http"
    host: str = "localhost"
    port: int = 80
    protocol: str = "HTTP/1.1"
    logged_date: float = 0.0
    base_path: str = ""  # what came before `url` on the wire (a namespace's `/__ns/{name}`)

    @once
    def id(self) -> str:
        """A v4 UUID, made only when something asks (the journal, a template)."""
        return new_id()

    @once
    def path(self) -> str:
        """The raw (still percent-encoded) path; WireMock compares paths undecoded."""
        return self.url.partition("?")[0] or "/"

    @once
    def query_string(self) -> str:
        return self.url.partition("?")[2]

    @once
    def query(self) -> MultiDict:
        return parse_query(self.query_string)

    @once
    def _headers_by_name(self) -> MultiDict:
        out: MultiDict = {}
        for name, value in self.headers:
            out.setdefault(name.lower(), []).append(value)
        return out

    def header_values(self, name: str) -> list[str] | None:
        """All values of a header (case-insensitive name), or None when it was not sent."""
        return self._headers_by_name.get(name.lower())

    def header(self, name: str) -> str | None:
        values = self._headers_by_name.get(name.lower())
        return values[0] if values else None

    @once
    def cookies(self) -> MultiDict:
        return parse_cookies(self.header_values("Cookie") or [])

    @once
    def content_type(self) -> str | None:
        return self.header("Content-Type")

    @once
    def content(self) -> Content:
        return Content(self.body, charset_of(self.content_type))

    @property
    def body_text(self) -> str | None:
        return self.content.text

    @once
    def is_form(self) -> bool:
        ctype = (self.content_type or "").lower()
        return ctype.startswith("application/x-www-form-urlencoded")

    @once
    def form(self) -> MultiDict:
        """Form fields of a url-encoded body (none for other content types)."""
        if not self.is_form or not self.body:
            return {}
        return parse_query(self.body.decode(self.content.charset, errors="replace"))

    @once
    def is_multipart(self) -> bool:
        return (self.content_type or "").lower().startswith("multipart/")

    @once
    def parts(self) -> list[Part]:
        if not self.is_multipart:
            return []
        return parse_multipart(self.content_type or "", self.body)

    def signature(self) -> tuple[object, ...] | None:
        """What tells this request apart from any other (method, URL, headers, body), to
        remember answers derived from it alone; None when its body is too large to keep."""
        body = self.body
        if len(body) > SIGNATURE_BODY:
            return None
        return (self.method, self.base_path, self.url, tuple(self._sent_headers()), body)

    def head_size(self) -> int:
        """The URL's and headers' length, as the journal charges them."""
        return len(self.url) + sum(map(len, itertools.chain.from_iterable(self._sent_headers())))

    def _sent_headers(self) -> Sequence[tuple[str | bytes, str | bytes]]:
        """The headers in the cheapest form at hand, for measuring and telling apart."""
        return self.headers

    def forget_derived(self) -> None:
        """Drop the cached views (decoded query, header index, parsed body...): they are
        rebuilt on demand, and a journal of thousands of requests should hold only the raw
        request. The id stays, since it names the request."""
        for name in _DERIVED:
            self.__dict__.pop(name, None)

    @property
    def absolute_url(self) -> str:
        default = (self.scheme == "http" and self.port == 80) or (
            self.scheme == "https" and self.port == 443
        )
        authority = self.host if default else f"{self.host}:{self.port}"
        return f"{self.scheme}://{authority}{self.base_path}{self.url}"

    @property
    def decoded_path(self) -> str:
        return unquote(self.path)

    def body_base64(self) -> str:
        return base64.b64encode(self.body).decode("ascii")


_DERIVED = ("path", "query_string", "query", "_headers_by_name", "cookies", "content_type",
            "content", "is_form", "form", "is_multipart", "parts")


@dataclass(eq=False)
class Part:
    """One part of a multipart body."""

    headers: list[tuple[str, str]]
    body: bytes
    name: str | None = None
    filename: str | None = None

    @once
    def content(self) -> Content:
        ctype = next((v for k, v in self.headers if k.lower() == "content-type"), None)
        return Content(self.body, charset_of(ctype))

    def header_values(self, name: str) -> list[str] | None:
        values = [v for k, v in self.headers if k.lower() == name.lower()]
        return values or None


def header_map(headers: list[tuple[str, str]]) -> dict[str, Any]:
    """WireMock's JSON form of headers: a string when single, a list when repeated."""
    out: dict[str, Any] = {}
    for name, value in headers:
        existing = next((k for k in out if k.lower() == name.lower()), None)
        if existing is None:
            out[name] = value
        elif isinstance(out[existing], list):
            out[existing].append(value)
        else:
            out[existing] = [out[existing], value]
    return out

def parse_multipart(content_type: str, body: bytes) -> list[Part]:
    """Parts of a multipart body; a malformed body yields no parts rather than an error."""
    try:
        message = BytesParser(policy=HTTP).parsebytes(
            b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
        )
    except Exception:  # noqa: BLE001 - client input never raises
        return []
    if not message.is_multipart():
        return []
    parts: list[Part] = []
    for sub in message.iter_parts():
        payload = sub.get_payload(decode=True)
        parts.append(
            Part(
                headers=[(k, str(v)) for k, v in sub.items()],
                body=payload if isinstance(payload, bytes) else b"",
                name=sub.get_param("name", header="content-disposition"),  # type: ignore[arg-type]
                filename=sub.get_filename(),
            )
        )
    return parts


class WireRequest(Request):
    """A request as the wire protocol parsed it, decoded only as far as someone looks.

    Headers stay the parser's bytes until a matcher (or the journal's JSON) asks for them; the
    body stays the received chunks until it is needed, and a gzip or deflate body is
    decompressed then. The stub data plane makes one of these per request, so the cost of a
    request nobody inspects is a handful of attribute stores.
    """

    def __init__(
        self,
        method: str,
        url: str,
        raw_headers: list[tuple[bytes, bytes]],
        body_chunks: list[bytes],
        *,
        peer: Any,
        sockname: Any,
        scheme: str,
        protocol: str,
        logged_date: float,
    ) -> None:
        self.method = method
        self.url = url
        self.raw_headers = raw_headers
        self._body_chunks = body_chunks
        self._peer = peer
        self._sockname = sockname
        self.scheme = scheme
        self.protocol = protocol
        self.logged_date = logged_date

    @once
    def headers(self) -> list[tuple[str, str]]:  # type: ignore[override]
        return [(k.decode("latin-1"), v.decode("latin-1")) for k, v in self.raw_headers]

    def header(self, name: str) -> str | None:
        """The first value of a header, found among the parser's bytes: the data plane asks
        for two or three headers of a request whose others nobody reads, so this spares
        decoding and indexing them all (done once a matcher asks for more)."""
        if "_headers_by_name" in self.__dict__:
            return super().header(name)
        key = name.lower().encode("latin-1")
        size = len(key)
        for raw_name, value in self.raw_headers:
            if len(raw_name) == size and raw_name.lower() == key:
                return value.decode("latin-1")
        return None

    @once
    def raw_body(self) -> bytes:
        """The body exactly as sent (what a proxy forwards)."""
        chunks = self._body_chunks
        self._body_chunks = []
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)

    def inflate_within(self, limit: int) -> None:
        """Decode the body now, `BodyTooLarge` when it inflates past `limit` (inflating
        stops there); a body that does not decode is kept as sent."""
        raw = self.raw_body
        encoding = self.header("Content-Encoding") if raw else None
        if encoding:
            decoded = decode_content(raw, encoding, limit, strict=True)
            self.__dict__["body"] = raw if decoded is None else decoded

    @once
    def body(self) -> bytes:  # type: ignore[override]
        """The body, decoded once when sent with a coding `decode_content` undoes."""
        raw = self.raw_body
        encoding = self.header("Content-Encoding") if raw else None
        if not encoding:
            return raw
        decoded = decode_content(raw, encoding)
        return raw if decoded is None else decoded  # not decodable: kept as sent

    @once
    def client_ip(self) -> str:  # type: ignore[override]
        peer = self._peer
        return str(peer[0]) if isinstance(peer, tuple) and peer else ""

    @once
    def host(self) -> str:  # type: ignore[override]
        host = self.header("Host") or ""
        return host.rsplit(":", 1)[0] if host and not host.endswith("]") else host

    @once
    def port(self) -> int:  # type: ignore[override]
        sockname = self._sockname
        return int(sockname[1]) if isinstance(sockname, tuple) and len(sockname) > 1 else 0

    def _sent_headers(self) -> Sequence[tuple[str | bytes, str | bytes]]:
        """The parser's bytes: decoding them only to measure or compare would undo the point
        of keeping them."""
        return self.raw_headers

    def forget_derived(self) -> None:
        """Also drops the decoded headers: the parser's bytes are kept and decode again."""
        fields = self.__dict__
        if len(fields) > _WIRE_FIELDS:  # something was derived (most requests: the path)
            for name in _WIRE_DERIVED:
                fields.pop(name, None)


_WIRE_DERIVED = (*_DERIVED, "headers")
_WIRE_FIELDS = 10  # WireRequest's own attributes, plus the id
