"""Stub mappings as plain frozen data: what to match, what to answer, and bookkeeping.

Matcher objects (compiled once at load) sit inside the request pattern; nothing here does I/O.
Field names are snake_case versions of WireMock's keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from enum import Enum
from typing import Any

from mockserver.matchers.base import StringMatcher
from mockserver.matchers.multivalue import MultiValuePattern
from mockserver.matchers.url import UrlMatcher

DEFAULT_PRIORITY = 5
TEMPLATE_TRANSFORMER = "response-template"  # WireMock's name for response templating
STARTED = "Started"


class Fault(Enum):
    EMPTY_RESPONSE = "EMPTY_RESPONSE"
    CONNECTION_RESET_BY_PEER = "CONNECTION_RESET_BY_PEER"
    MALFORMED_RESPONSE_CHUNK = "MALFORMED_RESPONSE_CHUNK"
    RANDOM_DATA_THEN_CLOSE = "RANDOM_DATA_THEN_CLOSE"


@dataclass(frozen=True, slots=True)
class BasicAuth:
    username: str
    password: str


@dataclass(frozen=True, slots=True)
class MultipartPattern:
    matching_type: str  # "ANY" or "ALL"
    headers: tuple[tuple[str, MultiValuePattern], ...] = ()
    body_patterns: tuple[StringMatcher, ...] = ()
    name: str | None = None
    file_name: str | None = None


@dataclass(frozen=True, slots=True)
class RequestPattern:
    method: str = "ANY"
    url: UrlMatcher | None = None
    headers: tuple[tuple[str, MultiValuePattern], ...] = ()
    path_parameters: tuple[tuple[str, StringMatcher], ...] = ()
    query_parameters: tuple[tuple[str, MultiValuePattern], ...] = ()
    form_parameters: tuple[tuple[str, MultiValuePattern], ...] = ()
    cookies: tuple[tuple[str, StringMatcher], ...] = ()
    basic_auth: BasicAuth | None = None
    body_patterns: tuple[StringMatcher, ...] = ()
    multipart_patterns: tuple[MultipartPattern, ...] = ()
    scheme: str | None = None
    host: StringMatcher | None = None
    port: int | None = None
    client_ip: StringMatcher | None = None
    custom_matcher: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class DelayDistribution:
    """`lognormal` (median, sigma, max_value), `uniform` (lower, upper) or `fixed`."""

    type: str
    median: float = 0.0
    sigma: float = 0.0
    max_value: float | None = None
    lower: int = 0
    upper: int = 0
    milliseconds: int = 0


@dataclass(frozen=True, slots=True)
class ChunkedDribbleDelay:
    number_of_chunks: int
    total_duration: int


@dataclass(frozen=True, slots=True)
class ChaosFailure:
    """What a failed call answers instead of the stub's response: a status or a fault."""

    status: int = 503
    body: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    fault: Fault | None = None


@dataclass(frozen=True, slots=True)
class RateLimit:
    """A token bucket: `requests` calls per `per_seconds`, refilled continuously."""

    requests: int
    per_seconds: float = 1.0


@dataclass(frozen=True, slots=True)
class Chaos:
    """Misbehaviour beyond WireMock (`response.chaos`, or global in `/__admin/settings`).

    Every field is optional; a stub's fields override the global ones one by one.
    """

    failure_rate: float | None = None  # probability that a call fails
    fail_first: int | None = None  # the first N calls fail, later ones succeed
    fail_with: tuple[ChaosFailure, ...] | None = None  # how a call fails (one picked at random)
    hang: bool | None = None  # accept the request, never answer
    bytes_per_second: int | None = None  # body bandwidth
    headers_delay_ms: int | None = None  # wait before the status line (adds to other delays)
    rate_limit: RateLimit | None = None  # over the limit: 429 with Retry-After

    def over(self, base: Chaos | None) -> Chaos:
        """These settings, with unset fields taken from `base` (the global settings)."""
        if base is None:
            return self
        merged = {}
        for each in fields(self):  # every field, by name: a new one cannot be left out
            mine = getattr(self, each.name)
            merged[each.name] = mine if mine is not None else getattr(base, each.name)
        return Chaos(**merged)


@dataclass(frozen=True, slots=True)
class ResponseDefinition:
    """What a stub answers, parsed; matching and rendering read only the parsed fields.

    `source_json` is the one copy of what was submitted (nulls and `fromConfiguredStub`
    dropped, `status` normalised). It stays because answers echo a response as it was
    submitted (GET /__admin/mappings, a serve event's `responseDefinition`), and parsing
    normalises what that echo keeps: number forms (`"median": 80`, not `80.0`) and the
    object-or-list shapes of the `chaos` extension. The request pattern needs no such copy:
    `stubs.dump` writes it from the parsed matchers.
    """

    status: int = 200
    status_message: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    header_shapes: tuple[tuple[str, bool], ...] = ()  # (name, written as a list) for output
    body: str | None = None
    json_body: Any = None
    has_json_body: bool = False
    base64_body: str | None = None
    body_file_name: str | None = None
    fixed_delay_milliseconds: int | None = None
    delay_distribution: DelayDistribution | None = None
    chunked_dribble_delay: ChunkedDribbleDelay | None = None
    fault: Fault | None = None
    proxy_base_url: str | None = None
    proxy_url_prefix_to_remove: str | None = None
    additional_proxy_request_headers: tuple[tuple[str, str], ...] = ()
    remove_proxy_request_headers: tuple[str, ...] = ()
    transformers: tuple[str, ...] = ()
    transformer_parameters: dict[str, Any] = field(default_factory=dict)
    chaos: Chaos | None = None
    source_json: dict[str, Any] = field(default_factory=dict)  # as submitted: see above
    static_body: bytes | None = None  # body/jsonBody/base64Body encoded once, at load


def is_template(response: ResponseDefinition, *, everywhere: bool = False) -> bool:
    """Whether `response` is rendered as a template: every response under global templating
    (`--global-response-templating`), else those naming WireMock's `response-template`."""
    return everywhere or TEMPLATE_TRANSFORMER in response.transformers


@dataclass(frozen=True, slots=True)
class StubSource:
    """Where a stub came from on disk; multi-stub files are read-only, as in WireMock."""

    path: str
    multi: bool = False


@dataclass(frozen=True, slots=True, eq=False)
class StubMapping:
    id: str
    request: RequestPattern = field(default_factory=RequestPattern)
    response: ResponseDefinition = field(default_factory=ResponseDefinition)
    name: str | None = None
    priority: int | None = None
    persistent: bool | None = None
    scenario_name: str | None = None
    required_scenario_state: str | None = None
    new_scenario_state: str | None = None
    metadata: dict[str, Any] | None = None
    post_serve_actions: tuple[dict[str, Any], ...] | None = None
    serve_event_listeners: tuple[dict[str, Any], ...] | None = None
    insertion_index: int = 0
    source: StubSource | None = None

    @property
    def effective_priority(self) -> int:
        return DEFAULT_PRIORITY if self.priority is None else self.priority

    @property
    def order_key(self) -> tuple[int, int]:
        """Matching order: priority ascending, then newest first."""
        return (self.effective_priority, -self.insertion_index)

    def with_changes(self, **changes: Any) -> StubMapping:
        return replace(self, **changes)
