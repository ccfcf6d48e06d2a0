"""Date-time operators (`before`, `after`, `equalToDateTime`) and Java date patterns."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from mockserver.compat.javadate import (
    JavaDateFormat,
    format_java,
    java_format_to_strptime,
    parse_date_time,
)
from mockserver.errors import StubError
from mockserver.matchers.base import MatchResult, ParseContext, StringMatcher
from mockserver.matchers.datetime import (
    TRUNCATIONS,
    AfterMatcher,
    BeforeMatcher,
    DateTimeMatcher,
    EqualToDateTimeMatcher,
    parse_after,
    parse_before,
    parse_equal_to_date_time,
)

UTC = timezone.utc
PLUS_2 = timezone(timedelta(hours=2))
NOW = datetime(2021, 6, 14, 12, 30, 45, 500000, tzinfo=UTC)
DAY_MS = 86_400_000


def _no_sub(spec: Any, path: Any) -> StringMatcher:
    raise AssertionError("date-time matchers have no nested matchers")


CTX = ParseContext(("request", "headers", "Date"), _no_sub)
OPERATORS: dict[str, type[DateTimeMatcher]] = {
    "before": BeforeMatcher,
    "after": AfterMatcher,
    "equalToDateTime": EqualToDateTimeMatcher,
}


def build(
    spec: Mapping[str, Any], now: datetime = NOW, local_zone: timezone = UTC
) -> DateTimeMatcher:
    operator = next(key for key in spec if key in OPERATORS)
    return OPERATORS[operator](spec, CTX, now=lambda: now, local_zone=local_zone)


def check(spec: Mapping[str, Any], value: str | None, now: datetime = NOW) -> MatchResult:
    return build(spec, now).match(value)


# --- expected values ------------------------------------------------------------------------

EXPECTED_FORMS = [
    ("2021-06-14T10:00:00Z", "2021-06-14T10:00:00Z", True),
    ("2021-06-14T10:00:00Z", "2021-06-14T12:00:00+02:00", True),
    ("2021-06-14T10:00:00Z", "2021-06-14T10:00:00.000Z", True),
    ("2021-06-14T10:00:00Z", "2021-06-14T10:00:00.5Z", False),
    ("2021-06-14T12:00:00+02:00", "2021-06-14T10:00:00Z", True),
    ("2021-06-14T12:00:00-05:30", "2021-06-14T17:30:00Z", True),
    ("2021-06-14T10:00Z", "2021-06-14T10:00:00Z", True),
    ("2021-06-14T10:00:00.123456789Z", "2021-06-14T10:00:00.123456Z", True),
    ("2021-06-14T12:00:00+02:00[Europe/Paris]", "2021-06-14T10:00:00Z", True),
    ("2021-06-14T10:00:00Z", "2021-06-14T10:00:00Z[Nowhere/Atlantis]", False),
    ("2021-06-24T00:00:00", "2021-06-24T00:00:00", True),
    ("2021-06-24T00:00:00", "2021-06-24T00:00:00+05:00", True),
    ("2021-06-24T00:00:00", "2021-06-24T00:00:01", False),
    ("2021-06-24", "2021-06-24T00:00:00", True),
    ("2021-06", "2021-06-01", True),
    ("2021", "2021-01-01T00:00:00", True),
    ("Sun, 06 Nov 1994 08:49:37 GMT", "1994-11-06T08:49:37Z", True),
]


@pytest.mark.parametrize(("expected", "actual", "matched"), EXPECTED_FORMS)
def test_expected_forms(expected: str, actual: str, matched: bool) -> None:
    """Zoned, offset, fractional, local, date, year-month, year and HTTP-date expectations."""
    assert check({"equalToDateTime": expected}, actual).matched is matched


RELATIVE = [
    ({"before": "now"}, NOW - timedelta(seconds=1), True),
    ({"before": "now"}, NOW, False),
    ({"before": "now"}, NOW + timedelta(seconds=1), False),
    ({"after": "now"}, NOW + timedelta(milliseconds=1), True),
    ({"after": "now +3 days"}, NOW + timedelta(days=3, milliseconds=1), True),
    ({"after": "now +3 days"}, NOW + timedelta(days=2), False),
    ({"before": "now -1 hours"}, NOW - timedelta(minutes=61), True),
    ({"before": "now -1 hours"}, NOW - timedelta(minutes=59), False),
    ({"equalToDateTime": "5 seconds"}, NOW + timedelta(seconds=5), True),
    ({"equalToDateTime": "+2 minutes"}, NOW + timedelta(minutes=2), True),
    ({"equalToDateTime": "-2 minutes"}, NOW - timedelta(minutes=2), True),
    ({"equalToDateTime": "NOW +1 DAYS"}, NOW + timedelta(days=1), True),
    ({"equalToDateTime": "now +1 day"}, NOW + timedelta(days=1), True),
    ({"equalToDateTime": "now +1 months"}, NOW.replace(month=7), True),
    ({"equalToDateTime": "now -2 years"}, NOW.replace(year=2019), True),
    ({"equalToDateTime": "Now"}, NOW, True),
    ({"before": "now", "expectedOffset": 3, "expectedOffsetUnit": "days"}, NOW, True),
    (
        {"after": "now", "expectedOffset": -3, "expectedOffsetUnit": "days"},
        NOW - timedelta(days=2),
        True,
    ),
    (
        {"equalToDateTime": "now +1 days", "expectedOffset": 2, "expectedOffsetUnit": "HOURS"},
        NOW + timedelta(hours=2),
        True,
    ),
    (
        {"equalToDateTime": "now", "expectedOffset": "90", "expectedOffsetUnit": "minute"},
        NOW + timedelta(minutes=90),
        True,
    ),
]


@pytest.mark.parametrize(("spec", "actual", "matched"), RELATIVE)
def test_relative_expected(spec: dict[str, Any], actual: datetime, matched: bool) -> None:
    """`now`, `now +N unit`, `N unit` and expectedOffset/Unit are measured from the clock."""
    assert check(spec, actual.isoformat()).matched is matched


def test_relative_expected_is_evaluated_at_match_time() -> None:
    """A relative expectation follows the clock on every match, not the time of loading."""
    clock = [NOW]
    matcher = BeforeMatcher({"before": "now"}, CTX, now=lambda: clock[0])
    value = (NOW + timedelta(hours=1)).isoformat()
    assert not matcher.match(value).matched
    clock[0] = NOW + timedelta(hours=2)
    assert matcher.match(value).matched


def test_month_offset_clamps_the_day() -> None:
    """Adding months keeps the day when possible, else uses the month's last day (as Java)."""
    jan_31 = datetime(2021, 1, 31, tzinfo=UTC)
    assert check({"equalToDateTime": "now +1 months"}, "2021-02-28T00:00:00Z", jan_31).matched
    leap = datetime(2020, 2, 29, tzinfo=UTC)
    assert check({"equalToDateTime": "now +1 years"}, "2021-02-28T00:00:00Z", leap).matched


