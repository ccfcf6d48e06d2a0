"""Shared fixtures: a real mockserver on a free loopback port, and a tiny HTTP client."""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from mockserver.serve.runner import ThreadedRunner
from mockserver.settings import ServerOptions
from tests.redis_server import RedisServer, running_redis
from tests.upstream import Upstream, running_upstream

if TYPE_CHECKING:
    from tests.cluster import Cluster

# A user's suite that tests/functional/test_pytest_sample_project.py runs through pytester
# (some of its tests fail on purpose): never collected as part of this suite.
collect_ignore = ["functional/sample_project"]


@dataclass
class Reply:
    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self) -> Any:
        return json.loads(self.body)

    def header(self, name: str) -> str | None:
        values = self.header_values(name)
        return values[0] if values else None

    def header_values(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]


class Client:
    """A plain http.client wrapper: a fresh connection per request, any method and headers."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.base = f"http://127.0.0.1:{port}"

    def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes | str | None = None,
        json_body: Any = None,
        headers: list[tuple[str, str]] | dict[str, str] | None = None,
    ) -> Reply:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        try:
            items = list(headers.items()) if isinstance(headers, dict) else list(headers or [])
            if json_body is not None:
                body = json.dumps(json_body)
                if not any(k.lower() == "content-type" for k, _ in items):
                    items.append(("Content-Type", "application/json"))
            data = body.encode("utf-8") if isinstance(body, str) else body
            conn.putrequest(method, path, skip_accept_encoding=True)
            for name, value in items:
                conn.putheader(name, value)
            if data is not None:
                conn.putheader("Content-Length", str(len(data)))
            conn.endheaders(data)
            response = conn.getresponse()
            return Reply(response.status, response.reason, response.getheaders(),
                         response.read())
        finally:
            conn.close()

    def get(self, path: str, **kwargs: Any) -> Reply:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Reply:
        return self.request("POST", path, **kwargs)

    def stub(self, mapping: dict[str, Any]) -> str:
        reply = self.post("/__admin/mappings", json_body=mapping)
        assert reply.status == 201, reply.text
        return str(reply.json()["id"])


def start_server(root: Path, **options: Any) -> ThreadedRunner:
    (root / "mappings").mkdir(parents=True, exist_ok=True)
    (root / "__files").mkdir(parents=True, exist_ok=True)
    return ThreadedRunner(ServerOptions(host="127.0.0.1", port=0, root_dir=root, **options)).start()


@pytest.fixture
def root_dir(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    (root / "mappings").mkdir(parents=True)
    (root / "__files").mkdir()
    return root


@pytest.fixture
def server(root_dir: Path) -> Iterator[ThreadedRunner]:
    runner = start_server(root_dir)
    try:
        yield runner
    finally:
        runner.stop()


@pytest.fixture
def client(server: ThreadedRunner) -> Client:
    return Client(server.port)


@contextmanager
def cli_server(root: Path, *args: str) -> Iterator[tuple[Client, Path]]:
    """`python -m mockserver serve` as users run it (on uvloop when installed), stopped after;
    yields a client and the file its output goes to."""
    with cli_process(root, *args) as (client, log, _):
        yield client, log


@contextmanager
def cli_process(root: Path, *args: str) -> Iterator[tuple[Client, Path, subprocess.Popen[bytes]]]:
    """`cli_server` with the server's process too (for its memory, read from /proc)."""
    (root / "mappings").mkdir(parents=True, exist_ok=True)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = root.parent / f"mockserver-{port}.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "mockserver", "serve", "--host", "127.0.0.1",
             "--port", str(port), "--root-dir", str(root), "--log-format", "json", *args],
            stdout=out, stderr=subprocess.STDOUT,
        )
    client = Client(port)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                client.get("/__admin/health")
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.05)
        yield client, log, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    """A real HTTP upstream on a free loopback port (the API a proxy or recording targets)."""
    with running_upstream() as up:
        yield up


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    """A real redis-server on a free loopback port, for this test alone."""
    with running_redis() as server:
        yield server


@pytest.fixture
def cluster(tmp_path: Path, redis_server: RedisServer) -> Iterator[Cluster]:
    """Replicas on one root folder and `redis_server`, stopped after the test."""
    from tests.cluster import Cluster  # it builds on this module's servers

    group = Cluster(tmp_path / "root", redis_server.url)
    try:
        yield group
    finally:
        group.stop()
