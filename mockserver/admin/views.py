"""JSON views of journal entries, as WireMock's admin API shows them."""

from __future__ import annotations

import base64
from datetime import datetime, timezone
from typing import Any

from mockserver.exchange import Request, header_map
from mockserver.journal import ServeEvent
from mockserver.matching.nearmiss import NearMiss
from mockserver.matching.pattern import RequestMatch
from mockserver.stubs import stub_to_json


def epoch_millis(timestamp: float) -> int:
    """`loggedDate`: whole milliseconds, the one precision every journal view uses."""
    return int(timestamp * 1000)


def iso_millis(timestamp: float) -> str:
    """`loggedDateString`, the same instant as `epoch_millis` (never rounded up past it)."""
    millis = epoch_millis(timestamp)
    moment = datetime.fromtimestamp(millis // 1000, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{millis % 1000:03d}Z"


def _params(values: dict[str, list[str]]) -> dict[str, Any]:
    return {k: {"key": k, "values": v} for k, v in values.items()}


def _text(body: bytes) -> str:
    return body.decode("utf-8", errors="replace")


def logged_request(request: Request) -> dict[str, Any]:
    cookies = {k: v[0] if len(v) == 1 else v for k, v in request.cookies.items()}
    return {
        "url": request.url,
        "absoluteUrl": request.absolute_url,
        "method": request.method,
        "clientIp": request.client_ip,
        "headers": header_map(request.headers),
        "cookies": cookies,
        "browserProxyRequest": False,
        "loggedDate": epoch_millis(request.logged_date),
        "bodyAsBase64": base64.b64encode(request.body).decode("ascii"),
        "body": _text(request.body),
        "protocol": request.protocol,
        "scheme": request.scheme,
        "host": request.host,
        "port": request.port,
        "loggedDateString": iso_millis(request.logged_date),
        "queryParams": _params(request.query),
        "formParams": _params(request.form),
    }


def serve_event(event: ServeEvent) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": event.id,
        "request": logged_request(event.request),
        "responseDefinition": event.response_definition,
        "response": {
            "status": event.status,
            "headers": header_map(event.headers),
            "bodyAsBase64": base64.b64encode(event.body).decode("ascii"),
            "body": _text(event.body),
        },
        "wasMatched": event.was_matched,
        "timing": {
            "addedDelay": int(event.added_delay),
            "processTime": int(event.total_time),
            "responseSendTime": 0,
            "serveTime": int(event.total_time),
            "totalTime": int(event.total_time + event.added_delay),
        },
        "subEvents": event.sub_events,
    }
    if event.stub is not None:
        out["stubMapping"] = stub_to_json(event.stub)
    else:
        out["stubMapping"] = {"id": event.id, "request": {"method": "ANY"},
                              "response": {"status": 404}, "uuid": event.id}
    return out


def match_result(match: RequestMatch) -> dict[str, Any]:
    return {"subEvents": [], "diffDescriptions": [], "distance": round(match.distance, 6)}


def near_miss(near: NearMiss, *, pattern_json: dict[str, Any] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"request": logged_request(near.request)}
    if near.stub is not None:
        out["stubMapping"] = stub_to_json(near.stub)
    if pattern_json is not None:
        out["requestPattern"] = pattern_json
    out["matchResult"] = match_result(near.match)
    return out