def test_default_clock_is_utc_now() -> None:
    """Without an injected clock, `now` is the current UTC time."""
    matcher = parse_before({"before": "now +1 minutes"}, CTX)
    assert matcher.match(datetime.now(UTC).isoformat()).matched
    assert not matcher.match((datetime.now(UTC) + timedelta(hours=1)).isoformat()).matched


# --- actual values --------------------------------------------------------------------------

ACTUAL_FORMS = [
    ("2021-01-01T00:00:00Z", True),
    ("2021-01-01t00:00:00z", True),
    ("2021-01-01T00:00:00+01:00", True),
    ("2021-01-01T00:00:00.123456+01:00", True),
    ("2021-01-01T00:00:00", True),
    ("2021-01-01", True),
    ("2021-01", True),
    ("2021", True),
    ("Fri, 01 Jan 2021 00:00:00 GMT", True),
    ("Fri, 1 Jan 2021 00:00 +0100", True),
    ("1 Jan 2021 00:00:00 GMT", True),
    ("fri, 01 jan 2021 00:00:00 gmt", True),
    ("Friday, 01-Jan-21 00:00:00 GMT", True),
    ("Sunday, 06-Nov-94 08:49:37 GMT", True),
    ("Fri Jan  1 00:00:00 2021", True),
    ("Fri Jan 01 00:00:00 2021", True),
    ("Mon, 01 Jan 2021 00:00:00 GMT", False),  # the day of week contradicts the date
    ("Monday, 01-Jan-21 00:00:00 GMT", False),
    ("Mon Jan  1 00:00:00 2021", False),
    ("2021-02-30", False),
    ("2021-01-01T24:00:00Z", False),
    ("2021-01-01T00:00:00+25:00", False),
    ("2021-01-01 00:00:00", False),
    ("２０２１-01-01", False),
    ("01/01/2021", False),
    ("", False),
    ("garbage", False),
]


