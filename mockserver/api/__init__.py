"""`MockServer`: a real mockserver on a free loopback port, for tests and scripts.

    with MockServer(root_dir="stubs") as server:         # a background thread
        server.on("GET", "/ping").reply(200, body="pong")
        urllib.request.urlopen(f"{server.url}/ping")
        server.verify({"url": "/ping"}, count=1)
        server.assert_no_unmatched()

    async with MockServer() as server:                     # the current event loop
        ...

    with MockServer(https=True) as server:                 # and HTTPS, on a throwaway CA
        urllib.request.urlopen(f"{server.https_url}/ping", context=server.ssl_context())

The same methods work in both modes: with a thread they run on the server's loop, so state is
only ever touched from there; with `async with` they run directly (call them from the loop).
"""

from __future__ import annotations

import os
import ssl
import tempfile
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from mockserver.api.builder import StubBuilder
from mockserver.api.inputs import Pattern, parse_pattern, parse_stubs
from mockserver.api.journalled import Headers, JournalledRequest, MultiValues
from mockserver.api.remote import RemoteAdminError, RemoteMockServer
from mockserver.api.responder import Reply, Responder
from mockserver.api.verification import (
    StubLoadError,
    UnmatchedRequestError,
    failure_text,
    unmatched_text,
    unused_text,
)
from mockserver.api.webhooks import checked_deliveries
from mockserver.errors import StubError
from mockserver.log import configure_for_library
from mockserver.model import StubMapping
from mockserver.serve.runner import Runner, ThreadedRunner
from mockserver.serve.state import ServerState
from mockserver.serve.webhooks import Delivery
from mockserver.settings import ServerOptions
from mockserver.stubs import load_directory, load_file

__all__ = ["Headers", "JournalledRequest", "MockServer", "MultiValues", "RemoteAdminError",
           "RemoteMockServer", "Reply", "StubBuilder", "StubLoadError", "UnmatchedRequestError"]



