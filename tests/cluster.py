"""Replicas of one mock environment for the scale-out tests: in-process servers on one root
folder and one real redis-server, stopped at the end."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mockserver.serve.runner import ThreadedRunner
from tests.conftest import Client, start_server


class Cluster:
    """Replicas started on one root folder and one store, stopped at the end."""

    def __init__(self, root: Path, store: str) -> None:
        self.root = root
        self.store = store
        self.runners: list[ThreadedRunner] = []

    def replica(self, **options: Any) -> Client:
        runner = start_server(self.root, store=self.store, request_logging=False, **options)
        self.runners.append(runner)
        return Client(runner.port)

    def stop(self) -> None:
        for runner in self.runners:
            runner.stop()


def serves(client: Client, path: str, status: int) -> bool:
    return client.get(path).status == status


def count(client: Client, pattern: dict[str, object], prefix: str = "") -> int:
    reply = client.post(f"{prefix}/__admin/requests/count", json_body=pattern)
    assert reply.status == 200, reply.text
    return int(reply.json()["count"])
