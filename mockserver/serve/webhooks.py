"""Webhooks: WireMock's `webhook` serve-event listener, sent after the answer is written.

A stub's `serveEventListeners: [{name: webhook, parameters: {...}}]` (or the legacy
`postServeActions`) describes one callback. Its `url`, `method`, header values and body are
templates over `originalRequest` (the trigger's request), `originalResponse` (the answer
sent: mockserver's addition) and `parameters` (every parameter), always rendered, as WireMock
3.13 does, whatever the templating options. `delay` (fixed, uniform, lognormal) holds only the
callback. Callbacks go out from one `ClientSession`, at most `--webhook-threadpool-size` at a
time, as background tasks that shutdown cancels; each adds `WEBHOOK_REQUEST` and then
`WEBHOOK_RESPONSE` (or `ERROR`) to the trigger's journal entry, in WireMock's shapes.

Callbacks carry `X-Mockserver-Webhook: <depth>`; a trigger request already `MAX_DEPTH` deep
fires nothing, so a stub whose webhook calls this same server cannot loop forever.

The data plane makes one call when a served event is complete and its answer has left:
`state.webhooks.fire(event, templating, files_dir)` (see `serve.dataplane`).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import random
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import aiohttp
import structlog

from mockserver.errors import RenderError, StubError, TemplateError, WebhookError
from mockserver.exchange import Request, header_map, parse_query
from mockserver.journal import ServeEvent
from mockserver.model import DelayDistribution, StubMapping
from mockserver.respond.delays import sample_delay
from mockserver.respond.rendering import resolve_body_file
from mockserver.stubs.parse import parse_delay_distribution

if TYPE_CHECKING:
    from mockserver.respond.templating import Templating

LISTENER_NAME = "webhook"
LOOP_HEADER = "X-Mockserver-Webhook"
MAX_DEPTH = 3  # a callback to this server may trigger callbacks this many levels deep
DEFAULT_POOL_SIZE = 10  # WireMock's --webhook-threadpool-size default
TIMEOUT_SECONDS = 30.0  # per callback: a receiver that never answers cannot hold a slot
RESPONSE_LIMIT = 1024 * 1024  # bytes of a receiver's answer kept in the journal
KEPT_DELIVERIES = 1000  # finished deliveries remembered for wait_for_webhooks
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
MAX_WAITING = 10_000  # callbacks queued or in flight; past this a trigger sends nothing
_FIELDS = ("method", "url", "headers", "body", "base64Body", "jsonBody", "bodyFileName",
           "delay")


def webhook_parameters(stub: StubMapping) -> list[dict[str, Any]]:
    """The parameters of each `webhook` listener of `stub` (both spellings, in order)."""
    found: list[dict[str, Any]] = []
    for listeners in (stub.post_serve_actions, stub.serve_event_listeners):
        for listener in listeners or ():
            params = listener.get("parameters")
            if listener.get("name") == LISTENER_NAME and isinstance(params, Mapping):
                found.append(dict(params))
    return found


@dataclass
class Delivery:
    """One callback's outcome: what was sent, and the answer or the error."""

    trigger_id: str
    sub_events: list[dict[str, Any]] = field(default_factory=list)

    @property
    def request(self) -> dict[str, Any] | None:
        return _data_of(self.sub_events, "WEBHOOK_REQUEST")

    @property
    def response(self) -> dict[str, Any] | None:
        return _data_of(self.sub_events, "WEBHOOK_RESPONSE")

    @property
    def error(self) -> str | None:
        data = _data_of(self.sub_events, "ERROR")
        return None if data is None else str(data.get("message"))


def _data_of(events: list[dict[str, Any]], kind: str) -> dict[str, Any] | None:
    return next((e["data"] for e in events if e["type"] == kind), None)


@dataclass(frozen=True)
class _Call:
    """A webhook rendered and ready to send."""

    method: str
    url: str
    headers: list[tuple[str, str]]
    body: bytes | None


