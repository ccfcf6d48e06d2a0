"""One server's live state, as the few services that own it, behind a typed `AppKey`.

    options     ServerOptions       how the process was started (read-only)
    stubs       StubStore           the registry, what came from `mappings/`, persistence
    journal     Journal             the requests served
    settings    GlobalSettings      WireMock's global settings, replaced whole by the admin API
    runtime     Runtime             random source, clock, chaos counters, templating, shutdown
    recording   RecordingSession    made on first use (the recorder is not start-up work)
    webhooks    Webhooks            callbacks in flight and finished (serve/webhooks.py)
    namespaces  Namespaces          isolated scopes layered over this one (`/__ns/{name}`)
    shared      Replica | None      with `--store`: shares stubs, journal, scenarios, settings
                                    and (through `store.recording`) the recording
    log         structlog logger    handed to the services that log

All but `namespaces` and `shared` make a `Scope`, which is what admin handlers and the data
plane talk to (a namespace shares the server's `webhooks` pool). Admin handlers stay thin:
they parse a request, call one service method, serialise the result.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import structlog
from aiohttp import web

from mockserver.model import StubMapping
from mockserver.serve.namespaces import Namespaces
from mockserver.serve.proxy import catch_all_stub
from mockserver.serve.scope import Scope
from mockserver.serve.webhooks import Webhooks
from mockserver.settings import GlobalSettings, ServerOptions
from mockserver.stubs.settings import parse_settings
from mockserver.stubs.store import StubStore

if TYPE_CHECKING:
    from mockserver.record.session import RecordingSession
    from mockserver.serve.recorder import MappingsRecorder
    from mockserver.store.recording import SharedRecording
    from mockserver.store.replica import Replica


class ServerState(Scope):
    """The default scope: stubs from `mappings/` and from `/__admin` without a namespace."""

    def __init__(self, options: ServerOptions) -> None:
        log: structlog.typing.FilteringBoundLogger = structlog.get_logger("mockserver")
        super().__init__(options, log,
                         StubStore(options.mappings_dir, log, pinned=self._pinned_stubs))
        self.webhooks = Webhooks(options.webhook_threadpool_size, rng=self.runtime.rng)
        self.namespaces = Namespaces(self, ttl=options.namespace_ttl,
                                     limit=options.max_namespaces)
        self.shared: Replica | None = None
        self._shared_recording: SharedRecording | None = None
        self.ca_pem: bytes | None = None  # the generated HTTPS certificate's CA, set at start
        self._mappings_recorder: MappingsRecorder | None = None

    @property
    def mappings_recorder(self) -> MappingsRecorder:
        """`--record-mappings`' writer (into the server's root dir), made on first use."""
        if self._mappings_recorder is None:
            from mockserver.serve.recorder import MappingsRecorder

            self._mappings_recorder = MappingsRecorder(self.options, self.log)
        return self._mappings_recorder

    @property
    def recording(self) -> RecordingSession:
        """As the scope's, shared with every replica on the store."""
        session = super().recording
        session.share = self._shared_recording
        return session

    @property
    def https_enabled(self) -> bool:
        return self.options.https_port is not None

    async def share(self) -> None:
        """Join the store `options.store` names (after the files are loaded). Only this,
        the default scope, is shared: namespaces stay in their process."""
        if self.options.store is None:
            return
        from mockserver.store.recording import SharedRecording  # the redis client: an extra
        from mockserver.store.replica import open_replica

        self.shared = open_replica(self.options.store, self.stubs, self.journal,
                                   apply_settings=self._shared_settings,
                                   settings_json=lambda: json.dumps(self.settings.to_json()),
                                   log=self.log)
        # the recorder loads with the first recording a replica hears of
        self._shared_recording = SharedRecording(
            self.shared, lambda status, running: self.recording.adopt(status, running))
        await self.shared.start()

    async def unshare(self) -> None:
        if self.shared is not None:
            await self.shared.stop()
            self.shared = None
            self._shared_recording = None
            if self._recording is not None:
                self._recording.share = None

    def update_settings(self, settings: GlobalSettings) -> None:
        """As `Scope.update_settings`, and every replica's, with a shared store."""
        super().update_settings(settings)
        if self.shared is not None:
            self.shared.settings_changed(json.dumps(settings.to_json()))

    def _shared_settings(self, text: str) -> None:
        self.settings = parse_settings(json.loads(text))

    def _pinned_stubs(self) -> tuple[StubMapping, ...]:
        proxy_all = self.options.proxy_all
        return (catch_all_stub(proxy_all),) if proxy_all else ()

    def reset(self, *, quiet: bool = False) -> None:
        """As `Scope.reset`, and the finished webhook deliveries are forgotten too."""
        self.webhooks.forget()
        super().reset(quiet=quiet)


STATE: web.AppKey[ServerState] = web.AppKey("mockserver_state", ServerState)
