"""Watching `mappings/` while serving, and reloading on change (`mockserver serve --watch`).

Changes are noticed through file-system events from `watchfiles` (the `watch` extra) or, when it
is not installed, when events cannot be had, or when `poll_interval` is set, by polling in pure
Python (for file systems whose events do not arrive, such as some network and VM mounts).
Either way the reload itself is `Reloader`'s: read in a worker thread, swapped in on the loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from mockserver.stubs.reload import Reloader, ReloadReport
from mockserver.stubs.store import StubStore

DEFAULT_POLL_INTERVAL = 1.0
DEFAULT_SETTLE = 0.1  # seconds a changed file must stay unchanged before it is read


class StubWatcher:
    """A background task on the server's loop that keeps the registry in step with the files."""

    def __init__(
        self, stubs: StubStore, reloader: Reloader, root_dir: Path, *,
        poll_interval: float | None = None,
    ) -> None:
        self.stubs = stubs
        self.reloader = reloader
        self.root_dir = root_dir
        self.log = stubs.log
        self.poll_interval = poll_interval
        self.mode = "polling"
        self.ready = asyncio.Event()  # set once changes from now on will be seen
        self._stop = asyncio.Event()
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start watching; returns once watching is live (and a first scan has caught any
        change made while the server was loading)."""
        self._task = asyncio.get_running_loop().create_task(self._run(), name="mockserver-watch")
        ready = asyncio.ensure_future(self.ready.wait())
        await asyncio.wait({self._task, ready}, return_when=asyncio.FIRST_COMPLETED)
        ready.cancel()
        if self._task.done():
            self._task.result()  # raises what stopped it
        await self.reload_now()

    async def stop(self) -> None:
        self._stop.set()  # lets the watchfiles thread finish within one step
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def reload_now(self) -> ReloadReport:
        """Scan and apply what changed (one scan at a time); files still being written are
        scanned again every `settle` seconds until they stop changing."""
        async with self._lock:
            while True:
                plan = await asyncio.to_thread(self.reloader.scan)
                report = self.reloader.apply(self.stubs, plan)
                if not plan.pending:
                    return report
                await asyncio.sleep(self.reloader.settle or DEFAULT_SETTLE)

    async def _run(self) -> None:
        try:
            await self._follow(self._changes())
        except Exception as exc:  # e.g. the system's limit of inotify watches is reached
            if self.mode != "events":
                raise
            self.log.warning("stub_watch_events_failed", error=repr(exc),
                                   fallback="polling")
            self.mode = "polling"
            await self._follow(self._polls(self.poll_interval or DEFAULT_POLL_INTERVAL))

    async def _follow(self, changes: AsyncIterator[Any]) -> None:
        async for _ in changes:
            try:
                await self.reload_now()
            except Exception:  # a reload bug must not stop watching  # pragma: no cover
                self.log.exception("stub_reload_failed")

    def _changes(self) -> AsyncIterator[Any]:
        root = self.root_dir
        if self.poll_interval is None and root.is_dir():
            try:
                import watchfiles
            except ImportError:
                pass
            else:
                self.mode = "events"
                return self._events(watchfiles, root)
        return self._polls(self.poll_interval or DEFAULT_POLL_INTERVAL)

    async def _events(self, watchfiles: Any, root: Path) -> AsyncIterator[Any]:
        mappings = self.reloader.mappings_dir.resolve()

        def under_mappings(change: Any, path: str) -> bool:
            resolved = Path(path).resolve()
            return resolved == mappings or mappings in resolved.parents

        self.log.info("stub_watch_started", mode="events", path=str(root))
        # awatch registers its watches synchronously on the first step, before it first waits:
        # a callback queued now runs right after that, when no change can be missed any more
        asyncio.get_running_loop().call_soon(self.ready.set)
        async for batch in watchfiles.awatch(root, watch_filter=under_mappings,
                                             stop_event=self._stop, step=50):
            yield batch

    async def _polls(self, interval: float) -> AsyncIterator[None]:
        self.log.info("stub_watch_started", mode="polling", interval_s=interval,
                            path=str(self.reloader.mappings_dir))
        self.ready.set()  # a scan compares with the last snapshot: nothing is missed
        while True:
            await asyncio.sleep(interval)
            yield None
