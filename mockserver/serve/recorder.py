"""`--record-mappings`: every proxied exchange written as a stub while the server serves.

WireMock's legacy recorder writes a stub for each proxied request whose pattern it has not seen
yet, at once, and does not load it (it serves on the next start or reset). The same here, with
the recorder `mockserver record` uses: YAML files per endpoint under ROOT/mappings, secrets
masked by the server's redaction policy, headers named by `--match-headers` matched on. Files
are written in a worker thread, one at a time, once the proxied answer has streamed out.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from mockserver.journal import ServeEvent
from mockserver.record import generate, parse_record_spec
from mockserver.record.files import write_recorded
from mockserver.record.session import default_redaction
from mockserver.settings import ServerOptions


class MappingsRecorder:
    def __init__(self, options: ServerOptions, log: Any) -> None:
        self._root_dir = options.root_dir
        self._log = log
        self._spec = parse_record_spec(
            {"captureHeaders": {name: {} for name in options.match_headers},
             "repeatsAsScenarios": False},
            redaction=default_redaction(options))
        self._seen: set[str] = set()
        self._lock = asyncio.Lock()  # one writer: two stubs of one endpoint share a file

    async def record(self, event: ServeEvent) -> None:
        """Write `event` as a stub unless its request pattern was recorded already."""
        generated = generate([event], self._spec)
        if not generated.stubs:
            return
        key = json.dumps(generated.stubs[0]["request"], sort_keys=True)
        if key in self._seen:
            return
        self._seen.add(key)
        async with self._lock:
            try:
                written = await asyncio.to_thread(write_recorded, generated.stubs,
                                                  generated.body_files, self._root_dir)
            except OSError as exc:
                self._seen.discard(key)
                self._log.error("mapping_record_failed", url=event.request.url, error=str(exc))
                return
        self._log.info("mapping_recorded", url=event.request.url,
                       files=[str(path) for path in written.files])
