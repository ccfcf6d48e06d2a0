"""`mockserver record`: a proxy that records until Ctrl-C or SIGTERM, then writes the stubs.

Stubs already in the root folder are not served while recording (every request must reach the
real API, or re-recording could not refresh them); they are merged with at the end instead.
While it runs, a live count goes to stderr when that is a terminal, else one log event per
recorded request.
"""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path
from typing import TextIO

from mockserver.cli.startup import plural
from mockserver.log import mask_urls
from mockserver.record import RecordSpec
from mockserver.record.redaction import RedactionPolicy
from mockserver.record.session import RecordOutcome
from mockserver.serve.runner import Runner
from mockserver.settings import ServerOptions

PROGRESS_INTERVAL = 0.25  # seconds between live-count updates


def mask_logged_urls(policy: RedactionPolicy) -> None:
    """Mask secret query values in the `path` and `url` of every log event from now on
    (request logs would otherwise print `?api_key=...` while recording)."""
    mask_urls(policy.url)


async def capture(options: ServerOptions, spec: RecordSpec, *, err: TextIO) -> RecordOutcome:
    """Serve as a recording proxy until a signal (or `/__admin/shutdown`); the outcome."""
    runner = Runner(options)
    await runner.start()
    state = runner.state
    shutdown = state.runtime.shutdown
    assert shutdown is not None
    state.registry.clear()
    state.recording.start(spec)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, shutdown.set)
        except (NotImplementedError, RuntimeError):  # pragma: no cover - non-Unix
            pass
    state.log.info("recording_started", target=spec.target_base_url, url=runner.url,
                   root_dir=str(options.root_dir))
    print(f"Recording {spec.target_base_url} through {runner.url} "
          "(Ctrl-C stops and writes the stubs)", file=err, flush=True)
    progress = _Progress(runner, spec, err)
    ticker = asyncio.create_task(progress.run())
    try:
        await shutdown.wait()
    finally:
        ticker.cancel()
        try:
            await ticker
        except asyncio.CancelledError:
            pass
    progress.tick()  # the requests since the last tick
    try:
        return state.recording.stop()
    finally:
        await runner.stop()


class _Progress:
    """A live count on a terminal; elsewhere one `request_recorded` log event per request."""

    def __init__(self, runner: Runner, spec: RecordSpec, err: TextIO) -> None:
        self.state = runner.state
        self.spec = spec
        self.err = err
        self.tty = err.isatty()
        self.seen: set[str] = set()

    async def run(self) -> None:
        while True:
            await asyncio.sleep(PROGRESS_INTERVAL)
            self.tick()

    def tick(self) -> None:
        events = self.state.recording.pending()
        fresh = [e for e in events if e.id not in self.seen]
        if not fresh:
            return
        self.seen.update(e.id for e in fresh)
        mask = self.spec.redaction.url
        if self.tty:
            last = fresh[-1]
            print(f"\r\x1b[K{plural(len(events), 'request')} recorded (last: "
                  f"{last.request.method} "
                  f"{mask(last.request.url)} -> {last.status})", end="", file=self.err,
                  flush=True)
            return
        for count, event in enumerate(fresh, start=len(events) - len(fresh) + 1):
            self.state.log.info("request_recorded", method=event.request.method,
                                url=mask(event.request.url), status=event.status, count=count)


def summary(outcome: RecordOutcome, target: str | None, root_dir: Path) -> str:
    """What was recorded and where it went, for people."""
    if not outcome.requests:
        return f"Recorded 0 requests from {target}: nothing written to {root_dir}."
    lines = [(f"Recorded {plural(outcome.requests, 'request')} from {target} into "
             f"{plural(len(outcome.stubs), 'stub')}; files written:")]
    lines.extend(f"  {path}" for path in outcome.files)
    lines.append(f"Replay them with: mockserver serve --root-dir {root_dir}")
    return "\n".join(lines)
