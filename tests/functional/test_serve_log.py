"""The serve log masks secret query values in logged URLs, as the record command does."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import cli_server


def test_request_logs_mask_query_secrets(tmp_path: Path) -> None:
    """`?token=...&api_key=...` appear in `request_served` with the values replaced."""
    with cli_server(tmp_path / "root") as (client, log):
        client.get("/orders?token=tok-SECRET-1&api_key=key-SECRET-2&page=3")
    events = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    (served,) = [e for e in events if e["event"] == "request_served"]
    assert "SECRET" not in log.read_text()
    assert served["path"] == "/orders?token=%5BREDACTED%5D&api_key=%5BREDACTED%5D&page=3"
