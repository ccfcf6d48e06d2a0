"""One server's live state, as the few services that own it, behind a typed `AppKey`.

    options     ServerOptions       how the process was started (read-only)
    stubs       StubStore           the registry, what came from `mappings/`, persistence
    journal     Journal             the requests served
    settings    GlobalSettings      WireMock's global settings, replaced whole by the admin API
    runtime     Runtime             random source, clock, chaos counters, templating, shutdown
    recording   RecordingSession    made on first use (the recorder is not start-up work)
    webhooks    Webhooks            callbacks in flight and finished (serve/webhooks.py)
    namespaces  Namespaces          isolated scopes layered over this one (`/__ns/{name}`)
    log         structlog logger    handed to the services that log

All but `namespaces` make a `Scope`, which is what admin handlers and the data plane talk to
(a namespace shares the server's `webhooks` pool). Admin handlers stay thin: they parse a
request, call one service method, serialise the result.
"""

from __future__ import annotations

import structlog
from aiohttp import web

from mockserver.model import StubMapping
from mockserver.serve.namespaces import Namespaces
from mockserver.serve.proxy import catch_all_stub
from mockserver.serve.scope import Scope
from mockserver.serve.webhooks import Webhooks
from mockserver.settings import ServerOptions
from mockserver.stubs.store import StubStore


class ServerState(Scope):
    """The default scope: stubs from `mappings/` and from `/__admin` without a namespace."""

    def __init__(self, options: ServerOptions) -> None:
        log: structlog.typing.FilteringBoundLogger = structlog.get_logger("mockserver")
        super().__init__(options, log,
                         StubStore(options.mappings_dir, log, pinned=self._pinned_stubs))
        self.webhooks = Webhooks(options.webhook_threadpool_size, rng=self.runtime.rng)
        self.namespaces = Namespaces(self, ttl=options.namespace_ttl,
                                     limit=options.max_namespaces)

    def _pinned_stubs(self) -> tuple[StubMapping, ...]:
        proxy_all = self.options.proxy_all
        return (catch_all_stub(proxy_all),) if proxy_all else ()

    def reset(self, *, quiet: bool = False) -> None:
        """As `Scope.reset`, and the finished webhook deliveries are forgotten too."""
        self.webhooks.forget()
        super().reset(quiet=quiet)


STATE: web.AppKey[ServerState] = web.AppKey("mockserver_state", ServerState)
