"""The aiohttp application: the catch-all stub handler, carrying out response plans."""

from __future__ import annotations

import asyncio
import time

from aiohttp import web
from multidict import CIMultiDict
from structlog.contextvars import bind_contextvars

from mockserver.exchange import Request, decode_content
from mockserver.journal import ServeEvent
from mockserver.matching.nearmiss import nearest_stubs
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
from mockserver.serve.failure import stub_failures
from mockserver.serve.responses import OwnHeadersResponse, OwnHeadersStreamResponse, write_paced
from mockserver.serve.state import STATE, ServerState
from mockserver.serve.webhooks import answer_then_fire

CONSOLE_WIDTH_HEADER = "X-WireMock-Console-Width"


async def to_exchange(http: web.Request) -> Request:
    """The aiohttp request as a framework-free `Request`, its body decoded once.

    aiohttp's parser has already inflated the codings it knows (gzip, deflate) when it set
    `total_compressed_bytes`; only what it left encoded (x-gzip) is decoded here. A body that
    does not decode (corrupt, or too big inflated) is kept as sent.
    """
    body = await http.read()
    encoding = http.headers.get("Content-Encoding", "")
    if body and encoding and getattr(http.content, "total_compressed_bytes", None) is None:
        decoded = decode_content(body, encoding)
        if decoded is not None:
            body = decoded
    sockname = http.transport.get_extra_info("sockname") if http.transport else None
    host = http.host.rsplit(":", 1)[0] if http.host and not http.host.endswith("]") else http.host
    return Request(
        method=http.method,
        url=http.raw_path or "/",
        headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in http.raw_headers],
        body=body,
        client_ip=http.remote or "",
        scheme=http.scheme,
        host=host or "",
        port=sockname[1] if sockname else 0,
        protocol=f"HTTP/{http.version.major}.{http.version.minor}",
        logged_date=time.time(),
    )


async def handle_stub_request(http: web.Request) -> web.StreamResponse:
    state = http.app[STATE]
    started = time.perf_counter()
    request = await to_exchange(http)
    if state.options.request_logging:  # the journal's lazy id: made anyway when journalling
        bind_contextvars(request_id=request.id)
    stub = state.registry.find(request)
    extra: dict[str, object] = {}
    if stub is None:
        response, event, extra = _unmatched(state, request,
                                            http.headers.get(CONSOLE_WIDTH_HEADER))
    elif stub.response.proxy_base_url is not None:
        response, event = await _proxy(http, state, stub, request)
    else:
        chaos = state.runtime.chaos.outcome(stub, state.settings.chaos, state.runtime.rng)
        try:
            plan = plan_response(stub, request, files_dir=state.options.files_dir,
                                 settings=state.settings, rng=state.runtime.rng,
                                 templating=state.runtime.templating_for(stub.response),
                                 chaos=chaos)
        except RenderError as exc:
            state.log.warning("response_render_failed", stub_id=stub.id, stub_name=stub.name,
                              error=str(exc))
            plan = ResponsePlan(500, headers=[("Content-Type", "text/plain")],
                                body=str(exc).encode())
        event = ServeEvent(request, stub, plan.status, plan.headers, plan.body,
                           response_definition=stub.response.source_json, added_delay=plan.delay_ms)
        if plan.chaos is not None:
            event.sub_events.append({"type": "CHAOS", "data": {"reason": plan.chaos}})
            extra["chaos"] = plan.chaos
        if plan.fault is not None:
            extra["fault"] = plan.fault.value
        response = await _carry_out(http, plan)
    elapsed = (time.perf_counter() - started) * 1000
    event.total_time = max(0.0, elapsed - event.added_delay)  # serving time; the delay is apart
    state.journal.add(event)
    if state.options.request_logging:
        state.log.info("request_served", method=request.method, path=request.url,
                       stub_name=stub.name if stub else None, stub_id=stub.id if stub else None,
                       matched=stub is not None,
                       status=event.status, elapsed_ms=round(elapsed, 2), **extra)
    return await answer_then_fire(http, response, event, state)


