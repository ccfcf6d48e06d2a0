"""Starting a real listening server: on the current loop, or until a shutdown is asked.

Every listening socket serves with the same protocol factory (`serve.wire.Connection` over
the one data plane, handing `/__admin` to the admin app's aiohttp server); another socket,
e.g. one with TLS, is one more `listen()` call with an `ssl` context.
"""

from __future__ import annotations

import asyncio
from ssl import SSLContext
from typing import TYPE_CHECKING, Any

from aiohttp import web

from mockserver.serve.app import create_admin_app
from mockserver.serve.dataplane import DataPlane
from mockserver.serve.state import ServerState
from mockserver.serve.wire import Connection, Limits
from mockserver.settings import ServerOptions

if TYPE_CHECKING:
    from mockserver.serve.tls import ServerCertificate
    from mockserver.stubs.watch import StubWatcher

def new_event_loop(kind: str = "auto") -> asyncio.AbstractEventLoop:
    """uvloop's loop where it is installed (CPython off Windows), as the command line uses;
    `kind` "asyncio" insists on asyncio's own, "uvloop" on uvloop (ImportError without it)."""
    if kind == "asyncio":
        return asyncio.new_event_loop()
    try:
        import uvloop
    except ImportError:
        if kind == "uvloop":
            raise
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


class Runner:
    """One server on a socket; `port` is known after `start()` (port 0 picks a free one)."""

    def __init__(self, options: ServerOptions, *, limits: Limits | None = None) -> None:
        self.options = options
        self.state = ServerState(options)
        self.plane = DataPlane(self.state)
        self.limits = limits or Limits(max_body=options.max_request_body)
        self._runner: web.AppRunner | None = None
        self._servers: list[asyncio.AbstractServer] = []
        self._connections: set[Connection] = set()
        self.port: int = options.port
        self.https_port: int | None = None
        self.certificate: ServerCertificate | None = None
        self.watcher: StubWatcher | None = None

    async def start(self) -> None:
        self.state.runtime.shutdown = asyncio.Event()
        reloader = None
        if self.options.watch:
            from mockserver.stubs.reload import Reloader  # only with --watch
            from mockserver.stubs.watch import DEFAULT_SETTLE, StubWatcher

            reloader = Reloader(self.options.mappings_dir, settle=DEFAULT_SETTLE)
            reloader.baseline()  # before loading: a change in between is seen by the first scan
        ssl_context = None
        if self.options.https_port is not None:  # before listening: a bad keystore stops start
            from mockserver.serve.tls import server_context  # cryptography: only with HTTPS

            ssl_context, self.certificate = server_context(self.options.tls, [self.options.host])
            self.state.ca_pem = self.certificate.ca_pem
        self.state.stubs.load()
        await self.state.share()
        self._runner = web.AppRunner(create_admin_app(self.state, self.plane), access_log=None,
                                     handle_signals=False, shutdown_timeout=1.0)
        await self._runner.setup()
        await self.plane.start()
        if not self.options.disable_http:
            self.port = await self.listen(self.options.host, self.options.port)
        if ssl_context is not None:
            assert self.options.https_port is not None
            self.https_port = await self.listen(self.options.host, self.options.https_port,
                                                ssl=ssl_context)
            if self.options.disable_http:
                self.port = self.https_port  # the only socket
        if reloader is not None:
            self.watcher = StubWatcher(self.state.stubs, reloader, self.options.root_dir,
                                       poll_interval=self.options.watch_poll_interval)
            await self.watcher.start()

    async def listen(self, host: str, port: int, *, ssl: SSLContext | None = None) -> int:
        """One more listening socket serving the same stubs and admin API; its port."""
        admin = self._runner.server if self._runner is not None else None
        assert admin is not None, "start() first"
        scheme = "http" if ssl is None else "https"

        def connection() -> Connection:
            return Connection(self.plane, admin, limits=self.limits, scheme=scheme,
                              connections=self._connections)

        server = await asyncio.get_running_loop().create_server(
            connection, host, port, reuse_address=True, backlog=1024, ssl=ssl,
            reuse_port=self.options.reuse_port or None)
        self._servers.append(server)
        sockets = server.sockets or ()
        return int(sockets[0].getsockname()[1]) if sockets else port

    @property
    def _client_host(self) -> str:
        return "127.0.0.1" if self.options.host in ("0.0.0.0", "", "::") else self.options.host

    @property
    def url(self) -> str:
        """The HTTP URL, or the HTTPS one when HTTP is disabled."""
        if self.options.disable_http and self.https_url is not None:
            return self.https_url
        return f"http://{self._client_host}:{self.port}"

    @property
    def https_url(self) -> str | None:
        if self.https_port is None:
            return None
        return f"https://{self._client_host}:{self.https_port}"

    async def stop(self) -> None:
        if self.watcher is not None:
            await self.watcher.stop()
            self.watcher = None
        servers, self._servers = self._servers, []
        for server in servers:
            server.close()
        for connection in list(self._connections):
            connection.close()
        await self.plane.close()
        if self._runner is not None:
            await self._runner.cleanup()  # the connections handed to the admin API
            self._runner = None
        for server in servers:
            await server.wait_closed()
        await self.state.unshare()


class ThreadedRunner:
    """A server on its own event loop in a daemon thread: for synchronous callers and tests."""

    def __init__(self, options: ServerOptions, *, event_loop: str = "auto",
                 limits: Limits | None = None) -> None:
        import threading

        self._runner = Runner(options, limits=limits)
        self._loop = new_event_loop(event_loop)
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

    @property
    def https_url(self) -> str | None:
        return self._runner.https_url

    @property
    def https_port(self) -> int | None:
        return self._runner.https_port

    @property
    def certificate(self) -> ServerCertificate | None:
        return self._runner.certificate

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
            shared = self.state.shared
            if shared is None:
                return func(*args)
            await shared.refresh()
            result = func(*args)
            await shared.drain()
            return result

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