class MockServer:
    """One server: `with` runs it in a daemon thread, `async with` on the running loop.

    `root_dir` holds `mappings/` and `__files/` (preloaded, and reloaded on `reset()`); without
    one the server starts empty in a temporary folder removed on exit. A stub file that does
    not load raises `StubLoadError` naming every `file:line` (`strict=False` logs and skips
    it instead, as `mockserver serve` does). Other keyword arguments are `ServerOptions`
    fields (`max_request_journal_entries`, `verbose`, `watch`, `tls`, ...). `https=True` also
    listens for HTTPS on a free port, with a certificate made at start (or the one
    `tls=TlsOptions(...)` names); `ssl_context()` is a client context that trusts it.
    """

    def __init__(
        self,
        root_dir: str | os.PathLike[str] | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        strict: bool = True,
        https: bool = False,
        **options: Any,
    ) -> None:
        if https:
            options.setdefault("https_port", 0)
        if not 0 <= port <= 65535:
            raise ValueError(f"port {port} is not a port: use 1-65535, or 0 for any free port")
        configure_for_library()
        self._root_dir = None if root_dir is None else Path(root_dir)
        self._strict = strict
        self._responders: Responder | None = None
        self._preloaded: frozenset[str] = frozenset()  # root-dir stubs: not "unused" per test
        self._host = host
        self._port = port
        self._options = options
        self._temp: tempfile.TemporaryDirectory[str] | None = None
        self._runner: Runner | None = None
        self._threaded: ThreadedRunner | None = None

    @staticmethod
    def connect(url: str, namespace: str | None = None, *,
                authorization: str | None = None) -> RemoteMockServer:
        """The same methods for a server already running at `url`, over its admin API, in
        `namespace` (made on first use; None: the server's default scope); `authorization`
        is sent to a locked admin API. For a namespace of one's own that is deleted
        afterwards, `RemoteMockServer.fresh(url)`."""
        return RemoteMockServer(url, namespace, authorization=authorization)

    # -- lifecycle ----------------------------------------------------------------------
    def _server_options(self) -> ServerOptions:
        root = self._root_dir
        if root is not None and not root.is_dir():
            raise StubLoadError(f"root_dir {root}: no such folder")
        if root is None:
            self._temp = tempfile.TemporaryDirectory(prefix="mockserver-")
            root = Path(self._temp.name)
        return ServerOptions(host=self._host, port=self._port, root_dir=root, **self._options)

    def start(self) -> MockServer:
        """Start in a background thread; returns once the port is listening."""
        if self._runner is not None or self._threaded is not None:
            raise RuntimeError("this MockServer is already running")
        try:
            self._threaded = ThreadedRunner(self._server_options()).start()
            self._raise_load_errors()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self._threaded is not None:
            if self._responders is not None:
                self._on_loop(self._responders.stop())
                self._responders = None
            self._threaded.stop()
            self._threaded = None
        self._cleanup()

    async def astart(self) -> MockServer:
        """Start on the running event loop; returns once the port is listening."""
        if self._runner is not None or self._threaded is not None:
            raise RuntimeError("this MockServer is already running")
        runner = Runner(self._server_options())
        try:
            await runner.start()
            self._runner = runner
            self._raise_load_errors()
        except BaseException:
            self._runner = None
            await runner.stop()
            self._cleanup()
            raise
        return self

    async def astop(self) -> None:
        if self._responders is not None:
            await self._responders.stop()
            self._responders = None
        if self._runner is not None:
            await self._runner.stop()
            self._runner = None
        self._cleanup()

    def _cleanup(self) -> None:
        if self._temp is not None:
            self._temp.cleanup()
            self._temp = None

    def __enter__(self) -> MockServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    async def __aenter__(self) -> MockServer:
        return await self.astart()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.astop()

    # -- where it is --------------------------------------------------------------------
    @property
    def _live(self) -> Runner | ThreadedRunner:
        live = self._runner or self._threaded
        if live is None:
            raise RuntimeError("this MockServer is not running: use `with` or `async with`")
        return live

    @property
    def url(self) -> str:
        """`http://127.0.0.1:PORT`, without a trailing slash."""
        return self._live.url

    @property
    def port(self) -> int:
        return self._live.port

    @property
    def https_url(self) -> str:
        """`https://127.0.0.1:PORT` (start with `https=True`)."""
        url = self._live.https_url
        if url is None:
            raise RuntimeError("this MockServer has no HTTPS socket: start it with https=True")
        return url

    @property
    def ca_pem(self) -> bytes:
        """The PEM of the CA that signed the generated certificate, for clients to trust."""
        certificate = self._live.certificate
        if certificate is None or certificate.ca_pem is None:
            raise RuntimeError("no generated certificate: start with https=True and no keystore")
        return certificate.ca_pem

    def ssl_context(self) -> ssl.SSLContext:
        """A client `ssl.SSLContext` trusting the generated CA (for urllib, httpx, aiohttp)."""
        return ssl.create_default_context(cadata=self.ca_pem.decode("ascii"))

    @property
    def root_dir(self) -> Path:
        return self.state.options.root_dir

    @property
    def state(self) -> ServerState:
        """The live state (registry, journal, settings): touch it only from the server's loop."""
        return self._live.state

    def _call(self, func: Any, *args: Any) -> Any:
        if self._threaded is not None:
            return self._threaded.call(func, *args)
        self._live  # noqa: B018 - raises when not running
        return func(*args)

    def _on_loop(self, coro: Any) -> Any:
        """Run a coroutine on the server's loop (threaded mode only)."""
        import asyncio

        assert self._threaded is not None
        loop = self._threaded._loop
        return asyncio.run_coroutine_threadsafe(coro, loop).result(timeout=30)

    def _raise_load_errors(self) -> None:
        """Raise for stub files that did not load (unless `strict=False`); note the preloaded
        stubs, which `unused_stubs()` leaves out."""
        errors = self._call(lambda: list(self.state.stubs.load_errors))
        self._preloaded = frozenset(self.stub_ids())
        if errors and self._strict:
            raise StubLoadError.from_errors(errors)

    # -- stubs ------------------------------------------------------------------------
    def stub(self, mapping: Pattern) -> str:
        """Add one stub (a WireMock-schema dict, or its YAML/JSON text); returns its id."""
        stubs = parse_stubs(mapping)
        if len(stubs) != 1:
            raise StubError((), f"expected one stub mapping, got {len(stubs)}: use stubs() "
                                "to add several at once")
        added: StubMapping = self._call(self.state.stubs.add, stubs[0])
        return added.id

    def stubs(self, mappings: str | list[Mapping[str, Any]]) -> list[str]:
        """Add several stubs (YAML/JSON text of a stub file, or a list of dicts); their ids."""
        parsed = [s for m in mappings for s in parse_stubs(m)] if isinstance(
            mappings, list) else parse_stubs(mappings)
        return [self._call(self.state.stubs.add, stub).id for stub in parsed]

    def load(self, path: str | os.PathLike[str]) -> list[str]:
        """Add the stubs of one stub file, or of every file below a folder (its `mappings/`
        when it has one); any problem raises `StubLoadError` and adds nothing."""
        where = Path(path)
        if where.is_dir():
            folder = where / "mappings" if (where / "mappings").is_dir() else where
            result = load_directory(folder)
            found, errors = result.stubs, result.errors
        elif where.is_file():
            found, errors = load_file(where)
        else:
            raise StubLoadError(f"{where}: no such file or folder")
        if errors:
            raise StubLoadError.from_errors(errors)
        # ids stay stable per file, but a stub loaded for one test is not written back
        return [self._call(self.state.stubs.add, s.with_changes(source=None)).id for s in found]

    def on(
        self, method: str, path: str, *, query: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None, json: Any = None, body: str | None = None,
        url_key: str = "urlPath", name: str | None = None, priority: int | None = None,
    ) -> StubBuilder:
        """Start a stub: `server.on("GET", "/users/1").reply(200, json={"id": 1})`.

        `method` may be `ANY`; `path` is matched with `url_key` (default `urlPath`, so the
        query is not part of it: give `query=` to require parameters).
        `.reply_with(func)` answers with a Python callable, run on the server's loop.
        """
        return StubBuilder(self, method, path, query=query, headers=headers, json=json,
                           body=body, url_key=url_key, name=name, priority=priority)

    def _responder(self) -> Responder:
        if self._responders is None:
            responder = Responder()
            if self._threaded is not None:
                self._on_loop(responder.start())
            else:
                raise RuntimeError("callable responses need a `with MockServer()` server; "
                                   "under `async with`, use `await server.aresponder()` first")
            self._responders = responder
        return self._responders

    async def aresponder(self) -> None:
        """Start the callable-response server under `async with` (before `reply_with`)."""
        if self._responders is None:
            responder = Responder()
            await responder.start()
            self._responders = responder

    def remove(self, stub_id: str) -> None:
        """Remove one stub; `KeyError` when there is no stub with that id."""
        if self._call(self.state.stubs.remove, stub_id) is None:
            raise KeyError(f"no stub with id {stub_id}")

    def stub_ids(self) -> list[str]:
        """Ids of the stubs in place, in matching order."""
        return [s.id for s in self._call(self.state.registry.all)]

    # -- scenarios ----------------------------------------------------------------------
    def scenario_state(self, name: str) -> str | None:
        """The scenario's current state (`Started` first), or None for an unknown scenario."""
        return self._call(self.state.registry.scenarios.state, name)  # type: ignore[no-any-return]

    def set_scenario_state(self, name: str, state: str) -> None:
        """Move a scenario to `state` (as `PUT /__admin/scenarios/{name}/state` does)."""
        if self.scenario_state(name) is None:
            raise KeyError(f"no scenario named {name!r}")
        self._call(self.state.registry.scenarios.set_state, name, state)

    def reset_scenarios(self, name: str | None = None) -> None:
        """Every scenario (or only `name`) back to `Started`."""
        self._call(self.state.registry.scenarios.reset, name)

    # -- journal and verification -------------------------------------------------------
    def requests(self, pattern: Pattern | None = None) -> list[JournalledRequest]:
        """Journalled requests, oldest first; only those matching `pattern` when given."""
        if pattern is None:
            found: list[JournalledRequest] = self._call(
                lambda: [JournalledRequest(e) for e in self.state.journal.oldest_first()])
            return found
        compiled = parse_pattern(pattern)
        matching: list[JournalledRequest] = self._call(
            lambda: [JournalledRequest(e) for e in self.state.journal.matching(compiled)])
        return matching

    def calls(self, stub_id: str) -> list[JournalledRequest]:
        """The requests this stub answered, oldest first."""
        return [r for r in self.requests() if r.stub_id == stub_id]

    def unmatched(self) -> list[JournalledRequest]:
        """Requests no stub matched (each answered with a 404), oldest first."""
        return [r for r in self.requests() if not r.matched]

    def unused_stubs(self) -> list[StubMapping]:
        """Stubs added since the last reset that no journalled request matched (the stubs
        preloaded from `root_dir` are shared by many tests, so they are not counted)."""

        def find() -> list[StubMapping]:
            used = {e.stub.id for e in self.state.journal.oldest_first() if e.stub is not None}
            return [s for s in self.state.registry.all()
                    if s.id not in used and s.id not in self._preloaded]

        return self._call(find)  # type: ignore[no-any-return]

    def assert_no_unmatched(self) -> None:
        """Fail when any request went unmatched, showing each beside its nearest stub."""
        __tracebackhide__ = True
        text = self._call(lambda: unmatched_text(self.state.journal))
        if text:
            raise UnmatchedRequestError(text)

    def assert_all_used(self) -> None:
        """Fail when a stub was never matched since the last reset (unused stubs named)."""
        __tracebackhide__ = True
        unused = self.unused_stubs()
        if unused:
            raise AssertionError(unused_text(unused))

    def verify(self, pattern: Pattern, count: int | None = None) -> int:
        """Assert requests matching `pattern` arrived (`count` exactly, else at least once).

        Returns the number found. On failure raises `AssertionError` naming the expectation;
        too few show the nearest journalled requests beside the pattern with what differed,
        too many list the requests that matched.
        """
        __tracebackhide__ = True
        compiled = parse_pattern(pattern)
        text = self._call(lambda: failure_text(self.state.journal, pattern, compiled, count))
        if text is None:
            return len(self.requests(pattern))
        raise AssertionError(text)

    def wait_for_webhooks(self, count: int = 1, timeout: float = 5.0) -> list[Delivery]:
        """Wait until `count` webhook callbacks have finished (since the last reset); return
        them, each with the `WEBHOOK_REQUEST` and `WEBHOOK_RESPONSE` (or `ERROR`) sub-events
        the journal shows.

        Raises `AssertionError` when fewer finish within `timeout` seconds, or when one of
        them failed (bad template, unreachable receiver), saying what happened to each.
        """
        __tracebackhide__ = True
        if self._threaded is None:
            raise RuntimeError("wait_for_webhooks() needs the threaded server (start(), or "
                               "`with MockServer()`); in async code use await "
                               "server.await_webhooks()")
        webhooks = self.state.webhooks
        done: list[Delivery] = self._threaded.call_async(webhooks.wait, count, timeout,
                                                         timeout=timeout + 5)
        return checked_deliveries(done, count, timeout, self._call(lambda: webhooks.pending))

    async def await_webhooks(self, count: int = 1, timeout: float = 5.0) -> list[Delivery]:
        """`wait_for_webhooks` for a server started with `astart()` / `async with`."""
        __tracebackhide__ = True
        webhooks = self.state.webhooks
        done = await webhooks.wait(count, timeout)
        return checked_deliveries(done, count, timeout, webhooks.pending)

    def reset(self) -> None:
        """WireMock's reset: drop stubs, scenarios and journal, then reload `root_dir`."""
        self._call(lambda: self.state.reset(quiet=True))
        self._raise_load_errors()
