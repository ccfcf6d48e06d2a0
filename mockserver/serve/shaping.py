"""What Jetty does around every stub answer in WireMock, per request: CORS and gzip.

`AnswerShaping` is made once per server from its options; `for_request` gives the request's
`Shape` (or None when neither applies, the common case, which costs one header lookup). The
reply applies a shape to whatever it sends: whole answers get the CORS headers and, where
`serve.compression` says so, a gzipped body; streamed ones (paced bodies, proxied answers) get
the CORS headers only, since their bytes and timing are the point. A CORS preflight is answered
before a shape is needed, without matching and without journalling (`serve.cors`).
"""

from __future__ import annotations

from mockserver.exchange import Request
from mockserver.serve import cors
from mockserver.serve.compression import accepts_gzip, compress, compressible, gzipped_headers
from mockserver.settings import ServerOptions

Headers = list[tuple[str, str]]


class Shape:
    """The answer-shaping one request asks for."""

    __slots__ = ("origin", "cors", "gzip", "method")

    def __init__(self, method: str, *, cors: bool, origin: str | None, gzip: bool) -> None:
        self.method = method
        self.cors = cors
        self.origin = origin
        self.gzip = gzip

    def head(self, headers: Headers) -> Headers:
        """Headers of a streamed answer: the CORS ones added."""
        return cors.with_cors(self.origin, headers) if self.cors else headers

    def whole(self, status: int, headers: Headers, body: bytes) -> tuple[Headers, bytes]:
        """Headers and body of a whole answer: CORS added, gzipped where it pays."""
        if self.gzip and compressible(self.method, status, headers, len(body)):
            headers, body = gzipped_headers(headers), compress(body)
        return self.head(headers), body


class AnswerShaping:
    def __init__(self, options: ServerOptions) -> None:
        self.cors = options.stub_cors
        self.gzip = options.gzip

    def preflight(self, request: Request) -> Headers | None:
        """The headers answering a CORS preflight (200, empty), or None: serve the request."""
        if not self.cors or request.method != "OPTIONS":
            return None
        answer = cors.preflight(request.method, request.header)
        if answer is None:
            return None
        return [(name, value) for name, value in answer if name.lower() != "content-length"]

    def for_request(self, request: Request) -> Shape | None:
        gzip = self.gzip and accepts_gzip(request.header("Accept-Encoding"))
        if not (self.cors or gzip):
            return None
        origin = request.header("Origin") if self.cors else None
        return Shape(request.method, cors=self.cors, origin=origin, gzip=gzip)
