"""A matched stub and a request into a `ResponsePlan`: what to send, after how long, or which
fault to inject. Pure: no sleeping and no sockets here (the server carries the plan out)."""

from __future__ import annotations

import base64
import json
import random
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from mockserver.errors import RenderError, TemplateError
from mockserver.exchange import Request
from mockserver.model import ChunkedDribbleDelay, Fault, StubMapping
from mockserver.respond.chaos import ChaosOutcome
from mockserver.respond.delays import added_delay, sample_delay
from mockserver.settings import GlobalSettings

if TYPE_CHECKING:  # templating (and Jinja2) load only when a stub is a template
    from mockserver.respond.templating import TemplateRun, Templating

__all__ = ["RenderError", "ResponsePlan", "added_delay", "body_bytes", "plan_response",
           "resolve_body_file", "sample_delay", "with_rendered_proxy_url"]


@dataclass
class ResponsePlan:
    status: int
    reason: str | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    delay_ms: float = 0.0
    fault: Fault | None = None
    dribble: ChunkedDribbleDelay | None = None
    hang: bool = False  # chaos: never answer
    bytes_per_second: int | None = None  # chaos: body bandwidth
    chaos: str | None = None  # why chaos changed the answer, for the journal and the log


def _template_failed(stub: StubMapping, problem: TemplateError) -> RenderError:
    """A failing template as the answer's text: it names the stub, the field and why."""
    label = f"{stub.id} ({stub.name})" if stub.name else stub.id
    return RenderError(f"Template error in stub {label}: {problem}")


def resolve_body_file(files_dir: Path, name: str) -> Path:
    """`bodyFileName` under `__files`, refusing names that would escape it."""
    root = files_dir.resolve()
    try:
        candidate = (root / name).resolve()
    except (OSError, ValueError) as exc:  # a NUL byte, a loop of links
        raise RenderError(f"bodyFileName {name!r} is not a file name") from exc
    if candidate != root and root not in candidate.parents:  # (clients never see the root)
        raise RenderError(f"bodyFileName {name!r} points outside the __files folder")
    return candidate


def _read_body_file(files_dir: Path, name: str) -> bytes:
    path = resolve_body_file(files_dir, name)
    try:
        return path.read_bytes()
    except (OSError, ValueError) as exc:
        raise RenderError(f"Not found in blob store: {name}") from exc


def _json_bytes(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def body_bytes(stub: StubMapping, files_dir: Path) -> bytes:
    """The stub's body; WireMock's precedence is body > jsonBody > base64Body > bodyFileName."""
    response = stub.response
    if response.static_body is not None:
        return response.static_body
    if response.body is not None:
        return response.body.encode("utf-8")
    if response.has_json_body:
        return _json_bytes(response.json_body)
    if response.base64_body is not None:
        return base64.b64decode(response.base64_body)
    if response.body_file_name is not None:
        return _read_body_file(files_dir, response.body_file_name)
    return b""


def _templated_body(stub: StubMapping, files_dir: Path, run: TemplateRun) -> bytes:
    response = stub.response
    if response.body is not None:
        return run.text(response.body, "response.body").encode("utf-8")
    if response.has_json_body:
        return _json_bytes(run.json(response.json_body))
    if response.base64_body is not None:
        return base64.b64decode(response.base64_body)
    if response.body_file_name is None:
        return b""
    name = run.text(response.body_file_name, "response.bodyFileName")
    data = _read_body_file(files_dir, name)
    if response.transformer_parameters.get("disableBodyFileTemplating") in (True, "true"):
        return data
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return data  # binary files are sent as they are
    from mockserver.respond.templating import needs_rendering

    if not needs_rendering(text):
        return data
    return run.text(text, f"__files/{name}").encode("utf-8")


def _identity(stub: StubMapping) -> list[tuple[str, str]]:
    headers = [("Matched-Stub-Id", stub.id)]
    if stub.name:
        headers.append(("Matched-Stub-Name", stub.name.encode("ascii", "replace").decode()))
    return headers


def _chaos_plan(stub: StubMapping, chaos: ChaosOutcome, delay: float) -> ResponsePlan:
    """The answer chaos gives instead of the stub's: a failure, a 429, or none at all."""
    if chaos.hang:
        return ResponsePlan(stub.response.status, delay_ms=delay, hang=True, chaos=chaos.reason)
    failure = chaos.failure
    assert failure is not None
    if failure.fault is not None:
        return ResponsePlan(stub.response.status, delay_ms=delay, fault=failure.fault,
                            chaos=chaos.reason)
    headers = [*failure.headers, *_identity(stub)]
    if chaos.retry_after is not None:
        headers.append(("Retry-After", str(chaos.retry_after)))
    return ResponsePlan(failure.status, headers=headers,
                        body=(failure.body or "").encode("utf-8"), delay_ms=delay,
                        bytes_per_second=chaos.bytes_per_second, chaos=chaos.reason)


def with_rendered_proxy_url(
    stub: StubMapping, request: Request, templating: Templating | None
) -> StubMapping:
    """The stub with its `proxyBaseUrl` rendered when templating applies (WireMock renders it).

    Raises RenderError naming the stub when the template fails for this request.
    """
    response = stub.response
    url = response.proxy_base_url
    if templating is None or url is None or not templating.applies_to(response):
        return stub
    from mockserver.respond.templating import TemplateRun, needs_rendering

    if not needs_rendering(url):
        return stub
    try:
        rendered = TemplateRun(templating, stub, request).text(url, "response.proxyBaseUrl")
    except TemplateError as problem:
        raise _template_failed(stub, problem) from None
    return stub.with_changes(response=replace(response, proxy_base_url=rendered))


def plan_response(
    stub: StubMapping,
    request: Request,
    *,
    files_dir: Path,
    settings: GlobalSettings,
    rng: random.Random,
    templating: Templating | None = None,
    chaos: ChaosOutcome | None = None,
) -> ResponsePlan:
    """Raises RenderError when it cannot (a missing body file, a failing template)."""
    response = stub.response
    delay = added_delay(stub, settings, rng)
    if chaos is not None:
        delay += chaos.headers_delay_ms
        if chaos.failure is not None or chaos.hang:
            return _chaos_plan(stub, chaos, delay)
    if response.fault is not None:
        return ResponsePlan(response.status, reason=response.status_message,
                            delay_ms=delay, fault=response.fault)
    if templating is not None and templating.applies_to(response):
        from mockserver.respond.templating import TemplateRun

        run = TemplateRun(templating, stub, request)
        try:
            headers = [(k, run.text(v, f"response.headers.{k}")) for k, v in response.headers]
            body = _templated_body(stub, files_dir, run)
        except TemplateError as problem:
            raise _template_failed(stub, problem) from None
    else:
        headers = list(response.headers)
        body = body_bytes(stub, files_dir)
    headers.extend(_identity(stub))
    return ResponsePlan(
        status=response.status,
        reason=response.status_message,
        headers=headers,
        body=body,
        delay_ms=delay,
        dribble=response.chunked_dribble_delay,
        bytes_per_second=None if chaos is None else chaos.bytes_per_second,
    )