@pytest.mark.parametrize(("actual", "parsed"), ACTUAL_FORMS)
def test_actual_forms(actual: str, parsed: bool) -> None:
    """ISO zoned/local/date/year-month/year, RFC 1123, RFC 1036 and asctime values parse."""
    result = parse_date_time(actual)
    assert (result is not None) is parsed
    if parsed:
        assert check({"after": "1990-01-01T00:00:00Z"}, actual).matched


def test_rfc_1036_two_digit_years() -> None:
    """Two-digit years 69-99 are 19xx and 00-68 are 20xx."""
    assert parse_date_time("Sunday, 06-Nov-94 08:49:37 GMT") == datetime(
        1994, 11, 6, 8, 49, 37, tzinfo=UTC
    )
    assert parse_date_time("Friday, 01-Jan-21 00:00:00 GMT") == datetime(2021, 1, 1, tzinfo=UTC)


def test_local_date_satisfies_after_a_zoned_instant() -> None:
    """`2021-01-01` satisfies `after 2020-01-01T00:00:00Z` (confirmed on WireMock 3.13.2)."""
    assert parse_after({"after": "2020-01-01T00:00:00Z"}, CTX).match("2021-01-01").matched


def test_local_actual_is_placed_in_the_local_zone() -> None:
    """A local actual compared with a zoned expectation is read in the server's zone."""
    spec = {"equalToDateTime": "2021-06-14T10:00:00Z"}
    at_plus_2 = EqualToDateTimeMatcher(spec, CTX, local_zone=PLUS_2)
    assert at_plus_2.match("2021-06-14T12:00:00").matched
    assert not build(spec).match("2021-06-14T12:00:00").matched


def test_local_actual_defaults_to_the_system_zone() -> None:
    """Without a configured zone, a local actual is read in the system's local zone."""
    local = datetime(2021, 6, 14, 12, 0).astimezone()
    matcher = parse_equal_to_date_time({"equalToDateTime": local.isoformat()}, CTX)
    assert matcher.match("2021-06-14T12:00:00").matched


def test_zoned_actual_against_local_expected_compares_wall_clock() -> None:
    """A zoned actual against a local expectation compares wall-clock fields (as WireMock)."""
    spec = {"before": "2021-06-14T12:00:00"}
    assert not check(spec, "2021-06-14T13:00:00+03:00").matched
    assert check(spec, "2021-06-14T11:00:00-05:00").matched


# --- actualFormat ---------------------------------------------------------------------------

