"""Keeping secrets out of recorded stubs: which names count as secret, and how values are masked.

Pure functions over plain data. The recorder asks a `RedactionPolicy` while it turns serve events
into stubs, so nothing secret reaches a stub, the admin API or the disk unless redaction is off.
A masked value is shown as `[REDACTED]`; a masked *request* value becomes a wildcard matcher,
so the stub still replays whatever credentials the client sends.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, quote_plus, unquote_plus

from mockserver.compat.jsonpath import JsonPath, compile_json_path
from mockserver.errors import RedactionError

PLACEHOLDER = "[REDACTED]"
ANY_VALUE: dict[str, str] = {"matches": ".*"}  # a request matcher any value passes (but present)
JSON_WILDCARD = "${json-unit.ignore}"  # an equalToJson operand value any value passes
MIN_SECRET_LENGTH = 6  # shorter secret values are not hunted for in response bodies

DEFAULT_HEADERS = ("Authorization", "Proxy-Authorization", "Cookie", "X-Api-Key", "X-Auth-Token")
SET_COOKIE = "Set-Cookie"
DEFAULT_NAMES = ("api_key", "apikey", "access_token", "token", "key", "secret", "password")
# Names ending like these are secret too: refresh_token, client_secret, x-api-key, db_password.
_SECRET_SUFFIXES = ("token", "secret", "password", "apikey")
_URL_HEADERS = ("location", "content-location")


def _normal(name: str) -> str:
    """`X-Api-Key`, `api_key` and `apiKey` all read `xapikey` / `apikey`."""
    return re.sub(r"[-_\s]", "", name).lower()


@dataclass(frozen=True)
class RedactionPolicy:
    """What to mask. `headers`, `query_parameters` and `json_paths` add to the defaults."""

    enabled: bool = True
    headers: tuple[str, ...] = ()
    query_parameters: tuple[str, ...] = ()
    json_paths: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for expression in self.json_paths:
            _json_path(expression)  # fail early, naming the bad expression

    def extended(
        self,
        *,
        enabled: bool | None = None,
        headers: tuple[str, ...] = (),
        query_parameters: tuple[str, ...] = (),
        json_paths: tuple[str, ...] = (),
    ) -> RedactionPolicy:
        """This policy with more names (the recording API's `redact` adds to the CLI's)."""
        return RedactionPolicy(
            enabled=self.enabled if enabled is None else enabled,
            headers=self.headers + headers,
            query_parameters=self.query_parameters + query_parameters,
            json_paths=self.json_paths + json_paths,
        )

    # -- names ----------------------------------------------------------------------------
    def secret_header(self, name: str) -> bool:
        if not self.enabled:
            return False
        low = name.lower()
        return any(low == h.lower() for h in (*DEFAULT_HEADERS, *self.headers))

    def named_secret_header(self, name: str) -> bool:
        """A header someone named for masking (`--redact-header`, the spec's `redact`), as
        opposed to one only on the built-in list."""
        return self.enabled and any(name.lower() == h.lower() for h in self.headers)

    def secret_parameter(self, name: str) -> bool:
        """A query or form parameter whose value must not be kept."""
        if not self.enabled:
            return False
        norm = _normal(name)
        if any(norm == _normal(n) for n in (*DEFAULT_NAMES, *self.query_parameters)):
            return True
        return norm.endswith(_SECRET_SUFFIXES)

    def secret_field(self, name: str) -> bool:
        """A JSON member masked wherever it appears (a bare `key` is too common to mask)."""
        return _normal(name) != "key" and self.secret_parameter(name)

    # -- values ---------------------------------------------------------------------------
    def response_header(self, name: str, value: str) -> str:
        """The value to store for a response header (Set-Cookie keeps its name and flags)."""
        if not self.enabled:
            return value
        if name.lower() == SET_COOKIE.lower():
            return mask_set_cookie(value)
        if self.secret_header(name):
            return PLACEHOLDER
        if name.lower() in _URL_HEADERS:
            return self.url(value)
        return value

    def url(self, url: str) -> str:
        """A URL with the values of secret query parameters replaced by the placeholder."""
        if not self.enabled or "?" not in url:
            return url
        base, _, query = url.partition("?")
        query, hash_mark, fragment = query.partition("#")
        parts = []
        for item in query.split("&"):
            name, eq, _ = item.partition("=")
            if eq and self.secret_parameter(unquote_plus(name)):
                item = f"{name}={quote(PLACEHOLDER)}"
            parts.append(item)
        return f"{base}?{'&'.join(parts)}{hash_mark}{fragment}"

    def json(self, document: Any, replacement: Any = PLACEHOLDER) -> tuple[Any, list[str]]:
        """A copy of a JSON document with secret members replaced; also where they were."""
        if not self.enabled:
            return document, []
        found: list[str] = []
        document = self._mask_members(copy.deepcopy(document), "$", replacement, found)
        for expression in self.json_paths:
            path = _json_path(expression)
            if any(m.value != replacement for m in path.find(document)):
                found.append(expression)
                document = path.update(document, replacement)
        return document, found

    def json_values(self, document: Any) -> list[str]:
        """The scalar values `json()` masks, so echoes of them elsewhere can be scrubbed."""
        if not self.enabled:
            return []
        values: list[str] = []

        def walk(node: Any, inside_secret: bool) -> None:
            if isinstance(node, dict):
                for key, value in node.items():
                    walk(value, inside_secret or self.secret_field(str(key)))
            elif isinstance(node, list):
                for value in node:
                    walk(value, inside_secret)
            elif inside_secret and isinstance(node, (str, int, float)) \
                    and not isinstance(node, bool):
                values.append(str(node))

        walk(document, False)
        for expression in self.json_paths:
            for match in _json_path(expression).find(document):
                walk(match.value, True)
        return values

    def _mask_members(self, node: Any, where: str, replacement: Any, found: list[str]) -> Any:
        if isinstance(node, dict):
            for key, value in node.items():
                at = f"{where}.{key}"
                if self.secret_field(str(key)) and value is not None:
                    node[key] = replacement
                    found.append(at)
                else:
                    node[key] = self._mask_members(value, at, replacement, found)
        elif isinstance(node, list):
            for i, value in enumerate(node):
                node[i] = self._mask_members(value, f"{where}[{i}]", replacement, found)
        return node


def scrub(text: str, secrets: list[str]) -> str:
    """`text` with every secret (as sent, URL-encoded or JSON-escaped) replaced by the
    placeholder. Values shorter than `MIN_SECRET_LENGTH` are left alone: replacing `1` or
    `abc` everywhere would mangle the body rather than protect anything."""
    forms: set[str] = set()
    for secret in secrets:
        if len(secret) >= MIN_SECRET_LENGTH:
            forms.update({secret, quote(secret, safe=""), quote_plus(secret),
                          json.dumps(secret)[1:-1]})
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, PLACEHOLDER)
    return text


def mask_set_cookie(value: str) -> str:
    """`sid=abc; Path=/; HttpOnly` becomes `sid=[REDACTED]; Path=/; HttpOnly`."""
    first, sep, attributes = value.partition(";")
    name, eq, _ = first.partition("=")
    if not eq:
        return PLACEHOLDER + sep + attributes
    return f"{name.strip()}={PLACEHOLDER}{sep}{attributes}"


def _json_path(expression: str) -> JsonPath:
    """The Jayway expression, compiled once; a RedactionError naming it when it does not parse."""
    try:
        return compile_json_path(expression)
    except ValueError as exc:
        raise RedactionError(str(exc)) from exc


DISABLED = RedactionPolicy(enabled=False)
