"""Everything live in one server, behind a typed `AppKey`, and the operations on it.

Admin handlers stay thin: they parse a request, call one method here, serialise the result.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import structlog
from aiohttp import web

from mockserver.errors import AdminError, StubFileError, format_key_path
from mockserver.exchange import Request
from mockserver.journal import Journal, ServeEvent
from mockserver.matching.pattern import matches
from mockserver.matching.registry import Registry
from mockserver.model import (
    RequestPattern,
    ResponseDefinition,
    StubMapping,
    is_template,
)
from mockserver.respond.chaos import ChaosState
from mockserver.serve.proxy import catch_all_stub
from mockserver.settings import GlobalSettings, ServerOptions
from mockserver.stubs import load_directory
from mockserver.stubs.persistence import delete_stub_file, write_stub

if TYPE_CHECKING:
    from mockserver.record.session import RecordingSession
    from mockserver.respond.templating import Templating

@dataclass
class ServerState:
    options: ServerOptions
    registry: Registry = field(default_factory=Registry)
    settings: GlobalSettings = field(default_factory=GlobalSettings)
    journal: Journal = field(init=False)
    rng: random.Random = field(default_factory=random.Random)
    started_at: float = field(default_factory=time.time)
    load_errors: list[StubFileError] = field(default_factory=list)
    shutdown: asyncio.Event | None = None
    log: structlog.typing.FilteringBoundLogger = field(
        default_factory=lambda: structlog.get_logger("mockserver"))
    owned_files: set[str] = field(default_factory=set)  # files this process wrote
    dirty: set[str] = field(default_factory=set)  # file-loaded stubs edited since load
    _recording: RecordingSession | None = field(default=None, init=False, repr=False)
    chaos: ChaosState = field(default_factory=ChaosState)  # failFirst counters, rate limits
    _templating: Templating | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.journal = Journal(
            self.options.max_request_journal_entries, enabled=self.options.request_journal
        )
        if self.options.seed is not None:
            self.rng.seed(self.options.seed)

    @property
    def recording(self) -> RecordingSession:
        """The recorder's state, made on first use (the recorder is not start-up work)."""
        if self._recording is None:
            from mockserver.record.session import RecordingSession

            self._recording = RecordingSession()
        return self._recording

    @property
    def templating(self) -> Templating:
        """Made on first need: servers whose stubs use no templates never load Jinja2."""
        if self._templating is None:
            from mockserver.respond.templating import Templating

            self._templating = Templating(
                self.rng, everywhere=self.options.global_response_templating)
        return self._templating

    def templating_for(self, response: ResponseDefinition) -> Templating | None:
        """The templating to render `response` with, or None when it is not a template."""
        if is_template(response, everywhere=self.options.global_response_templating):
            return self.templating
        return None

    # -- loading ------------------------------------------------------------------------
    def load_from_disk(self) -> None:
        """Load `mappings/`; bad files are logged and skipped, the rest still load."""
        result = load_directory(self.options.mappings_dir)
        for stub in result.stubs:
            self.registry.add(stub)
        if self.options.proxy_all:  # --proxy-all survives a reset, unlike in WireMock
            self.registry.add(catch_all_stub(self.options.proxy_all))
        self.load_errors = result.errors
        for error in result.errors:
            self.log.error("stub_file_invalid", file=error.file, line=error.line,
                           key_path=format_key_path(error.path), message=error.message)
        self.log.info("stubs_loaded", stubs=len(result.stubs), files=result.files,
                      errors=len(result.errors), root_dir=str(self.options.root_dir))

    def reset(self) -> None:
        """WireMock's reset: drop stubs, scenarios and journal; reload files; keep settings."""
        self.registry.clear()
        self.journal.clear()
        self.dirty.clear()
        self.chaos.clear()
        if self.options.seed is not None:  # a reset replays the same random choices
            self.rng.seed(self.options.seed)
        self.load_from_disk()

    # -- stubs --------------------------------------------------------------------------
    def add_stub(self, stub: StubMapping) -> StubMapping:
        if stub.id in self.registry:
            raise AdminError(422, "Duplicate stub mapping ID", code=109)
        stub = self.registry.add(stub)
        if stub.persistent:
            stub = self._persist(stub)
        return stub

    def edit_stub(self, stub: StubMapping) -> StubMapping:
        old = self.registry.get(stub.id)
        if old is None:
            raise KeyError(stub.id)
        stub = self.registry.replace(stub.with_changes(source=old.source))
        if stub.source is not None:
            self.dirty.add(stub.id)
        if stub.persistent:
            stub = self._persist(stub)
        return stub

    def remove_stub(self, stub_id: str) -> StubMapping | None:
        stub = self.registry.remove(stub_id)
        if stub is not None and stub.persistent and stub.source is not None:
            delete_stub_file(stub)
            self.owned_files.discard(stub.source.path)
        return stub

    def remove_all_stubs(self) -> None:
        """Forget every stub; delete only the files this server wrote itself."""
        for stub in self.registry.all():
            if stub.source is not None and stub.source.path in self.owned_files:
                delete_stub_file(stub)
        self.owned_files.clear()
        self.registry.clear()

    def save_all(self) -> None:
        """Persist every stub not already on disk as written (edited file stubs are rewritten)."""
        for stub in self.registry.all():
            on_disk = stub.source is not None and stub.id not in self.dirty
            if on_disk or (stub.source is not None and stub.source.multi):
                continue
            self._persist(stub.with_changes(persistent=True))

    def _persist(self, stub: StubMapping) -> StubMapping:
        if stub.source is not None and stub.source.multi:
            raise AdminError(
                409, f"stub {stub.id} comes from the multi-stub file {stub.source.path}, "
                "which the server does not rewrite", code=10)
        source = write_stub(stub, self.options.mappings_dir)
        self.owned_files.add(source.path)
        self.dirty.discard(stub.id)
        stub = stub.with_changes(source=source, persistent=True)
        return self.registry.replace(stub)

    # -- journal ------------------------------------------------------------------------
    def requests_matching(self, pattern: RequestPattern) -> list[ServeEvent]:
        return [e for e in self.journal.oldest_first() if matches(pattern, e.request)]

    def journal_requests(self) -> Iterable[Request]:
        return (e.request for e in self.journal.oldest_first())


STATE: web.AppKey[ServerState] = web.AppKey("mockserver_state", ServerState)
