"""`mockserver validate`: every problem of every stub, not only the first of each.

The parser stops at a stub's first mistake (a stub either loads or does not). To report them
all, the problem's key is cut out of a copy of the stub and the copy parsed again, until it
parses; then values that load but are almost certainly mistakes (a negative delay, a
lower-case method) are flagged. Unknown keys and operators get the nearest allowed name
("did you mean") instead of the whole list.
"""

from __future__ import annotations

import copy
import difflib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mockserver.errors import KeyPath, StubError, StubFileError, format_key_path
from mockserver.stubs.files import decode, locate_line, mapping_files
from mockserver.stubs.parse import parse_stub

__all__ = ["ValidationReport", "suggest", "validate_directory", "validate_text"]

MAX_PROBLEMS_PER_STUB = 50
_UNKNOWN = re.compile(r"^unknown (?P<what>\w+) '(?P<name>[^']*)' \(expected one of: "
                      r"(?P<choices>[^)]*)\)(?P<rest>.*)$", re.DOTALL)
_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "ANY")


def suggest(message: str) -> str:
    """`unknown field 'urlz' (expected one of: ...)` -> `unknown field 'urlz' (did you mean
    'url'?)`; the whole list stays when no allowed name is close."""
    m = _UNKNOWN.match(message)
    if m is None:
        return message
    choices = [c.strip() for c in m["choices"].split(",") if c.strip()]
    close = difflib.get_close_matches(m["name"], choices, n=2, cutoff=0.6)
    if not close:
        lowered = {c.lower(): c for c in choices}
        close = [lowered[m["name"].lower()]] if m["name"].lower() in lowered else []
    if not close:
        return message
    options = " or ".join(repr(c) for c in close)
    return f"unknown {m['what']} {m['name']!r} (did you mean {options}?){m['rest']}"


class ValidationReport:
    def __init__(self) -> None:
        self.files = 0
        self.stubs = 0
        self.problems: list[StubFileError] = []


def validate_directory(mappings_dir: Path) -> ValidationReport:
    report = ValidationReport()
    for path in mapping_files(mappings_dir):
        report.files += 1
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            report.problems.append(StubFileError(str(path), None, (), f"cannot read file: {exc}"))
            continue
        stubs, problems = validate_text(text, display=str(path),
                                        is_json=path.suffix.lower() == ".json")
        report.stubs += stubs
        report.problems.extend(problems)
    return report


def validate_text(text: str, *, display: str, is_json: bool) -> tuple[int, list[StubFileError]]:
    """(stubs in the text, every problem found in them)."""
    try:
        data = decode(text, display=display, is_json=is_json)
    except StubFileError as exc:
        return 0, [exc]
    if data is None:
        return 0, []
    if isinstance(data, dict) and isinstance(data.get("mappings"), list):
        entries: list[tuple[KeyPath, Any]] = [
            (("mappings", i), item) for i, item in enumerate(data["mappings"])]
    elif isinstance(data, list):
        entries = [((i,), item) for i, item in enumerate(data)]
    else:
        entries = [((), data)]
    problems: list[StubFileError] = []
    for prefix, item in entries:
        located = []
        for path, message in stub_problems(item):
            full = (*prefix, *path)
            located.append(StubFileError(display, locate_line(text, is_json, full), full,
                                         message))
        located.sort(key=lambda p: p.line or 0)
        problems.extend(located)
    return len(entries), problems


def stub_problems(stub: Any) -> list[tuple[KeyPath, str]]:
    """Every (key path, message) wrong in one stub mapping."""
    found: list[tuple[KeyPath, str]] = []
    work = copy.deepcopy(stub)
    removed: list[KeyPath] = []
    for _ in range(MAX_PROBLEMS_PER_STUB):
        try:
            parse_stub(work)
            break
        except StubError as exc:
            path = exc.path
            # an emptied parent is a consequence of a cut made to get here, not a problem
            if not any(path == r[:len(path)] for r in removed):
                found.append((path, suggest(exc.message)))
            if not path or not _cut(work, path):
                break
            removed.append(path)
        except Exception:  # noqa: BLE001 - a cut can leave shapes the parser never expected
            break
    found.extend(suspicious_values(stub))
    return found


def _cut(data: Any, path: KeyPath) -> bool:
    """Remove the node at `path` (or its deepest existing ancestor's child); False if none."""
    parent = data
    for part in path[:-1]:
        try:
            child = parent[part]
        except (KeyError, IndexError, TypeError):
            break
        if not isinstance(child, (dict, list)):
            break
        parent = child
    else:
        last = path[-1]
        try:
            if isinstance(parent, dict) and last in parent:
                del parent[last]
                return True
            if isinstance(parent, list) and isinstance(last, int) and last < len(parent):
                del parent[last]
                return True
        except TypeError:
            return False
        return False
    return False


def suspicious_values(stub: Any) -> Iterator[tuple[KeyPath, str]]:
    """Values the parser accepts but a person almost never means."""
    if not isinstance(stub, dict):
        return
    request = stub.get("request")
    if isinstance(request, dict):
        method = request.get("method")
        if isinstance(method, str) and method != method.upper() and method.upper() in _METHODS:
            yield (("request", "method"),
                   f"method {method!r} is compared as written: did you mean {method.upper()!r}?")
    response = stub.get("response")
    if not isinstance(response, dict):
        return
    for key in ("fixedDelayMilliseconds",):
        value = response.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
            yield ("response", key), f"negative delay {value}: no delay is added; write 0"
    status = response.get("status")
    if isinstance(status, int) and not isinstance(status, bool) and not 100 <= status <= 599:
        yield ("response", "status"), f"status {status} is not an HTTP status (100-599)"
    dribble = response.get("chunkedDribbleDelay")
    if isinstance(dribble, dict):
        for key in ("numberOfChunks", "totalDuration"):
            value = dribble.get(key)
            if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
                yield ("response", "chunkedDribbleDelay", key), f"negative {key} {value}"


def describe(problem: StubFileError) -> str:
    """One line per problem (`file:line: key.path: message`, with a suggestion when close)."""
    where = f"{problem.file}:{problem.line}" if problem.line is not None else problem.file
    return f"{where}: {format_key_path(problem.path) or '(root)'}: {suggest(problem.message)}"
