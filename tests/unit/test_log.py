"""Log set-up: cheap ISO-8601 UTC timestamps."""

from __future__ import annotations

import re
import time

from mockserver.log import UtcTimestamp


def test_timestamp_is_iso_utc_with_milliseconds() -> None:
    """Each event gets `YYYY-MM-DDTHH:MM:SS.mmmZ`, close to the current time."""
    stamp = UtcTimestamp()
    before = time.time()
    first = stamp(None, "info", {})["timestamp"]
    second = stamp(None, "info", {})["timestamp"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", first)
    assert first <= second
    assert first[:19] == time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(before)) or (
        first[:19] == time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(before + 1))
    )


def test_log_keys_come_in_reading_order() -> None:
    """method, path, status, the stub and the time lead; empty stub keys are dropped."""
    from mockserver.log import reading_order

    event = {"closest_stub_id": "x", "distance": 0.5, "status": 404, "path": "/a",
             "event": "request_served", "method": "GET", "stub_name": None, "elapsed_ms": 1}
    assert list(reading_order(None, "info", event)) == [
        "event", "method", "path", "status", "elapsed_ms", "closest_stub_id", "distance"]
