"""`MockServer`: a real mockserver on a free loopback port, for tests and scripts.

    with MockServer(root_dir="stubs") as server:         # a background thread
        server.stub({"request": {"url": "/ping"}, "response": {"body": "pong"}})
        urllib.request.urlopen(f"{server.url}/ping")
        server.verify({"url": "/ping"}, count=1)

    async with MockServer() as server:                     # the current event loop
        ...

The same methods work in both modes: with a thread they run on the server's loop, so state is
only ever touched from there; with `async with` they run directly (call them from the loop).
"""

from __future__ import annotations

import json
import os
import tempfile
import uuid
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from mockserver.errors import StubError
from mockserver.exchange import Request
from mockserver.matching.nearmiss import nearest_requests
from mockserver.matching.report import render_diff
from mockserver.model import RequestPattern, StubMapping
from mockserver.serve.runner import Runner, ThreadedRunner
from mockserver.serve.state import ServerState
from mockserver.settings import ServerOptions
from mockserver.stubs import decode, load_text, parse_request_pattern, parse_stub

__all__ = ["MockServer"]

Pattern = Mapping[str, Any] | str


class MockServer:
    """One server: `with` runs it in a daemon thread, `async with` on the running loop.

    `root_dir` holds `mappings/` and `__files/` (preloaded, and reloaded on `reset()`); without
    one the server starts empty in a temporary folder removed on exit. Other keyword arguments
    are `ServerOptions` fields (`max_request_journal_entries`, `verbose`, `watch`, ...).
    """

    def __init__(
        self,
        root_dir: str | os.PathLike[str] | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        **options: Any,
    ) -> None:
        self._root_dir = None if root_dir is None else Path(root_dir)
        self._host = host
        self._port = port
        self._options = options
        self._temp: tempfile.TemporaryDirectory[str] | None = None
        self._runner: Runner | None = None
        self._threaded: ThreadedRunner | None = None

    # -- lifecycle ----------------------------------------------------------------------
    def _server_options(self) -> ServerOptions:
        root = self._root_dir
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
        except BaseException:
            self._threaded = None
            self._cleanup()
            raise
        return self

    def stop(self) -> None:
        if self._threaded is not None:
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
        except BaseException:
            await runner.stop()
            self._cleanup()
            raise
        self._runner = runner
        return self

    async def astop(self) -> None:
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

    # -- stubs, verification, journal ---------------------------------------------------
    def stub(self, mapping: Pattern) -> str:
        """Add one stub (a WireMock-schema dict, or its YAML/JSON text); returns its id."""
        stub = _parse_stub(mapping)
        added: StubMapping = self._call(self.state.stubs.add, stub)
        return added.id

    def requests(self, pattern: Pattern | None = None) -> list[Request]:
        """Journalled requests, oldest first; only those matching `pattern` when given."""
        if pattern is None:
            return list(self._call(lambda: list(self.state.journal.requests())))
        compiled = _parse_pattern(pattern)
        events = self._call(self.state.journal.matching, compiled)
        return [event.request for event in events]

    def verify(self, pattern: Pattern, count: int | None = None) -> int:
        """Assert requests matching `pattern` arrived (`count` exactly, else at least once).

        Returns the number found. On failure raises `AssertionError` naming the expectation and
        showing the nearest journalled requests beside the pattern, with what differed.
        """
        compiled = _parse_pattern(pattern)

        def check() -> tuple[int, bool, str]:
            journal = self.state.journal
            if not journal.enabled:
                return -1, False, ""
            found = len(self.state.journal.matching(compiled))
            ok = found >= 1 if count is None else found == count
            if ok:
                return found, True, ""
            return found, False, _near_misses_text(self.state, compiled)

        found, ok, near = self._call(check)
        if found == -1:
            raise AssertionError("cannot verify: the request journal is disabled")
        if not ok:
            raise AssertionError(_failure_text(pattern, count, found, near))
        return int(found)

    def reset(self) -> None:
        """WireMock's reset: drop stubs, scenarios and journal, then reload `root_dir`."""
        self._call(self.state.reset)


def _parse_stub(mapping: Pattern) -> StubMapping:
    if isinstance(mapping, str):
        stubs, errors = load_text(mapping, path="<stub>", display="<stub>", is_json=False)
        if errors:
            raise errors[0]
        if len(stubs) != 1:
            raise StubError((), f"expected one stub mapping, got {len(stubs)}: "
                                "call stub() once per mapping")
        data = decode(mapping, display="<stub>")
        named = isinstance(data, dict) and (data.get("id") or data.get("uuid"))
        # text without an id gets a fresh one (the file loader's ids are stable per location)
        return stubs[0].with_changes(source=None, id=stubs[0].id if named else str(uuid.uuid4()))
    return parse_stub(dict(mapping))


def _parse_pattern(pattern: Pattern) -> RequestPattern:
    data = decode(pattern, display="<pattern>") if isinstance(pattern, str) else dict(pattern)
    return parse_request_pattern({} if data is None else data)[0]


def _near_misses_text(state: ServerState, pattern: RequestPattern) -> str:
    near = nearest_requests(state.journal.requests(), pattern)
    return "\n".join(
        render_diff(n, title=f"Nearest request {i} of {len(near)}", left_heading="Expected")
        for i, n in enumerate(near, 1)
    )


def _failure_text(pattern: Pattern, count: int | None, found: int, near: str) -> str:
    shown = pattern if isinstance(pattern, str) else json.dumps(pattern, sort_keys=True)
    expected = "at least one request" if count is None else (
        f"exactly {count} request{'s' if count != 1 else ''}")
    lines = [f"expected {expected} matching {shown.strip()}, but {found} matched"]
    if near:
        lines.append("the nearest requests received, beside the pattern:")
        lines.append(near)
    elif found == 0:
        lines.append("no requests were received at all")
    return "\n".join(lines)
