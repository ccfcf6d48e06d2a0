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
