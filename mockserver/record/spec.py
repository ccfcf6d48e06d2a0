"""WireMock's record spec (compat §5.6), parsed; mistakes name the field they are in.

One extension: `redact` (`enabled`, `headers`, `queryParameters`, `jsonPaths`), which adds to
the server's own redaction policy.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mockserver.errors import KeyPath, RedactionError, StubError
from mockserver.model import RequestPattern
from mockserver.record.redaction import RedactionPolicy
from mockserver.stubs import parse_request_pattern, parse_uuid
from mockserver.stubs.keys import REQUEST_KEYS

SPEC_KEYS = (
    "targetBaseUrl", "filters", "captureHeaders", "requestBodyPattern",
    "requestBodyPatternFactory",  # what WireMock's Java client sends; wins over the other
    "extractBodyCriteria",
    "persist", "repeatsAsScenarios", "transformers", "transformerParameters", "outputFormat",
    "redact",
)
BODY_MATCHERS = ("auto", "equalTo", "equalToJson", "equalToXml")
OUTPUT_FORMATS = ("FULL", "IDS")
# Framing headers describe the upstream's bytes on the wire, not the stored body.
_SIZE_RE = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*([kmg]?)b?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class BodyPatternSpec:
    """`requestBodyPattern`: which matcher a recorded request body becomes.

    None: the flag is left out of the recorded matcher. `auto` sets all three; a named matcher
    carries only the flags the spec gave (WireMock's factories keep them nullable).
    """

    matcher: str = "auto"
    ignore_array_order: bool | None = True
    ignore_extra_elements: bool | None = True
    case_insensitive: bool | None = False


@dataclass(frozen=True)
class ExtractBodyCriteria:
    """`extractBodyCriteria`: bodies strictly above a threshold go to `__files` (None: never)."""

    text_threshold: int | None = None
    binary_threshold: int | None = None


@dataclass(frozen=True)
class RecordSpec:
    target_base_url: str | None = None
    filters: RequestPattern | None = None
    filter_ids: frozenset[str] | None = None
    allow_non_proxied: bool = False
    capture_headers: tuple[tuple[str, bool], ...] = ()  # (name, caseInsensitive)
    body_pattern: BodyPatternSpec = field(default_factory=BodyPatternSpec)
    extract: ExtractBodyCriteria | None = None
    persist: bool = True
    repeats_as_scenarios: bool = True
    transformers: tuple[str, ...] = ()
    output_format: str = "FULL"
    redaction: RedactionPolicy = field(default_factory=RedactionPolicy)


def parse_record_spec(data: Any, *, redaction: RedactionPolicy | None = None) -> RecordSpec:
    """WireMock's record spec; mistakes raise `StubError` naming the key (a 422 in the API).

    `redaction` is the server's default policy; the spec's `redact` object extends it.
    """
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise StubError((), "expected a record spec object")
    for key in data:
        if key not in SPEC_KEYS:
            raise StubError((key,), f"unknown field {key!r} (expected one of: "
                            f"{', '.join(sorted(SPEC_KEYS))})")
    target = data.get("targetBaseUrl")
    if target is not None and (not isinstance(target, str)
                               or not re.match(r"^https?://[^/?#]+", target)):
        raise StubError(("targetBaseUrl",), f"expected an http(s) URL, got {target!r}")
    filters, ids, allow = _filters(data.get("filters"))
    output = data.get("outputFormat") or "FULL"
    if not isinstance(output, str) or output.upper() not in OUTPUT_FORMATS:
        raise StubError(("outputFormat",), "Invalid output format")
    transformers = data.get("transformers") or []
    if not isinstance(transformers, list) or not all(isinstance(t, str) for t in transformers):
        raise StubError(("transformers",), "expected a list of transformer names")
    return RecordSpec(
        target_base_url=target.rstrip("/") if isinstance(target, str) else None,
        filters=filters,
        filter_ids=ids,
        allow_non_proxied=allow,
        capture_headers=_capture_headers(data.get("captureHeaders")),
        body_pattern=_body_pattern(*_body_pattern_field(data)),
        extract=_extract(data.get("extractBodyCriteria")),
        persist=_flag(data, "persist", True, ()),
        repeats_as_scenarios=_flag(data, "repeatsAsScenarios", True, ()),
        transformers=tuple(transformers),
        output_format=output.upper(),
        redaction=_redaction(data.get("redact"), redaction or RedactionPolicy()),
    )


def _flag(obj: Mapping[str, Any], key: str, default: bool, path: KeyPath) -> bool:
    value = obj.get(key)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise StubError((*path, key), f"expected true or false, got {value!r}")
    return value


def _object(value: Any, path: KeyPath) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise StubError(path, "expected an object")
    return value


def _filters(value: Any) -> tuple[RequestPattern | None, frozenset[str] | None, bool]:
    obj = dict(_object(value, ("filters",)))
    ids = None
    if obj.get("ids") is not None:
        raw_ids = obj.pop("ids")
        if not isinstance(raw_ids, list):
            raise StubError(("filters", "ids"), "expected a list of serve event ids")
        ids = frozenset(parse_uuid(v, ("filters", "ids", i)) for i, v in enumerate(raw_ids))
    obj.pop("ids", None)
    allow = _flag(obj, "allowNonProxied", False, ("filters",))
    obj.pop("allowNonProxied", None)
    # WireMock's filters object ignores what it does not know (its request pattern does not)
    obj = {k: v for k, v in obj.items() if k in REQUEST_KEYS}
    pattern = parse_request_pattern(obj, ("filters",))[0] if obj else None
    return pattern, ids, allow


def _capture_headers(value: Any) -> tuple[tuple[str, bool], ...]:
    out = []
    for name, spec in _object(value, ("captureHeaders",)).items():
        options = _object(spec, ("captureHeaders", name))
        out.append((str(name), _flag(options, "caseInsensitive", False, ("captureHeaders", name))))
    return tuple(out)


def _body_pattern_field(data: Mapping[str, Any]) -> tuple[Any, KeyPath]:
    """`requestBodyPatternFactory` (the Java client's name for it) wins, as in WireMock."""
    for key in ("requestBodyPatternFactory", "requestBodyPattern"):
        if data.get(key) is not None:
            return data[key], (key,)
    return None, ("requestBodyPattern",)


def _body_pattern(value: Any, path: KeyPath) -> BodyPatternSpec:
    obj = _object(value, path)
    for key in obj:
        if key not in ("matcher", "ignoreArrayOrder", "ignoreExtraElements", "caseInsensitive"):
            raise StubError((*path, key), f"unknown field {key!r} (expected one of: "
                            "caseInsensitive, ignoreArrayOrder, ignoreExtraElements, matcher)")
    matcher = obj.get("matcher", "auto")
    if matcher not in BODY_MATCHERS:
        raise StubError((*path, "matcher"), f"unknown matcher {matcher!r} (expected one of: "
                        f"{', '.join(BODY_MATCHERS)})")
    auto = matcher == "auto"
    return BodyPatternSpec(
        matcher=matcher,
        ignore_array_order=_maybe_flag(obj, "ignoreArrayOrder", True if auto else None, path),
        ignore_extra_elements=_maybe_flag(obj, "ignoreExtraElements", True if auto else None,
                                          path),
        case_insensitive=_maybe_flag(obj, "caseInsensitive", False if auto else None, path),
    )


def _maybe_flag(obj: Mapping[str, Any], key: str, default: bool | None,
                path: KeyPath) -> bool | None:
    return default if obj.get(key) is None else _flag(obj, key, False, path)


def _extract(value: Any) -> ExtractBodyCriteria | None:
    if value is None:
        return None
    obj = _object(value, ("extractBodyCriteria",))
    return ExtractBodyCriteria(
        text_threshold=parse_size(obj.get("textSizeThreshold"),
                                  ("extractBodyCriteria", "textSizeThreshold")),
        binary_threshold=parse_size(obj.get("binarySizeThreshold"),
                                    ("extractBodyCriteria", "binarySizeThreshold")),
    )


def parse_size(value: Any, path: KeyPath = ()) -> int | None:
    """A byte count: a number, or text such as `"2 kb"`, `"10,5 KB"`, `"56 Mb"` (1024-based)."""
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value)
    match = _SIZE_RE.match(value) if isinstance(value, str) else None
    if match is None:
        raise StubError(path, f"expected a size such as 2048 or \"2 kb\", got {value!r}")
    number = float(match.group(1).replace(",", "."))
    power = " kmg".index(match.group(2).lower() or " ")
    return int(number * 1024**power)


def _strings(value: Any, path: KeyPath) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise StubError(path, "expected a list of strings")
    return tuple(value)


def _redaction(value: Any, default: RedactionPolicy) -> RedactionPolicy:
    """Our extension: `redact: {enabled, headers, queryParameters, jsonPaths}`."""
    path: KeyPath = ("redact",)
    obj = _object(value, path)
    for key in obj:
        if key not in ("enabled", "headers", "queryParameters", "jsonPaths"):
            raise StubError((*path, key), f"unknown field {key!r} (expected one of: "
                            "enabled, headers, jsonPaths, queryParameters)")
    enabled = obj.get("enabled")
    try:
        return default.extended(
            enabled=None if enabled is None else _flag(obj, "enabled", True, path),
            headers=_strings(obj.get("headers"), (*path, "headers")),
            query_parameters=_strings(obj.get("queryParameters"), (*path, "queryParameters")),
            json_paths=_strings(obj.get("jsonPaths"), (*path, "jsonPaths")),
        )
    except RedactionError as exc:
        raise StubError((*path, "jsonPaths"), str(exc)) from exc
