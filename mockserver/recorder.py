"""Serve events into stub mappings, the way WireMock's recorder makes them (compat §7.1).

`parse_record_spec` reads WireMock's record spec (plus our `redact` extension); `generate`
turns serve events, oldest first, into WireMock-shaped stub JSON: `url`, or `urlPath` plus
`hasExactly` query parameters; `equalToJson` / `equalTo` / `binaryEqualTo` body patterns;
response headers without the framing ones; text as `body`, the rest as `base64Body`;
repeats as `scenario-<n>-<path>` scenarios; large bodies moved to files. Secrets are masked
by the spec's `RedactionPolicy`. Pure: the body files to write are returned, not written.
"""

from __future__ import annotations

import base64
import json
import mimetypes
import re
import unicodedata
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mockserver.errors import KeyPath, StubError
from mockserver.exchange import Request, charset_of
from mockserver.loader import parse_request_pattern, parse_uuid
from mockserver.matching import matches
from mockserver.model import STARTED, RequestPattern
from mockserver.redaction import ANY_VALUE, JSON_WILDCARD, RedactionPolicy, scrub

if TYPE_CHECKING:
    from mockserver.journal import ServeEvent

SPEC_KEYS = (
    "targetBaseUrl", "filters", "captureHeaders", "requestBodyPattern", "extractBodyCriteria",
    "persist", "repeatsAsScenarios", "transformers", "transformerParameters", "outputFormat",
    "redact",
)
BODY_MATCHERS = ("auto", "equalTo", "equalToJson", "equalToXml")
OUTPUT_FORMATS = ("FULL", "IDS")
# Framing headers describe the upstream's bytes on the wire, not the stored body.
DROPPED_RESPONSE_HEADERS = ("content-length", "transfer-encoding", "content-encoding")
DECODED_ENCODINGS = ("", "identity", "gzip", "x-gzip", "deflate")
_TEXT_MIME_PARTS = ("text", "json", "xml", "html", "javascript", "ecmascript",
                    "form-urlencoded", "csv", "yaml", "graphql")
_SIZE_RE = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*([kmg]?)b?\s*$", re.IGNORECASE)
_REGEX_SPECIALS = re.compile(r"([.^$*+?{}\[\]\\|()])")


@dataclass(frozen=True)
class BodyPatternSpec:
    """`requestBodyPattern`: which matcher a recorded request body becomes."""

    matcher: str = "auto"
    ignore_array_order: bool = True
    ignore_extra_elements: bool = True
    case_insensitive: bool = False


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


@dataclass
class Generated:
    """Recorded stubs as WireMock JSON, oldest first, and the body files they refer to."""

    stubs: list[dict[str, Any]] = field(default_factory=list)
    body_files: dict[str, bytes] = field(default_factory=dict)


# -- the record spec ----------------------------------------------------------------------
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
        body_pattern=_body_pattern(data.get("requestBodyPattern")),
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
    pattern = parse_request_pattern(obj, ("filters",))[0] if obj else None
    return pattern, ids, allow


def _capture_headers(value: Any) -> tuple[tuple[str, bool], ...]:
    out = []
    for name, spec in _object(value, ("captureHeaders",)).items():
        options = _object(spec, ("captureHeaders", name))
        out.append((str(name), _flag(options, "caseInsensitive", False, ("captureHeaders", name))))
    return tuple(out)


def _body_pattern(value: Any) -> BodyPatternSpec:
    path: KeyPath = ("requestBodyPattern",)
    obj = _object(value, path)
    matcher = obj.get("matcher", "auto")
    if matcher not in BODY_MATCHERS:
        raise StubError((*path, "matcher"), f"unknown matcher {matcher!r} (expected one of: "
                        f"{', '.join(BODY_MATCHERS)})")
    return BodyPatternSpec(
        matcher=matcher,
        ignore_array_order=_flag(obj, "ignoreArrayOrder", True, path),
        ignore_extra_elements=_flag(obj, "ignoreExtraElements", True, path),
        case_insensitive=_flag(obj, "caseInsensitive", False, path),
    )


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
    except ValueError as exc:
        raise StubError((*path, "jsonPaths"), str(exc)) from exc


