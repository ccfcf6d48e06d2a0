"""structlog set-up, in one place: JSON lines for machines, colourless console for people."""

from __future__ import annotations

import logging
import sys

import structlog


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
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.DEBUG if verbose else logging.INFO
        ),
        logger_factory=structlog.PrintLoggerFactory(sys.stdout),
        cache_logger_on_first_use=True,
    )