FORMATS = [
    ("dd/MM/yyyy", "14/06/2021", datetime(2021, 6, 14)),
    ("yyyy-MM-dd'T'HH:mm:ss", "2021-06-14T10:11:12", datetime(2021, 6, 14, 10, 11, 12)),
    (
        "dd MMM yyyy HH:mm:ss.SSS",
        "14 Jun 2021 10:11:12.345",
        datetime(2021, 6, 14, 10, 11, 12, 345000),
    ),
    ("EEE, d MMM yyyy", "Mon, 14 Jun 2021", datetime(2021, 6, 14)),
    ("EEE, d MMM yyyy", "mon, 14 JUN 2021", datetime(2021, 6, 14)),
    (
        "EEEE, MMMM d, yyyy h:mm a",
        "Monday, June 14, 2021 3:05 PM",
        datetime(2021, 6, 14, 15, 5),
    ),
    ("hh:mm a dd/MM/yyyy", "12:30 AM 14/06/2021", datetime(2021, 6, 14, 0, 30)),
    ("hh:mm a dd/MM/yyyy", "12:30 PM 14/06/2021", datetime(2021, 6, 14, 12, 30)),
    ("yy-M-d H:m:s", "21-6-4 3:4:5", datetime(2021, 6, 4, 3, 4, 5)),
    ("uuuu-MM-dd", "2021-06-14", datetime(2021, 6, 14)),
    ("yyyyMMddHHmmss", "20210614101112", datetime(2021, 6, 14, 10, 11, 12)),
    ("yyyy-DDD", "2021-165", datetime(2021, 6, 14)),
    ("k:mm yyyy-MM-dd", "24:00 2021-06-14", datetime(2021, 6, 14, 0, 0)),
    (
        "yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSS",
        "2021-06-14T10:11:12.123456789",
        datetime(2021, 6, 14, 10, 11, 12, 123456),
    ),
    (
        "'Date:' yyyy-MM-dd 'at' HH 'o''clock'",
        "Date: 2021-06-14 at 10 o'clock",
        datetime(2021, 6, 14, 10),
    ),
    ("yyyy-MM-dd[ HH:mm]", "2021-06-14", datetime(2021, 6, 14)),
    ("yyyy-MM-dd[ HH:mm]", "2021-06-14 10:11", datetime(2021, 6, 14, 10, 11)),
    ("[yyyy-]MM-dd", "2020-06-14", datetime(2020, 6, 14)),
    ("yyyy-DDD", "2020-366", datetime(2020, 12, 31)),
    ("dd/MM/yyyy", "31/02/2021", datetime(2021, 2, 28)),
    ("MM/yyyy", "06/2021", datetime(2021, 6, 1)),
    (
        "yyyy-MM-dd HH:mm:ssXXX",
        "2021-06-14 10:00:00+02:00",
        datetime(2021, 6, 14, 10, tzinfo=PLUS_2),
    ),
    ("yyyy-MM-dd HH:mm:ssX", "2021-06-14 08:00:00Z", datetime(2021, 6, 14, 8, tzinfo=UTC)),
    ("yyyy-MM-dd HH:mm:ssx", "2021-06-14 10:00:00+02", datetime(2021, 6, 14, 10, tzinfo=PLUS_2)),
    (
        "yyyy-MM-dd HH:mm:ss Z",
        "2021-06-14 10:00:00 +0200",
        datetime(2021, 6, 14, 10, tzinfo=PLUS_2),
    ),
    ("yyyy-MM-dd HH:mm:ss z", "2021-06-14 08:00:00 GMT", datetime(2021, 6, 14, 8, tzinfo=UTC)),
    (
        "yyyy-MM-dd HH:mm:ss z",
        "2021-06-14 01:00:00 PDT",
        datetime(2021, 6, 14, 8, tzinfo=UTC),
    ),
    (
        "yyyy-MM-dd HH:mm:ss OOOO",
        "2021-06-14 10:00:00 GMT+02:00",
        datetime(2021, 6, 14, 10, tzinfo=PLUS_2),
    ),
    (
        "yyyy-MM-dd'T'HH:mm:ss'['VV']'",
        "2021-06-14T10:00:00[Europe/Paris]",
        datetime(2021, 6, 14, 8, tzinfo=UTC),
    ),
]


@pytest.mark.parametrize(("pattern", "text", "value"), FORMATS)
def test_actual_format_patterns(pattern: str, text: str, value: datetime) -> None:
    """Java DateTimeFormatter patterns parse actual values (local or zoned)."""
    assert JavaDateFormat(pattern).parse(text) == value
    assert check({"equalToDateTime": value.isoformat(), "actualFormat": pattern}, text).matched


FORMAT_MISMATCHES = [
    ("dd/MM/yyyy", "2021-06-14"),
    ("dd/MM/yyyy", "14/06/2021 "),
    ("dd/MM/yyyy", "32/06/2021"),
    ("dd/MM/yyyy", "14/13/2021"),
    ("dd/MM/yyyy", "4/6/2021"),
    ("EEE, d MMM yyyy", "Tue, 14 Jun 2021"),
    ("yyyy-MM-dd HH:mm:ss z", "2021-06-14 10:00:00 Nowhere/Atlantis"),
    ("yyyy-MM-dd HH:mm:ssXXX", "2021-06-14 10:00:00+0200"),
    ("dd/MM/yyyy", "x" * 10_000),
    ("[yyyy-]MM-dd", "06-14"),
    ("yyyy-DDD", "2021-366"),
    ("yyyy-DDD", "2021-000"),
]


@pytest.mark.parametrize(("pattern", "text"), FORMAT_MISMATCHES)
def test_actual_format_mismatch_is_no_match(pattern: str, text: str) -> None:
    """A value that does not fit actualFormat is a no-match with distance 1, never an error."""
    result = check({"after": "2000-01-01", "actualFormat": pattern}, text)
    assert not result.matched
    assert result.distance == 1.0


EPOCHS = [
    ("unix", "1623672000", True),
    ("UNIX", "1623672000", True),
    ("epoch", "1623672000000", True),
    ("Epoch", "1623672000000", True),
    ("unix", "1623672000000", False),
    ("epoch", "1623672000", False),
    ("unix", "1623672000.0", False),
    ("unix", "abc", False),
    ("unix", "", False),
    ("epoch", "99999999999999999999999", False),
]


