"""A real upstream API for proxy and recording tests: an aiohttp app on a free loopback port.

It runs on its own event loop in a thread, logs every request it receives, and answers a few
fixed routes (JSON echo, text, binary, gzip, deflate, repeated headers, a counter, credentials,
a body it streams on demand).
"""

from __future__ import annotations

import asyncio
import gzip
import json
import threading
import zlib
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BINARY = bytes(range(256)) * 4
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))


def fixed(make: Callable[[web.Request], web.Response]) -> Callable[
        [web.Request], Awaitable[web.Response]]:
    """A handler answering with whatever `make` builds from the request."""

    async def handler(request: web.Request) -> web.Response:
        return make(request)

    return handler


@dataclass
class Received:
    method: str
    path: str
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


@dataclass
class Upstream:
    url: str = ""
    received: list[Received] = field(default_factory=list)
    counter: int = 0
    release: threading.Event = field(default_factory=threading.Event)
    # `/live/...` answers: (method, path) -> (status, content type, body); tests change them
    live: dict[tuple[str, str], tuple[int, str, bytes]] = field(default_factory=dict)

    def app(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.middlewares.append(self._log)
        router = app.router
        router.add_get("/text", fixed(lambda r: web.Response(
            text="hello from upstream", headers={"X-Upstream": "yes"})))
        router.add_get("/binary", fixed(lambda r: web.Response(
            body=BINARY, content_type="application/octet-stream")))
        router.add_get("/image.png", fixed(lambda r: web.Response(
            body=PNG, content_type="image/png")))
        router.add_get("/gzip", self._gzip)
        router.add_get("/deflate", self._deflate)
        router.add_get("/multi-header", self._multi_header)
        router.add_get("/status/{code}", fixed(lambda r: web.Response(
            status=int(r.match_info["code"]), text=f"status {r.match_info['code']}")))
        router.add_get("/counter", self._counter)
        router.add_get("/redirect", fixed(lambda r: web.Response(
            status=302, headers={"Location": "/text?token=SECRET-LOCATION"})))
        router.add_get("/customers/{id}", self._customer)
        router.add_post("/oauth/token", self._token)
        router.add_get("/stream", self._stream)
        router.add_route("*", "/echo{tail:.*}", self._echo)
        router.add_route("*", "/live/{tail:.*}", self._live)
        router.add_route("*", "/secrets/{kind}{tail:.*}", self._secrets)
        return app

    async def _secrets(self, request: web.Request) -> web.Response:
        """Secrets in places a recorder must look: a response header, XML and text bodies."""
        headers = {"X-Upstream-Token": "SECRET-UPSTREAM-TOKEN"}
        if request.match_info["kind"] == "xml":
            return web.Response(text="<account><id>7</id><password>SECRET-XML-PASS</password>"
                                     "<card number='4111111111111111'/></account>",
                                content_type="application/xml", headers=headers)
        return web.Response(text="ok token=SECRET-TEXT-TOKEN card 4012 8888 8888 1881",
                            content_type="text/plain", headers=headers)

    @web.middleware
    async def _log(self, request: web.Request, handler: Any) -> web.StreamResponse:
        body = await request.read()
        self.received.append(Received(
            request.method, request.raw_path,
            [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.raw_headers], body))
        response: web.StreamResponse = await handler(request)
        return response

    async def _echo(self, request: web.Request) -> web.Response:
        body = await request.read()
        return web.json_response({
            "method": request.method, "path": request.raw_path,
            "headers": {k.lower(): v for k, v in request.headers.items()},
            "body": body.decode("utf-8", "replace"),
        }, headers={"X-Upstream": "yes"})

    async def _gzip(self, request: web.Request) -> web.Response:
        data = gzip.compress(json.dumps({"compressed": "gzip"}).encode())
        return web.Response(body=data, headers={"Content-Encoding": "gzip",
                                                "Content-Type": "application/json"})

    async def _deflate(self, request: web.Request) -> web.Response:
        data = zlib.compress(b"deflated text")
        return web.Response(body=data, headers={"Content-Encoding": "deflate",
                                                "Content-Type": "text/plain"})

    async def _multi_header(self, request: web.Request) -> web.Response:
        response = web.Response(text="multi")
        response.headers.add("X-Multi", "one")
        response.headers.add("X-Multi", "two")
        return response

    async def _counter(self, request: web.Request) -> web.Response:
        self.counter += 1
        return web.json_response({"call": self.counter})

    async def _customer(self, request: web.Request) -> web.Response:
        response = web.json_response({"id": request.match_info["id"], "name": "Ada",
                                      "api_token": "SECRET-IN-RESPONSE"})
        response.headers.add("Set-Cookie", "session=SECRET-COOKIE; Path=/; HttpOnly")
        return response

    async def _token(self, request: web.Request) -> web.Response:
        data = await request.json()
        return web.json_response({"access_token": "SECRET-ACCESS", "token_type": "bearer",
                                  "scope": data.get("scope")})

    async def _stream(self, request: web.Request) -> web.StreamResponse:
        """Sends a first chunk, then the rest only once the test has seen that chunk."""
        response = web.StreamResponse(headers={"Content-Type": "text/plain"})
        await response.prepare(request)
        await response.write(b"first chunk;")
        await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 10)
        await response.write(b"second chunk")
        await response.write_eof()
        return response


    async def _live(self, request: web.Request) -> web.Response:
        found = self.live.get((request.method, request.path))
        if found is None:
            return web.Response(status=404, text="no such live route")
        status, content_type, body = found
        return web.Response(status=status, body=body, headers={"Content-Type": content_type})


@contextmanager
def running_upstream() -> Iterator[Upstream]:
    """An `Upstream` listening on 127.0.0.1 (a free port) for the duration of the block."""
    upstream = Upstream()
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(upstream.app(), access_log=None)
    thread = threading.Thread(target=loop.run_forever, name="upstream", daemon=True)
    thread.start()

    async def start() -> int:
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        return int(runner.addresses[0][1])

    port = asyncio.run_coroutine_threadsafe(start(), loop).result(timeout=10)
    upstream.url = f"http://127.0.0.1:{port}"
    try:
        yield upstream
    finally:
        upstream.release.set()
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()
