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
    link        Link | None         with `--store`: the connection every scope's replica uses
    log         structlog logger    handed to the services that log

All but `namespaces` and `link` make a `Scope`, which is what admin handlers and the data
plane talk to (a namespace shares the server's `webhooks` pool). Admin handlers stay thin:
they parse a request, call one service method, serialise the result.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import structlog
from aiohttp import web

from mockserver.model import StubMapping
from mockserver.serve.namespaces import Namespaces
from mockserver.serve.proxy import catch_all_stub
from mockserver.serve.scope import Scope
from mockserver.serve.webhooks import Webhooks
from mockserver.settings import ServerOptions
from mockserver.stubs.store import StubStore

if TYPE_CHECKING:
    from mockserver.record.session import RecordingSession
    from mockserver.serve.recorder import MappingsRecorder
    from mockserver.store.link import Link
    from mockserver.store.recording import SharedRecording


class ServerState(Scope):
    """The default scope: stubs from `mappings/` and from `/__admin` without a namespace."""

    def __init__(self, options: ServerOptions) -> None:
        log: structlog.typing.FilteringBoundLogger = structlog.get_logger("mockserver")
        super().__init__(options, log,
                         StubStore(options.mappings_dir, log, pinned=self._pinned_stubs))
        self.webhooks = Webhooks(options.webhook_threadpool_size, rng=self.runtime.rng)
        self.namespaces = Namespaces(self, ttl=options.namespace_ttl,
                                     limit=options.max_namespaces)
        self.link: Link | None = None
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
        """Join the store `options.store` names (after the files are loaded): this scope and
        every namespace, over one link."""
        if self.options.store is None:
            return
        from mockserver.serve.shared_namespaces import SharedNamespaces  # redis: an extra
        from mockserver.store.recording import SharedRecording
        from mockserver.store.replica import Replica, open_link

        self.link = link = open_link(self.options.store, self.log)
        self.shared = Replica(link, link.store, self.stubs, self.journal, log=self.log,
                              apply_settings=self.apply_shared_settings,
                              settings_json=self.settings_json)
        self.shared.attach()
        link.participants.append(self.shared)
        # the recorder loads with the first recording a replica hears of
        self._shared_recording = SharedRecording(
            self.shared, lambda status, running: self.recording.adopt(status, running))
        shared_namespaces = SharedNamespaces(link, self.namespaces)
        link.participants.append(shared_namespaces)
        self.namespaces.shared = shared_namespaces
        await link.start()

    async def unshare(self) -> None:
        if self.link is None:
            return
        await self.link.stop()
        if self.namespaces.shared is not None:
            self.namespaces.shared.stop()
            self.namespaces.shared = None
        if self.shared is not None:
            self.shared.detach()
            self.shared = None
        self._shared_recording = None
        if self._recording is not None:
            self._recording.share = None
        self.link = None

    def _pinned_stubs(self) -> tuple[StubMapping, ...]:
        proxy_all = self.options.proxy_all
        return (catch_all_stub(proxy_all),) if proxy_all else ()

    def reset(self, *, quiet: bool = False) -> None:
        """As `Scope.reset`, and the finished webhook deliveries are forgotten too."""
        self.webhooks.forget()
        super().reset(quiet=quiet)


STATE: web.AppKey[ServerState] = web.AppKey("mockserver_state", ServerState)
