"""gzip for stub answers, as WireMock's Jetty `GzipHandler` does unless `--disable-gzip`.

Jetty's rules, checked against WireMock 3.13.2: only a client whose `Accept-Encoding` takes gzip
(`gzip;q=0` refuses it); only 2xx answers other than 204 and 205 (a 404 report stays plain);
not HEAD; not a body already encoded (a stub's own `Content-Encoding`, proxied bytes); not
images (SVG aside), audio, video or archive formats; not bodies under Jetty's `minGzipSize` of
32 bytes. WireMock streams bodies chunked, so in practice it gzips even smaller ones; sending
a few bytes plain is what Jetty does whenever it knows the length, and what clients expect.
Bodies over 1 MiB go plain too (Jetty has no such limit): compressing one takes tens of
milliseconds, which the event loop would spend not serving anyone else.

Paced bodies (`chunkedDribbleDelay`, bandwidth limits) and faults are never compressed: their
bytes and timing on the wire are the point. The journal keeps the body as rendered.
"""

from __future__ import annotations

import gzip

MIN_SIZE = 32  # Jetty GzipHandler's DEFAULT_MIN_GZIP_SIZE
MAX_SIZE = 1024 * 1024  # bigger bodies go plain: compressing them would hold the event loop
LEVEL = 6  # zlib's default, as Jetty's Deflater uses
_EXCLUDED_PREFIXES = ("image/", "audio/", "video/")
_INCLUDED = frozenset({"image/svg+xml"})
_EXCLUDED = frozenset({
    "application/compress", "application/zip", "application/gzip", "application/x-gzip",
    "application/x-bzip2", "application/bzip2", "application/brotli", "application/x-br",
    "application/x-xz", "application/x-rar-compressed", "application/zstd",
    "text/event-stream",
})
_NO_BODY_STATUSES = frozenset({204, 205})


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether `Accept-Encoding` takes gzip: named (or `*`) with a quality above zero."""
    if not accept_encoding:
        return False
    star = False
    for item in accept_encoding.split(","):
        coding, _, params = item.partition(";")
        coding = coding.strip().lower()
        if coding not in ("gzip", "x-gzip", "*"):
            continue
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if coding == "*":
            star = quality > 0
        else:
            return quality > 0
    return star


def compressible(method: str, status: int, headers: list[tuple[str, str]], size: int) -> bool:
    """Whether an answer with these headers and a body of `size` bytes is gzipped."""
    if method == "HEAD" or not MIN_SIZE <= size <= MAX_SIZE:
        return False
    if not 200 <= status < 300 or status in _NO_BODY_STATUSES:
        return False
    content_type = ""
    for name, value in headers:
        lowered = name.lower()
        if lowered in ("content-encoding", "content-length", "transfer-encoding"):
            return False  # already encoded, or framed by the stub's author
        if lowered == "content-type":
            content_type = value.split(";", 1)[0].strip().lower()
    if content_type in _INCLUDED:
        return True
    return not (content_type in _EXCLUDED or content_type.startswith(_EXCLUDED_PREFIXES))


def gzipped_headers(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """`headers` for the gzipped body: `Content-Encoding`, and `Accept-Encoding` in `Vary`."""
    out: list[tuple[str, str]] = []
    varied = False
    for name, value in headers:
        if name.lower() == "vary" and not varied:
            varied = True
            if "accept-encoding" not in value.lower() and value.strip() != "*":
                value = f"{value}, Accept-Encoding"
        out.append((name, value))
    if not varied:
        out.append(("Vary", "Accept-Encoding"))
    out.append(("Content-Encoding", "gzip"))
    return out


def compress(body: bytes) -> bytes:
    return gzip.compress(body, compresslevel=LEVEL, mtime=0)
