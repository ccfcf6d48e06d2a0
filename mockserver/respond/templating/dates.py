"""Date helpers: `now`, `date`, `parseDate`, `truncateDate`, with Java format patterns.

Offsets read like WireMock's (`'3 days'`, `'-1 months'`); formats are Java `DateTimeFormatter`
patterns, `epoch` (milliseconds) or `unix` (seconds); the default is ISO 8601 to the second.
The clock is injected so tests can freeze time.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jinja2 import Undefined

from mockserver.compat.javadate import JavaDateFormat, format_java, parse_date_time
from mockserver.matchers.datetime import TRUNCATIONS, Offset
from mockserver.respond.templating.values import HelperError, text_of

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


_OFFSET = re.compile(r"(?:now\s*)?([+-]?\s*\d+)\s*([A-Za-z]+)", re.IGNORECASE)
_UNIT_NAMES = {"second": "seconds", "minute": "minutes", "hour": "hours", "day": "days",
               "week": "weeks", "month": "months", "year": "years", "milli": "milliseconds",
               "millisecond": "milliseconds"}  # fmt: skip


def shift(dt: datetime, offset: Any) -> datetime:
    """Apply WireMock's `offset='3 days'` / `'-1 months'` (units seconds .. years)."""
    if offset is None or isinstance(offset, Undefined) or not text_of(offset).strip():
        return dt
    m = _OFFSET.fullmatch(text_of(offset).strip())
    unit = m and _UNIT_NAMES.get(m.group(2).lower().rstrip("s"))
    if m is None or unit is None:
        raise HelperError(f"offset {text_of(offset)!r} is not like '3 days' or '-1 months'")
    amount = int(m.group(1).replace(" ", ""))
    if unit == "weeks":
        return dt + timedelta(days=7 * amount)
    if unit == "milliseconds":
        return dt + timedelta(milliseconds=amount)
    return Offset(amount, unit).shift(dt)


def _zone(name: Any) -> Any:
    if name is None or isinstance(name, Undefined) or not text_of(name):
        return None
    text = text_of(name)
    if text.upper() in ("UTC", "Z", "GMT"):
        return timezone.utc
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise HelperError(f"unknown time zone {text!r}") from exc


def format_date(dt: datetime, format: Any = None) -> str | int:  # noqa: A002 - WireMock's option
    """`epoch` (ms), `unix` (s), a Java pattern, or ISO 8601 to the second (`Z` for UTC)."""
    pattern = None if format is None or isinstance(format, Undefined) else text_of(format)
    if pattern == "epoch":
        return int(dt.timestamp() * 1000)
    if pattern == "unix":
        return int(dt.timestamp())
    if pattern:
        try:
            return format_java(dt, pattern)
        except ValueError as exc:
            raise HelperError(f"invalid date format {pattern!r}: {exc}") from exc
    text = dt.replace(microsecond=0).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def to_datetime(value: Any, format: Any = None) -> datetime:  # noqa: A002 - WireMock's option
    if isinstance(value, datetime):
        return value
    text = text_of(value).strip()
    pattern = None if format is None or isinstance(format, Undefined) else text_of(format)
    parsed: datetime | None
    if pattern in ("epoch", "unix"):
        try:
            scale = 1000 if pattern == "epoch" else 1
            parsed = datetime.fromtimestamp(int(text) / scale, timezone.utc)
        except ValueError:
            parsed = None
    elif pattern:
        try:
            parsed = JavaDateFormat(pattern).parse(text)
        except ValueError as exc:
            raise HelperError(f"invalid date format {pattern!r}: {exc}") from exc
    else:
        parsed = parse_date_time(text)
    if parsed is None:
        raise HelperError(f"cannot read {text!r} as a date")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def make_now(clock: Clock) -> Callable[..., str | int]:
    def now(format: Any = None, offset: Any = None, timezone: Any = None,  # noqa: A002
            tz: Any = None) -> str | int:
        """The current time, shifted by `offset`, in `timezone`, formatted by `format`."""
        dt = shift(clock(), offset)
        zone = _zone(timezone if timezone is not None else tz)
        if zone is not None:
            dt = dt.astimezone(zone)
        return format_date(dt, format)

    return now


def date(value: Any, offset: Any = None, format: Any = None, timezone: Any = None,  # noqa: A002
         tz: Any = None) -> str | int:
    dt = shift(to_datetime(value), offset)
    zone = _zone(timezone if timezone is not None else tz)
    if zone is not None:
        dt = dt.astimezone(zone)
    return format_date(dt, format)


def parse_date(value: Any, format: Any = None) -> datetime:  # noqa: A002 - WireMock's option
    return to_datetime(value, format)


def truncate_date(value: Any, truncation: Any) -> datetime:
    name = " ".join(text_of(truncation).lower().replace("_", " ").split())
    if name not in TRUNCATIONS:
        raise HelperError(f"unknown truncation {text_of(truncation)!r} "
                          f"(expected one of: {', '.join(sorted(TRUNCATIONS))})")
    return TRUNCATIONS[name](to_datetime(value))