@pytest.mark.parametrize(("fmt", "text", "matched"), EPOCHS)
def test_unix_and_epoch_formats(fmt: str, text: str, matched: bool) -> None:
    """`unix` reads epoch seconds and `epoch` epoch milliseconds (case-insensitive)."""
    spec = {"equalToDateTime": "2021-06-14T12:00:00Z", "actualFormat": fmt}
    assert check(spec, text).matched is matched


def test_negative_unix_time() -> None:
    """Negative epoch seconds are before 1970."""
    spec = {"equalToDateTime": "1969-12-31T23:59:59Z", "actualFormat": "unix"}
    assert check(spec, "-1").matched


# --- truncation and offsets -----------------------------------------------------------------

SAMPLE = datetime(2021, 6, 14, 12, 30, 45, 500000, tzinfo=UTC)
TRUNCATED = [
    ("first second of minute", datetime(2021, 6, 14, 12, 30, tzinfo=UTC)),
    ("first minute of hour", datetime(2021, 6, 14, 12, tzinfo=UTC)),
    ("first hour of day", datetime(2021, 6, 14, tzinfo=UTC)),
    ("first day of month", datetime(2021, 6, 1, tzinfo=UTC)),
    ("first day of next month", datetime(2021, 7, 1, tzinfo=UTC)),
    ("last day of month", datetime(2021, 6, 30, tzinfo=UTC)),
    ("first day of year", datetime(2021, 1, 1, tzinfo=UTC)),
    ("first day of next year", datetime(2022, 1, 1, tzinfo=UTC)),
    ("last day of year", datetime(2021, 12, 31, tzinfo=UTC)),
]


@pytest.mark.parametrize(("name", "value"), TRUNCATED)
def test_truncations(name: str, value: datetime) -> None:
    """Each WireMock truncation, in space, underscore and upper-case spellings."""
    assert TRUNCATIONS[name](SAMPLE) == value
    for spelling in (name, name.replace(" ", "_").upper()):
        spec = {"equalToDateTime": "now", "truncateExpected": spelling}
        assert check(spec, value.isoformat(), SAMPLE).matched


def test_last_day_of_month_in_december_and_february() -> None:
    """Month ends follow the calendar, including leap years."""
    assert TRUNCATIONS["last day of month"](datetime(2020, 2, 10)) == datetime(2020, 2, 29)
    assert TRUNCATIONS["first day of next month"](datetime(2020, 12, 10)) == datetime(2021, 1, 1)


def test_truncate_actual() -> None:
    """truncateActual is applied to the parsed actual value before comparing."""
    spec = {"equalToDateTime": "2021-06-01T00:00:00Z", "truncateActual": "first day of month"}
    assert check(spec, "2021-06-14T12:34:56Z").matched
    assert check({**spec, "actualFormat": "dd/MM/yyyy HH:mm"}, "14/06/2021 12:34").matched


def test_truncation_then_offset_by_default() -> None:
    """By default the expected value is truncated first and offset afterwards."""
    spec = {"equalToDateTime": "now +1 months", "truncateExpected": "last day of month"}
    assert check(spec, "2021-07-30T00:00:00Z").matched  # June 30th, plus a month


def test_apply_truncation_last() -> None:
    """With applyTruncationLast the offset comes first: the last day of next month."""
    spec = {
        "equalToDateTime": "now +1 months",
        "truncateExpected": "last day of month",
        "applyTruncationLast": True,
    }
    assert check(spec, "2021-07-31T00:00:00Z").matched


def test_truncation_and_offset_apply_to_absolute_expected() -> None:
    """truncateExpected and expectedOffset also shift an absolute expected value."""
    spec = {
        "equalToDateTime": "2021-06-14T12:30:00Z",
        "truncateExpected": "first day of month",
        "expectedOffset": 2,
        "expectedOffsetUnit": "days",
    }
    assert check(spec, "2021-06-03T00:00:00Z").matched


# --- strictness and distance ----------------------------------------------------------------

BOUNDARIES = [
    ("before", "2021-06-14T11:59:59.999Z", True),
    ("before", "2021-06-14T12:00:00Z", False),
    ("before", "2021-06-14T12:00:00.001Z", False),
    ("after", "2021-06-14T12:00:00.001Z", True),
    ("after", "2021-06-14T12:00:00Z", False),
    ("after", "2021-06-14T11:59:59Z", False),
    ("equalToDateTime", "2021-06-14T12:00:00Z", True),
    ("equalToDateTime", "2021-06-14T12:00:00.001Z", False),
]


