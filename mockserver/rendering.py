"""A matched stub and a request into a `ResponsePlan`: what to send, after how long, or which
fault to inject. Pure: no sleeping and no sockets here (the server carries the plan out)."""

from __future__ import annotations

import base64
import json
import math
import random
from dataclasses import dataclass, field
from pathlib import Path

from mockserver.exchange import Request
from mockserver.model import ChunkedDribbleDelay, DelayDistribution, Fault, StubMapping
from mockserver.settings import GlobalSettings


@dataclass
class ResponsePlan:
    status: int
    reason: str | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    delay_ms: float = 0.0
    fault: Fault | None = None
    dribble: ChunkedDribbleDelay | None = None


class RenderError(Exception):
    """The stub cannot be rendered for this request (e.g. its body file is missing)."""


def resolve_body_file(files_dir: Path, name: str) -> Path:
    """`bodyFileName` under `__files`, refusing names that would escape it."""
    root = files_dir.resolve()
    candidate = (root / name).resolve()
    if candidate != root and root not in candidate.parents:
        raise RenderError(f"bodyFileName {name!r} points outside {files_dir}")
    return candidate


def body_bytes(stub: StubMapping, files_dir: Path) -> bytes:
    """The stub's body; WireMock's precedence is body > jsonBody > base64Body > bodyFileName."""
    response = stub.response
    if response.body is not None:
        return response.body.encode("utf-8")
    if response.has_json_body:
        return json.dumps(response.json_body, ensure_ascii=False, separators=(",", ":")).encode()
    if response.base64_body is not None:
        return base64.b64decode(response.base64_body)
    if response.body_file_name is not None:
        path = resolve_body_file(files_dir, response.body_file_name)
        try:
            return path.read_bytes()
        except OSError as exc:
            raise RenderError(f"Not found in blob store: {response.body_file_name}") from exc
    return b""


def sample_delay(dist: DelayDistribution | None, rng: random.Random) -> float:
    if dist is None:
        return 0.0
    if dist.type == "fixed":
        return float(dist.milliseconds)
    if dist.type == "uniform":
        return float(rng.randint(dist.lower, dist.upper))
    value: float = round(math.exp(rng.gauss(0.0, 1.0) * dist.sigma) * dist.median)
    if dist.max_value is not None:
        for _ in range(10):
            if value <= dist.max_value:
                break
            value = round(math.exp(rng.gauss(0.0, 1.0) * dist.sigma) * dist.median)
        value = min(value, dist.max_value)
    return float(value)


def added_delay(stub: StubMapping, settings: GlobalSettings, rng: random.Random) -> float:
    """Stub delays replace the global ones of the same kind; fixed and random delays add up."""
    response = stub.response
    fixed = response.fixed_delay_milliseconds
    if fixed is None:
        fixed = settings.fixed_delay or 0
    dist = response.delay_distribution or settings.delay_distribution
    return float(fixed) + sample_delay(dist, rng)


def plan_response(
    stub: StubMapping,
    request: Request,
    *,
    files_dir: Path,
    settings: GlobalSettings,
    rng: random.Random,
) -> ResponsePlan:
    response = stub.response
    headers = list(response.headers)
    headers.append(("Matched-Stub-Id", stub.id))
    if stub.name:
        headers.append(("Matched-Stub-Name", stub.name.encode("ascii", "replace").decode()))
    return ResponsePlan(
        status=response.status,
        reason=response.status_message,
        headers=headers,
        body=b"" if response.fault else body_bytes(stub, files_dir),
        delay_ms=added_delay(stub, settings, rng),
        fault=response.fault,
        dribble=response.chunked_dribble_delay,
    )
