"""Date-time operators (`before`, `after`, `equalToDateTime`).

WireMock parses the expected value once, but a relative one (`now +3 days`) is re-evaluated on
every match from the injected clock (UTC by default, where Java would use the server's zone, so
`first day of month` means UTC midnight). Actual values are parsed as in
`AbstractDateTimePattern`: ISO zoned, RFC 1123, RFC 1036, asctime, then ISO local date-time,
date, year-month and year, or through `actualFormat` (a Java `DateTimeFormatter` pattern, `unix`
or `epoch`). Mixed comparisons follow WireMock: a zoned actual against a local expected compares
wall-clock fields; a local actual against a zoned expected is placed in the server's zone (UTC
when that zone cannot place it).

`expectedOffset`/`expectedOffsetUnit` replace the offset written in a relative expression (as in
WireMock). Deliberate leniencies: `truncateExpected` and `expectedOffset` also apply to absolute
expected values (WireMock silently ignores them there), units may be singular, `truncateActual`
applies to local actuals too, and `actualFormat` text fields are case-insensitive.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any, ClassVar

from mockserver.compat.javadate import JavaDateFormat, parse_date_time, parse_epoch
from mockserver.matchers.base import EXACT, MatchResult, ParseContext, StringMatcher, no_match

Clock = Callable[[], datetime]

_TWO_YEARS_MS = 730 * 86_400_000


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


# --- offsets and truncations ---------------------------------------------------------------

UNITS = ("seconds", "minutes", "hours", "days", "months", "years")


def _add_months(dt: datetime, months: int) -> datetime:
    """Java's `plusMonths`: the day is clamped to the target month's length."""
    year, month0 = divmod(dt.month - 1 + months, 12)
    year += dt.year
    return dt.replace(
        year=year, month=month0 + 1, day=min(dt.day, calendar.monthrange(year, month0 + 1)[1])
    )


@dataclass(frozen=True, slots=True)
class Offset:
    """`now +3 days`: an amount of one unit, applied like Java's `ZonedDateTime.plus`."""

    amount: int
    unit: str

    def shift(self, dt: datetime) -> datetime:
        if self.unit == "months":
            return _add_months(dt, self.amount)
        if self.unit == "years":
            return _add_months(dt, 12 * self.amount)
        return dt + timedelta(**{self.unit: self.amount})

    def __str__(self) -> str:
        return f"{self.amount} {self.unit}"


def _parse_unit(text: str) -> str | None:
    unit = text.strip().lower()
    unit = unit if unit.endswith("s") else unit + "s"
    return unit if unit in UNITS else None


def _start_of_day(dt: datetime) -> datetime:
    return dt.replace(hour=0, minute=0, second=0, microsecond=0)


def _last_day(dt: datetime) -> int:
    return calendar.monthrange(dt.year, dt.month)[1]


TRUNCATIONS: dict[str, Callable[[datetime], datetime]] = {
    "first second of minute": lambda d: d.replace(second=0, microsecond=0),
    "first minute of hour": lambda d: d.replace(minute=0, second=0, microsecond=0),
    "first hour of day": _start_of_day,
    "first day of month": lambda d: _start_of_day(d.replace(day=1)),
    "first day of next month": lambda d: _start_of_day(_add_months(d.replace(day=1), 1)),
    "last day of month": lambda d: _start_of_day(d.replace(day=_last_day(d))),
    "first day of year": lambda d: _start_of_day(d.replace(month=1, day=1)),
    "first day of next year": lambda d: _start_of_day(d.replace(year=d.year + 1, month=1, day=1)),
    "last day of year": lambda d: _start_of_day(d.replace(month=12, day=31)),
}


def _find_truncation(name: str) -> Callable[[datetime], datetime] | None:
    return TRUNCATIONS.get(" ".join(name.lower().replace("_", " ").split()))


# --- the matchers ----------------------------------------------------------------------------

_RELATIVE = re.compile(r"(?:now\s+)?([+-]?\d+)\s+([A-Za-z]+)", re.IGNORECASE | re.ASCII)
_JAVA_INT = 2**31 - 1


