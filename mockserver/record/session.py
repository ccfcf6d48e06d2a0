"""A recording on a running server: start, stop, status and snapshot (compat §5.6, §7.1).

`start` adds a temporary proxy stub and notes the newest journal entry; `stop` removes the
stub and records the proxied events journalled after that entry; `snapshot` records from the
whole journal. Recorded stubs always join the running server. With `persist` (the default)
they are first merged into `ROOT/mappings` as maintainable YAML, and the server holds them as
written; without it they keep WireMock's exact shapes.

Replicas on a shared store record as one server (docs/scale-out.md): the proxy stub and the
recorded stubs are shared stubs, the journal is shared, and the recording itself (`Running`)
is kept in the store through `share`, so a start on one replica and a stop on another make
one recording.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import structlog

from mockserver.errors import NotRecordingError
from mockserver.journal import Journal, ServeEvent
from mockserver.model import StubMapping
from mockserver.record import RecordSpec, generate, parse_record_spec, select
from mockserver.record.files import write_recorded
from mockserver.record.generate import secret_capture_headers
from mockserver.record.redaction import RedactionPolicy
from mockserver.respond.rendering import resolve_body_file
from mockserver.settings import ServerOptions
from mockserver.stubs import parse_stub, stub_to_json
from mockserver.stubs.persistence import atomic_write
from mockserver.stubs.store import StubStore

NEVER_STARTED, RECORDING, STOPPED = "NeverStarted", "Recording", "Stopped"


def default_redaction(options: ServerOptions) -> RedactionPolicy:
    """The server's redaction policy, from its options (`--redact-*`, `--no-redact`)."""
    return RedactionPolicy(enabled=options.redact, headers=options.redact_headers,
                           query_parameters=options.redact_query,
                           json_paths=options.redact_json_paths)


def arrival_order(events: Iterable[ServeEvent]) -> list[ServeEvent]:
    """`events` in the order their requests arrived: the journal holds them in the order they
    were answered, and a shared journal in the order replicas appended them, which can put a
    later request on one replica before an earlier one on another (a repeat's answers must be
    played back in the order they were given)."""
    return sorted(events, key=lambda event: event.request.logged_date)


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


@dataclass(frozen=True)
class Running:
    """A recording in progress, as every replica of a shared store holds it (`to_json`)."""

    id: str
    spec: RecordSpec
    spec_json: Any  # the spec as sent: each replica parses it with its own redaction options
    mark: str | None  # the newest journal entry at the start; what came after is recorded
    evicted: int  # the journal's evicted count at the start (a stop warns of losses)
    proxy_stub_id: str | None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "spec": self.spec_json, "mark": self.mark,
                "evicted": self.evicted, "proxyStubId": self.proxy_stub_id}


Held = tuple[str, "dict[str, Any] | None"]  # (status, `Running.to_json()` or None)


class RecordingShare(Protocol):
    """The recording every replica on a shared store sees (`store.recording`). Each call
    takes what this replica holds, `(status, Running.to_json() or None)`, and answers from it
    while the store is away (sharing the change once it is back)."""

    async def settle(self) -> None:
        """Return once every replica's journal entries so far are in this replica's journal."""

    async def read(self, held: Held) -> Held:
        """The recording as the store has it."""

    async def begin(self, proposed: dict[str, Any], held: Held) -> Held:
        """Start `proposed` unless a recording is running; the one running after."""

    async def end(self, held: Held) -> dict[str, Any] | None:
        """Stop the running recording, for every replica: it, or None when none was running."""


