"""One server's live state, as the few services that own it, behind a typed `AppKey`.

    options    ServerOptions       how the process was started (read-only)
    stubs      StubStore           the registry, what came from `mappings/`, persistence
    journal    Journal             the requests served
    settings   GlobalSettings      WireMock's global settings, replaced whole by the admin API
    runtime    Runtime             random source, clock, chaos counters, templating, shutdown
    recording  RecordingSession    made on first use (the recorder is not start-up work)
    webhooks   Webhooks            callbacks in flight and finished (serve/webhooks.py)
    log        structlog logger    handed to the services that log

Admin handlers stay thin: they parse a request, call one service method, serialise the result.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import structlog
from aiohttp import web

from mockserver.journal import Journal
from mockserver.matching.registry import Registry
from mockserver.model import StubMapping
from mockserver.serve.proxy import catch_all_stub
from mockserver.serve.runtime import Runtime
from mockserver.serve.webhooks import Webhooks
from mockserver.settings import GlobalSettings, ServerOptions
from mockserver.stubs.store import StubStore

if TYPE_CHECKING:
    from mockserver.record.session import RecordingSession


class ServerState:
    def __init__(self, options: ServerOptions) -> None:
        self.options = options
        self.log: structlog.typing.FilteringBoundLogger = structlog.get_logger("mockserver")
        self.stubs = StubStore(options.mappings_dir, self.log, pinned=self._pinned_stubs)
        self.journal = Journal(options.max_request_journal_entries,
                               enabled=options.request_journal)
        self.settings = GlobalSettings()
        self.runtime = Runtime(seed=options.seed,
                               templating_everywhere=options.global_response_templating)
        self._recording: RecordingSession | None = None
        self.webhooks = Webhooks(options.webhook_threadpool_size, rng=self.runtime.rng)

    @property
    def registry(self) -> Registry:
        """The stubs the data plane matches against (owned by `stubs`)."""
        return self.stubs.registry

    @property
    def recording(self) -> RecordingSession:
        if self._recording is None:
            from mockserver.record.session import RecordingSession

            self._recording = RecordingSession(self.stubs, self.journal, self.options, self.log)
        return self._recording

    def _pinned_stubs(self) -> tuple[StubMapping, ...]:
        proxy_all = self.options.proxy_all
        return (catch_all_stub(proxy_all),) if proxy_all else ()

    def reset(self, *, quiet: bool = False) -> None:
        """WireMock's reset: drop stubs, scenarios and journal; reload files; keep settings.
        `quiet` logs the reload at debug level (the Python API resets before every test)."""
        self.journal.clear()
        self.runtime.reset()
        self.webhooks.forget()
        self.stubs.reset(quiet=quiet)


STATE: web.AppKey[ServerState] = web.AppKey("mockserver_state", ServerState)
