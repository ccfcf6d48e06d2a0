"""Hot reload of stub files: read what changed, check it, swap it in at once.

`Reloader.scan()` stats `mappings/`, re-reads the files whose signature (mtime, size, inode)
changed and returns a `ReloadPlan`; it does blocking I/O, so run it in a thread.
`Reloader.apply()` then runs on the server's loop and swaps every good file's stubs in one
synchronous step, so no request ever sees half a reload.

A file that fails to load (bad YAML, a bad matcher, a stub id another file or the admin API
already uses) keeps its old stubs serving; its errors are logged, and the next edit of that file
is tried again. Stubs added through the admin API are left alone; the journal and scenario states
are kept.

Editors and scripts that rewrite a file in place leave it empty or half-written for a moment.
With `settle` set (the watcher sets it), a changed file is read only once the same signature has
been seen `settle` seconds apart (an empty file ten times that), and only when it did not change
while being read; until then it is *pending*: its previous stubs keep serving and the caller
scans again shortly.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from mockserver.errors import StubFileError
from mockserver.model import StubMapping
from mockserver.stubs import load_file, mapping_files
from mockserver.stubs.files import display_name, stub_id_key
from mockserver.stubs.store import StubStore

Signature = tuple[int, int, int]  # mtime_ns, size, inode
EMPTY_SETTLE_FACTOR = 10


def snapshot(mappings_dir: Path) -> dict[str, Signature]:
    """Every stub file below `mappings_dir` with its signature; vanished files are skipped."""
    out: dict[str, Signature] = {}
    for path in mapping_files(mappings_dir):
        try:
            st = os.stat(path)
        except OSError:
            continue
        out[str(path)] = (st.st_mtime_ns, st.st_size, st.st_ino)
    return out


@dataclass(frozen=True)
class FileChange:
    """One file's new content: its stubs, or the errors that keep its old stubs serving."""

    path: str
    stubs: tuple[StubMapping, ...] = ()
    errors: tuple[StubFileError, ...] = ()
    removed: bool = False


@dataclass(frozen=True)
class ReloadPlan:
    signatures: dict[str, Signature]
    changes: tuple[FileChange, ...] = ()
    pending: tuple[str, ...] = ()  # changed files not settled yet: scan again after `settle`


@dataclass
class ReloadReport:
    """What one `apply` did, by file path."""

    reloaded: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: dict[str, list[StubFileError]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.reloaded or self.removed or self.failed)


class Reloader:
    """Tracks what was loaded from one `mappings/` folder and brings the registry up to date."""

    def __init__(
        self, mappings_dir: Path, *, settle: float = 0.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.mappings_dir = mappings_dir
        self.settle = settle
        self._clock = clock
        self._signatures: dict[str, Signature] = {}
        self._seen: dict[str, tuple[Signature, float]] = {}  # unsettled: signature, first seen

    def baseline(self) -> None:
        """Remember the files as they are now (take it before the first load: a change made
        between the two is then seen by the first scan, and reloading is idempotent)."""
        self._signatures = snapshot(self.mappings_dir)

    def scan(self) -> ReloadPlan:
        """Blocking: the files that changed since the last plan applied, freshly loaded."""
        current = snapshot(self.mappings_dir)
        signatures = dict(current)
        changes: list[FileChange] = []
        pending: list[str] = []
        now = self._clock()
        for path, signature in current.items():
            if self._signatures.get(path) == signature:
                self._seen.pop(path, None)
                continue
            change = self._settled_change(path, signature, now)
            if change is None:  # not yet: what was applied stays, so the next scan looks again
                pending.append(path)
                if path in self._signatures:
                    signatures[path] = self._signatures[path]
                else:
                    del signatures[path]
                continue
            changes.append(change)
        for path in self._signatures.keys() - current.keys():
            self._seen.pop(path, None)
            changes.append(FileChange(path, removed=True))
        return ReloadPlan(signatures, tuple(changes), tuple(pending))

    def _settled_change(self, path: str, signature: Signature, now: float) -> FileChange | None:
        """The file's new stubs once it has stopped changing; None while it may be mid-write."""
        if self.settle > 0:
            seen = self._seen.get(path)
            if seen is None or seen[0] != signature:
                self._seen[path] = (signature, now)
                return None
            # an empty file is what a rewrite in place shows between truncating and writing;
            # it must stay empty ten times longer before its stubs are dropped
            wait = self.settle * (EMPTY_SETTLE_FACTOR if signature[1] == 0 else 1)
            if now - seen[1] < wait:
                return None
        stubs, errors = load_file(Path(path), display=display_name(Path(path)),
                                  id_key=stub_id_key(self.mappings_dir, Path(path)))
        if self.settle > 0:
            try:
                after = os.stat(path)
            except OSError:
                after = None
            if after is None or (after.st_mtime_ns, after.st_size, after.st_ino) != signature:
                self._seen.pop(path, None)  # rewritten while being read: start again
                return None
            del self._seen[path]
        return FileChange(path, tuple(stubs), tuple(errors))

    def apply(self, stubs: StubStore, plan: ReloadPlan) -> ReloadReport:
        """Swap in every good file of `plan` at once (call on the server's loop)."""
        self._signatures = plan.signatures
        report = ReloadReport()
        if not plan.changes:
            return report
        registry = stubs.registry
        changed = {change.path for change in plan.changes}
        owners: dict[str, str] = {}
        by_file: dict[str, list[StubMapping]] = {}
        for stub in registry.all():
            path = stub.source.path if stub.source is not None else None
            if path is not None and path in changed:
                by_file.setdefault(path, []).append(stub)
            else:
                owners[stub.id] = path or "the admin API"
        for change in plan.changes:
            errors = list(change.errors) or _clashes(change, owners)
            if errors:
                report.failed[change.path] = errors
                continue
            old = sorted(by_file.get(change.path, []), key=lambda s: s.insertion_index)
            registry.swap(old, list(change.stubs))
            stubs.reloaded(old)
            owners.update((stub.id, change.path) for stub in change.stubs)
            (report.removed if change.removed else report.reloaded).append(change.path)
        _log(stubs, plan, report)
        return report


def _clashes(change: FileChange, owners: dict[str, str]) -> list[StubFileError]:
    """A stub id used twice in the file, or already used elsewhere, would replace a stub
    silently: the file is refused instead."""
    errors: list[StubFileError] = []
    seen: set[str] = set()
    for stub in change.stubs:
        if stub.id in seen:
            errors.append(StubFileError(change.path, None, ("id",),
                                        f"stub id {stub.id} appears twice in this file"))
        elif stub.id in owners:
            errors.append(StubFileError(change.path, None, ("id",),
                                        f"stub id {stub.id} is already used by {owners[stub.id]}"))
        seen.add(stub.id)
    return errors


def _log(stubs: StubStore, plan: ReloadPlan, report: ReloadReport) -> None:
    failed_files = set(report.failed)
    changed = {Path(change.path).resolve() for change in plan.changes}
    stubs.load_errors = [e for e in stubs.load_errors if Path(e.file).resolve() not in changed] + [
        e for errors in report.failed.values() for e in errors
    ]
    for errors in report.failed.values():
        for error in errors:
            stubs.log.error("stub_file_invalid", file=error.file, line=error.line,
                            message=error.message, kept="previous stubs of this file")
    stubs.log.info("stubs_reloaded", reloaded=report.reloaded, removed=report.removed,
                   failed=sorted(failed_files), stubs=len(stubs.registry))
