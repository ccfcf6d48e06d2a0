"""The running server's stubs: the registry, what was loaded from `mappings/`, what to persist.

Every change to the stubs a server holds goes through `StubStore`, which keeps the file
bookkeeping right (which files this process wrote, which file-loaded stubs were edited since)
and refuses what it cannot do with a domain error; the admin API decides how that error looks
on the wire.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import structlog

from mockserver.errors import (
    DuplicateStubError,
    ReadOnlyStubError,
    StubFileError,
    UnknownStubError,
    format_key_path,
)
from mockserver.matching.registry import Registry
from mockserver.model import StubMapping
from mockserver.stubs.files import load_directory
from mockserver.stubs.persistence import delete_stub_file, write_stub


class StubListener(Protocol):
    """Told of every change made through the store, to share it (a shared store)."""

    def changed(self, stub: StubMapping) -> None:
        """`stub` was added or edited."""

    def removed(self, stub: StubMapping) -> None: ...

    def removed_all(self) -> None: ...

    def reset(self) -> None:
        """Back to the files' stubs."""


class StubStore:
    """Stubs from files and from the admin API, and the files behind them.

    `pinned()` gives stubs to add after every load from disk (the `--proxy-all` catch-all,
    which survives a reset, unlike in WireMock). With `on_disk=False` (a namespace) nothing
    is loaded from or written to `mappings/`: `persistent` stubs stay in memory.
    """

    def __init__(
        self,
        mappings_dir: Path,
        log: structlog.typing.FilteringBoundLogger,
        *,
        pinned: Callable[[], Sequence[StubMapping]] = tuple,
        on_disk: bool = True,
    ) -> None:
        self.on_disk = on_disk
        self.mappings_dir = mappings_dir
        self.log = log
        self.registry = Registry()
        self.load_errors: list[StubFileError] = []  # the files that did not load, as last seen
        self._pinned = pinned
        self._owned_files: set[str] = set()  # files this process wrote
        self._dirty: set[str] = set()  # file-loaded stubs edited since they were loaded
        self.file_stubs: list[StubMapping] = []  # as last loaded (and pinned): a resync's base
        self.listener: StubListener | None = None

    # -- loading ------------------------------------------------------------------------
    def load(self, *, quiet: bool = False) -> None:
        """Load `mappings/`; bad files are logged and skipped, the rest still load.
        `quiet` logs the count at debug level (the Python API resets before each test)."""
        if not self.on_disk:
            return
        result = load_directory(self.mappings_dir)
        self.file_stubs = [*result.stubs, *self._pinned()]
        for stub in self.file_stubs:
            self.registry.add(stub)
        self.load_errors = result.errors
        for error in result.errors:
            self.log.error("stub_file_invalid", file=error.file, line=error.line,
                           key_path=format_key_path(error.path), message=error.message)
        (self.log.debug if quiet else self.log.info)(
            "stubs_loaded", stubs=len(result.stubs), files=result.files,
            errors=len(result.errors), root_dir=str(self.mappings_dir.parent))

    def reset(self, *, quiet: bool = False) -> None:
        """Drop every stub and scenario state, then load the files again."""
        self.registry.clear()
        self._dirty.clear()
        self.load(quiet=quiet)
        if self.listener is not None:
            self.listener.reset()

    def reloaded(self, old: Sequence[StubMapping]) -> None:
        """`old` were replaced by their file's new content: they are no longer edits."""
        self._dirty.difference_update(stub.id for stub in old)

    # -- changes ------------------------------------------------------------------------
    def add(self, stub: StubMapping) -> StubMapping:
        if stub.id in self.registry:
            raise DuplicateStubError(stub.id, f"a stub with id {stub.id} already exists")
        stub = self.registry.add(stub)
        if stub.persistent and self.on_disk:
            stub = self._persist(stub)
        if self.listener is not None:
            self.listener.changed(stub)
        return stub

    def edit(self, stub: StubMapping) -> StubMapping:
        old = self.registry.get(stub.id)
        if old is None:
            raise UnknownStubError(stub.id, f"no stub has id {stub.id}")
        stub = self.registry.replace(stub.with_changes(source=old.source))
        if stub.source is not None:
            self._dirty.add(stub.id)
        if stub.persistent and self.on_disk:
            stub = self._persist(stub)
        if self.listener is not None:
            self.listener.changed(stub)
        return stub

    def remove(self, stub_id: str) -> StubMapping | None:
        stub = self.registry.remove(stub_id)
        if stub is not None and stub.persistent and stub.source is not None:
            delete_stub_file(stub)
            self._owned_files.discard(stub.source.path)
        if stub is not None and self.listener is not None:
            self.listener.removed(stub)
        return stub

    def take_recorded(self, added: Sequence[StubMapping], kept: Sequence[StubMapping] = (),
                      superseded: Sequence[str] = ()) -> list[StubMapping]:
        """Hold what a recording made, its files already written by the recorder: `superseded`
        ids go, `kept` (the other stubs of files it rewrote) change in place, `added` join as
        the newest (one with an id held already goes first). Shared like any change."""
        for stub_id in (*superseded, *(s.id for s in added if s.id in self.registry)):
            gone = self.registry.remove(stub_id)
            if gone is not None and self.listener is not None:
                self.listener.removed(gone)
        for stub in kept:
            if stub.id in self.registry:
                stub = self.registry.replace(stub)
                if self.listener is not None:
                    self.listener.changed(stub)
        taken = [self.registry.add(stub) for stub in added]
        if self.listener is not None:
            for stub in taken:
                self.listener.changed(stub)
        return taken

    def remove_all(self) -> None:
        """Forget every stub; delete only the files this server wrote itself."""
        for stub in self.registry.all():
            if stub.source is not None and stub.source.path in self._owned_files:
                delete_stub_file(stub)
        self._owned_files.clear()
        self.registry.clear()
        if self.listener is not None:
            self.listener.removed_all()

    def save_all(self) -> None:
        """Persist every stub not already on disk as written (edited file stubs are rewritten)."""
        if not self.on_disk:
            return
        for stub in self.registry.all():
            on_disk = stub.source is not None and stub.id not in self._dirty
            if on_disk or (stub.source is not None and stub.source.multi):
                continue
            self._persist(stub.with_changes(persistent=True))

    def _persist(self, stub: StubMapping) -> StubMapping:
        if stub.source is not None and stub.source.multi:
            raise ReadOnlyStubError(
                stub.id, f"stub {stub.id} comes from the multi-stub file "
                f"{os.path.relpath(stub.source.path, self.mappings_dir)}, "
                "which the server does not rewrite")  # (clients never see the root folder)
        source = write_stub(stub, self.mappings_dir)
        self._owned_files.add(source.path)
        self._dirty.discard(stub.id)
        return self.registry.replace(stub.with_changes(source=source, persistent=True))