# -- choosing events ----------------------------------------------------------------------
def select(events: Iterable[ServeEvent], spec: RecordSpec) -> list[ServeEvent]:
    """The events a spec records: proxied ones (all with `allowNonProxied`) passing filters."""
    out = []
    for event in events:
        if not (event.proxied or spec.allow_non_proxied):
            continue
        if spec.filter_ids is not None and event.id not in spec.filter_ids:
            continue
        if spec.filters is not None and not matches(spec.filters, event.request):
            continue
        out.append(event)
    return out


# -- generating stubs ---------------------------------------------------------------------
def generate(events: Sequence[ServeEvent], spec: RecordSpec) -> Generated:
    """Stubs for `events` (oldest first), repeats grouped into scenarios or dropped."""
    result = Generated()
    groups: dict[str, list[tuple[int, str, dict[str, Any]]]] = {}
    for order, event in enumerate(events):
        stub = _stub(event, spec, result.body_files)
        key = json.dumps(stub["request"], sort_keys=True)
        groups.setdefault(key, []).append((order, event.request.path, stub))
    scenario_index = 0
    kept: list[tuple[int, str, dict[str, Any]]] = []
    for group in groups.values():
        if not spec.repeats_as_scenarios:
            group[1:] = []
        elif len(group) > 1:
            scenario_index += 1
            _as_scenario([stub for _, _, stub in group], scenario_index, group[0][1])
        kept.extend(group)
    result.stubs = [stub for _, _, stub in sorted(kept, key=lambda item: item[0])]
    files = {s["response"].get("bodyFileName") for s in result.stubs}
    result.body_files = {k: v for k, v in result.body_files.items() if k in files}
    return result


def _as_scenario(group: list[dict[str, Any]], index: int, path: str) -> None:
    name = f"scenario-{index}-{path_parts(path)}"
    for count, stub in enumerate(group, start=1):
        stub["scenarioName"] = name
        stub["requiredScenarioState"] = STARTED if count == 1 else f"{name}-{count}"
        if count < len(group):
            stub["newScenarioState"] = f"{name}-{count + 1}"


def path_parts(path: str) -> str:
    """WireMock's `Urls.urlToPathParts`: the last two path segments joined by `-`."""
    nodes = [n for n in path.split("/") if n]
    return "-".join(nodes[-2:])


def stub_name(path: str) -> str:
    """WireMock's recorded stub name: `/rec/one` is `rec_one`, `/bin/img.png` is `bin_img.png`."""
    text = unicodedata.normalize("NFKD", path)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"\s", "-", text.replace("/", "_"))
    text = re.sub(r"[^\w\-.]", "", text, flags=re.ASCII).lower().strip("_")
    return text[:200]


def _stub(event: ServeEvent, spec: RecordSpec, body_files: dict[str, bytes]) -> dict[str, Any]:
    request = event.request
    redacted: list[str] = []
    stub_id = str(uuid.uuid4())
    name = stub_name(request.decoded_path)
    stub: dict[str, Any] = {"id": stub_id}
    if name:
        stub["name"] = name
    stub["request"] = request_pattern(request, spec, redacted)
    stub["response"] = response_definition(event, spec, name or "root", stub_id, body_files,
                                           redacted, request_secrets(request, spec.redaction))
    stub["uuid"] = stub_id
    if spec.persist:
        stub["persistent"] = True
    if redacted:
        stub["metadata"] = {"redacted": redacted}
    return stub