@pytest.mark.parametrize(("operator", "actual", "matched"), BOUNDARIES)
def test_strict_comparisons(operator: str, actual: str, matched: bool) -> None:
    """before is strictly earlier, after strictly later, equalToDateTime the same instant."""
    assert check({operator: "2021-06-14T12:00:00Z"}, actual).matched is matched


DISTANCES = [
    ("2021-06-15T00:00:00Z", 0.0),
    ("2021-06-13T00:00:00Z", DAY_MS / (DAY_MS + 730 * DAY_MS)),
    ("2019-06-15T00:00:00Z", 0.5),  # 730 days earlier
    ("garbage", 1.0),
]


@pytest.mark.parametrize(("actual", "distance"), DISTANCES)
def test_distance(actual: str, distance: float) -> None:
    """A miss scores |Δms| / (|Δms| + 2 years); a match 0; an unparseable value 1."""
    result = check({"after": "2021-06-14T00:00:00Z"}, actual)
    assert result.distance == pytest.approx(distance)
    assert result.matched is (distance == 0.0)


def test_boundary_miss_is_nearest_but_not_exact() -> None:
    """An actual equal to a strict bound misses with a tiny, non-zero distance."""
    result = check({"before": "2021-06-14T12:00:00Z"}, "2021-06-14T12:00:00Z")
    assert not result.matched
    assert 0.0 < result.distance < 1e-9


def test_absent_value_is_no_match() -> None:
    """An absent value never matches a date-time operator."""
    result = check({"before": "now"}, None)
    assert not result.matched
    assert result.distance == 1.0


def test_reason_names_value_and_expectation() -> None:
    """A miss explains itself with the value and the expected instant."""
    result = check({"after": "2021-06-14T12:00:00Z"}, "2021-06-13T00:00:00Z")
    assert result.reason == "'2021-06-13T00:00:00Z' is not after 2021-06-14T12:00:00+00:00"


GARBAGE = [
    "",
    " ",
    "now",
    "0000-01-01",
    "9999-12-31T23:59:59Z",
    "2021-06-14T25:00:00Z",
    "2021-13-01",
    "\x00\xff",
    "x" * 100_000,
    "2021-06-14T00:00:00+99:99",
    "2021-06-14T00:00:00Z[Nowhere/Atlantis]",
    "Sun, 99 Nov 1994 08:49:37 GMT",
]


@pytest.mark.parametrize("value", GARBAGE)
@pytest.mark.parametrize(
    "spec",
    [
        {"before": "now +1000 years"},
        {"after": "now -2147483647 years"},
        {"after": "2021-06-14", "truncateActual": "first day of next year"},
        {"equalToDateTime": "now", "actualFormat": "EEE, d MMM yyyy HH:mm:ss.SSS XXX"},
        {"before": "now", "actualFormat": "unix", "truncateActual": "first day of next year"},
    ],
)
def test_garbage_never_raises(spec: dict[str, Any], value: str) -> None:
    """Odd, huge or out-of-range values (and out-of-range expectations) just don't match."""
    result = check(spec, value)
    assert isinstance(result, MatchResult)
    assert 0.0 <= result.distance <= 1.0


def test_out_of_range_expected_is_no_match() -> None:
    """An expectation shifted beyond year 9999 is a no-match at match time, not an error."""
    result = check({"before": "now +9000 years"}, "2021-06-14T00:00:00Z")
    assert not result.matched
    assert result.reason == "date-time out of range"


# --- loading --------------------------------------------------------------------------------

