"""The stub data plane: match a request, carry out the plan, journal and log what was done.

The wire (`serve.wire`) hands every stub request here with a `Reply` to answer through; this
is the only place a stub is answered, whichever protocol carried the request. The common case
(a stub with a fixed answer and no delay) is done without a task: the encoded answer is made
once per stub and reused, and the journal keeps the request's parts by reference.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Coroutine
from typing import Any

import aiohttp

from mockserver.compat import timedregex
from mockserver.contracts.guard import RequestGuard
from mockserver.contracts.openapi import Contract
from mockserver.errors import BodyTooLarge
from mockserver.exchange import Request, WireRequest
from mockserver.journal import ServeEvent
from mockserver.log import ServedLine, served_line
from mockserver.matching.nearmiss import NearMiss
from mockserver.matching.report import render_report
from mockserver.model import StubMapping
from mockserver.respond import faults
from mockserver.respond.delays import bandwidth_slices, dribble_slices
from mockserver.respond.rendering import (
    RenderError,
    ResponsePlan,
    added_delay,
    plan_response,
    with_rendered_proxy_url,
)
from mockserver.serve import proxy
from mockserver.serve.namespaces import PREFIX as NAMESPACE_PREFIX
from mockserver.serve.namespaces import NamespaceError, namespace_header, refusal_json
from mockserver.serve.reply import Encoded, Reply, write_paced
from mockserver.serve.scope import Scope
from mockserver.serve.shaping import AnswerShaping
from mockserver.serve.state import ServerState
from mockserver.serve.traffic import log_traffic

CONSOLE_WIDTH_HEADER = "X-WireMock-Console-Width"
HANG_POLL = 0.25  # seconds between checks that a hanging request's client is still there
_STATIC_SLACK = 1024  # cached answers of removed stubs tolerated before the cache is rebuilt
_REPORTS_KEPT = 256  # 404 reports kept for repeated unmatched requests

_Static = tuple[StubMapping, Encoded, ResponsePlan]


def _logs_info(log: Any) -> bool:
    check = getattr(log, "is_enabled_for", None)
    return True if check is None else bool(check(logging.INFO))


class DataPlane:
    """Answers stub requests for one server (see the module docstring)."""

    def __init__(self, state: ServerState) -> None:
        self.state = state
        self.release_hangs = asyncio.Event()
        self._static: dict[str, _Static] = {}
        self._gzipped: dict[str, tuple[StubMapping, Encoded]] = {}  # as _static, for gzip
        self._reports: dict[tuple[int, int, str | None], tuple[NearMiss, str]] = {}
        self._upstream: aiohttp.ClientSession | None = None
        self._log_requests = state.options.request_logging
        self._served_line: ServedLine | None = None  # the fast way to log a plain answer
        options = state.options
        self._shaping = AnswerShaping(options)
        # --verbose / --print-all-network-traffic / --record-mappings want whole exchanges
        self._log_traffic = options.verbose or options.print_all_network_traffic
        self._keep_proxied_bodies = self._log_traffic or options.record_mappings
        self._guard = (None if options.openapi is None else
                       RequestGuard(Contract.load(options.openapi), strict=options.openapi_strict))

    async def start(self) -> None:
        self._log_requests = self.state.options.request_logging and _logs_info(self.state.log)
        self._served_line = served_line() if self._log_requests else None

    async def close(self) -> None:
        """Hanging requests end first, so that they never delay a shutdown."""
        self.release_hangs.set()
        if self._upstream is not None:
            await self._upstream.close()
            self._upstream = None

    @property
    def upstream(self) -> aiohttp.ClientSession:
        if self._upstream is None:
            self._upstream = proxy.upstream_session()
        return self._upstream

    def failed(self, request: Request, reply: Reply, exc: BaseException) -> None:
        """A bug while serving a stub: logged with its traceback as `stub_error`, answered as
        a plain-text 500 naming the error (the stub's world: never the admin API's JSON).
        Called from the `except` block that caught `exc`."""
        self.state.log.exception("stub_error", method=request.method, path=request.path,
                                 request_id=request.id)  # called in the except block
        if not reply.started:
            reply.send(500, None, [("Content-Type", "text/plain; charset=utf-8")],
                       f"{exc.__class__.__name__}: {exc}".encode())

    # -- one request ----------------------------------------------------------------------
    def handle(self, request: WireRequest, reply: Reply) -> Coroutine[Any, Any, None] | None:
        """Answer at once when nothing needs waiting for; else the coroutine that will.

        A body sent compressed is inflated first, within `--max-request-body` (413 past it);
        every regex matching meets shares one request's time budget (`timedregex`)."""
        if request.raw_body and request.header("Content-Encoding") is not None:
            try:
                request.inflate_within(self.state.options.max_request_body)
            except BodyTooLarge as exc:
                self.state.log.warning("request_body_too_large", method=request.method,
                                       path=request.path, limit=exc.limit)
                reply.send(413, None, [("Content-Type", "text/plain")], str(exc).encode())
                return None
        with timedregex.request_budget():
            return self._handle(request, reply)

    def _handle(self, request: WireRequest, reply: Reply) -> Coroutine[Any, Any, None] | None:
        started = time.perf_counter()
        if self._shaping.cors:
            preflight = self._shaping.preflight(request)
            if preflight is not None:  # answered before matching, and not journalled
                reply.send(200, None, preflight, b"")
                return None
        reply.shape = self._shaping.for_request(request)
        state: Scope = self.state
        header = namespace_header(request.raw_headers)
        if header is not None or request.url.startswith(NAMESPACE_PREFIX):
            try:
                state = self._scope(request, header)
            except NamespaceError as exc:
                reply.send(exc.status, None, [("Content-Type", "application/json")],
                           refusal_json(exc))
                return None
        if self._guard is not None and self._guard.strict and self._refused(
                state, request, reply, started):
            return None
        if state.registry.scenarios.shared is None:
            return self._answer(state, state.find(request), request, reply, started)
        stub, gated = state.find_ungated(request)
        if gated:
            return self._shared_find(state, request, reply, started)
        return self._answer(state, stub, request, reply, started)

    async def _shared_find(self, state: Scope, request: WireRequest, reply: Reply,
                           started: float) -> None:
        """Replicas sharing a store: a scenario stub's gate and transition wait for it (one
        atomic script there); other stubs were matched on the local copy, without waiting."""
        stub = await state.find_async(request)
        pending = self._answer(state, stub, request, reply, started)
        if pending is not None:
            await pending

    def _answer(self, state: Scope, stub: StubMapping | None, request: WireRequest,
                reply: Reply, started: float) -> Coroutine[Any, Any, None] | None:
        if stub is None:
            self._unmatched(state, request, reply, started)
            return None
        response = stub.response
        if response.proxy_base_url is not None:
            return self._proxy(state, stub, request, reply, started)
        chaos = state.runtime.chaos.outcome(stub, state.settings.chaos, state.runtime.rng)
        templating = state.runtime.templating_for(response)
        if (chaos is None and templating is None and response.fault is None
                and response.chunked_dribble_delay is None and response.body_file_name is None):
            return self._static_answer(state, stub, request, reply, started)
        try:
            plan = plan_response(stub, request, files_dir=state.options.files_dir,
                                 settings=state.settings, rng=state.runtime.rng,
                                 templating=templating, chaos=chaos)
        except RenderError as exc:
            state.log.warning("response_render_failed", stub_id=stub.id, stub_name=stub.name,
                              request_id=request.id, error=str(exc))
            plan = ResponsePlan(500, headers=[("Content-Type", "text/plain")],
                                body=str(exc).encode())
        event = ServeEvent(request, stub, plan.status, plan.headers, plan.body,
                           response_definition=response.source_json, added_delay=plan.delay_ms)
        extra: dict[str, object] = {}
        if plan.chaos is not None:
            event.sub_events.append({"type": "CHAOS", "data": {"reason": plan.chaos}})
            extra["chaos"] = plan.chaos
        if plan.fault is not None:
            extra["fault"] = plan.fault.value
        paced = bool(plan.body) and (plan.dribble is not None or bool(plan.bytes_per_second))
        if plan.delay_ms > 0 or plan.hang or plan.fault is not None or paced:
            return self._carry_out(state, plan, event, reply, started, extra)
        self._done(state, event, started, extra)
        reply.send(plan.status, plan.reason, plan.headers, plan.body)
        self._answered(state, event)
        return None

    def _scope(self, request: WireRequest, header: str | None) -> Scope:
        """The namespace the request names (path prefix first, else the header), its URL
        now as the namespace sees it and the prefix kept for `request.baseUrl`."""
        scope, url, prefix = self.state.namespaces.select(request.url, header)
        if prefix:
            request.url = url
            request.base_path = prefix
        return scope

    def _static_answer(
        self, state: Scope, stub: StubMapping, request: WireRequest, reply: Reply,
        started: float
    ) -> Coroutine[Any, Any, None] | None:
        """A fixed answer, encoded on first use; later uses only sample the delay."""
        cached = self._static.get(stub.id)
        if cached is not None and cached[0] is stub:
            _, encoded, plan = cached
            delay = added_delay(stub, state.settings, state.runtime.rng)
        else:
            plan = plan_response(stub, request, files_dir=state.options.files_dir,
                                 settings=state.settings, rng=state.runtime.rng)
            delay = plan.delay_ms
            encoded = Encoded(plan.status, plan.reason, plan.headers, plan.body)
            if len(self._static) > len(self.state.registry) + _STATIC_SLACK:
                self._static.clear()
            self._static[stub.id] = (stub, encoded, plan)
        event = ServeEvent(request, stub, plan.status, plan.headers, plan.body,
                           response_definition=stub.response.source_json, added_delay=delay)
        if delay > 0:
            return self._delayed(state, stub, encoded, plan, event, reply, started, delay)
        self._done(state, event, started, None)
        self._send_static(reply, stub, encoded, plan)
        self._answered(state, event)
        return None

    async def _delayed(self, state: Scope, stub: StubMapping, encoded: Encoded,
                       plan: ResponsePlan, event: ServeEvent, reply: Reply, started: float,
                       delay: float) -> None:
        await asyncio.sleep(delay / 1000)
        self._done(state, event, started, None)
        self._send_static(reply, stub, encoded, plan)
        self._answered(state, event)

    def _send_static(self, reply: Reply, stub: StubMapping, encoded: Encoded,
                     plan: ResponsePlan) -> None:
        """The cached bytes; for a client taking gzip, the cached gzipped bytes (made on first
        use); shaped afresh only with CORS, whose headers depend on the request's Origin."""
        shape = reply.shape
        if shape is None:
            reply.send_encoded(encoded)
            return
        if shape.cors or shape.method == "HEAD":
            reply.send(plan.status, plan.reason, plan.headers, plan.body)
            return
        cached = self._gzipped.get(stub.id)
        if cached is None or cached[0] is not stub:
            headers, body = shape.whole(plan.status, plan.headers, plan.body)
            cached = (stub, Encoded(plan.status, plan.reason, headers, body))
            if len(self._gzipped) > len(self.state.registry) + _STATIC_SLACK:
                self._gzipped.clear()
            self._gzipped[stub.id] = cached
        reply.send_encoded(cached[1])

    def _done(self, state: Scope, event: ServeEvent, started: float,
              extra: dict[str, object] | None) -> None:
        """Journal and log the event, before the answer goes out: a client that has its answer
        finds the request in the journal and the log. The log line is made only when it will
        be written."""
        elapsed = (time.perf_counter() - started) * 1000
        event.total_time = max(0.0, elapsed - event.added_delay)  # the delay is apart
        if self._guard is not None and not self._guard.strict:
            violations = self._guard.check(event.request)
            if violations:
                event.sub_events.append(self._guard.sub_event(violations))
                state.log.warning("openapi_violation", method=event.request.method,
                                  path=event.request.path, request_id=event.request.id,
                                  violations=[str(v) for v in violations])
        state.journal.add(event)
        if self._log_traffic:
            log_traffic(state.log, event, everything=state.options.print_all_network_traffic)
        if not self._log_requests:
            return
        request, stub = event.request, event.stub
        if not extra and self._served_line is not None:
            self._served_line(request.method, request.url, request.id,
                              stub.name if stub else None, stub.id if stub else None,
                              event.status, round(elapsed, 2))
            return
        state.log.info("request_served", method=request.method, path=request.url,
                       request_id=request.id, stub_name=stub.name if stub else None,
                       stub_id=stub.id if stub else None, matched=stub is not None,
                       status=event.status, elapsed_ms=round(elapsed, 2), **(extra or {}))

    async def _carry_out(self, state: Scope, plan: ResponsePlan, event: ServeEvent, reply: Reply,
                         started: float, extra: dict[str, object]) -> None:
        """Wait, then answer; faults and hangs break or hold the connection after the
        request has been journaled."""
        if plan.delay_ms > 0:
            await asyncio.sleep(plan.delay_ms / 1000)
        if plan.hang:
            self._done(state, event, started, extra)
            try:
                await self._hang(reply)
            finally:  # no answer: the webhooks go when the hang ends
                self._answered(state, event)
            return
        if plan.fault is not None:
            self._done(state, event, started, extra)
            reply.keep_alive = False
            faults.inject(plan.fault, reply.transport)
        elif plan.body and (plan.dribble is not None or plan.bytes_per_second):
            await self._paced(reply, plan)
            self._done(state, event, started, extra)
        else:
            self._done(state, event, started, extra)
            reply.send(plan.status, plan.reason, plan.headers, plan.body)
        self._answered(state, event)

    def _answered(self, state: Scope, event: ServeEvent) -> None:
        """The answer has left (or the connection is broken): the stub's webhooks go now."""
        stub = event.stub
        if stub is not None and (stub.serve_event_listeners or stub.post_serve_actions):
            state.webhooks.fire(event, state.runtime.templating, state.options.files_dir)

    async def _hang(self, reply: Reply) -> None:
        """Never answer: wait until the client gives up or the server stops, then close."""
        reply.keep_alive = False
        while not self.release_hangs.is_set() and not reply.closed:
            try:
                await asyncio.wait_for(self.release_hangs.wait(), HANG_POLL)
            except asyncio.TimeoutError:
                pass
        reply.close()

    async def _paced(self, reply: Reply, plan: ResponsePlan) -> None:
        """Headers at once, then the body in slices: `chunkedDribbleDelay`, else the bandwidth."""
        size = len(plan.body)
        if plan.dribble is not None:
            pacing = dribble_slices(size, plan.dribble)
        else:
            assert plan.bytes_per_second is not None
            pacing = bandwidth_slices(size, plan.bytes_per_second)
        await reply.start(plan.status, plan.reason, plan.headers, size)
        await write_paced(reply, plan.body, pacing)
        await reply.end()

    # -- proxying ---------------------------------------------------------------------------
    async def _proxy(self, state: Scope, stub: StubMapping, request: WireRequest, reply: Reply,
                     started: float) -> None:
        try:
            stub = with_rendered_proxy_url(stub, request,
                                           state.runtime.templating_for(stub.response))
        except RenderError as exc:
            state.log.warning("response_render_failed", stub_id=stub.id, stub_name=stub.name,
                              request_id=request.id, error=str(exc))
            body = str(exc).encode()
            headers = [("Content-Type", "text/plain")]
            event = ServeEvent(request, stub, 500, headers, body,
                               response_definition=stub.response.source_json)
            self._done(state, event, started, None)
            reply.send(500, None, headers, body)
            self._answered(state, event)
            return
        options = proxy.ProxyOptions(preserve_host_header=state.options.preserve_host_header,
                                     keep_body=state.journal.enabled
                                     or self._keep_proxied_bodies,
                                     delay_ms=added_delay(stub, state.settings, state.runtime.rng))
        event = await proxy.forward(reply, stub, request, self.upstream, options)
        self._done(state, event, started, None)  # streamed as it came: known only now
        self._answered(state, event)
        if self.state.options.record_mappings:
            await self.state.mappings_recorder.record(event)

    # -- refused before matching --------------------------------------------------------------
    def _refused(self, state: Scope, request: WireRequest, reply: Reply,
                 started: float) -> bool:
        """`--openapi-validation strict`: a request the description forbids gets a 400
        problem document, journalled as unmatched with its violations."""
        assert self._guard is not None
        violations = self._guard.check(request)
        if not violations:
            return False
        body = self._guard.problem(request, violations)
        headers = [("Content-Type", "application/problem+json")]
        event = ServeEvent(request, None, 400, headers, body,
                           response_definition={"status": 400, "fromConfiguredStub": False},
                           sub_events=[self._guard.sub_event(violations)])
        self._done(state, event, started, {"openapi_violations": len(violations)})
        reply.send(400, None, headers, body)
        return True

    # -- no stub ----------------------------------------------------------------------------
    def _report(self, closest: NearMiss | None, width: int, scenario_state: str | None) -> str:
        """The 404's text. A repeated unmatched request gets the very `NearMiss` found the
        first time (see `nearest_stubs`), so its report is rendered once, not every time."""
        if closest is None:
            return render_report(closest, width, scenario_state)
        key = (id(closest), width, scenario_state)
        known = self._reports.get(key)
        if known is not None and known[0] is closest:
            return known[1]
        report = render_report(closest, width, scenario_state)
        if len(self._reports) >= _REPORTS_KEPT:
            self._reports.clear()
        self._reports[key] = (closest, report)
        return report

    def _unmatched(self, state: Scope, request: WireRequest, reply: Reply, started: float) -> None:
        """WireMock's 404: the closest stub's diff as text, and the same facts for the log."""
        near = state.nearest(request, 1)
        closest = near[0] if near else None
        extra: dict[str, object] = {}
        scenario_state = None
        if closest is not None and closest.stub is not None:
            stub = closest.stub
            extra = {
                "closest_stub_id": stub.id,
                "closest_stub_name": stub.name,
                "distance": round(closest.match.distance, 4),
                "differences": [f.section + (f":{f.key}" if f.key else "")
                                for f in closest.match.fields if not f.result.matched],
            }
            if stub.scenario_name is not None:
                scenario_state = state.scenario_state(stub.scenario_name)
        width_header = request.header(CONSOLE_WIDTH_HEADER)
        try:
            width = max(40, min(400, int(width_header))) if width_header else 119
        except ValueError:
            width = 119
        report = self._report(closest, width, scenario_state)
        headers = [("Content-Type", "text/plain;charset=UTF-8")]
        event = ServeEvent(
            request, None, 404, headers, b"",
            response_definition={"status": 404, "fromConfiguredStub": False},
            sub_events=[{"type": "REQUEST_NOT_MATCHED",
                         "data": {"status": 404, "contentType": "text/plain", "report": report}}],
        )
        self._done(state, event, started, extra)
        reply.send(404, None, headers, report.encode("utf-8"))
