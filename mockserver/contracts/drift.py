"""Replaying recorded stubs against the live API and saying where the API moved on.

Mocks lie once the real API changes; this is the check teams run now and then (or nightly in
CI) to learn it. Each replayable stub's request goes to the target with the user's own
credentials (recordings are redacted), and the live answer is compared with the recorded one:
the status exactly, the media type, and JSON bodies by shape (see `contracts.shape`).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from mockserver.contracts.replay import (
    Expected,
    Replay,
    StubEntry,
    expected_of,
    media_type,
    replay_of,
    stub_entries,
)
from mockserver.contracts.shape import DRIFT, Difference, compare
from mockserver.errors import MockServerError, StubFileError


class TargetUnreachable(MockServerError):
    """The target API could not be reached at all: no verdict is possible."""


@dataclass(frozen=True, slots=True)
class LiveAnswer:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes

    @property
    def content_type(self) -> str | None:
        for name, value in self.headers:
            if name.lower() == "content-type":
                return value
        return None


@dataclass
class StubResult:
    entry: StubEntry
    replay: Replay | None = None
    skipped: str | None = None
    differences: list[Difference] = field(default_factory=list)
    live: LiveAnswer | None = None

    @property
    def drifted(self) -> bool:
        return any(d.severity == DRIFT for d in self.differences)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"file": self.entry.display, "line": self.entry.line,
                               "name": self.entry.stub.get("name")}
        if self.replay is not None:
            out["request"] = f"{self.replay.method} {self.replay.path_and_query}"
        if self.skipped is not None:
            out["skipped"] = self.skipped
        else:
            out["drifted"] = self.drifted
            out["differences"] = [d.to_json() for d in self.differences]
        return out


@dataclass
class DriftReport:
    target: str
    results: list[StubResult] = field(default_factory=list)
    errors: list[StubFileError] = field(default_factory=list)

    @property
    def drifted(self) -> list[StubResult]:
        return [r for r in self.results if r.drifted]

    def to_json(self) -> dict[str, Any]:
        checked = [r for r in self.results if r.skipped is None]
        return {
            "target": self.target,
            "checked": len(checked),
            "drifted": len(self.drifted),
            "skipped": len(self.results) - len(checked),
            "stubs": [r.to_json() for r in self.results],
            "fileErrors": [str(e) for e in self.errors],
        }


def differences(expected: Expected, live: LiveAnswer, *, values: bool) -> list[Difference]:
    """What drifted between a recorded answer and a live one."""
    found: list[Difference] = []
    if live.status != expected.status:
        found.append(Difference(("status",), DRIFT, "status changed", expected.status,
                                live.status))
    want, got = media_type(expected.content_type), media_type(live.content_type)
    if want is not None and want != got:
        found.append(Difference(("Content-Type",), DRIFT, "content type changed", want, got))
    if expected.is_json:
        try:
            document = json.loads(live.body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            found.append(Difference((), DRIFT, "the live body is not JSON", "JSON",
                                    live.body[:80].decode("utf-8", "replace")))
            return found
        ignored = _ignored_paths(expected.ignore, expected.body, document)
        found.extend(compare(expected.body, document, values=values, ignored=ignored))
    return found


def _ignored_paths(expressions: tuple[str, ...], *documents: Any) -> list[tuple[Any, ...]]:
    """Concrete paths the `metadata.drift.ignore` JSONPaths select in either document."""
    from jsonpath_ng.ext.parser import parse

    paths: list[tuple[Any, ...]] = []
    for expression in expressions:
        try:
            compiled = parse(expression)
        except Exception:  # noqa: BLE001 - jsonpath-ng raises several types; skip a bad path
            continue
        for document in documents:
            for match in compiled.find(document):
                paths.append(_path_of_match(match))
    return paths


def _path_of_match(match: Any) -> tuple[Any, ...]:
    from jsonpath_ng import Fields, Index

    parts: list[Any] = []
    node = match
    while node is not None and node.context is not None:
        if isinstance(node.path, Fields) and len(node.path.fields) == 1:
            parts.append(node.path.fields[0])
        elif isinstance(node.path, Index):
            indices = getattr(node.path, "indices", None) or (getattr(node.path, "index", 0),)
            parts.append(indices[0])
        node = node.context
    return tuple(reversed(parts))


async def fetch(session: aiohttp.ClientSession, base: str, replay: Replay,
                headers: dict[str, str], timeout: float) -> LiveAnswer:
    sent = dict(replay.headers)
    sent.update(headers)
    try:
        async with session.request(
            replay.method, base.rstrip("/") + replay.path_and_query, headers=sent,
            data=replay.body, allow_redirects=False,
            timeout=aiohttp.ClientTimeout(total=timeout),
        ) as response:
            body = await response.read()
            headers_seen = tuple((str(k), str(v)) for k, v in response.headers.items())
            return LiveAnswer(response.status, headers_seen, body)
    except (aiohttp.ClientConnectionError, asyncio.TimeoutError, OSError) as exc:
        raise TargetUnreachable(f"{base}: {exc or type(exc).__name__}") from exc


async def check(
    root_dir: Path, target: str, *, headers: dict[str, str] | None = None,
    unsafe_methods: bool = False, values: bool = False, timeout: float = 30.0,
) -> DriftReport:
    """Replay every stub under `root_dir` against `target`; raises `TargetUnreachable`."""
    entries, errors = stub_entries(root_dir)
    report = DriftReport(target, errors=errors)
    files_dir = root_dir / "__files"
    async with aiohttp.ClientSession(auto_decompress=True) as session:
        for entry in entries:
            result = StubResult(entry)
            report.results.append(result)
            replay = replay_of(entry.stub, unsafe_methods=unsafe_methods)
            expected = expected_of(entry.stub, files_dir)
            if isinstance(replay, str) or isinstance(expected, str):
                result.skipped = replay if isinstance(replay, str) else str(expected)
                continue
            result.replay = replay
            result.live = await fetch(session, target, replay, headers or {}, timeout)
            result.differences = differences(expected, result.live, values=values)
    return report