LOAD_ERRORS: list[tuple[dict[str, Any], str, str]] = [
    ({"before": "yesterday"}, "before", "'yesterday' is not a date-time"),
    ({"before": 5}, "before", "operand must be a non-null string"),
    ({"before": None}, "before", "operand must be a non-null string"),
    ({"after": "now +3 fortnights"}, "after", "unknown unit 'fortnights'"),
    ({"after": "now +99999999999 days"}, "after", "out of range"),
    ({"before": "now", "expectedOffset": 3}, "expectedOffsetUnit", "must be one of"),
    (
        {"before": "now", "expectedOffset": "x", "expectedOffsetUnit": "days"},
        "expectedOffset",
        "must be an integer",
    ),
    (
        {"before": "now", "expectedOffset": True, "expectedOffsetUnit": "days"},
        "expectedOffset",
        "must be an integer",
    ),
    (
        {"before": "now", "expectedOffset": 1, "expectedOffsetUnit": "weeks"},
        "expectedOffsetUnit",
        "seconds, minutes, hours, days, months, years",
    ),
    (
        {"before": "now", "expectedOffset": 2**40, "expectedOffsetUnit": "days"},
        "expectedOffset",
        "out of range",
    ),
    ({"before": "now", "truncateExpected": "first week"}, "truncateExpected", "first day of"),
    ({"before": "now", "truncateActual": 3}, "truncateActual", "unknown truncation"),
    (
        {"before": "now", "applyTruncationLast": "yes"},
        "applyTruncationLast",
        "true or false",
    ),
    ({"before": "now", "actualFormat": "yyyy-bb"}, "actualFormat", "unknown pattern letter 'b'"),
    ({"before": "now", "actualFormat": "dd/MM"}, "actualFormat", "needs a year"),
    ({"before": "now", "actualFormat": "yyyy 'T"}, "actualFormat", "unclosed quote"),
    ({"before": "now", "actualFormat": "yyyy]"}, "actualFormat", "unmatched ']'"),
    ({"before": "now", "actualFormat": "[yyyy"}, "actualFormat", "unclosed optional"),
    ({"before": "now", "actualFormat": "yyyy{"}, "actualFormat", "reserved character"),
    ({"before": "now", "actualFormat": "yyyy QQ"}, "actualFormat", "unsupported pattern letter"),
    ({"before": "now", "actualFormat": "yyyy ddd"}, "actualFormat", "number of pattern letters"),
    ({"before": "now", "actualFormat": 12}, "actualFormat", "must be a string"),
]


@pytest.mark.parametrize(("spec", "key", "message"), LOAD_ERRORS)
def test_load_errors(spec: dict[str, Any], key: str, message: str) -> None:
    """Stub-author mistakes fail at load with a StubError located at the offending key."""
    operator = next(k for k in spec if k in OPERATORS)
    factory: Callable[[Mapping[str, Any], ParseContext], StringMatcher] = {
        "before": parse_before,
        "after": parse_after,
        "equalToDateTime": parse_equal_to_date_time,
    }[operator]
    with pytest.raises(StubError) as info:
        factory(spec, CTX)
    assert info.value.path == ("request", "headers", "Date", key)
    assert message in info.value.message


def test_to_json_returns_the_spec_as_given() -> None:
    """to_json() echoes the WireMock form, modifiers included."""
    spec = {
        "before": "now",
        "expectedOffset": 3,
        "expectedOffsetUnit": "days",
        "actualFormat": "dd/MM/yyyy",
        "truncateExpected": "first day of month",
        "truncateActual": "first_hour_of_day",
        "applyTruncationLast": False,
    }
    assert parse_before(spec, CTX).to_json() == spec


EXPECTED_TEXT = [
    ({"before": "2021-06-14T12:00:00Z"}, "2021-06-14T12:00:00Z"),
    ({"after": "now +3 days"}, "now +3 days"),
    ({"after": "now", "expectedOffset": 3, "expectedOffsetUnit": "days"}, "now +3 days"),
    ({"after": "now", "expectedOffset": -1, "expectedOffsetUnit": "hours"}, "now -1 hours"),
]


@pytest.mark.parametrize(("spec", "text"), EXPECTED_TEXT)
def test_expected_text(spec: dict[str, Any], text: str) -> None:
    """Reports show what WireMock shows: `now` with an offset reads `now +3 days`."""
    assert build(spec).report_expected() == text


def test_factories_build_the_right_operator() -> None:
    """Each factory builds the matcher for its own operator key."""
    assert parse_before({"before": "now"}, CTX).operator == "before"
    assert parse_after({"after": "now"}, CTX).operator == "after"
    assert parse_equal_to_date_time({"equalToDateTime": "now"}, CTX).operator == "equalToDateTime"


def test_dispatch_through_the_registry() -> None:
    """parse_string_matcher picks the date-time factories by operator key."""
    from mockserver.matchers import parse_string_matcher

    matcher = parse_string_matcher({"after": "2020-01-01T00:00:00Z"}, ("body",))
    assert isinstance(matcher, AfterMatcher)
    assert matcher.match("2021-01-01").matched


# --- Java patterns for other callers -------------------------------------------------------