async def _proxy(
    http: web.Request, state: ServerState, stub: StubMapping, request: Request
) -> tuple[web.StreamResponse, ServeEvent]:
    try:
        stub = with_rendered_proxy_url(stub, request,
                                       state.runtime.templating_for(stub.response))
    except RenderError as exc:
        state.log.warning("response_render_failed", stub_id=stub.id, stub_name=stub.name,
                          error=str(exc))
        body = str(exc).encode()
        headers = [("Content-Type", "text/plain")]
        event = ServeEvent(request, stub, 500, headers, body,
                           response_definition=stub.response.source_json)
        return OwnHeadersResponse(status=500, body=body, headers=CIMultiDict(headers)), event
    options = proxy.ProxyOptions(preserve_host_header=state.options.preserve_host_header,
                                 keep_body=state.journal.enabled,
                                 delay_ms=added_delay(stub, state.settings, state.runtime.rng))
    return await proxy.forward(http, stub, request, http.app[proxy.UPSTREAM], options)


def _unmatched(
    state: ServerState, request: Request, width_header: str | None
) -> tuple[web.StreamResponse, ServeEvent, dict[str, object]]:
    """WireMock's 404: the closest stub's diff as text, and the same facts for the log."""
    near = nearest_stubs(state.registry, request, 1)
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
            scenario_state = state.registry.scenarios.state(stub.scenario_name)
    try:
        width = max(40, min(400, int(width_header))) if width_header else 119
    except ValueError:
        width = 119
    report = render_report(closest, width, scenario_state)
    headers = [("Content-Type", "text/plain;charset=UTF-8")]
    event = ServeEvent(
        request, None, 404, headers, b"",
        response_definition={"status": 404, "fromConfiguredStub": False},
        sub_events=[{"type": "REQUEST_NOT_MATCHED",
                     "data": {"status": 404, "contentType": "text/plain", "report": report}}],
    )
    response = OwnHeadersResponse(status=404, body=report.encode("utf-8"),
                                  headers=CIMultiDict(headers))
    return response, event, extra


async def _carry_out(http: web.Request, plan: ResponsePlan) -> web.StreamResponse:
    """Wait, then answer; faults and hangs are responses that break or hold the connection
    when aiohttp prepares them, after the request has been journaled."""
    if plan.delay_ms > 0:
        await asyncio.sleep(plan.delay_ms / 1000)
    if plan.hang:
        return faults.HangResponse(http.app[faults.RELEASE_HANGS])
    if plan.fault is not None:
        return faults.FaultResponse(plan.fault)
    headers = CIMultiDict(plan.headers)
    if plan.body and (plan.dribble is not None or plan.bytes_per_second):
        return await _paced(http, plan, headers)
    return OwnHeadersResponse(status=plan.status, reason=plan.reason, body=plan.body,
                              headers=headers)


async def _paced(
    http: web.Request, plan: ResponsePlan, headers: CIMultiDict[str]
) -> web.StreamResponse:
    """Headers at once, then the body in slices: `chunkedDribbleDelay`, else the bandwidth."""
    size = len(plan.body)
    if plan.dribble is not None:
        pacing = dribble_slices(size, plan.dribble)
    else:
        assert plan.bytes_per_second is not None
        pacing = bandwidth_slices(size, plan.bytes_per_second)
    response = OwnHeadersStreamResponse(status=plan.status, reason=plan.reason, headers=headers)
    response.content_length = size
    await response.prepare(http)
    await write_paced(response, plan.body, pacing)
    await response.write_eof()
    return response


def create_app(state: ServerState) -> web.Application:
    from mockserver.admin import add_admin_routes

    app = web.Application(client_max_size=1024**3, handler_args={"max_field_size": 65536,
                                                                  "max_line_size": 65536})
    app[STATE] = state

    async def close_webhooks(_app: web.Application) -> None:
        await state.webhooks.close()

    app.on_cleanup.append(close_webhooks)
    faults.setup(app)
    proxy.setup(app)
    add_admin_routes(app)
    app.router.add_route("*", "/{tail:.*}", stub_failures(handle_stub_request))
    return app