class Webhooks:
    """The server's callbacks in flight and done; lives as long as the server."""

    def __init__(self, pool_size: int = DEFAULT_POOL_SIZE, *,
                 rng: random.Random | None = None) -> None:
        self.pool_size = max(1, pool_size)
        self._rng = rng or random.Random()
        self._slots: asyncio.Semaphore | None = None
        self._session: aiohttp.ClientSession | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._done: deque[Delivery] = deque(maxlen=KEPT_DELIVERIES)
        self._changed: asyncio.Condition | None = None
        self._log = structlog.get_logger("mockserver")

    # -- what tests and the Python API ask -------------------------------------------------
    @property
    def pending(self) -> int:
        return len(self._tasks)

    def finished(self) -> list[Delivery]:
        return list(self._done)

    def forget(self) -> None:
        """A reset: finished deliveries are forgotten (callbacks in flight still finish)."""
        self._done.clear()

    async def wait(self, count: int, timeout: float) -> list[Delivery]:
        """The first `count` finished deliveries, waiting up to `timeout` seconds for them."""
        changed = self._condition()
        async with changed:
            try:
                await asyncio.wait_for(changed.wait_for(lambda: len(self._done) >= count),
                                       timeout)
            except asyncio.TimeoutError:
                pass
        return list(self._done)[:count] if len(self._done) >= count else list(self._done)

    # -- firing ------------------------------------------------------------------------------
    def fire(self, event: ServeEvent, templating: Templating, files_dir: Path) -> None:
        """Start one background task per webhook of the event's stub (none when it has none)."""
        stub = event.stub
        if stub is None:
            return
        definitions = webhook_parameters(stub)
        if not definitions:
            return
        depth = _depth(event.request)
        for params in definitions:
            if depth >= MAX_DEPTH:
                self._record(event, Delivery(event.id, [_error(
                    f"webhook not sent: the trigger request is already {depth} webhooks deep "
                    f"({LOOP_HEADER}), which suggests a loop")]))
                continue
            if len(self._tasks) >= MAX_WAITING:  # a slow receiver must not grow memory forever
                self._record(event, Delivery(event.id, [_error(
                    f"webhook not sent: {len(self._tasks)} callbacks are already waiting "
                    "(the receivers are slower than the traffic)")]))
                continue
            task = asyncio.get_running_loop().create_task(
                self._deliver(event, params, templating, files_dir, depth + 1))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _deliver(self, event: ServeEvent, params: dict[str, Any], templating: Templating,
                       files_dir: Path, depth: int) -> None:
        delivery = Delivery(event.id)
        try:
            call = _render(params, event, templating, files_dir)
            delay = _delay(params.get("delay"), self._rng)
        except WebhookError as exc:
            delivery.sub_events.append(_error(
                f"Exception thrown while configuring webhook: {exc.message}"))
            self._log.warning("webhook_invalid", stub_id=event.stub and event.stub.id,
                              error=exc.message)
            self._record(event, delivery)
            return
        if delay > 0:
            await asyncio.sleep(delay / 1000)
        async with self._slots_():
            delivery.sub_events.append({"type": "WEBHOOK_REQUEST", "timeOffsetNanos": 0,
                                        "data": _request_view(call)})
            try:
                answer = await self._send(call, depth)
            except (aiohttp.ClientError, asyncio.TimeoutError, OSError, ValueError) as exc:
                text = str(exc) or type(exc).__name__
                delivery.sub_events.append(_error(
                    f"Failed to fire webhook {call.method} {call.url}: {text}"))
                self._log.warning("webhook_failed", method=call.method, url=call.url, error=text)
            else:
                delivery.sub_events.append({"type": "WEBHOOK_RESPONSE", "timeOffsetNanos": 0,
                                            "data": answer})
                self._log.info("webhook_sent", method=call.method, url=call.url,
                               status=answer["status"])
        self._record(event, delivery)

    async def _send(self, call: _Call, depth: int) -> dict[str, Any]:
        headers = [*call.headers, (LOOP_HEADER, str(depth))]
        async with self._session_().request(
            call.method, call.url, headers=headers, data=call.body, allow_redirects=False,
            skip_auto_headers=("Accept", "Accept-Encoding"),  # only the headers defined
        ) as reply:
            body = await _read_up_to(reply.content, RESPONSE_LIMIT)
            return {
                "status": reply.status,
                "headers": header_map([(k.decode("latin-1"), v.decode("latin-1"))
                                       for k, v in reply.raw_headers]),
                "bodyAsBase64": base64.b64encode(body).decode("ascii"),
                "body": body.decode("utf-8", errors="replace"),
            }

    def _record(self, event: ServeEvent, delivery: Delivery) -> None:
        event.sub_events.extend(delivery.sub_events)
        self._done.append(delivery)
        changed = self._condition()

        async def notify() -> None:
            async with changed:
                changed.notify_all()

        task = asyncio.get_running_loop().create_task(notify())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- resources ---------------------------------------------------------------------------
    def _slots_(self) -> asyncio.Semaphore:
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.pool_size)
        return self._slots

    def _condition(self) -> asyncio.Condition:
        if self._changed is None:
            self._changed = asyncio.Condition()
        return self._changed

    def _session_(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=TIMEOUT_SECONDS),
                connector=aiohttp.TCPConnector(limit=self.pool_size),
                auto_decompress=True,
            )
        return self._session

    async def close(self) -> None:
        """Shutdown: cancel callbacks still waiting or in flight, then close the session."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
            self._session = None


def _depth(request: Request) -> int:
    try:
        return max(0, int(request.header(LOOP_HEADER) or 0))
    except ValueError:
        return MAX_DEPTH  # a mangled guard is treated as deep: never loop on it


def _error(message: str) -> dict[str, Any]:
    return {"type": "ERROR", "data": {"message": message}}


def _delay(value: Any, rng: random.Random) -> float:
    """Milliseconds to hold the callback (stub delays' distributions). WireMock accepts any
    parameters when a stub is added, so a bad `delay` fails the delivery, not the stub."""
    if value is None:
        return 0.0
    try:
        dist: DelayDistribution | None = parse_delay_distribution(value, ("delay",))
    except StubError as exc:
        raise WebhookError(f"delay: {exc}") from None
    return sample_delay(dist, rng)


# -- rendering ---------------------------------------------------------------------------------

def _render(params: dict[str, Any], event: ServeEvent, templating: Templating,
            files_dir: Path) -> _Call:
    from mockserver.respond.templating import compile_template, needs_rendering

    variables = _model(params, event, templating)

    def text(value: Any, where: str) -> str:
        if isinstance(value, (dict, list)):
            value = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        source = "" if value is None else str(value)
        if not needs_rendering(source):
            return source
        try:
            return compile_template(source).render(variables)
        except TemplateError as exc:
            raise WebhookError(f"{where}: {exc}") from None

    url = text(params.get("url"), "url")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or " " in url:
        raise WebhookError(f"url: {url!r} is not an absolute http(s) URL")
    method = text(params.get("method") or "GET", "method").strip().upper() or "GET"
    headers: list[tuple[str, str]] = []
    raw_headers = params.get("headers") or {}
    if not isinstance(raw_headers, Mapping):
        raise WebhookError("headers: expected an object of header names to values")
    for name, value in raw_headers.items():
        for item in value if isinstance(value, list) else [value]:
            headers.append((str(name), text(item, f"headers.{name}")))
    # as WireMock's: only methods that carry an entity get the body (a GET's is dropped)
    body = _body(params, text, files_dir) if method in BODY_METHODS else None
    return _Call(method, url, headers, body)


def _body(params: Mapping[str, Any], text: Callable[[Any, str], str],
          files_dir: Path) -> bytes | None:
    """`body`, else `base64Body`, else `jsonBody`, else `bodyFileName` (its content rendered)."""
    if params.get("body") is not None:
        return text(params["body"], "body").encode("utf-8")
    if params.get("base64Body") is not None:
        try:
            return base64.b64decode(text(params["base64Body"], "base64Body"), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise WebhookError("base64Body: not valid base64") from exc
    if params.get("jsonBody") is not None:
        return text(params["jsonBody"], "jsonBody").encode("utf-8")
    if params.get("bodyFileName") is not None:
        name = text(params["bodyFileName"], "bodyFileName")
        try:
            path = resolve_body_file(files_dir, name)
            source = path.read_text("utf-8", errors="replace")
        except (OSError, ValueError, RenderError) as exc:
            raise WebhookError(f"bodyFileName: cannot read {name!r} from __files: {exc}") \
                from None
        return text(source, f"bodyFileName {name}").encode("utf-8")
    return None


def _model(params: dict[str, Any], event: ServeEvent, templating: Templating) -> dict[str, Any]:
    # imported here: templating (Jinja2) loads on first use, not at start-up
    from mockserver.respond.templating.context import Params, RequestModel

    """`originalRequest`, `originalResponse` and `parameters`; no `request` (as in WireMock)."""
    stub = event.stub
    url = stub.request.url if stub is not None else None
    named = url.path_parameters(event.request.path) if url is not None else {}
    original = RequestModel(event.request, named)
    variables = templating.variables(original, params)
    del variables["request"]
    response_headers: dict[str, list[str]] = {}
    for name, value in event.headers:
        response_headers.setdefault(name, []).append(value)
    variables["originalRequest"] = original
    variables["originalResponse"] = {
        "status": event.status,
        "headers": Params(response_headers, fold_case=True),
        "body": event.body.decode("utf-8", errors="replace"),
    }
    return variables


def _request_view(call: _Call) -> dict[str, Any]:
    """WireMock's WEBHOOK_REQUEST data: a logged request without client or cookie fields."""
    parts = urlsplit(call.url)
    scheme = parts.scheme
    port = parts.port or (443 if scheme == "https" else 80)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    now_ms = int(time.time() * 1000)
    out: dict[str, Any] = {
        "url": target,
        "absoluteUrl": call.url,
        "method": call.method,
        "headers": header_map(call.headers),
        "browserProxyRequest": False,
        "loggedDate": now_ms,
    }
    if call.body is not None:
        out["bodyAsBase64"] = base64.b64encode(call.body).decode("ascii")
        out["body"] = call.body.decode("utf-8", errors="replace")
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now_ms // 1000))
    content_type = next((v for k, v in call.headers if k.lower() == "content-type"), "")
    form = {}
    if call.body and content_type.lower().startswith("application/x-www-form-urlencoded"):
        form = parse_query(call.body.decode("utf-8", errors="replace"))
    out.update({
        "scheme": scheme,
        "host": parts.hostname or "",
        "port": port,
        "loggedDateString": f"{stamp}.{now_ms % 1000:03d}Z",
        "queryParams": {k: {"key": k, "values": v} for k, v in parse_query(parts.query).items()},
        "formParams": {k: {"key": k, "values": v} for k, v in form.items()},
    })
    return out


async def _read_up_to(stream: aiohttp.StreamReader, limit: int) -> bytes:
    """The whole answer, or its first `limit` bytes: `read(n)` alone returns whatever has
    arrived, so a receiver that streams would be cut at its first chunk."""
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        chunk = await stream.read(limit - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)