class RecordingSession:
    """The server's recorder: it reads the journal and adds what it records to the stubs.

    Like WireMock's, a recording is what the journal holds after the entry that was newest at
    its start. The sync methods act on this process; the async ones (the admin API's) act for
    every replica when `share` is set.
    """

    def __init__(self, stubs: StubStore, journal: Journal, options: ServerOptions,
                 log: structlog.typing.FilteringBoundLogger) -> None:
        self._stubs = stubs
        self._journal = journal
        self._options = options
        self._log = log
        self.status = NEVER_STARTED
        self.running: Running | None = None  # the last one started (kept once stopped)
        self.share: RecordingShare | None = None

    @property
    def active(self) -> bool:
        return self.status == RECORDING

    @property
    def spec(self) -> RecordSpec | None:
        return None if self.running is None else self.running.spec

    # -- in this process --------------------------------------------------------------------
    def start(self, spec: RecordSpec, spec_json: Any = None) -> None:
        """Begin recording; a second start while recording changes nothing (as in WireMock)."""
        if not self.active:
            self._begin(self._plan(spec, spec_json))

    def _plan(self, spec: RecordSpec, spec_json: Any) -> Running:
        newest = next(iter(self._journal.newest_first()), None)
        proxy = None if spec.target_base_url is None else str(uuid.uuid4())
        return Running(str(uuid.uuid4()), spec, spec_json, None if newest is None else newest.id,
                       self._journal.evicted, proxy)

    def _begin(self, running: Running) -> None:
        self.running = running
        spec = running.spec
        if running.proxy_stub_id is not None:
            self._stubs.add(parse_stub({"id": running.proxy_stub_id, "request": {"method": "ANY"},
                                        "response": {"proxyBaseUrl": spec.target_base_url}}))
        self.status = RECORDING
        if not spec.redaction.enabled:
            self._log.warning("redaction_disabled",
                              message="recorded stubs may hold credentials and secrets")
        self._warn_secret_captures(spec)

    def pending(self) -> list[ServeEvent]:
        """The events this recording would turn into stubs now, oldest first."""
        if not self.active or self.running is None:
            return []
        since = []
        for event in self._journal.newest_first():
            if event.id == self.running.mark:
                break
            since.append(event)
        since.reverse()
        return select(arrival_order(since), self.running.spec)

    def stop(self) -> RecordOutcome:
        if not self.active or self.running is None:
            raise NotRecordingError("Not currently recording.")
        events = self.pending()
        lost = self._journal.evicted - self.running.evicted
        if lost > 0:  # recordings are made from the journal; a bounded one forgets
            self._log.warning("recording_incomplete", evicted_requests=lost,
                              hint="raise --max-request-journal-entries and "
                                   "--max-request-journal-bytes while recording")
        cut = sum(1 for e in events if e.request_body_cut or e.response_body_cut)
        if cut:  # ... and keeps large bodies truncated
            self._log.warning("recording_truncated", truncated_events=cut,
                              hint="raise --max-request-journal-bytes while recording "
                                   "(one body is kept whole up to a sixteenth of it), or use "
                                   "`mockserver record`")
        if self.running.proxy_stub_id is not None:
            self._stubs.remove(self.running.proxy_stub_id)
        self.status = STOPPED
        return self._record(events, self.running.spec)

    def held(self) -> Held:
        return self.status, None if self.running is None else self.running.to_json()

    def adopt(self, status: str, running: dict[str, Any] | None) -> None:
        """Hold the recording another replica started or stopped. Nothing else changes here:
        its proxy stub and the stubs it recorded come with the shared stubs."""
        if running is not None and (self.running is None or self.running.id != running["id"]):
            spec = parse_record_spec(running["spec"], redaction=default_redaction(self._options))
            self.running = Running(running["id"], spec, running["spec"], running["mark"],
                                   running["evicted"], running["proxyStubId"])
        self.status = status

    # -- for every replica (the admin API) ------------------------------------------------
    async def current(self) -> str:
        """The status, as the store has it when shared."""
        if self.share is not None:
            self.adopt(*await self.share.read(self.held()))
        return self.status

    async def begin(self, spec: RecordSpec, spec_json: Any) -> None:
        """`start`, for every replica: the proxy stub is shared, and so is what it journals."""
        if self.share is None:
            self.start(spec, spec_json)
            return
        await self.share.settle()  # the mark comes after every replica's requests so far
        proposed = self._plan(spec, spec_json)
        status, running = await self.share.begin(proposed.to_json(), self.held())
        if running is None or running["id"] != proposed.id:
            self.adopt(status, running)  # one was running already: a second start does nothing
            return
        self._begin(proposed)
        await self.share.settle()  # every replica serves the proxy stub once this answers

    async def end(self) -> RecordOutcome:
        """`stop`, for every replica: from the requests any of them journalled; the stubs
        made are added once, here, and shared."""
        if self.share is None:
            return self.stop()
        stopped = await self.share.end(self.held())
        if stopped is None:
            if self.active:  # stopped elsewhere, not heard of here yet
                self.status = STOPPED
            raise NotRecordingError("Not currently recording.")
        await self.share.settle()  # the requests every replica answered until now
        self.adopt(RECORDING, stopped)
        outcome = self.stop()
        await self.share.settle()  # every replica holds the stubs, and proxies no more
        return outcome

    async def take_snapshot(self, spec: RecordSpec) -> RecordOutcome:
        """`snapshot`, from every replica's journal when shared."""
        if self.share is not None:
            await self.share.settle()
        return self.snapshot(spec)

    def snapshot(self, spec: RecordSpec) -> RecordOutcome:
        """Record from everything in the journal (proxied events unless `allowNonProxied`)."""
        self._warn_secret_captures(spec)
        return self._record(select(arrival_order(self._journal.oldest_first()), spec), spec)

    def _warn_secret_captures(self, spec: RecordSpec) -> None:
        """One warning per recording for secret headers that `captureHeaders` asks to record."""
        names = secret_capture_headers(spec)
        if names:
            self._log.warning("secret_headers_captured", headers=names,
                              message="captureHeaders names these headers, so recorded stubs "
                              "match on their values as sent")

    def _record(self, events: list[ServeEvent], spec: RecordSpec) -> RecordOutcome:
        generated = generate(events, spec)
        if spec.persist:
            written = write_recorded(generated.stubs, generated.body_files,
                                     self._options.root_dir)
            # the other stubs of a rewritten file: it may have become a multi-stub file
            added = self._stubs.take_recorded(written.stubs, written.kept, written.replaced_ids)
            files = written.files
        else:
            files = []
            for name, data in generated.body_files.items():
                path = resolve_body_file(self._options.files_dir, name)
                atomic_write(path, data)
                files.append(path)
            added = self._stubs.take_recorded([parse_stub(data) for data in generated.stubs])
        self._log.info("recording_saved", requests=len(events), stubs=len(added),
                       files=[str(f) for f in files])
        return RecordOutcome(list(reversed(added)), len(events), files, spec.output_format)
