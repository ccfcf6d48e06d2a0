"""Recording through the admin API, as the recording tests (one server or replicas) do it."""

from __future__ import annotations

from typing import Any

from tests.conftest import Client
from tests.upstream import Upstream


def start(client: Client, upstream: Upstream, **spec: Any) -> None:
    reply = client.post("/__admin/recordings/start",
                        json_body={"targetBaseUrl": upstream.url, **spec})
    assert (reply.status, reply.json()) == (200, {})


def stop(client: Client) -> list[dict[str, Any]]:
    reply = client.post("/__admin/recordings/stop")
    assert reply.status == 200, reply.text
    return list(reply.json()["mappings"])
