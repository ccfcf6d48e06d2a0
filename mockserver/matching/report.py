"""WireMock's plain-text "Request was not matched" report: the closest stub beside the request."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mockserver.matching.nearmiss import NearMiss

NO_STUBS = "No response could be served as there are no stub mappings in this WireMock instance."


def render_report(
    near: NearMiss | None, width: int = 119, scenario_state: str | None = None
) -> str:
    """The closest stub's diff, or WireMock's fixed sentence when there are no stubs at all."""
    if near is None or near.stub is None:
        return NO_STUBS
    from mockserver.matching.diff import render_diff  # loaded with the first unmatched request

    return render_diff(near, width, scenario_state)
