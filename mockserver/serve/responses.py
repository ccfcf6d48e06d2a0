"""aiohttp responses that carry only the headers we chose, for the loopback servers that still
answer through aiohttp (the Python API's callable responder).

A WireMock stub answers with exactly its own headers: aiohttp's default `Content-Type` and
`Server` would be headers nobody wrote. Stub traffic itself is written by `serve.reply`, which
adds nothing of its own but `Date` and the framing.
"""

from __future__ import annotations

from aiohttp import web


class OwnHeadersStreamResponse(web.StreamResponse):
    """Sends no Content-Type or Server header unless it was set before `prepare`."""

    async def _prepare_headers(self) -> None:
        had_type = "Content-Type" in self.headers
        had_server = "Server" in self.headers
        await super()._prepare_headers()
        if not had_type:
            self.headers.popall("Content-Type", None)
        if not had_server:
            self.headers.popall("Server", None)


class OwnHeadersResponse(OwnHeadersStreamResponse, web.Response):
    """A whole response with only the headers it was given."""
