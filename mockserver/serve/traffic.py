"""Whole exchanges in the log: `--print-all-network-traffic`, and `--verbose` at debug level.

WireMock's `--verbose` prints each request it receives and each response in full, and
`--print-all-network-traffic` dumps what crosses the socket. Both become one structured
`traffic` event per exchange here: method, URL, protocol, headers and body of the request, and
status, headers and body of the response as the stub rendered it (before gzip). Text bodies
are logged as text, others as base64.
"""

from __future__ import annotations

import base64
from typing import Any

from mockserver.journal import ServeEvent


def _body(data: bytes) -> dict[str, Any]:
    if not data:
        return {}
    try:
        return {"body": data.decode("utf-8")}
    except UnicodeDecodeError:
        return {"base64Body": base64.b64encode(data).decode("ascii")}


def exchange(event: ServeEvent) -> dict[str, Any]:
    """The request and the response of `event`, in full, as log fields."""
    request = event.request
    response_body = event.body
    if not response_body and event.stub is None:  # the no-match report lives in a sub-event
        for sub in event.sub_events:
            report = sub.get("data", {}).get("report")
            if isinstance(report, str):
                response_body = report.encode("utf-8")
    return {
        "request": {"method": request.method, "url": request.url,
                    "protocol": request.protocol, "client_ip": request.client_ip,
                    "headers": [[k, v] for k, v in request.headers],
                    **_body(request.body)},
        "response": {"status": event.status, "headers": [[k, v] for k, v in event.headers],
                     **_body(response_body)},
    }


def log_traffic(log: Any, event: ServeEvent, *, everything: bool) -> None:
    """`traffic` at info with --print-all-network-traffic, else at debug (--verbose)."""
    if everything:
        log.info("traffic", **exchange(event))
    else:
        log.debug("traffic", **exchange(event))
