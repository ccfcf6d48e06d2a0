"""The plain string operators: equality, containment, regex, absence, raw bytes."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mockserver.compat.javaregex import compile_java_regex
from mockserver.compat.timedregex import TimedPattern
from mockserver.matchers.base import (
    EXACT,
    Content,
    MatchResult,
    ParseContext,
    StringMatcher,
    capped,
    no_match,
    result_of,
)
from mockserver.matchers.distance import normalised_distance


def operand_text(spec: Mapping[str, Any], key: str, ctx: ParseContext) -> str:
    """The operand as text; YAML authors may write `equalTo: 5`, which means the string "5"."""
    value = spec[key]
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    raise ctx.error(f"{key} operand must be a non-null string", key)


def flag(spec: Mapping[str, Any], key: str, ctx: ParseContext) -> bool:
    value = spec.get(key, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise ctx.error(f"{key} must be true or false, got {value!r}", key)
    return value


@dataclass(frozen=True, slots=True, repr=False)
class EqualTo(StringMatcher):
    value: str
    case_insensitive: bool = False
    flag_given: bool = False  # WireMock echoes an explicit `caseInsensitive: false`
    operator = "equalTo"
    equality = True

    def matches(self, value: str | None) -> bool:
        if value is None:
            return False
        if self.case_insensitive:
            # Java's equalsIgnoreCase: character by character, so 'ß' never equals 'SS'.
            return len(value) == len(self.value) and (
                value.upper() == self.value.upper() or value.lower() == self.value.lower()
            )
        return value == self.value

    def match(self, value: str | None) -> MatchResult:
        if value is None:
            return no_match("value is absent")
        if self.matches(value):
            return EXACT
        if self.case_insensitive:
            return no_match("", normalised_distance(self.value.lower(), value.lower()))
        return no_match("", normalised_distance(self.value, value))

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"equalTo": self.value}
        if self.case_insensitive or self.flag_given:
            out["caseInsensitive"] = self.case_insensitive
        return out


@dataclass(frozen=True, slots=True, repr=False)
class Contains(StringMatcher):
    value: str
    operator = "contains"

    def match(self, value: str | None) -> MatchResult:
        return result_of(value is not None and self.value in value)

    def to_json(self) -> dict[str, Any]:
        return {"contains": self.value}


@dataclass(frozen=True, slots=True, repr=False)
class DoesNotContain(StringMatcher):
    value: str
    operator = "doesNotContain"

    def match(self, value: str | None) -> MatchResult:
        return result_of(value is None or self.value not in value)

    def to_json(self) -> dict[str, Any]:
        return {"doesNotContain": self.value}


@dataclass(frozen=True, slots=True, repr=False)
class Matches(StringMatcher):
    pattern: str
    regex: TimedPattern
    operator = "matches"

    def match(self, value: str | None) -> MatchResult:
        if value is None:
            return result_of(False)
        return result_of(*self.regex.verdict(value))  # out of time: a no-match saying so

    def to_json(self) -> dict[str, Any]:
        return {"matches": self.pattern}


@dataclass(frozen=True, slots=True, repr=False)
class DoesNotMatch(StringMatcher):
    pattern: str
    regex: TimedPattern
    operator = "doesNotMatch"

    def match(self, value: str | None) -> MatchResult:
        if value is None:
            return result_of(True)
        matched, timed_out = self.regex.verdict(value)
        return result_of(not matched and not timed_out, timed_out)

    def to_json(self) -> dict[str, Any]:
        return {"doesNotMatch": self.pattern}


@dataclass(frozen=True, slots=True, repr=False)
class Absent(StringMatcher):
    operator = "absent"

    def match(self, value: str | None) -> MatchResult:
        return result_of(value is None, "value is present")

    def to_json(self) -> dict[str, Any]:
        return {"absent": True}

    def report_value(self) -> str:
        return ""

    def report_expected(self) -> str:
        return "(absent)"


@dataclass(frozen=True, slots=True, repr=False)
class Anything(StringMatcher):
    operator = "anything"

    def match(self, value: str | None) -> MatchResult:
        return EXACT

    def to_json(self) -> dict[str, Any]:
        return {"anything": "anything"}


@dataclass(frozen=True, slots=True, repr=False)
class BinaryEqualTo(StringMatcher):
    encoded: str
    data: bytes
    operator = "binaryEqualTo"
    equality = True

    def match(self, value: str | None) -> MatchResult:
        if value is None:
            return result_of(not self.data)
        return result_of(value.encode("utf-8") == self.data)

    def match_content(self, content: Content) -> MatchResult:
        return result_of(content.raw == self.data)

    def matches_content(self, content: Content) -> bool:
        return content.raw == self.data

    def to_json(self) -> dict[str, Any]:
        return {"binaryEqualTo": self.encoded}

    def report_body(self, content: Content) -> tuple[str, str]:
        if content.text is None:
            return self.report_value(), ""
        return self.report_value(), capped(base64.b64encode(content.raw).decode("ascii"))


def parse_equal_to(spec: Mapping[str, Any], ctx: ParseContext) -> StringMatcher:
    return EqualTo(operand_text(spec, "equalTo", ctx), flag(spec, "caseInsensitive", ctx),
                   spec.get("caseInsensitive") is not None)


def parse_contains(spec: Mapping[str, Any], ctx: ParseContext) -> StringMatcher:
    return Contains(operand_text(spec, "contains", ctx))


def parse_does_not_contain(spec: Mapping[str, Any], ctx: ParseContext) -> StringMatcher:
    return DoesNotContain(operand_text(spec, "doesNotContain", ctx))


def _regex(spec: Mapping[str, Any], key: str, ctx: ParseContext) -> tuple[str, TimedPattern]:
    pattern = operand_text(spec, key, ctx)
    try:
        return pattern, compile_java_regex(pattern)
    except ValueError as exc:
        raise ctx.error(str(exc), key) from exc


def parse_matches(spec: Mapping[str, Any], ctx: ParseContext) -> StringMatcher:
    return Matches(*_regex(spec, "matches", ctx))


def parse_does_not_match(spec: Mapping[str, Any], ctx: ParseContext) -> StringMatcher:
    return DoesNotMatch(*_regex(spec, "doesNotMatch", ctx))


def parse_absent(spec: Mapping[str, Any], ctx: ParseContext) -> StringMatcher:
    # WireMock looks only at the presence of the key: `absent: false` also means absent.
    return Absent()


def parse_anything(spec: Mapping[str, Any], ctx: ParseContext) -> StringMatcher:
    return Anything()


def parse_binary_equal_to(spec: Mapping[str, Any], ctx: ParseContext) -> StringMatcher:
    encoded = operand_text(spec, "binaryEqualTo", ctx)
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ctx.error("binaryEqualTo operand must be base64", "binaryEqualTo") from exc
    return BinaryEqualTo(encoded, data)
