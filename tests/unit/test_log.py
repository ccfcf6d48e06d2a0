"""Log set-up: cheap ISO-8601 UTC timestamps."""

from __future__ import annotations

import io
import json
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
import structlog

from mockserver import log
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


@pytest.fixture(autouse=True)
def structlog_as_it_was() -> Iterator[None]:
    """The command line's configuration is process-wide: put back what was there."""
    saved = structlog.get_config()
    yield
    log.clear_url_masks()
    structlog.configure(**saved)


def _pipeline_and_fast_lines(calls: list[dict[str, Any]],
                             masks: tuple[Any, ...] = ()) -> tuple[list[str], list[str]]:
    """Each call logged through structlog's JSON pipeline and through `ServedLine`, the
    timestamps blanked (they differ by the moment of writing)."""
    stream = io.StringIO()
    log.configure("json", stream=stream)
    for mask in masks:
        log.mask_urls(mask)
    served = log.served_line()
    assert served is not None
    logger = structlog.get_logger("mockserver")
    for call in calls:
        logger.info("request_served", method=call["method"], path=call["path"],
                    request_id=call["request_id"], stub_name=call["stub_name"],
                    stub_id=call["stub_id"], matched=call["stub_id"] is not None,
                    status=call["status"], elapsed_ms=call["elapsed_ms"])
        served(call["method"], call["path"], call["request_id"], call["stub_name"],
               call["stub_id"], call["status"], call["elapsed_ms"])
    lines = [re.sub(r'"timestamp": "[^"]*"', '"timestamp": ""', line)
             for line in stream.getvalue().splitlines()]
    return lines[0::2], lines[1::2]


CALLS = [
    {"method": "GET", "path": "/hello", "request_id": "a-1", "stub_name": None,
     "stub_id": "s-1", "status": 200, "elapsed_ms": 0.12},
    {"method": "POST", "path": '/q?x="1"&y=\\é\u2028\n', "request_id": "a-2",
     "stub_name": 'named "quoted" \u00fc', "stub_id": "s-2", "status": 201, "elapsed_ms": 10.0},
    {"method": "DELETE", "path": "/", "request_id": "a-3", "stub_name": "n", "stub_id": "s-3",
     "status": 204, "elapsed_ms": 1234.57},
]


def test_fast_served_line_is_the_pipelines_line() -> None:
    """The fast `request_served` line is byte for byte what structlog's JSON pipeline writes
    for the same event (keys, their order, escaping, numbers)."""
    pipeline, fast = _pipeline_and_fast_lines(CALLS)
    assert fast == pipeline
    assert [json.loads(line)["path"] for line in fast] == [c["path"] for c in CALLS]


def test_fast_served_line_masks_urls_as_the_pipeline_does() -> None:
    """URL masks (secret query values while recording) apply to the fast line too."""
    calls = [dict(CALLS[0], path="/pay?token=abc&x=1"), dict(CALLS[0], path="/pay?token=abc&x=1")]
    pipeline, fast = _pipeline_and_fast_lines(
        calls, masks=(lambda url: url.replace("token=abc", "token=***"),))
    assert fast == pipeline
    assert all("abc" not in line and "token=***" in line for line in fast)


def test_no_fast_line_once_structlog_is_configured_otherwise() -> None:
    """Someone else's structlog configuration wins: the fast line steps aside."""
    log.configure("json", stream=io.StringIO())
    assert log.served_line() is not None
    log.configure("console", stream=io.StringIO())
    assert log.served_line() is None
    log.configure("json", stream=io.StringIO())
    structlog.configure(logger_factory=structlog.PrintLoggerFactory())
    assert log.served_line() is None
