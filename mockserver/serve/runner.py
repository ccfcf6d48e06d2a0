"""Starting a real listening server: on the current loop, or until a shutdown is asked."""

from __future__ import annotations

import asyncio
import signal
from typing import TYPE_CHECKING, Any

from aiohttp import web

from mockserver.serve.app import create_app
from mockserver.serve.state import ServerState
from mockserver.settings import ServerOptions

if TYPE_CHECKING:
    from mockserver.stubs.watch import StubWatcher

def new_event_loop() -> asyncio.AbstractEventLoop:
    """uvloop's loop when it is installed (`mockserver[fast]`), as the command line uses."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


class Runner:
    """One server on a socket; `port` is known after `start()` (port 0 picks a free one)."""

    def __init__(self, options: ServerOptions) -> None:
        self.options = options
        self.state = ServerState(options)
        self._runner: web.AppRunner | None = None
        self.port: int = options.port
        self.watcher: StubWatcher | None = None

    async def start(self) -> None:
        self.state.runtime.shutdown = asyncio.Event()
        reloader = None
        if self.options.watch:
            from mockserver.stubs.reload import Reloader  # only with --watch
            from mockserver.stubs.watch import DEFAULT_SETTLE, StubWatcher

            reloader = Reloader(self.options.mappings_dir, settle=DEFAULT_SETTLE)
            reloader.baseline()  # before loading: a change in between is seen by the first scan
        self.state.stubs.load()
        app = create_app(self.state)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False,
                                     shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.options.host, self.options.port,
                           reuse_address=True, backlog=1024)
        await site.start()
        server = site._server
        sockets = getattr(server, "sockets", None) or ()
        if sockets:
            self.port = sockets[0].getsockname()[1]
        if reloader is not None:
            self.watcher = StubWatcher(self.state.stubs, reloader, self.options.root_dir,
                                       poll_interval=self.options.watch_poll_interval)
            await self.watcher.start()

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.options.host in ("0.0.0.0", "", "::") else self.options.host
        return f"http://{host}:{self.port}"

    async def stop(self) -> None:
        if self.watcher is not None:
            await self.watcher.stop()
            self.watcher = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def serve_forever(self) -> None:
        await self.start()
        shutdown = self.state.runtime.shutdown
        assert shutdown is not None
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, shutdown.set)
            except (NotImplementedError, RuntimeError):  # pragma: no cover - non-Unix
                pass
        self.state.log.info("server_started", url=self.url, port=self.port,
                            root_dir=str(self.options.root_dir))
        try:
            await shutdown.wait()
        finally:
            self.state.log.info("server_stopping")
            await self.stop()


class ThreadedRunner:
    """A server on its own event loop in a daemon thread: for synchronous callers and tests."""

    def __init__(self, options: ServerOptions) -> None:
        import threading

        self._runner = Runner(options)
        self._loop = new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="mockserver",
                                        daemon=True)

    @property
    def state(self) -> ServerState:
        return self._runner.state

    @property
    def url(self) -> str:
        return self._runner.url

    @property
    def port(self) -> int:
        return self._runner.port

    def start(self) -> ThreadedRunner:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._runner.start(), self._loop).result(timeout=30)
        self._watcher = asyncio.run_coroutine_threadsafe(self._stop_on_shutdown(), self._loop)
        return self

    async def _stop_on_shutdown(self) -> None:
        """`POST /__admin/shutdown` stops a threaded server too (the loop thread stays)."""
        shutdown = self._runner.state.runtime.shutdown
        assert shutdown is not None
        await shutdown.wait()
        await self._runner.stop()

    def call(self, func: Any, *args: Any) -> Any:
        """Run `func(*args)` on the server's loop (state is only touched from there)."""

        async def invoke() -> Any:
            return func(*args)

        return asyncio.run_coroutine_threadsafe(invoke(), self._loop).result(timeout=30)

    def call_async(self, func: Any, *args: Any, timeout: float = 30) -> Any:
        """Await `func(*args)` on the server's loop, from another thread."""
        return asyncio.run_coroutine_threadsafe(func(*args), self._loop).result(timeout=timeout)

    def stop(self) -> None:
        if not self._thread.is_alive():
            return

        async def stop_all() -> None:
            await self._runner.stop()
            # end every task left (the shutdown watcher) before the loop stops, or asyncio
            # reports "Task was destroyed but it is pending"
            pending = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(stop_all(), self._loop).result(timeout=30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()
