"""Serve events into WireMock-shaped stub JSON (compat §7.1), secrets masked on the way.

`url`, or `urlPath` plus `hasExactly` query parameters; `equalToJson` / `equalTo` /
`binaryEqualTo` body patterns; response headers without the framing, hop-by-hop and `Server`
ones; text as `body`, the rest as `base64Body`; repeats as `scenario-<n>-<path>` scenarios;
large bodies moved to files (returned, not written).

Two refinements over WireMock's recorder:
- a repeated request whose answer depends on whether a header was sent (an `Authorization`
  that gives 200, its absence 401) becomes one stub per case, matching the header present or
  absent, not a scenario that replays the answers in arrival order whatever is sent;
- ids derive from the request pattern (a name-based UUID), so recording the same traffic
  again gives the same ids and an unchanged stub file stays unchanged in version control.
"""

from __future__ import annotations

import base64
import json
import re
import unicodedata
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_plus

from mockserver.exchange import DECODABLE_CODINGS, Request, charset_of
from mockserver.matching.pattern import matches
from mockserver.model import STARTED
from mockserver.record.content import file_extension, is_json_mime, is_text_mime, mime_of
from mockserver.record.redaction import ANY_VALUE, JSON_WILDCARD, RedactionPolicy, scrub
from mockserver.record.spec import RecordSpec

if TYPE_CHECKING:
    from mockserver.journal import ServeEvent

DROPPED_RESPONSE_HEADERS = (
    "content-length", "transfer-encoding", "content-encoding",
    # hop-by-hop (RFC 9110 section 7.6.1): they describe the upstream connection, not the answer
    "connection", "keep-alive", "proxy-connection", "proxy-authenticate", "te", "trailer",
    "upgrade",
    "server",  # the upstream's software (`Python/3.11 aiohttp/...`), not part of the API
)
# Request headers every client sends or varies by itself: never what an answer depends on.
_INCIDENTAL_HEADERS = frozenset((
    "host", "user-agent", "accept", "accept-encoding", "accept-language", "connection",
    "content-length", "content-type", "date", "cache-control", "pragma", "te", "via",
    "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-request-id", "traceparent",
    "tracestate",
))
_RECORDED_IDS = uuid.UUID("3b1f4f0e-5a7c-4d8e-9f21-7265636f7264")
DECODED_ENCODINGS = ("", *DECODABLE_CODINGS)  # the journal holds these decoded
_REGEX_SPECIALS = re.compile(r"([.^$*+?{}\[\]\\|()])")


@dataclass
class Generated:
    """Recorded stubs as WireMock JSON, oldest first, and the body files they refer to."""

    stubs: list[dict[str, Any]] = field(default_factory=list)
    body_files: dict[str, bytes] = field(default_factory=dict)


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
    groups: dict[str, list[_Recorded]] = {}
    for order, event in enumerate(events):
        key = json.dumps(request_pattern(event.request, spec, []), sort_keys=True)
        occurrence = len(groups.get(key, ()))
        stub = _stub(event, spec, result.body_files, stable_id(key, occurrence))
        groups.setdefault(key, []).append(_Recorded(order, event, stub))
    scenario_index = 0
    kept: list[_Recorded] = []
    for whole in groups.values():
        split = split_by_header(whole)
        for group in split or [whole]:
            if split and len({_answer(item.event) for item in group}) == 1:
                group[1:] = []  # one answer whenever the header is (or is not) sent
            elif not spec.repeats_as_scenarios:
                group[1:] = []
            elif len(group) > 1:
                scenario_index += 1
                _as_scenario([item.stub for item in group], scenario_index,  # no token shown
                             unquote_plus(spec.redaction.path(group[0].event.request.path)))
            kept.extend(group)
    result.stubs = [item.stub for item in sorted(kept, key=lambda item: item.order)]
    files = {s["response"].get("bodyFileName") for s in result.stubs}
    result.body_files = {k: v for k, v in result.body_files.items() if k in files}
    return result


@dataclass
class _Recorded:
    order: int
    event: ServeEvent
    stub: dict[str, Any]


def stable_id(pattern_key: str, occurrence: int) -> str:
    """The same request pattern (and its n-th repeat) gets the same id in every recording."""
    return str(uuid.uuid5(_RECORDED_IDS, f"{pattern_key}#{occurrence}"))


def _answer(event: ServeEvent) -> tuple[int, bytes]:
    return event.status, event.body


def split_by_header(group: list[_Recorded]) -> list[list[_Recorded]] | None:
    """[sent, not sent] when one request header's presence decides the answer, else None.

    The header qualifies when every answer given with it differs from every answer given
    without it (the same request, authorised and not); incidental headers never do.
    """
    if len(group) < 2 or len({_answer(item.event) for item in group}) < 2:
        return None
    names: dict[str, str] = {}
    for item in group:
        for name, _ in item.event.request.headers:
            low = name.lower()
            if low not in _INCIDENTAL_HEADERS:
                names.setdefault(low, name)
    for low, name in names.items():
        sent = [item for item in group if item.event.request.header(low) is not None]
        unsent = [item for item in group if item.event.request.header(low) is None]
        if not sent or not unsent:
            continue
        if {_answer(i.event) for i in sent} & {_answer(i.event) for i in unsent}:
            continue
        for item in sent:
            headers = item.stub["request"].setdefault("headers", {})
            headers.setdefault(name, dict(ANY_VALUE))
        for item in unsent:
            item.stub["request"].setdefault("headers", {})[name] = {"absent": True}
        return [sent, unsent]
    return None


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