def request_pattern(request: Request, spec: RecordSpec, redacted: list[str]) -> dict[str, Any]:
    """The pattern WireMock records for a request (compat §7.1), secrets as wildcards."""
    policy = spec.redaction
    out: dict[str, Any] = {}
    if request.query_string:
        out["urlPath"] = request.path
        params: dict[str, Any] = {}
        for name, values in request.query.items():
            if policy.secret_parameter(name):
                params[name] = dict(ANY_VALUE)
                redacted.append(f"request.queryParameters.{name}")
            else:
                params[name] = {"hasExactly": [{"equalTo": v} for v in values]}
        out["queryParameters"] = params
    else:
        out["url"] = request.url
    out["method"] = request.method
    headers: dict[str, Any] = {}
    for name, case_insensitive in spec.capture_headers:
        value = request.header(name)
        if value is None:
            continue
        if policy.secret_header(name):
            headers[name] = dict(ANY_VALUE)
            redacted.append(f"request.headers.{name}")
        else:
            headers[name] = {"equalTo": value}
            if case_insensitive:
                headers[name]["caseInsensitive"] = True
    if headers:
        out["headers"] = headers
    if request.body:
        out["bodyPatterns"] = [body_pattern(request, spec, redacted)]
    return out


def request_secrets(request: Request, policy: RedactionPolicy) -> list[str]:
    """Secret values the request carried, to scrub wherever the response echoes them."""
    if not policy.enabled:
        return []
    values: list[str] = []
    for name, value in request.headers:
        if not policy.secret_header(name):
            continue
        values.append(value)
        if name.lower() == "cookie":
            values.extend(part.partition("=")[2] for part in value.split(";"))
        else:
            scheme, _, credentials = value.strip().partition(" ")  # `Bearer <token>`
            values.append(credentials)
    for params in (request.query, request.form):
        for name, found in params.items():
            if policy.secret_parameter(name):
                values.extend(found)
    if is_json_mime(mime_of(request.content_type)):
        document = request.content.json_value
        if document is not request.content.INVALID:
            values.extend(policy.json_values(document))
    return [v.strip() for v in values if v.strip()]


