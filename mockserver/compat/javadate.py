"""Date-time text as WireMock (Java) reads and writes it: the formats tried when no pattern is
given (ISO zoned, RFC 1123, RFC 1036, asctime, ISO local forms) and Java `DateTimeFormatter`
patterns, for parsing (`actualFormat`) and formatting (the templates' `now format=...`).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import TypeAlias
from zoneinfo import ZoneInfo

_MAX_INPUT = 200
# English names whatever the process locale (calendar.month_name follows setlocale).
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")  # fmt: skip
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_ZONE_NAMES = {
    "GMT": 0, "UTC": 0, "UT": 0, "Z": 0,
    "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
}  # fmt: skip


# --- parsing without a format ---------------------------------------------------------------

_TIME = r"(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?"
_ISO_ZONED = re.compile(
    rf"(\d{{4}})-(\d{{2}})-(\d{{2}})[Tt]{_TIME}([Zz]|[+-]\d{{2}}(?::?\d{{2}}(?::?\d{{2}})?)?)"
    r"(?:\[([^\]]+)\])?",
    re.ASCII,
)
_ISO_LOCAL = re.compile(rf"(\d{{4}})-(\d{{2}})-(\d{{2}})[Tt]{_TIME}", re.ASCII)
_ISO_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", re.ASCII)
_MON = "|".join(m[:3] for m in _MONTHS)
_DOW = "|".join(d[:3] for d in _DAYS)
_RFC_1123 = re.compile(
    rf"(?:({_DOW}),\s*)?(\d{{1,2}}) ({_MON}) (\d{{4}}) (\d{{2}}):(\d{{2}})(?::(\d{{2}}))?"
    r" (GMT|[+-]\d{4})",
    re.IGNORECASE | re.ASCII,
)
_RFC_1036 = re.compile(
    rf"({'|'.join(_DAYS)}), (\d{{2}})-({_MON})-(\d{{2}}) (\d{{2}}):(\d{{2}}):(\d{{2}}) ([A-Z]+)",
    re.IGNORECASE | re.ASCII,
)
_ASCTIME = re.compile(
    rf"({_DOW}) ({_MON}) +(\d{{1,2}}) (\d{{2}}):(\d{{2}}):(\d{{2}}) (\d{{4}})",
    re.IGNORECASE | re.ASCII,
)


def _micros(fraction: str | None) -> int:
    return int(fraction[:6].ljust(6, "0")) if fraction else 0


def _month(name: str) -> int:
    return 1 + [m[:3].lower() for m in _MONTHS].index(name[:3].lower())


def _offset_zone(text: str) -> tzinfo | None:
    """`Z`, `+01`, `+0100`, `+01:00`, `+01:00:30`, `GMT+1`, `UTC` or a zone name, as a tzinfo."""
    upper = text.upper()
    for prefix in ("GMT", "UTC", "UT"):
        if upper.startswith(prefix) and upper != prefix:
            upper = upper[len(prefix) :]
            break
    if upper in _ZONE_NAMES:
        return timezone(timedelta(hours=_ZONE_NAMES[upper]))
    m = re.fullmatch(r"([+-])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?", upper, re.ASCII)
    if m is not None:
        delta = timedelta(hours=int(m[2]), minutes=int(m[3] or 0), seconds=int(m[4] or 0))
        if delta > timedelta(hours=18):
            return None
        return timezone(-delta if m[1] == "-" else delta)
    try:
        return ZoneInfo(text)
    except (ValueError, OSError, KeyError):  # ZoneInfoNotFoundError is a KeyError
        return None


def _checked(dt: datetime, weekday: str | None) -> datetime | None:
    """The value, or None when a written day-of-week contradicts the date (as Java rejects)."""
    if weekday and _DAYS[dt.weekday()][:3].lower() != weekday[:3].lower():
        return None
    return dt


def _parse_zoned(text: str) -> datetime | None:
    if m := _ISO_ZONED.fullmatch(text):
        zone = _offset_zone(m[8])
        if zone is None or (m[9] is not None and _offset_zone(m[9]) is None):
            return None
        y, mo, d, h, mi = (int(g) for g in m.groups()[:5])
        return datetime(y, mo, d, h, mi, int(m[6] or 0), _micros(m[7]), tzinfo=zone)
    if m := _RFC_1123.fullmatch(text):
        zone = _offset_zone(m[8])
        dt = datetime(int(m[4]), _month(m[3]), int(m[2]), int(m[5]), int(m[6]), int(m[7] or 0))
        return _checked(dt.replace(tzinfo=zone), m[1])
    if m := _RFC_1036.fullmatch(text):
        zone = _offset_zone(m[8])
        if zone is None:
            return None
        year = int(m[4]) + (1900 if int(m[4]) >= 69 else 2000)
        dt = datetime(year, _month(m[3]), int(m[2]), int(m[5]), int(m[6]), int(m[7]))
        return _checked(dt.replace(tzinfo=zone), m[1])
    if m := _ASCTIME.fullmatch(text):
        dt = datetime(int(m[7]), _month(m[2]), int(m[3]), int(m[4]), int(m[5]), int(m[6]))
        return _checked(dt.replace(tzinfo=timezone.utc), m[1])
    return None


def _parse_local(text: str) -> datetime | None:
    if m := _ISO_LOCAL.fullmatch(text):
        y, mo, d, h, mi = (int(g) for g in m.groups()[:5])
        return datetime(y, mo, d, h, mi, int(m[6] or 0), _micros(m[7]))
    if m := _ISO_DATE.fullmatch(text):
        return datetime(int(m[1]), int(m[2] or 1), int(m[3] or 1))
    return None


def parse_date_time(text: str) -> datetime | None:
    """Parse like WireMock without `actualFormat`; aware when zoned, naive when local.

    Returns None (never raises) for anything it does not recognise.
    """
    if len(text) > _MAX_INPUT:
        return None
    try:
        return _parse_zoned(text) or _parse_local(text)
    except (ValueError, OverflowError):
        return None


def parse_epoch(text: str, scale: int) -> datetime | None:
    if len(text) > 30 or not re.fullmatch(r"[+-]?\d+", text, re.ASCII):
        return None
    try:
        return datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(milliseconds=int(text) * scale)
    except OverflowError:
        return None


# --- Java DateTimeFormatter patterns ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Field:
    letter: str
    count: int


@dataclass(frozen=True, slots=True)
class _Optional:
    items: tuple[_Item, ...]


_Item: TypeAlias = "str | _Field | _Optional"
_MAX_COUNT = {
    **dict.fromkeys("dHhKkms", 2), **dict.fromkeys("ML", 4), "E": 4, "a": 1, "D": 3, "S": 9,
    "n": 9, "X": 5, "x": 5, "Z": 5, "z": 4, "O": 4, "V": 2,
}  # fmt: skip
_JAVA_LETTERS = "GuyDMLdQqYwWEecFaBhKkHmsSAnNVvzOXxZgp"


@lru_cache(maxsize=256)
def _tokens(pattern: str) -> tuple[_Item, ...]:
    """Tokenise a `DateTimeFormatter.ofPattern` pattern; raises ValueError as Java would."""
    stack: list[list[_Item]] = [[]]
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c.isascii() and c.isalpha():
            j = i
            while j < len(pattern) and pattern[j] == c:
                j += 1
            count = j - i
            if c not in _JAVA_LETTERS:
                raise ValueError(f"unknown pattern letter {c!r}")
            if c in "yuY":
                pass
            elif c not in _MAX_COUNT:
                raise ValueError(f"unsupported pattern letter {c!r}")
            elif (
                count > _MAX_COUNT[c] or (c == "V" and count != 2) or (c == "O" and count in (2, 3))
            ):
                raise ValueError(f"unsupported number of pattern letters: {c * count!r}")
            stack[-1].append(_Field(c, count))
            i = j
        elif c == "'":
            j, text = i + 1, ""
            while True:
                if j >= len(pattern):
                    raise ValueError("unclosed quote")
                if pattern[j] == "'":
                    if pattern.startswith("''", j):
                        text, j = text + "'", j + 2
                        continue
                    break
                text, j = text + pattern[j], j + 1
            stack[-1].append(text or "'")
            i = j + 1
        elif c == "[":
            stack.append([])
            i += 1
        elif c == "]":
            if len(stack) == 1:
                raise ValueError("unmatched ']'")
            items = tuple(stack.pop())
            stack[-1].append(_Optional(items))
            i += 1
        elif c in "{}#":
            raise ValueError(f"reserved character {c!r}")
        else:
            stack[-1].append(c)
            i += 1
    if len(stack) != 1:
        raise ValueError("unclosed optional section '['")
    return tuple(stack[0])


def _fields(items: tuple[_Item, ...]) -> set[str]:
    out: set[str] = set()
    for item in items:
        if isinstance(item, _Field):
            out.add(item.letter)
        elif isinstance(item, _Optional):
            out |= _fields(item.items)
    return out


_ZONE_LETTERS = set("XxZzOV")
_OFFSET_BODIES = {
    1: r"\d{2}(?:\d{2})?",
    2: r"\d{4}",
    3: r"\d{2}:\d{2}",
    4: r"\d{4}(?:\d{2})?",
    5: r"\d{2}:\d{2}(?::\d{2})?",
}
_ZONE_TEXT = r"[A-Za-z][A-Za-z0-9/_+\-]*"


def _field_regex(f: _Field) -> str:
    c, n = f.letter, f.count
    if c in "yuY":
        return r"(\d{2})" if n == 2 else rf"(\d{{{n},9}})"
    if (c in "ML" and n >= 3) or c == "E":
        names = _MONTHS if c in "ML" else _DAYS
        return f"(?i:({'|'.join(name if n == 4 else name[:3] for name in names)}))"
    if c == "a":
        return "(?i:(AM|PM))"
    if c == "D":
        return rf"(\d{{{n},3}})"
    if c == "S":
        return rf"(\d{{{n}}})"
    if c == "n":
        return rf"(\d{{{n},9}})"
    if c in "Xx":
        body = _OFFSET_BODIES[n]
        return f"(Z|[+-]{body})" if c == "X" else f"([+-]{body})"
    if c == "Z":
        return {4: r"(GMT(?:[+-]\d{2}:\d{2})?)", 5: r"(Z|[+-]\d{2}:\d{2})"}.get(n, r"([+-]\d{4})")
    if c == "O":
        return r"(GMT(?:[+-]\d{1,2}(?::\d{2})?)?)"
    if c in "zV":
        return rf"({_ZONE_TEXT}|[+-]\d{{2}}:\d{{2}})"
    return r"(\d{1,2})" if n == 1 else r"(\d{2})"  # d H h K k m s M


class JavaDateFormat:
    """A compiled Java `DateTimeFormatter` pattern that parses text into a `datetime`.

    Missing month or day default to 1 (Java would fail to build a date); an out-of-range day
    is clamped to the month's length, as Java's SMART resolver does.
    """

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self._items = _tokens(pattern)
        letters = _fields(self._items)
        if not letters & set("yuY"):
            raise ValueError("a pattern used for parsing needs a year (yyyy or uuuu)")
        self._order: list[_Field] = []
        self._regex = re.compile(self._regex_of(self._items), re.ASCII)

    def _regex_of(self, items: tuple[_Item, ...]) -> str:
        out = []
        for item in items:
            if isinstance(item, str):
                out.append(re.escape(item))
            elif isinstance(item, _Optional):
                out.append(f"(?:{self._regex_of(item.items)})?")
            else:
                self._order.append(item)
                out.append(_field_regex(item))
        return "".join(out)

    def parse(self, text: str) -> datetime | None:
        """The parsed value (aware if the pattern has a zone), or None; never raises."""
        if len(text) > _MAX_INPUT:
            return None
        m = self._regex.fullmatch(text)
        if m is None:
            return None
        values = {
            f.letter: (f, v) for f, v in zip(self._order, m.groups(), strict=True) if v is not None
        }
        try:
            return self._build(values)
        except (ValueError, OverflowError, KeyError):
            return None

    def _build(self, values: dict[str, tuple[_Field, str]]) -> datetime | None:
        def num(letter: str, default: int = 0) -> int:
            return int(values[letter][1]) if letter in values else default

        year_value = next((values[k] for k in "yuY" if k in values), None)
        if year_value is None:  # the year sat in an optional section that was absent
            return None
        year = int(year_value[1]) + (2000 if year_value[0].count == 2 else 0)
        month = 1
        for letter in "ML":
            if letter in values:
                f, text = values[letter]
                month = _month(text) if f.count >= 3 else int(text)
        if "D" in values:
            if not 1 <= num("D") <= (366 if calendar.isleap(year) else 365):
                return None
            day_one = datetime(year, 1, 1) + timedelta(days=num("D") - 1)
            month, day = day_one.month, day_one.day
        else:
            day = num("d", 1)
            if not 1 <= day <= 31 or not 1 <= month <= 12:
                return None
            day = min(day, calendar.monthrange(year, month)[1])
        hour = num("H", num("k") % 24)
        if "h" in values or "K" in values:
            hour = num("h") % 12 if "h" in values else num("K")
            if "a" in values and values["a"][1].upper() == "PM":
                hour += 12
        micros = 0
        if "S" in values:
            micros = int(values["S"][1].ljust(6, "0")[:6])
        elif "n" in values:
            micros = int(values["n"][1]) // 1000
        result = datetime(year, month, day, hour, num("m"), num("s"), micros)
        zone_text = next((values[k][1] for k in "XxZzOV" if k in values), None)
        if zone_text is not None:
            zone = _offset_zone(zone_text)
            if zone is None:
                return None
            result = result.replace(tzinfo=zone)
        weekday = values["E"][1] if "E" in values else None
        return _checked(result, weekday)


def java_format_to_strptime(pattern: str) -> str:
    """Translate a Java `DateTimeFormatter` pattern into a `strptime`/`strftime` format.

    Best effort for callers that need the C format: optional sections are flattened, fractions
    of any width become `%f`, every offset form becomes `%z`, widths are not kept (`M` and `MM`
    are both `%m`). Raises ValueError for an invalid pattern or a letter with no equivalent
    (`VV`, `n`).
    """
    return "".join(_strptime_items(_tokens(pattern)))


def _strptime_items(items: tuple[_Item, ...]) -> list[str]:
    out: list[str] = []
    for item in items:
        if isinstance(item, str):
            out.append(item.replace("%", "%%"))
        elif isinstance(item, _Optional):
            out.extend(_strptime_items(item.items))
        else:
            out.append(_strptime_field(item))
    return out


def _strptime_field(f: _Field) -> str:
    c, n = f.letter, f.count
    simple = {"d": "%d", "D": "%j", "H": "%H", "k": "%H", "h": "%I", "K": "%I", "m": "%M",
              "s": "%S", "S": "%f", "a": "%p", "X": "%z", "x": "%z", "Z": "%z", "O": "%z",
              "z": "%Z"}  # fmt: skip
    if c in "yuY":
        return "%y" if n == 2 else "%Y"
    if c in "ML":
        return {3: "%b", 4: "%B"}.get(n, "%m")
    if c == "E":
        return "%A" if n == 4 else "%a"
    if c in simple:
        return simple[c]
    raise ValueError(f"pattern letter {c * n!r} has no strptime equivalent")


def format_java(dt: datetime, pattern: str) -> str:
    """Format `dt` with a Java `DateTimeFormatter` pattern (English names).

    A naive value has no zone: optional sections holding zone fields are skipped (as Java
    does for a `LocalDateTime`), and mandatory zone fields print UTC.
    """
    return _format_items(dt, _tokens(pattern))


def _format_items(dt: datetime, items: tuple[_Item, ...]) -> str:
    out = []
    for item in items:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, _Optional):
            if dt.tzinfo is not None or not (_fields(item.items) & _ZONE_LETTERS):
                out.append(_format_items(dt, item.items))
        else:
            out.append(_format_field(dt, item))
    return "".join(out)


def _offset_text(delta: timedelta, colon: bool, minutes: str = "always") -> str:
    """`+01:00`-style text; minutes shown "always" or when "nonzero"; seconds when nonzero."""
    total = int(delta.total_seconds())
    sign = "-" if total < 0 else "+"
    h, rest = divmod(abs(total), 3600)
    m, s = divmod(rest, 60)
    sep = ":" if colon else ""
    text = f"{sign}{h:02d}"
    if minutes == "always" or (minutes == "nonzero" and (m or s)):
        text += f"{sep}{m:02d}"
    return text + (f"{sep}{s:02d}" if s else "")


def _format_field(dt: datetime, f: _Field) -> str:
    c, n = f.letter, f.count
    if c in "yuY":
        return f"{dt.year % 100:02d}" if n == 2 else f"{dt.year:0{n}d}"
    if c in "ML":
        if n >= 3:
            return _MONTHS[dt.month - 1][: 3 if n == 3 else None]
        return f"{dt.month:0{n}d}"
    if c == "E":
        return _DAYS[dt.weekday()][: None if n == 4 else 3]
    if c == "a":
        return "AM" if dt.hour < 12 else "PM"
    if c == "S":
        return f"{dt.microsecond * 1000:09d}"[:n]
    if c == "n":
        return f"{dt.microsecond * 1000:0{n}d}"
    numbers = {"d": dt.day, "D": dt.timetuple().tm_yday, "H": dt.hour, "m": dt.minute,
               "s": dt.second, "h": (dt.hour % 12) or 12, "K": dt.hour % 12,
               "k": dt.hour or 24}  # fmt: skip
    if c in numbers:
        return f"{numbers[c]:0{n}d}"
    return _format_zone(dt, c, n)


def _format_zone(dt: datetime, c: str, n: int) -> str:
    zone = dt.tzinfo or timezone.utc
    delta = dt.utcoffset() or timedelta()
    if c in "Xx":
        if c == "X" and not delta:
            return "Z"
        return _offset_text(delta, colon=n in (3, 5), minutes="nonzero" if n == 1 else "always")
    if c == "Z":
        if n == 4:
            return "GMT" + (_offset_text(delta, colon=True) if delta else "")
        if n == 5:
            return _offset_text(delta, colon=True) if delta else "Z"
        return _offset_text(delta, colon=False)
    if c == "O":
        if not delta or n == 4:
            return "GMT" + (_offset_text(delta, colon=True) if delta else "")
        short = _offset_text(delta, colon=True, minutes="nonzero")  # GMT+2, GMT+5:30, GMT+0:30
        return f"GMT{short[0]}{int(short[1:3])}{short[3:]}"
    if c == "V" and isinstance(zone, ZoneInfo):
        return zone.key
    if c == "z" and (isinstance(zone, ZoneInfo) or zone is timezone.utc):
        return zone.tzname(dt) or "UTC"
    return _offset_text(delta, colon=True) if delta else "Z"
