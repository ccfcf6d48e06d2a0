"""WireMock's plain-text "Request was not matched" report: the closest stub beside the request."""

from __future__ import annotations

from mockserver.nearmiss import NearMiss

NO_STUBS = "No response could be served as there are no stub mappings in this WireMock instance."


def render_report(near: NearMiss | None, width: int = 119) -> str:
    if near is None or near.stub is None:
        return NO_STUBS
    from mockserver.diff import render_diff

    return render_diff(near, width)