STRPTIME = [
    ("dd/MM/yyyy", "%d/%m/%Y"),
    ("yyyy-MM-dd'T'HH:mm:ss", "%Y-%m-%dT%H:%M:%S"),
    ("dd MMM yyyy HH:mm:ss.SSS", "%d %b %Y %H:%M:%S.%f"),
    ("EEE, d MMM yyyy", "%a, %d %b %Y"),
    ("EEEE MMMM yy", "%A %B %y"),
    ("hh:mm a", "%I:%M %p"),
    ("uuuu-DDD", "%Y-%j"),
    ("XXX Z x", "%z %z %z"),
    ("z", "%Z"),
    ("'100%' yyyy", "100%% %Y"),
    ("'o''clock' ''", "o'clock '"),
    ("yyyy[-MM]", "%Y-%m"),
]


@pytest.mark.parametrize(("pattern", "strptime"), STRPTIME)
def test_java_format_to_strptime(pattern: str, strptime: str) -> None:
    """Java patterns translate to the equivalent C strptime/strftime format."""
    assert java_format_to_strptime(pattern) == strptime


def test_strptime_translation_parses() -> None:
    """A translated format parses with datetime.strptime."""
    fmt = java_format_to_strptime("EEE, dd MMM yyyy HH:mm:ss.SSS XXX")
    parsed = datetime.strptime("Mon, 14 Jun 2021 10:11:12.345 +02:00", fmt)
    assert parsed == datetime(2021, 6, 14, 10, 11, 12, 345000, tzinfo=PLUS_2)


@pytest.mark.parametrize("pattern", ["VV", "n", "yyyy-bb", "'open", "]", "GGGG"])
def test_java_format_to_strptime_rejects(pattern: str) -> None:
    """Invalid or untranslatable patterns raise ValueError."""
    with pytest.raises(ValueError):
        java_format_to_strptime(pattern)


STAMP = datetime(2021, 6, 4, 15, 5, 9, 123456, tzinfo=PLUS_2)
FORMATTED = [
    (STAMP, "yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "2021-06-04T15:05:09.123+02:00"),
    (STAMP, "d/M/yy", "4/6/21"),
    (STAMP, "EEE, dd MMM yyyy HH:mm:ss Z", "Fri, 04 Jun 2021 15:05:09 +0200"),
    (STAMP, "EEEE MMMM", "Friday June"),
    (STAMP, "h:mm a", "3:05 PM"),
    (STAMP, "hh 'o''clock'", "03 o'clock"),
    (STAMP, "K k H", "3 15 15"),
    (STAMP, "SSSSSS SSSSSSSSS", "123456 123456000"),
    (STAMP, "D DDD", "155 155"),
    (STAMP, "x xx xxx X", "+02 +0200 +02:00 +02"),
    (STAMP, "O OOOO ZZZZ ZZZZZ", "GMT+2 GMT+02:00 GMT+02:00 +02:00"),
    (STAMP.astimezone(timezone(timedelta(hours=-5, minutes=-30))), "O", "GMT-5:30"),
    (STAMP.astimezone(timezone(timedelta(minutes=30))), "O", "GMT+0:30"),
    (STAMP, "uuuu yyyy y", "2021 2021 2021"),
    (STAMP.replace(hour=0), "h a k", "12 AM 24"),
    (NOW, "X XXX xxx ZZZZZ z", "Z Z +00:00 Z UTC"),
    (NOW.replace(tzinfo=None), "yyyy-MM-dd'T'HH:mm:ss[XXX]", "2021-06-14T12:30:45"),
    (NOW.replace(tzinfo=None), "HH:mm XXX", "12:30 Z"),
    (
        datetime(2021, 1, 10, 9, tzinfo=timezone(timedelta(hours=5, minutes=30))),
        "x XXX",
        "+0530 +05:30",
    ),
]


@pytest.mark.parametrize(("value", "pattern", "text"), FORMATTED)
def test_format_java(value: datetime, pattern: str, text: str) -> None:
    """format_java renders Java pattern letters like DateTimeFormatter in an English locale."""
    assert format_java(value, pattern) == text


def test_format_and_parse_round_trip() -> None:
    """What format_java writes, JavaDateFormat reads back."""
    pattern = "EEE, dd MMM yyyy HH:mm:ss.SSSSSS XXX"
    assert JavaDateFormat(pattern).parse(format_java(STAMP, pattern)) == STAMP
