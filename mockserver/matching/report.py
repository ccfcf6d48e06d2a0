"""WireMock's plain-text "Request was not matched" report: the closest stub beside the request.

The layout follows WireMock 3.13.2 (`PlainTextDiffRenderer`, `Diff`): for a console width W the
left column is padded to W/2 characters then `|`, each side wraps at W/2 - 2 characters, and a
line that does not match ends with `<<<<< <Section> does not match` (or `is not present`).
The left side prints each expectation, the right side what the request carried; bodies are
capped at `BODY_LIMIT` characters per side.
"""

from __future__ import annotations

import re

from mockserver.matchers.base import REPORT_LIMIT
from mockserver.matching.diff import diff_lines
from mockserver.matching.nearmiss import NearMiss

__all__ = ["BODY_LIMIT", "NO_STUBS", "render_diff", "render_report"]

TITLE = "Request was not matched"
NO_STUBS = "No response could be served as there are no stub mappings in this WireMock instance."
BODY_LIMIT = REPORT_LIMIT
MAX_WIDTH = 1000
_BLANK_LINES = re.compile(r"^[ \t]*\r?\n", re.MULTILINE)


def render_report(
    near: NearMiss | None, width: int = 119, scenario_state: str | None = None
) -> str:
    """The closest stub's diff, or WireMock's fixed sentence when there are no stubs at all."""
    if near is None or near.stub is None:
        return NO_STUBS
    return render_diff(near, width, scenario_state)


def render_diff(
    near: NearMiss,
    width: int = 119,
    scenario_state: str | None = None,
    *,
    title: str = TITLE,
    left_heading: str = "Closest stub",
) -> str:
    """The plain-text report for one near miss, at console width `width` (WireMock's default 119).

    `scenario_state` is the current state of the stub's scenario, when the caller knows it.
    `title` and `left_heading` name the report and its left column (verification failures
    put the expected pattern there).
    """
    width = max(1, min(int(width), MAX_WIDTH))
    middle = width // 2 - 1
    column = width // 2 - 2
    stub = near.stub
    lines = diff_lines(near, scenario_state)

    out = [
        "",
        " " * (middle - len(title) // 2) + title,
        " " * (middle - len(title) // 2) + "=" * len(title),
        "",
        "-" * width,
        "|" + f" {left_heading}".ljust(middle) + "|" + " Request".ljust(middle) + "|",
        "-" * width,
    ]
    out.append(_single("", "", None, middle))
    if stub is not None and stub.name is not None:
        _write(out, stub.name, "", None, middle, column)
        out.append(_single("", "", None, middle))
    for line in lines:
        if line.section == "Body" and line.matched:
            continue  # WireMock prints body expectations only when they fail
        _write(out, line.left, line.right, line.message, middle, column)
    out.append(_single("", "", None, middle))
    out.append("-" * width)
    return "\n".join(out) + "\n"


def _write(
    out: list[str], left: str, right: str, message: str | None, middle: int, column: int
) -> None:
    lefts = _split(_wrap(left.replace("\r\n", "\n"), column))
    rights = _split(_wrap(right.replace("\r\n", "\n"), column))
    out.append(_single(lefts[0] if lefts else "", rights[0] if rights else "", message, middle))
    for i in range(1, max(len(lefts), len(rights))):
        left_part = lefts[i] if i < len(lefts) else ""
        right_part = rights[i] if i < len(rights) else ""
        out.append(_single(left_part, right_part, None, middle))


def _single(left: str, right: str, message: str | None, middle: int) -> str:
    text = left.ljust(middle + 1) + "|"
    if right:
        text += " " + (right.ljust(middle - 6) + "<<<<< " + message if message else right)
    elif message:
        text += "".ljust(middle - 5) + "<<<<< " + message
    return text


def _split(text: str) -> list[str]:
    """Java's `String.split("\\n")`: trailing empty pieces are dropped."""
    if "\n" not in text:
        return [text]
    parts = text.split("\n")
    while parts and not parts[-1]:
        parts.pop()
    return parts


def _wrap(text: str, limit: int) -> str:
    """Word-wrap only when some line is longer than `limit` (WireMock's `Strings.wrap` rules).

    Spaces are the only break points; existing newlines count as ordinary characters, words
    longer than the limit are cut, and lines left blank by the wrapping are removed.
    """
    limit = max(limit, 1)
    if max(len(line) for line in text.split("\n")) <= limit:
        return text
    pieces: list[str] = []
    offset, length = 0, len(text)
    while offset < length:
        window = text[offset : min(offset + limit + 1, length)]
        if window.startswith(" "):
            offset += 1
            continue
        if length - offset <= limit:
            break
        space = window.rfind(" ")
        if space > 0:
            pieces.append(text[offset : offset + space])
            offset += space + 1
        else:
            pieces.append(text[offset : offset + limit])
            offset += limit
        pieces.append("\n")
    pieces.append(text[offset:])
    return _BLANK_LINES.sub("", "".join(pieces))
