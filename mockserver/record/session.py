"""A recording on a running server: start, stop, status and snapshot (compat §5.6, §7.1).

`start` adds a temporary proxy stub and notes which journal entries already exist; `stop`
removes the stub and records the proxied events that arrived since; `snapshot` records from
the whole journal. Recorded stubs always join the running server. With `persist` (the
default) they are first merged into `ROOT/mappings` as maintainable YAML, and the server
holds them as written; without it they keep WireMock's exact shapes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import structlog

from mockserver.errors import NotRecordingError
from mockserver.journal import Journal, ServeEvent
from mockserver.model import StubMapping
from mockserver.record import RecordSpec, generate, select
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


class RecordingSession:
    """The server's recorder: it reads the journal and adds what it records to the stubs."""

    def __init__(self, stubs: StubStore, journal: Journal, options: ServerOptions,
                 log: structlog.typing.FilteringBoundLogger) -> None:
        self._stubs = stubs
        self._journal = journal
        self._options = options
        self._log = log
        self.status = NEVER_STARTED
        self.spec: RecordSpec | None = None
        self._proxy_stub_id: str | None = None
        self._before: set[str] = set()
        self._evicted_at_start = 0

    @property
    def active(self) -> bool:
        return self.status == RECORDING

    def start(self, spec: RecordSpec) -> None:
        """Begin recording; a second start while recording changes nothing (as in WireMock)."""
        if self.active:
            return
        self.spec = spec
        self._before = {event.id for event in self._journal.oldest_first()}
        self._evicted_at_start = self._journal.evicted
        self._proxy_stub_id = None
        if spec.target_base_url is not None:
            stub = parse_stub({"request": {"method": "ANY"},
                               "response": {"proxyBaseUrl": spec.target_base_url}})
            self._proxy_stub_id = self._stubs.registry.add(stub).id
        self.status = RECORDING
        if not spec.redaction.enabled:
            self._log.warning("redaction_disabled",
                              message="recorded stubs may hold credentials and secrets")
        self._warn_secret_captures(spec)

    def pending(self) -> list[ServeEvent]:
        """The events this recording would turn into stubs now, oldest first."""
        if not self.active or self.spec is None:
            return []
        since = [e for e in self._journal.oldest_first() if e.id not in self._before]
        return select(since, self.spec)

    def stop(self) -> RecordOutcome:
        if not self.active or self.spec is None:
            raise NotRecordingError("Not currently recording.")
        events = self.pending()
        lost = self._journal.evicted - self._evicted_at_start
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
        if self._proxy_stub_id is not None:
            self._stubs.registry.remove(self._proxy_stub_id)
        self.status = STOPPED
        self._before = set()
        return self._record(events, self.spec)

    def snapshot(self, spec: RecordSpec) -> RecordOutcome:
        """Record from everything in the journal (proxied events unless `allowNonProxied`)."""
        self._warn_secret_captures(spec)
        return self._record(select(self._journal.oldest_first(), spec), spec)

    def _warn_secret_captures(self, spec: RecordSpec) -> None:
        """One warning per recording for secret headers that `captureHeaders` asks to record."""
        names = secret_capture_headers(spec)
        if names:
            self._log.warning("secret_headers_captured", headers=names,
                              message="captureHeaders names these headers, so recorded stubs "
                              "match on their values as sent")

    def _record(self, events: list[ServeEvent], spec: RecordSpec) -> RecordOutcome:
        generated = generate(events, spec)
        registry = self._stubs.registry
        if spec.persist:
            written = write_recorded(generated.stubs, generated.body_files,
                                     self._options.root_dir)
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
                path = resolve_body_file(self._options.files_dir, name)
                atomic_write(path, data)
                files.append(path)
            added = [registry.add(parse_stub(data)) for data in generated.stubs]
        self._log.info("recording_saved", requests=len(events), stubs=len(added),
                       files=[str(f) for f in files])
        return RecordOutcome(list(reversed(added)), len(events), files, spec.output_format)
