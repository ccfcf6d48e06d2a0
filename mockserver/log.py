"""structlog set-up, in one place, on top of the standard `logging` module.

Events go through structlog's stdlib integration to the `mockserver` logger, so pytest's
`caplog`, `logging.config` and log levels apply to them like to any library's. The command
line, which owns its process, writes JSON lines for machines or console lines for people
straight from structlog (see `configure`); the Python API and the pytest fixture add no handler
(pytest captures, your logging config decides).
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import sys
import time
from collections.abc import Callable, MutableMapping
from json.encoder import encode_basestring_ascii as _json_str
from typing import Any, TextIO

import structlog

LOGGER_NAME = "mockserver"

# The keys a person scans first, in reading order; every other key follows as logged.
READING_ORDER = ("event", "method", "path", "status", "stub_name", "stub_id", "elapsed_ms")


class UtcTimestamp:
    """ISO-8601 UTC time with milliseconds; the formatted second is reused between events,
    which makes this several times cheaper than formatting a datetime for every request."""

    def __init__(self) -> None:
        self._second = -1
        self._prefix = ""

    def now(self) -> str:
        now = time.time()
        second = int(now)
        if second != self._second:
            self._second = second
            self._prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        return f"{self._prefix}.{int((now - second) * 1000):03d}Z"

    def __call__(
        self, logger: Any, method: str, event_dict: MutableMapping[str, Any]
    ) -> MutableMapping[str, Any]:
        event_dict["timestamp"] = self.now()
        return event_dict


def reading_order(
    logger: Any, method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Put `method`, `path`, `status`, the stub, `elapsed_ms` first; drop empty stub keys."""
    ordered: dict[str, Any] = {}
    for key in READING_ORDER:
        if key in event_dict:
            value = event_dict[key]
            if value is not None or not key.startswith("stub_"):
                ordered[key] = value
    for key, value in event_dict.items():
        if key not in ordered and key not in READING_ORDER:
            ordered[key] = value
    return ordered


def _renderers(log_format: str) -> list[structlog.typing.Processor]:
    if log_format == "json":
        # `exc_info` becomes the traceback as data (frames without their local variables,
        # which may hold request bodies and credentials): JSON cannot render it otherwise
        return [structlog.processors.ExceptionRenderer(
                    structlog.tracebacks.ExceptionDictTransformer(show_locals=False)),
                structlog.processors.JSONRenderer()]
    return [structlog.dev.ConsoleRenderer(colors=False, sort_keys=False)]


def configure(
    log_format: str | None = None, *, verbose: bool = False, stream: TextIO | None = None
) -> None:
    """For the command line: `log_format` json|console (default JSON unless stdout is a
    terminal), lines written to `stream` (stdout).

    The command line owns its process, so its events skip stdlib `logging` (a LogRecord, a
    copy of it for the formatter, a caller lookup and a flush per line: most of the cost of
    a served request with the default logging on) and go straight from structlog's
    processors to a `LineWriter`. The Python API and the fixture keep the stdlib route
    (`configure_for_library`), where `caplog` and logging config apply."""
    global _served
    stream = stream or sys.stdout
    if log_format is None:
        log_format = "console" if stream.isatty() else "json"
    level = logging.DEBUG if verbose else logging.INFO
    writer = LineWriter(stream)

    def factory(*args: Any) -> LineWriter:
        return writer

    clear_url_masks()
    structlog.configure(
        processors=[*_PROCESSORS, _masking, *_renderers(log_format)],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=factory,
        cache_logger_on_first_use=True,
    )
    _served = ServedLine(writer, _STAMP, factory) if log_format == "json" else None


