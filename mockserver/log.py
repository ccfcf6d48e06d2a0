"""structlog set-up, in one place: JSON lines for machines, colourless console for people."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import MutableMapping
from typing import Any

import structlog


class UtcTimestamp:
    """ISO-8601 UTC time with milliseconds; the formatted second is reused between events,
    which makes this several times cheaper than formatting a datetime for every request."""

    def __init__(self) -> None:
        self._second = -1
        self._prefix = ""

    def __call__(
        self, logger: Any, method: str, event_dict: MutableMapping[str, Any]
    ) -> MutableMapping[str, Any]:
        now = time.time()
        second = int(now)
        if second != self._second:
            self._second = second
            self._prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        event_dict["timestamp"] = f"{self._prefix}.{int((now - second) * 1000):03d}Z"
        return event_dict


def configure(log_format: str | None = None, *, verbose: bool = False) -> None:
    """`log_format` json|console; by default JSON unless stdout is a terminal."""
    if log_format is None:
        log_format = "console" if sys.stdout.isatty() else "json"
    renderer: structlog.typing.Processor
    if log_format == "json":
        renderer = structlog.processors.JSONRenderer()
    else:
        renderer = structlog.dev.ConsoleRenderer(colors=False)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,  # the request_id bound per request
            structlog.processors.add_log_level,
            UtcTimestamp(),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.DEBUG if verbose else logging.INFO
        ),
        logger_factory=structlog.PrintLoggerFactory(sys.stdout),
        cache_logger_on_first_use=True,
    )
