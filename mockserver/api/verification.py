"""What a failed check says: verification, unmatched requests, unused stubs, bad stub files.

Every text here is read in a pytest failure, so it leads with the expectation, then shows only
what is wrong: near misses for requests that are missing, the extra requests when there were
too many, each unmatched request beside the stub it came closest to.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from mockserver.errors import MockServerError, StubError, StubFileError
from mockserver.journal import Journal
from mockserver.matching.nearmiss import nearest_requests
from mockserver.matching.report import render_diff
from mockserver.model import RequestPattern, StubMapping
from mockserver.stubs import request_pattern_json
from mockserver.stubs.validation import describe

__all__ = ["StubLoadError", "UnmatchedRequestError", "failure_text", "plural",
           "unmatched_text", "unused_text"]


def plural(count: int, noun: str, many: str | None = None) -> str:
    """`1 stub`, `2 stubs`, `0 problems`."""
    return f"{count} {noun if count == 1 else (many or noun + 's')}"


class StubLoadError(StubError):
    """Stub files (or stub text) that did not load; the message lists each `file:line`."""

    def __init__(self, message: str, errors: Sequence[StubFileError] = ()) -> None:
        super().__init__((), message)
        self.errors = list(errors)
        self.args = (message,)

    def __str__(self) -> str:
        return self.message

    @classmethod
    def from_errors(cls, errors: Sequence[StubFileError]) -> StubLoadError:
        if len(errors) == 1:
            return cls(describe(errors[0]), errors)
        lines = [f"{plural(len(errors), 'stub')} did not load:"]
        lines += [f"  {describe(error)}" for error in errors]
        return cls("\n".join(lines), errors)


class UnmatchedRequestError(AssertionError, MockServerError):
    """Requests reached the server that no stub matched."""


def _shown(pattern: Mapping[str, Any] | str) -> str:
    return (pattern if isinstance(pattern, str) else json.dumps(pattern, sort_keys=True)).strip()


def failure_text(
    journal: Journal, pattern: Mapping[str, Any] | str, compiled: RequestPattern,
    count: int | None,
) -> str | None:
    """None when the journal satisfies the expectation, else why not (run on the loop)."""
    if not journal.enabled:
        return "cannot verify: the request journal is disabled"
    matching = journal.matching(compiled)
    found = len(matching)
    if (found >= 1) if count is None else (found == count):
        return None
    expected = "at least one request" if count is None else (
        f"exactly {plural(count, 'request')}")
    lines = [f"expected {expected} matching {_shown(pattern)}, but {found} matched"]
    if count is not None and found > count:
        lines.append("the requests that matched:")
        lines += [f"  {e.request.method} {e.request.url}" for e in matching]
        return "\n".join(lines)
    matched_ids = {id(e.request) for e in matching}
    others = [r for r in journal.requests() if id(r) not in matched_ids]
    if not others:
        lines.append("no other requests were received" if found else
                     "no requests were received at all")
        return "\n".join(lines)
    near = nearest_requests(others, compiled)
    lines.append("the nearest requests received, beside the pattern:")
    lines += [render_diff(n, title=f"Nearest request {i} of {len(near)}",
                          left_heading="Expected") for i, n in enumerate(near, 1)]
    return "\n".join(lines)


def unmatched_text(journal: Journal) -> str:
    """Each unmatched request with the report it got (its nearest stub); empty when none."""
    unmatched = [e for e in journal.oldest_first() if not e.was_matched]
    if not unmatched:
        return ""
    lines = [(f"{plural(len(unmatched), 'request')} matched no stub "
              "(mark the test @pytest.mark.mockserver_allow_unmatched if that is expected):")]
    for event in unmatched:
        lines.append(f"  {event.request.method} {event.request.url}")
    for event in unmatched:
        report = next((sub["data"].get("report") for sub in event.sub_events
                       if sub.get("type") == "REQUEST_NOT_MATCHED"), None)
        if report:
            lines.append(f"\n{event.request.method} {event.request.url}:")
            lines.append(report.rstrip())
    return "\n".join(lines)


def unused_text(stubs: Sequence[StubMapping]) -> str:
    lines = [f"{plural(len(stubs), 'stub')} never matched a request:"]
    for stub in stubs:
        request = request_pattern_json(stub.request)
        url = next((request[k] for k in ("url", "urlPath", "urlPattern", "urlPathPattern",
                                         "urlPathTemplate") if k in request), "")
        label = f"{stub.name} ({url})" if stub.name and url else (stub.name or url)
        lines.append(f"  {stub.id} {request.get('method', 'ANY')} {label}".rstrip())
    return "\n".join(lines)