class UrlMasking:
    """Replaces the `path` and `url` of every event by what the masks make of them (secret
    query values while recording: request logs would otherwise print `?api_key=...`).

    Masking looks at every path segment, so answers are remembered per URL (bounded): a
    load test or a test suite sends the same few URLs again and again."""

    KEPT = 4096

    def __init__(self) -> None:
        self.masks: list[Callable[[str], str]] = []
        self._known: dict[str, str] = {}

    def add(self, mask: Callable[[str], str]) -> None:
        self.masks.append(mask)
        self._known.clear()

    def clear(self) -> None:
        self.masks.clear()
        self._known.clear()

    def url(self, url: str) -> str:
        if not self.masks:
            return url
        known = self._known.get(url)
        if known is None:
            if len(self._known) >= self.KEPT:
                self._known.clear()
            known = url
            for mask in self.masks:
                known = mask(known)
            self._known[url] = known
        return known

    def __call__(self, logger: Any, method: str,
                 event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
        if self.masks:
            for key in ("path", "url"):
                value = event_dict.get(key)
                if isinstance(value, str):
                    event_dict[key] = self.url(value)
        return event_dict


_masking = UrlMasking()


def mask_urls(mask: Callable[[str], str]) -> None:
    """From now on, log every event's `path` and `url` as `mask` rewrites them."""
    _masking.add(mask)


def clear_url_masks() -> None:
    """Forget the URL masks (a new configuration, or a test restoring the old one)."""
    _masking.clear()


class ServedLine:
    """`request_served` for a plain answer, written as the very line structlog's JSON
    pipeline (`configure`) would write, without the pipeline: at thousands of requests a
    second, building and rendering the event dict cost as much as serving the request.
    Events with more to say (a 404's closest stub, chaos, faults) take the pipeline."""

    def __init__(self, writer: LineWriter, stamp: UtcTimestamp,
                 factory: Callable[..., LineWriter]) -> None:
        self._writer = writer
        self._stamp = stamp
        self.factory = factory  # structlog's, while it is configured as `configure` left it

    def __call__(self, method: str, path: str, request_id: str, stub_name: str | None,
                 stub_id: str | None, status: int, elapsed_ms: float) -> None:
        stub = ""
        if stub_name is not None:
            stub = f'"stub_name": {_json_str(stub_name)}, '
        if stub_id is not None:
            stub += f'"stub_id": {_json_str(stub_id)}, '
        self._writer.msg(
            f'{{"event": "request_served", "method": {_json_str(method)}, "path": '
            f'{_json_str(_masking.url(path))}, "status": {status}, {stub}"elapsed_ms": '
            f'{elapsed_ms!r}, "request_id": {_json_str(request_id)}, "matched": '
            f'{"false" if stub_id is None else "true"}, "level": "info", "timestamp": '
            f'"{self._stamp.now()}"}}')


_served: ServedLine | None = None


def served_line() -> ServedLine | None:
    """The fast `request_served` writer while the command line's JSON logging is what
    structlog is configured with (else None: log through structlog)."""
    if _served is None or structlog.get_config()["logger_factory"] is not _served.factory:
        return None
    return _served


class LineWriter:
    """structlog's last stop for the command line: gathers the rendered lines and writes and
    flushes them once per event-loop iteration (at once when no loop runs), so a burst of
    served requests costs one write to the pipe, not one per request. Lines still gathered
    when the process exits are written then."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._lines: list[str] = []
        atexit.register(self.flush)

    def msg(self, message: str) -> None:
        lines = self._lines
        lines.append(message)
        if len(lines) > 1:
            return  # a flush is already on its way
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.flush()
            return
        loop.call_soon(self.flush)

    def flush(self) -> None:
        lines = self._lines
        if not lines:
            return
        self._lines = []
        lines.append("")
        try:
            self._stream.write("\n".join(lines))
            self._stream.flush()
        except (OSError, ValueError):  # a closed or broken stdout must not break serving
            pass

    debug = info = warning = warn = error = critical = exception = fatal = log = msg


def key_values(logger: Any, method: str, event_dict: MutableMapping[str, Any]) -> str:
    """`request_served method=GET path=/x status=200 ...`: one line for any stdlib handler
    (logging adds its own time and level, so they are left out here)."""
    event = event_dict.pop("event", "")
    event_dict.pop("timestamp", None)
    event_dict.pop("level", None)
    return " ".join([str(event), *(f"{k}={v}" for k, v in event_dict.items())])


def configure_for_library() -> None:
    """For the Python API and the fixture: route events to stdlib `logging` (unless the
    application configured structlog itself), adding no handler."""
    if not structlog.is_configured():
        _configure_structlog(logging.NOTSET, key_values)


_STAMP = UtcTimestamp()
_PROCESSORS: list[structlog.typing.Processor] = [
    structlog.contextvars.merge_contextvars,  # the request_id bound per request
    structlog.stdlib.add_log_level,
    _STAMP,
    reading_order,
]


def _configure_structlog(
    level: int,
    last: structlog.typing.Processor = structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
) -> None:
    structlog.configure(
        processors=[*_PROCESSORS, last],
        # the level check happens here, before any processor runs: a filtered-out debug
        # event on the request path costs one method call
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=True,
    )
