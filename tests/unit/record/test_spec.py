"""The record spec: WireMock's fields and defaults, our `redact` extension, errors by field."""

from __future__ import annotations

from typing import Any

import pytest

from mockserver.errors import StubError
from mockserver.record import parse_record_spec, parse_size
from mockserver.record.redaction import RedactionPolicy


def test_spec_defaults() -> None:
    """An empty spec persists, records repeats as scenarios, outputs FULL, redacts."""
    spec = parse_record_spec(None)
    assert (spec.persist, spec.repeats_as_scenarios, spec.output_format) == (True, True, "FULL")
    assert spec.body_pattern.matcher == "auto" and spec.redaction.enabled
    assert spec.extract is None and spec.filters is None


@pytest.mark.parametrize(("data", "path"), [
    ({"outputFormat": "yaml"}, ("outputFormat",)),
    ({"persist": "yes"}, ("persist",)),
    ({"filters": {"ids": ["nope"]}}, ("filters", "ids", 0)),
    ({"filters": {"method": ["GET"]}}, ("filters", "method")),
    ({"requestBodyPattern": {"matcher": "auto", "zzz": 1}}, ("requestBodyPattern", "zzz")),
    ({"requestBodyPatternFactory": {"matcher": "regex"}},
     ("requestBodyPatternFactory", "matcher")),
    ({"zzz": 1}, ("zzz",)),
    ({"captureHeaders": {"Accept": {"caseInsensitive": 1}}},
     ("captureHeaders", "Accept", "caseInsensitive")),
    ({"extractBodyCriteria": {"textSizeThreshold": "lots"}},
     ("extractBodyCriteria", "textSizeThreshold")),
    ({"redact": {"colour": "red"}}, ("redact", "colour")),
])
def test_spec_errors_name_the_field(data: dict[str, Any], path: tuple[Any, ...]) -> None:
    """Spec mistakes raise a StubError whose path names the field."""
    with pytest.raises(StubError) as info:
        parse_record_spec(data)
    assert info.value.path == path


def test_the_java_clients_body_pattern_name_is_accepted_and_wins() -> None:
    """`requestBodyPatternFactory` (what WireMock's Java client sends) is read, and wins over
    `requestBodyPattern`, as in WireMock 3.13.2."""
    spec = parse_record_spec({"requestBodyPattern": {"matcher": "equalTo"},
                              "requestBodyPatternFactory": {"matcher": "equalToJson"}})
    assert spec.body_pattern.matcher == "equalToJson"
    assert spec.body_pattern.ignore_array_order is None  # a named matcher sets only given flags
    auto = parse_record_spec({"requestBodyPatternFactory": {"matcher": "auto"}}).body_pattern
    assert (auto.ignore_array_order, auto.ignore_extra_elements, auto.case_insensitive) == (
        True, True, False)


def test_filters_ignore_fields_they_do_not_know() -> None:
    """WireMock's filters object ignores unknown fields; the known ones still filter."""
    spec = parse_record_spec({"filters": {"urlPath": "/x", "zzz": 1, "ids": []}})
    assert spec.filters is not None and spec.filter_ids == frozenset()


def test_output_format_is_case_insensitive() -> None:
    """`ids` means IDS."""
    assert parse_record_spec({"outputFormat": "ids"}).output_format == "IDS"


def test_redact_extends_the_server_policy() -> None:
    """The spec's `redact` adds to the server's names and may switch redaction off."""
    base = RedactionPolicy(headers=("X-One",))
    spec = parse_record_spec({"redact": {"headers": ["X-Two"]}}, redaction=base)
    assert spec.redaction.secret_header("X-One") and spec.redaction.secret_header("X-Two")
    spec = parse_record_spec({"redact": {"enabled": False}}, redaction=base)
    assert not spec.redaction.enabled


@pytest.mark.parametrize(("value", "size"), [
    (2048, 2048), ("2 kb", 2048), ("10,5 KB", 10752), ("56 Mb", 56 * 1024**2),
    ("1g", 1024**3), ("100", 100), (None, None),
])
def test_sizes(value: Any, size: int | None) -> None:
    """Thresholds are bytes or 1024-based K/M/G text, decimal comma allowed."""
    assert parse_size(value) == size
