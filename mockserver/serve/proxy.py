"""Forwarding a request to the upstream a `proxyBaseUrl` stub names, streaming the answer back.

One aiohttp `ClientSession` per server (the data plane's) keeps connections to upstreams
alive. The upstream's bytes go to the client as they arrive, with their own
`Content-Encoding`; the journal keeps one decoded copy (gzip and deflate), with headers that
describe that copy, so recordings hold readable bodies.
"""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass

import aiohttp
from multidict import CIMultiDict
from yarl import URL

from mockserver.exchange import DECODABLE_CODINGS, Request, WireRequest, decode_content
from mockserver.journal import ServeEvent
from mockserver.model import ResponseDefinition, StubMapping
from mockserver.respond.delays import dribble_slices
from mockserver.serve.reply import Reply, write_paced
from mockserver.stubs import parse_stub

PROXY_ALL_PRIORITY = 10
HOP_BY_HOP = frozenset({
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection",
    "te", "trailer", "trailers", "transfer-encoding", "upgrade",
})
# Rebuilt by aiohttp for the upstream request (or meaningless once the body has been read).
_REGENERATED = frozenset({"host", "content-length", "expect"})
CHUNK_SIZE = 64 * 1024


@dataclass(frozen=True)
class ProxyOptions:
    preserve_host_header: bool = False
    keep_body: bool = True  # keep a decoded copy of the body for the journal
    delay_ms: float = 0.0


def catch_all_stub(base_url: str) -> StubMapping:
    """What `--proxy-all URL` installs: any method, any URL, priority 10, as in WireMock."""
    return parse_stub({"request": {"method": "ANY"},
                       "response": {"proxyBaseUrl": base_url},
                       "priority": PROXY_ALL_PRIORITY})


def upstream_session() -> aiohttp.ClientSession:
    """The client session for upstreams, made on a running loop; the caller closes it.

    No cookie jar (clients must never share cookies), no automatic decompression (bytes go
    through untouched), no environment proxies, no overall timeout (large bodies stream).
    """
    timeout = aiohttp.ClientTimeout(total=None, sock_connect=30, sock_read=300)
    return aiohttp.ClientSession(
        cookie_jar=aiohttp.DummyCookieJar(), auto_decompress=False, timeout=timeout,
        connector=aiohttp.TCPConnector(limit=0, enable_cleanup_closed=False),
    )


def target_url(response: ResponseDefinition, request: Request) -> str:
    """`proxyBaseUrl` + the request URL without `proxyUrlPrefixToRemove` (plain concatenation)."""
    url = request.url
    prefix = response.proxy_url_prefix_to_remove
    if prefix and url.startswith(prefix):
        url = url[len(prefix):]
    return f"{response.proxy_base_url}{url}"


def _connection_tokens(headers: list[tuple[str, str]]) -> set[str]:
    return {token.strip().lower() for name, value in headers if name.lower() == "connection"
            for token in value.split(",")}


def upstream_headers(
    request: Request, response: ResponseDefinition, *, preserve_host: bool
) -> CIMultiDict[str]:
    """The client's headers minus hop-by-hop ones and `removeProxyRequestHeaders` (any case),
    plus `additionalProxyRequestHeaders`; `Host` is the target's unless preserved."""
    dropped = HOP_BY_HOP | _REGENERATED | _connection_tokens(request.headers)
    dropped |= {name.lower() for name in response.remove_proxy_request_headers}
    out: CIMultiDict[str] = CIMultiDict()
    for name, value in request.headers:
        low = name.lower()
        if low in dropped:
            continue
        if low == "accept-encoding":
            value = decodable_codings(value)
            if not value:
                continue
        out.add(name, value)
    for name, value in response.additional_proxy_request_headers:
        out[name] = value
    host = request.header("Host")
    if preserve_host and host:
        out["Host"] = host
    return out


def decodable_codings(accept_encoding: str) -> str:
    """`Accept-Encoding` narrowed to codings a recording can decode (no br, no zstd)."""
    kept = []
    for item in accept_encoding.split(","):
        coding = item.split(";", 1)[0].strip().lower()
        if coding in DECODABLE_CODINGS:  # the journal copy decodes; others not offered
            kept.append(item.strip())
        elif coding == "*":
            kept.append("gzip, deflate")
    return ", ".join(kept)


def failure_text(url: str, exc: BaseException) -> str:
    """WireMock's 500 body: which upstream failed, then why."""
    reason = str(exc) or exc.__class__.__name__
    if isinstance(exc, asyncio.TimeoutError):
        reason = "upstream timed out"
    kind = "SSL failure" if isinstance(exc, aiohttp.ClientSSLError) else "Network failure"
    return f"{kind} trying to make a proxied request from WireMock to {url}\r\n{reason}"