class DateTimeMatcher(StringMatcher):
    """Shared parsing and evaluation; subclasses say which side of `expected` is accepted."""

    relation: ClassVar[str] = ""

    def __init__(
        self,
        spec: Mapping[str, Any],
        ctx: ParseContext,
        *,
        now: Clock = _utc_now,
        local_zone: tzinfo | None = None,
    ) -> None:
        self._spec = dict(spec)
        self._now = now
        self._local_zone = local_zone
        op = self.operator
        raw = spec.get(op)
        if not isinstance(raw, str):
            raise ctx.error(f"{op} operand must be a non-null string", op)
        explicit = self._explicit_offset(spec, ctx)
        self._display = raw
        self._base: datetime | None = None
        if raw.strip().lower() == "now":
            self._offset = explicit
            if explicit is not None:
                sign = "+" if explicit.amount >= 0 else ""
                self._display = f"now {sign}{explicit}"
        elif m := _RELATIVE.fullmatch(raw.strip()):
            unit = _parse_unit(m[2])
            if unit is None:
                raise ctx.error(f"unknown unit {m[2]!r} (expected one of: {', '.join(UNITS)})", op)
            if len(m[1].lstrip("+-")) > 10 or abs(int(m[1])) > _JAVA_INT:
                raise ctx.error(f"offset amount {m[1]} is out of range", op)
            self._offset = explicit or Offset(int(m[1]), unit)
        else:
            self._base = parse_date_time(raw)
            if self._base is None:
                raise ctx.error(
                    f"{raw!r} is not a date-time (expected ISO 8601 such as "
                    "2021-06-14T12:00:00Z, a date, or now +3 days)",
                    op,
                )
            self._offset = explicit
        self._truncate_expected = self._truncation(spec, ctx, "truncateExpected")
        self._truncate_actual = self._truncation(spec, ctx, "truncateActual")
        last = spec.get("applyTruncationLast", False)
        if not isinstance(last, bool):
            raise ctx.error("applyTruncationLast must be true or false", "applyTruncationLast")
        self._truncation_last = last
        self._parse_actual = self._actual_parser(spec, ctx)

    def _explicit_offset(self, spec: Mapping[str, Any], ctx: ParseContext) -> Offset | None:
        amount, unit = spec.get("expectedOffset"), spec.get("expectedOffsetUnit")
        if amount is None and unit is None:
            return None
        if isinstance(amount, str) and re.fullmatch(r"[+-]?\d{1,12}", amount.strip(), re.ASCII):
            amount = int(amount)
        if not isinstance(amount, int) or isinstance(amount, bool):
            raise ctx.error("expectedOffset must be an integer", "expectedOffset")
        parsed = _parse_unit(unit) if isinstance(unit, str) else None
        if parsed is None:
            raise ctx.error(
                f"expectedOffsetUnit must be one of: {', '.join(UNITS)}", "expectedOffsetUnit"
            )
        if abs(amount) > _JAVA_INT:
            raise ctx.error(f"offset amount {amount} is out of range", "expectedOffset")
        return Offset(amount, parsed)

    @staticmethod
    def _truncation(
        spec: Mapping[str, Any], ctx: ParseContext, key: str
    ) -> Callable[[datetime], datetime] | None:
        name = spec.get(key)
        if name is None:
            return None
        found = _find_truncation(name) if isinstance(name, str) else None
        if found is None:
            raise ctx.error(
                f"unknown truncation {name!r} (expected one of: {', '.join(TRUNCATIONS)})", key
            )
        return found

    @staticmethod
    def _actual_parser(
        spec: Mapping[str, Any], ctx: ParseContext
    ) -> Callable[[str], datetime | None]:
        fmt = spec.get("actualFormat")
        if fmt is None:
            return parse_date_time
        if not isinstance(fmt, str):
            raise ctx.error("actualFormat must be a string", "actualFormat")
        if fmt.lower() == "unix":
            return lambda text: parse_epoch(text, 1000)
        if fmt.lower() == "epoch":
            return lambda text: parse_epoch(text, 1)
        try:
            return JavaDateFormat(fmt).parse
        except ValueError as exc:
            raise ctx.error(f"invalid actualFormat {fmt!r}: {exc}", "actualFormat") from exc

    def expected_at(self, now: datetime) -> datetime:
        """The expected value for a match at `now`; OverflowError/ValueError past year 9999."""
        value = self._base if self._base is not None else now
        truncate, offset = self._truncate_expected, self._offset
        if offset is not None and self._truncation_last:
            value = offset.shift(value)
        if truncate is not None:
            value = truncate(value)
        if offset is not None and not self._truncation_last:
            value = offset.shift(value)
        return value

    def match(self, value: str | None) -> MatchResult:
        if value is None:
            return no_match("value is absent")
        actual = self._parse_actual(value)
        if actual is None:
            return no_match(f"{value[:60]!r} is not a recognised date-time")
        try:
            if self._truncate_actual is not None:
                actual = self._truncate_actual(actual)
            expected = self.expected_at(self._now())
            actual, expected = self._comparable(actual, expected)
            delta_ms = (actual - expected) / timedelta(milliseconds=1)
        except (OverflowError, ValueError):
            return no_match("date-time out of range")
        if self._accepts(delta_ms):
            return EXACT
        gap = max(abs(delta_ms), 1.0)  # on the boundary: the nearest miss, yet not exact
        return no_match(
            f"{value[:60]!r} is not {self.relation} {expected.isoformat()}",
            gap / (gap + _TWO_YEARS_MS),
        )

    def _comparable(self, actual: datetime, expected: datetime) -> tuple[datetime, datetime]:
        """Bring both sides to the same kind: wall clock when expected is local, else instants."""
        if expected.tzinfo is None:
            return actual.replace(tzinfo=None), expected
        if actual.tzinfo is None:
            if self._local_zone is not None:
                actual = actual.replace(tzinfo=self._local_zone)
            else:
                try:
                    actual = actual.astimezone()  # the server's zone
                except (OverflowError, OSError, ValueError):
                    actual = actual.replace(tzinfo=timezone.utc)
        return actual.astimezone(timezone.utc), expected.astimezone(timezone.utc)

    def _accepts(self, delta_ms: float) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError

    def to_json(self) -> dict[str, Any]:
        return dict(self._spec)

    def report_value(self) -> str:
        operand = self._spec.get(self.operator)
        return operand if isinstance(operand, str) else self._display

    def report_expected(self) -> str:
        """`now` with an offset reads as WireMock prints it: `now +3 days`."""
        return self._display