def mime_of(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def is_text_mime(mime: str) -> bool:
    return any(part in mime for part in _TEXT_MIME_PARTS)


def is_json_mime(mime: str) -> bool:
    return "json" in mime


def body_pattern(request: Request, spec: RecordSpec, redacted: list[str]) -> dict[str, Any]:
    options = spec.body_pattern
    mime = mime_of(request.content_type)
    matcher = options.matcher
    if matcher == "auto":
        matcher = "equalTo"
        if is_json_mime(mime):
            matcher = "equalToJson"
        elif "xml" in mime:
            matcher = "equalToXml"
        elif mime == "multipart/form-data":
            return {"anything": "anything"}
        elif mime and not is_text_mime(mime):
            return {"binaryEqualTo": request.body_base64()}
    text = request.body_text or ""
    if matcher == "equalToJson":
        try:
            document = json.loads(text)
        except ValueError:
            document = None
        if document is not None or text.strip() == "null":
            masked, found = spec.redaction.json(document, JSON_WILDCARD)
            if found:
                text = json.dumps(masked, ensure_ascii=False, separators=(",", ":"))
                redacted.extend(f"request.body{p[1:]}" for p in found)
            return {"equalToJson": text, "ignoreArrayOrder": options.ignore_array_order,
                    "ignoreExtraElements": options.ignore_extra_elements}
    elif matcher == "equalToXml":
        return {"equalToXml": text}
    if "form-urlencoded" in mime:
        regex = _form_regex(text, spec.redaction, redacted)
        if regex is not None:
            return {"matches": regex}
    return {"equalTo": text, "caseInsensitive": options.case_insensitive}


def _form_regex(text: str, policy: RedactionPolicy, redacted: list[str]) -> str | None:
    """A form body with secret fields as a regex where those values may be anything."""
    from urllib.parse import unquote_plus

    parts, secret = [], False
    for item in text.split("&"):
        name, eq, _ = item.partition("=")
        if eq and policy.secret_parameter(unquote_plus(name)):
            parts.append(_REGEX_SPECIALS.sub(r"\\\1", name) + "=[^&]*")
            redacted.append(f"request.body.{unquote_plus(name)}")
            secret = True
        else:
            parts.append(_REGEX_SPECIALS.sub(r"\\\1", item))
    return "&".join(parts) if secret else None


def response_definition(
    event: ServeEvent,
    spec: RecordSpec,
    name: str,
    stub_id: str,
    body_files: dict[str, bytes],
    redacted: list[str],
    secrets: Sequence[str] = (),
) -> dict[str, Any]:
    """What WireMock records of a response: status, headers (no framing ones), body.

    Values in `secrets` (from the request) are scrubbed from header values and text bodies.
    """
    policy = spec.redaction
    out: dict[str, Any] = {"status": event.status}
    headers: dict[str, Any] = {}
    content_type = None
    for header, value in event.headers:
        low = header.lower()
        if low in DROPPED_RESPONSE_HEADERS:
            if low != "content-encoding" or value.strip().lower() in DECODED_ENCODINGS:
                continue  # an encoding we could not decode stays with the bytes it describes
        if low == "content-type" and content_type is None:
            content_type = value
        masked = scrub(policy.response_header(header, value), list(secrets))
        if masked != value:
            redacted.append(f"response.headers.{header}")
        existing = next((k for k in headers if k.lower() == low), None)
        if existing is None:
            headers[header] = masked
        elif isinstance(headers[existing], list):
            headers[existing].append(masked)
        else:
            headers[existing] = [headers[existing], masked]
    if headers:
        out["headers"] = headers
    body = event.body
    if not body:
        return out
    mime = mime_of(content_type)
    text = _decode_text(body, content_type) if content_type and is_text_mime(mime) else None
    if text is not None and secrets:
        scrubbed = scrub(text, list(secrets))
        if scrubbed != text:
            redacted.append("response.body (values sent as secrets)")
            text, body = scrubbed, scrubbed.encode(charset_of(content_type), errors="replace")
    if text is not None and is_json_mime(mime):
        text, body = _mask_json_text(text, body, content_type, policy, redacted)
    extract = spec.extract
    threshold = None
    if extract is not None:
        threshold = extract.text_threshold if text is not None else extract.binary_threshold
    if threshold is not None and len(body) > threshold:
        file_name = f"{name}-{stub_id}.{file_extension(content_type, event.request.path, body)}"
        body_files[file_name] = body
        out["bodyFileName"] = file_name
    elif text is not None:
        out["body"] = text
    else:
        out["base64Body"] = base64.b64encode(body).decode("ascii")
    return out


def _decode_text(body: bytes, content_type: str | None) -> str | None:
    try:
        return body.decode(charset_of(content_type))
    except (UnicodeDecodeError, LookupError):
        return None


def _mask_json_text(
    text: str, body: bytes, content_type: str | None, policy: RedactionPolicy,
    redacted: list[str],
) -> tuple[str, bytes]:
    try:
        document = json.loads(text)
    except ValueError:
        return text, body
    masked, found = policy.json(document)
    if not found:
        return text, body
    redacted.extend(f"response.body{p[1:]}" for p in found)
    text = json.dumps(masked, ensure_ascii=False, separators=(",", ":"))
    return text, text.encode(charset_of(content_type), errors="replace")


def file_extension(content_type: str | None, path: str, body: bytes = b"") -> str:
    """`json`, `xml`, `txt` for text, a MIME lookup (`png`), the URL's extension, or sniffed."""
    mime = mime_of(content_type)
    if is_json_mime(mime):
        return "json"
    if "xml" in mime:
        return "xml"
    if "html" in mime:
        return "html"
    if mime:
        guessed = mimetypes.guess_extension(mime)
        if guessed:
            return guessed.lstrip(".")
        if is_text_mime(mime):
            return "txt"
    last = path.rsplit("/", 1)[-1]
    if "." in last and re.fullmatch(r"[A-Za-z0-9]{1,8}", last.rsplit(".", 1)[1]):
        return last.rsplit(".", 1)[1].lower()
    for magic, ext in ((b"\x89PNG", "png"), (b"\xff\xd8\xff", "jpg"), (b"GIF8", "gif"),
                       (b"%PDF", "pdf"), (b"PK\x03\x04", "zip")):
        if body.startswith(magic):
            return ext
    return "bin"
