"""A scope: the stubs, journal, settings, runtime and recording one set of tests sees.

The server's default scope (`ServerState`) and every namespace (`serve.namespaces`) are scopes;
admin handlers and the data plane talk to a scope and never ask which kind it is. A namespace
overrides the few methods where its default layer shows through (`find`, `find_ungated`,
`find_async`, `nearest`, `scenario_stubs`, `scenario_state`).

With `--store`, every scope has a `shared` replica (store/replica.py) under its own keyspace:
admin requests read through it and settings changes go out through it.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import structlog

from mockserver.exchange import Request
from mockserver.journal import Journal
from mockserver.matching.nearmiss import NEAREST, NearMiss, nearest_stubs
from mockserver.matching.registry import Registry
from mockserver.model import StubMapping
from mockserver.serve.runtime import Runtime
from mockserver.settings import GlobalSettings, ServerOptions
from mockserver.stubs.settings import parse_settings
from mockserver.stubs.store import StubStore

if TYPE_CHECKING:
    from mockserver.record.session import RecordingSession
    from mockserver.serve.webhooks import Webhooks
    from mockserver.store.replica import Replica


class Scope:
    namespace: str | None = None  # None: the default scope
    webhooks: Webhooks  # the server's pool, shared by every scope

    def __init__(self, options: ServerOptions, log: structlog.typing.FilteringBoundLogger,
                 stubs: StubStore) -> None:
        self.options = options
        self.log = log
        self.stubs = stubs
        self.journal = Journal(options.max_request_journal_entries,
                               max_bytes=options.max_request_journal_bytes,
                               enabled=options.request_journal)
        self.settings = GlobalSettings()
        self.runtime = Runtime(seed=options.seed,
                               templating_everywhere=options.global_response_templating)
        self._recording: RecordingSession | None = None
        self.shared: Replica | None = None  # with --store: this scope's state, shared

    @property
    def registry(self) -> Registry:
        """This scope's own stubs (owned by `stubs`)."""
        return self.stubs.registry

    @property
    def recording(self) -> RecordingSession:
        if self._recording is None:
            from mockserver.record.session import RecordingSession

            self._recording = RecordingSession(self.stubs, self.journal, self.options, self.log)
        return self._recording

    def find(self, request: Request) -> StubMapping | None:
        """The stub that answers `request` here, firing its scenario transition."""
        return self.stubs.registry.find(request)

    def find_ungated(self, request: Request) -> tuple[StubMapping | None, bool]:
        """`Registry.find_ungated` over the stubs this scope serves (shared scenarios)."""
        return self.stubs.registry.find_ungated(request)

    async def find_async(self, request: Request) -> StubMapping | None:
        """`find` with scenario gates decided by the shared store (`Registry.find_async`)."""
        return await self.stubs.registry.find_async(request)

    def nearest(self, request: Request, limit: int = NEAREST) -> list[NearMiss]:
        """The stubs closest to `request` among those this scope serves."""
        return nearest_stubs(self.stubs.registry, request, limit)

    def scenario_stubs(self) -> list[StubMapping]:
        """Every stub this scope serves, in matching order (scenario listings)."""
        return self.stubs.registry.all()

    def scenario_state(self, name: str) -> str | None:
        """The scenario's state as this scope sees it; None for a scenario no stub names."""
        return self.stubs.registry.scenarios.state(name)

    def scenario_names(self) -> list[str]:
        return self.stubs.registry.scenarios.names()

    def update_settings(self, settings: GlobalSettings) -> None:
        """Replace the global settings (`/__admin/settings`), on every replica with a store."""
        self.settings = settings
        if self.shared is not None:
            self.shared.settings_changed(self.settings_json())

    def settings_json(self) -> str:
        return json.dumps(self.settings.to_json())

    def apply_shared_settings(self, text: str) -> None:
        """Settings another replica set."""
        self.settings = parse_settings(json.loads(text))

    async def refresh(self) -> None:
        """Before an admin request, with a store: this scope as every replica left it."""
        if self.shared is not None:
            await self.shared.refresh()

    async def settle(self) -> None:
        """Before reading the journal, with a store: as `refresh`, with every request any
        replica answered before now in the journal (their entries are otherwise written a
        few milliseconds after the answer: a verification right after a call through a
        load balancer would miss the call)."""
        if self.shared is not None:
            await self.shared.settle()

    def admit(self) -> None:
        """Raise when this scope may not be used (a namespace the shared store refused)."""

    def reset(self, *, quiet: bool = False) -> None:
        """WireMock's reset: drop stubs, scenarios and journal; reload files; keep settings.
        `quiet` logs the reload at debug level (the Python API resets before every test)."""
        self.journal.clear()
        self.runtime.reset()
        self.stubs.reset(quiet=quiet)