async def forward(
    reply: Reply,
    stub: StubMapping,
    request: WireRequest,
    session: aiohttp.ClientSession,
    options: ProxyOptions,
) -> ServeEvent:
    """Send `request` upstream and stream the answer to the client; the event to journal."""
    definition = stub.response
    url = target_url(definition, request)
    body = request.raw_body  # the bytes as sent, not decompressed
    try:
        upstream = await session.request(
            request.method, URL(url, encoded=True),
            headers=upstream_headers(request, definition,
                                     preserve_host=options.preserve_host_header),
            data=io.BytesIO(body) if body else None,  # written in chunks, never copied
            allow_redirects=False,
            skip_auto_headers=("Accept", "Accept-Encoding", "Content-Type"),
        )
    except (aiohttp.ClientError, OSError, asyncio.TimeoutError, ValueError) as exc:
        return _failure(reply, request, stub, url, exc, options)
    async with upstream:
        return await _stream(reply, stub, request, upstream, options)


def _failure(
    reply: Reply, request: Request, stub: StubMapping, url: str, exc: BaseException,
    options: ProxyOptions,
) -> ServeEvent:
    text = failure_text(url, exc).encode("utf-8")
    headers = [("Content-Type", "text/plain")]
    reply.send(500, None, headers, text)
    return ServeEvent(request, stub, 500, headers, text,
                      response_definition=stub.response.source_json,
                      added_delay=options.delay_ms)  # nothing came from upstream: not proxied


def _length(headers: list[tuple[str, str]]) -> int | None:
    for name, value in headers:
        if name.lower() == "content-length":
            return int(value) if value.strip().isdigit() else None
    return None


async def _stream(
    reply: Reply,
    stub: StubMapping,
    request: Request,
    upstream: aiohttp.ClientResponse,
    options: ProxyOptions,
) -> ServeEvent:
    tokens = _connection_tokens([(k.decode("latin-1"), v.decode("latin-1"))
                                 for k, v in upstream.raw_headers])
    headers: list[tuple[str, str]] = []
    for raw_name, raw_value in upstream.raw_headers:
        name, value = raw_name.decode("latin-1"), raw_value.decode("latin-1")
        if name.lower() not in HOP_BY_HOP and name.lower() not in tokens:
            headers.append((name, value))
    headers.extend(stub.response.headers)  # the stub's own headers are added, as in WireMock
    if options.delay_ms > 0:
        await asyncio.sleep(options.delay_ms / 1000)
    chunks: list[bytes] = []
    dribble = stub.response.chunked_dribble_delay
    try:
        if dribble is not None:  # the whole body is needed to split it into timed chunks
            whole = await upstream.read()
            chunks.append(whole)
            await reply.start(upstream.status, upstream.reason, headers, len(whole))
            await write_paced(reply, whole, dribble_slices(len(whole), dribble))
        else:
            await reply.start(upstream.status, upstream.reason, headers, _length(headers))
            async for chunk in upstream.content.iter_chunked(CHUNK_SIZE):
                await reply.write(chunk)
                if options.keep_body:
                    chunks.append(chunk)
        await reply.end()
    except ConnectionResetError:
        reply.keep_alive = False  # the client went away; still journal what the upstream said
    except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
        # The upstream broke off mid-body: the client must see a broken response, not a
        # short one that looks complete.
        reply.close()
        event = _event(request, stub, upstream.status, headers, b"".join(chunks), options)
        event.sub_events.append({"type": "PROXY_ERROR", "data": {"message": str(exc)}})
        return event
    return _event(request, stub, upstream.status, headers, b"".join(chunks), options)


def _event(
    request: Request, stub: StubMapping, status: int, headers: list[tuple[str, str]],
    body: bytes, options: ProxyOptions,
) -> ServeEvent:
    """The journal entry: the body decoded, with headers that describe the decoded bytes."""
    encoding = next((v for k, v in headers if k.lower() == "content-encoding"), "")
    decoded = decode_content(body, encoding) if body else body
    if decoded is not None:
        body = decoded
        headers = [(k, v) for k, v in headers
                   if k.lower() not in ("content-encoding", "content-length")
                   or (k.lower() == "content-length" and not encoding)]
    return ServeEvent(request, stub, status, headers, body,
                      response_definition=stub.response.source_json,
                      added_delay=options.delay_ms, proxied=True)
