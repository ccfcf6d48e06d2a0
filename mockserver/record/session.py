"""A recording on a running server: start, stop, status and snapshot (compat §5.6, §7.1).

`start` adds a temporary proxy stub and notes which journal entries already exist; `stop`
removes the stub and records the proxied events that arrived since; `snapshot` records from
the whole journal. Recorded stubs always join the running server. With `persist` (the
default) they are first merged into `ROOT/mappings` as maintainable YAML, and the server
holds them as written; without it they keep WireMock's exact shapes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mockserver.errors import AdminError
from mockserver.model import StubMapping
from mockserver.record import RecordSpec, generate, select
from mockserver.record.files import write_recorded
from mockserver.record.redaction import RedactionPolicy
from mockserver.respond.rendering import resolve_body_file
from mockserver.settings import ServerOptions
from mockserver.stubs import parse_stub, stub_to_json
from mockserver.stubs.persistence import atomic_write

if TYPE_CHECKING:
    from mockserver.journal import ServeEvent
    from mockserver.serve.state import ServerState

NEVER_STARTED, RECORDING, STOPPED = "NeverStarted", "Recording", "Stopped"


def default_redaction(options: ServerOptions) -> RedactionPolicy:
    """The server's redaction policy, from its options (`--redact-*`, `--no-redact`)."""
    return RedactionPolicy(enabled=options.redact, headers=options.redact_headers,
                           query_parameters=options.redact_query,
                           json_paths=options.redact_json_paths)


@dataclass
class RecordOutcome:
    """What a stop or snapshot produced: the stubs added (newest first) and the files written."""

    stubs: list[StubMapping]
    requests: int
    files: list[Path]
    output_format: str = "FULL"

    def to_json(self) -> dict[str, Any]:
        if self.output_format == "IDS":
            return {"ids": [s.id for s in self.stubs]}
        return {"mappings": [stub_to_json(s) for s in self.stubs]}


@dataclass
class RecordingSession:
    status: str = NEVER_STARTED
    spec: RecordSpec | None = None
    proxy_stub_id: str | None = None
    before: set[str] = field(default_factory=set)
    evicted_at_start: int = 0

    @property
    def active(self) -> bool:
        return self.status == RECORDING

    def start(self, state: ServerState, spec: RecordSpec) -> None:
        """Begin recording; a second start while recording changes nothing (as in WireMock)."""
        if self.active:
            return
        self.spec = spec
        self.before = {event.id for event in state.journal.oldest_first()}
        self.evicted_at_start = state.journal.evicted
        self.proxy_stub_id = None
        if spec.target_base_url is not None:
            stub = parse_stub({"request": {"method": "ANY"},
                               "response": {"proxyBaseUrl": spec.target_base_url}})
            self.proxy_stub_id = state.registry.add(stub).id
        self.status = RECORDING
        if not spec.redaction.enabled:
            state.log.warning("redaction_disabled",
                              message="recorded stubs may hold credentials and secrets")

    def pending(self, state: ServerState) -> list[ServeEvent]:
        """The events this recording would turn into stubs now, oldest first."""
        if not self.active or self.spec is None:
            return []
        since = [e for e in state.journal.oldest_first() if e.id not in self.before]
        return select(since, self.spec)

    def stop(self, state: ServerState) -> RecordOutcome:
        if not self.active or self.spec is None:
            raise AdminError(400, "Not currently recording.", code=30)
        events = self.pending(state)
        lost = state.journal.evicted - self.evicted_at_start
        if lost > 0:  # recordings are made from the journal; a bounded one forgets
            state.log.warning("recording_incomplete", evicted_requests=lost,
                              hint="raise --max-request-journal-entries while recording")
        if self.proxy_stub_id is not None:
            state.registry.remove(self.proxy_stub_id)
        self.status = STOPPED
        self.before = set()
        return record(state, events, self.spec)


def snapshot(state: ServerState, spec: RecordSpec) -> RecordOutcome:
    """Record from everything in the journal (proxied events unless `allowNonProxied`)."""
    return record(state, select(state.journal.oldest_first(), spec), spec)


def record(state: ServerState, events: list[ServeEvent], spec: RecordSpec) -> RecordOutcome:
    generated = generate(events, spec)
    registry = state.registry
    if spec.persist:
        written = write_recorded(generated.stubs, generated.body_files, state.options.root_dir)
        for stub_id in written.replaced_ids:
            registry.remove(stub_id)
        for stub in written.kept:  # their file may have become a multi-stub file
            if stub.id in registry:
                registry.replace(stub)
        added = [registry.add(stub) for stub in written.stubs]
        files = written.files
    else:
        files = []
        for name, data in generated.body_files.items():
            path = resolve_body_file(state.options.files_dir, name)
            atomic_write(path, data)
            files.append(path)
        added = [registry.add(parse_stub(data)) for data in generated.stubs]
    state.log.info("recording_saved", requests=len(events), stubs=len(added),
                   files=[str(f) for f in files])
    return RecordOutcome(list(reversed(added)), len(events), files, spec.output_format)
