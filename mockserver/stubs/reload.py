"""Hot reload of stub files: read what changed, check it, swap it in at once.

`Reloader.scan()` stats `mappings/`, re-reads the files whose signature (mtime, size, inode)
changed and returns a `ReloadPlan`; it does blocking I/O, so run it in a thread.
`Reloader.apply()` then runs on the server's loop and swaps every good file's stubs in one
synchronous step, so no request ever sees half a reload.

A file that fails to load (bad YAML, a bad matcher, a stub id another file or the admin API
already uses) keeps its old stubs serving; its errors are logged, and the next edit of that file
is tried again. Stubs added through the admin API are left alone; the journal and scenario states
are kept.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from mockserver.errors import StubFileError
from mockserver.model import StubMapping
from mockserver.stubs import load_file, mapping_files
from mockserver.stubs.files import display_name, stub_id_key
from mockserver.stubs.store import StubStore

Signature = tuple[int, int, int]  # mtime_ns, size, inode


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

    def __init__(self, mappings_dir: Path) -> None:
        self.mappings_dir = mappings_dir
        self._signatures: dict[str, Signature] = {}

    def baseline(self) -> None:
        """Remember the files as they are now (take it before the first load: a change made
        between the two is then seen by the first scan, and reloading is idempotent)."""
        self._signatures = snapshot(self.mappings_dir)

    def scan(self) -> ReloadPlan:
        """Blocking: the files that changed since the last plan applied, freshly loaded."""
        current = snapshot(self.mappings_dir)
        changes: list[FileChange] = []
        for path, signature in current.items():
            if self._signatures.get(path) != signature:
                stubs, errors = load_file(Path(path), display=display_name(Path(path)),
                                          id_key=stub_id_key(self.mappings_dir, Path(path)))
                changes.append(FileChange(path, tuple(stubs), tuple(errors)))
        for path in self._signatures.keys() - current.keys():
            changes.append(FileChange(path, removed=True))
        return ReloadPlan(current, tuple(changes))

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