class BeforeMatcher(DateTimeMatcher):
    """`before`: the actual instant is strictly earlier than the expected one."""

    operator = "before"
    relation = "before"

    def _accepts(self, delta_ms: float) -> bool:
        return delta_ms < 0


class AfterMatcher(DateTimeMatcher):
    """`after`: the actual instant is strictly later than the expected one."""

    operator = "after"
    relation = "after"

    def _accepts(self, delta_ms: float) -> bool:
        return delta_ms > 0


class EqualToDateTimeMatcher(DateTimeMatcher):
    """`equalToDateTime`: the same instant (or the same wall-clock time for local values)."""

    operator = "equalToDateTime"
    relation = "equal to"

    def _accepts(self, delta_ms: float) -> bool:
        return delta_ms == 0


def parse_before(spec: Mapping[str, Any], ctx: ParseContext) -> StringMatcher:
    return BeforeMatcher(spec, ctx)


def parse_after(spec: Mapping[str, Any], ctx: ParseContext) -> StringMatcher:
    return AfterMatcher(spec, ctx)


def parse_equal_to_date_time(spec: Mapping[str, Any], ctx: ParseContext) -> StringMatcher:
    return EqualToDateTimeMatcher(spec, ctx)


__all__ = [
    "TRUNCATIONS",
    "UNITS",
    "AfterMatcher",
    "BeforeMatcher",
    "DateTimeMatcher",
    "EqualToDateTimeMatcher",
    "Offset",
    "parse_after",
    "parse_before",
    "parse_equal_to_date_time",
]
