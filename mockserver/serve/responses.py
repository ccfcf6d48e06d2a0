"""Responses that carry only the headers we chose, and bodies written at a pace.

A WireMock stub answers with exactly its own headers: aiohttp's default `Content-Type` and
`Server` would be headers the stub author never wrote (and a proxied answer must keep the
upstream's, not aiohttp's). Stub answers and proxied ones share these classes and the pacing,
so `chunkedDribbleDelay` means the same thing whichever way the body came.
"""

from __future__ import annotations

import asyncio

from aiohttp import web

from mockserver.respond.delays import Slices


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


async def write_paced(response: web.StreamResponse, body: bytes, pacing: Slices) -> None:
    """Write `body` slice by slice, waiting the pacing's interval before each slice."""
    interval, slices = pacing
    for start, end in slices:
        await asyncio.sleep(interval)
        await response.write(body[start:end])