def _stub(
    event: ServeEvent, spec: RecordSpec, body_files: dict[str, bytes], stub_id: str
) -> dict[str, Any]:
    request = event.request
    redacted: list[str] = []
    name = stub_name(unquote_plus(spec.redaction.path(request.decoded_path)))
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


def secret_capture_headers(spec: RecordSpec) -> list[str]:
    """`captureHeaders` entries the redaction policy would mask: recorded as sent, since the
    spec names them, and worth one warning per recording."""
    if not spec.redaction.enabled:
        return []
    policy = spec.redaction
    return [name for name, _ in spec.capture_headers
            if policy.secret_header(name) and not policy.named_secret_header(name)]


def request_pattern(request: Request, spec: RecordSpec, redacted: list[str]) -> dict[str, Any]:
    """The pattern WireMock records for a request (compat §7.1), secrets as wildcards."""
    policy = spec.redaction
    out: dict[str, Any] = {}
    secret_segments = set(policy.secret_segments(request.path))
    path_regex = None
    if secret_segments:  # a token in the path: any value there matches, and none is kept
        redacted.append("request.url (path segments)")
        path_regex = "/".join("[^/]+" if i in secret_segments else _REGEX_SPECIALS.sub(r"\\\1", p)
                              for i, p in enumerate(request.path.split("/")))
    if request.query_string:
        if path_regex is None:
            out["urlPath"] = request.path
        else:
            out["urlPathPattern"] = path_regex
        params: dict[str, Any] = {}
        for name, values in request.query.items():
            if any(policy.secret_query_value(name, v) for v in values) or (
                    policy.secret_parameter(name)):
                params[name] = dict(ANY_VALUE)
                redacted.append(f"request.queryParameters.{name}")
            else:
                params[name] = {"hasExactly": [{"equalTo": v} for v in values]}
        out["queryParameters"] = params
    elif path_regex is not None:
        out["urlPattern"] = path_regex
    else:
        out["url"] = request.url
    out["method"] = request.method
    headers: dict[str, Any] = {}
    for name, case_insensitive in spec.capture_headers:
        value = request.header(name)
        if value is None:
            continue
        if policy.named_secret_header(name):
            headers[name] = dict(ANY_VALUE)
            redacted.append(f"request.headers.{name}")
            continue
        # captureHeaders names it, so its value is recorded as WireMock does, even when the
        # built-in list calls it secret (one warning per recording: secret_capture_headers)
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
            values.extend(v for v in found if policy.secret_query_value(name, v))
    segments = request.path.split("/")
    values.extend(unquote_plus(segments[i]) for i in policy.secret_segments(request.path))
    text = request.body_text if request.body and is_text_mime(mime_of(request.content_type)) \
        else None
    if text:
        values.extend(text[start:end] for start, end in policy.text_spans(text))
    if is_json_mime(mime_of(request.content_type)):
        document = request.content.json_value
        if document is not request.content.INVALID:
            values.extend(policy.json_values(document))
    return [v.strip() for v in values if v.strip()]


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
            return _flags({"equalToJson": text}, ignoreArrayOrder=options.ignore_array_order,
                          ignoreExtraElements=options.ignore_extra_elements)
    elif matcher == "equalToXml":
        spans = spec.redaction.text_spans(text)
        if not spans:
            return {"equalToXml": text}
        redacted.append("request.body (XML values)")
        return {"equalToXml": _replace_spans(text, spans, "${xmlunit.ignore}"),
                "enablePlaceholders": True}
    if "form-urlencoded" in mime:
        regex = _form_regex(text, spec.redaction, redacted)
        if regex is not None:
            return {"matches": regex}
    spans = spec.redaction.text_spans(text)
    if spans:  # the secrets become "anything" in an otherwise literal pattern
        redacted.append("request.body (text values)")
        parts, last = [], 0
        for start, end in spans:
            parts += [_REGEX_SPECIALS.sub(r"\\\1", text[last:start]), ".*?"]
            last = end
        return {"matches": "".join(parts) + _REGEX_SPECIALS.sub(r"\\\1", text[last:])}
    return _flags({"equalTo": text}, caseInsensitive=options.case_insensitive)


def _flags(matcher: dict[str, Any], **flags: bool | None) -> dict[str, Any]:
    """The matcher with the flags the record spec set (a named matcher may set none)."""
    matcher.update((k, v) for k, v in flags.items() if v is not None)
    return matcher


def _replace_spans(text: str, spans: list[tuple[int, int]], replacement: str) -> str:
    out, last = [], 0
    for start, end in spans:
        out += [text[last:start], replacement]
        last = end
    return "".join(out) + text[last:]


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
    elif text is not None:  # XML, HTML, plain text: secret-named values, card numbers, tokens
        masked_text = policy.text(text)
        if masked_text != text:
            redacted.append("response.body (text values)")
            text, body = masked_text, masked_text.encode(charset_of(content_type),
                                                         errors="replace")
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
