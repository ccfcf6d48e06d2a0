"""Process options (from the CLI or the Python API) and the mutable global settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from mockserver.model import Chaos, DelayDistribution

DEFAULT_JOURNAL_SIZE = 10_000
DEFAULT_JOURNAL_BYTES = 256 * 1024 * 1024  # request and response bodies kept, all entries together
DEFAULT_MAX_REQUEST_BODY = 50 * 1024 * 1024  # bytes, as sent and once inflated; 413 beyond
_UNITS = {"": 1, "b": 1, "k": 1000, "kb": 1000, "kib": 1024, "m": 1000**2, "mb": 1000**2,
          "mib": 1024**2, "g": 1000**3, "gb": 1000**3, "gib": 1024**3}


def byte_size(text: str) -> int:
    """`50MiB`, `64mb`, `1048576`: a size option as bytes (at least 1)."""
    digits = text.strip().rstrip("bBiIkKmMgG ")
    unit = text.strip()[len(digits):].strip().lower()
    if unit not in _UNITS or not digits.isdigit() or int(digits) < 1:
        raise ValueError(f"not a size: {text!r} (expected e.g. 1048576, 512KiB, 50MiB, 1GiB)")
    return int(digits) * _UNITS[unit]


@dataclass(frozen=True)
class TlsOptions:
    """WireMock's HTTPS flags. Without a keystore or PEM pair a certificate is made at start.

    The passwords default to WireMock's ("password"), so a keystore made for WireMock works as is.
    """

    keystore: Path | None = None  # --https-keystore (PKCS12; JKS is refused with how to convert)
    keystore_type: str = "JKS"  # --keystore-type: WireMock's default; the file's bytes decide
    keystore_password: str = "password"  # --keystore-password
    key_manager_password: str = "password"  # --key-manager-password (the key entry's own)
    cert: Path | None = None  # --https-cert: PEM certificate (chain), instead of a keystore
    key: Path | None = None  # --https-key: PEM private key for --https-cert
    require_client_cert: bool = False  # --https-require-client-cert
    truststore: Path | None = None  # --https-truststore: client certificates trusted
    truststore_type: str = "JKS"  # --truststore-type
    truststore_password: str = "password"  # --truststore-password


@dataclass(frozen=True)
class ServerOptions:
    host: str = "127.0.0.1"  # loopback unless asked (the Docker image asks for 0.0.0.0)
    port: int = 8080
    root_dir: Path = Path("stubs")
    max_request_journal_entries: int | None = DEFAULT_JOURNAL_SIZE
    max_request_journal_bytes: int | None = DEFAULT_JOURNAL_BYTES
    max_request_body: int = DEFAULT_MAX_REQUEST_BODY
    request_journal: bool = True
    request_logging: bool = True
    log_format: str = "console"
    verbose: bool = False
    proxy_all: str | None = None  # --proxy-all: unmatched requests go to this base URL
    preserve_host_header: bool = False  # proxied requests keep the client's Host header
    redact: bool = True  # recordings mask secrets (--no-redact turns it off)
    redact_headers: tuple[str, ...] = ()  # more header names to mask (--redact-header)
    redact_query: tuple[str, ...] = ()  # more query parameter names (--redact-query)
    redact_json_paths: tuple[str, ...] = ()  # JSONPaths in JSON bodies (--redact-json-path)
    watch: bool = False  # reload changed stub files while serving
    watch_poll_interval: float | None = None  # seconds; None: file events (watchfiles) if installed
    global_response_templating: bool = False  # render every stub as a template, not only opted-in
    seed: int | None = None  # seeds every random choice (helpers, delays, chaos): repeatable runs
    webhook_threadpool_size: int = 10  # webhook callbacks in flight at once (WireMock's name)
    admin_api_basic_auth: str | None = None  # "user:password" required for /__admin
    admin_api_token: str | None = None  # or `Authorization: Bearer <token>` for /__admin
    admin_api_require_https: bool = False  # /__admin refuses plain HTTP (403, code 40)
    admin_api_allowed_origins: tuple[str, ...] = ()  # browser origins allowed to call /__admin
    openapi: Path | None = None  # --openapi: check requests against this OpenAPI description
    openapi_strict: bool = False  # --openapi-validation strict: answer violations with a 400
    namespace_ttl: float = 3600.0  # seconds a namespace may stay idle before it is dropped
    max_namespaces: int = 1000  # namespaces that may exist at once (a new one past it: 429)
    store: str | None = None  # --store redis://...: state shared with other replicas; None: memory
    reuse_port: bool = False  # SO_REUSEPORT: several processes on one port (--workers)
    https_port: int | None = None  # --https-port: a second socket speaking TLS (0 = any free)
    tls: TlsOptions = field(default_factory=TlsOptions)
    disable_http: bool = False  # --disable-http: only the HTTPS socket listens
    stub_cors: bool = False  # --enable-stub-cors: CORS answers and headers on stub responses
    gzip: bool = True  # stub responses gzipped for clients that accept it (--disable-gzip)
    print_all_network_traffic: bool = False  # log every request and response in full
    record_mappings: bool = False  # --record-mappings: proxied exchanges written as stubs
    match_headers: tuple[str, ...] = ()  # --match-headers: request headers those stubs match on

    @cached_property
    def mappings_dir(self) -> Path:
        return self.root_dir / "mappings"

    @cached_property
    def files_dir(self) -> Path:
        return self.root_dir / "__files"


@dataclass
class GlobalSettings:
    """`/__admin/settings`: a POST replaces all of it; omitted fields are cleared."""

    fixed_delay: int | None = None
    delay_distribution: DelayDistribution | None = None
    delay_distribution_json: dict[str, Any] | None = None
    extended: dict[str, Any] | None = None
    proxy_pass_through: bool = True
    chaos: Chaos | None = None  # mockserver's extension, applied under every stub's own chaos
    chaos_json: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.fixed_delay is not None:
            out["fixedDelay"] = self.fixed_delay
        if self.delay_distribution_json is not None:
            out["delayDistribution"] = self.delay_distribution_json
        if self.extended is not None:
            out["extended"] = self.extended
        out["proxyPassThrough"] = self.proxy_pass_through
        if self.chaos_json is not None:
            out["chaos"] = self.chaos_json
        out.update(self.extra)
        return out
