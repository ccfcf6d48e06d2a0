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
DEFAULT_NAMES = ("api_key", "apikey", "access_token", "token", "key", "secret", "password",
                 "passwd", "pwd", "signature", "sig", "cvv", "cvv2", "cvc", "cvc2", "pin", "otp",
                 "ssn", "card_number", "cardnumber", "pan", "credentials", "private_key")
# Names ending like these are secret too: refresh_token, client_secret, x-api-key, db_password,
# x-hub-signature, card_cvv, x-upstream-token (as headers, too).
_SECRET_SUFFIXES = ("token", "secret", "password", "passwd", "apikey", "signature", "cvv", "cvc",
                    "credentials", "privatekey", "sessionid")
_SECRET_HEADER_WORDS = ("token", "secret", "signature", "password", "apikey", "credential",
                        "session")
_URL_HEADERS = ("location", "content-location")
# Values that are secret whatever they are called: card numbers (checked with Luhn), JWTs,
# well-known key formats, and long random-looking path segments.
_CARD = re.compile(r"(?<![\w-])\d(?:[ -]?\d){12,18}(?![\w-])")
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*")
_KEY_PREFIX = re.compile(r"(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{8,}|gh[pousr]_[A-Za-z0-9]{20,}"
                         r"|xox[abprs]-[A-Za-z0-9-]{10,}|AKIA[0-9A-Z]{16}")
_RANDOM_SEGMENT = re.compile(r"[A-Za-z0-9_~.+=-]{24,}")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_BEARER = re.compile(r"\b(?:Bearer|Basic|Token)\s+([A-Za-z0-9._~+/-]{8,}=*)")
_XML_ELEMENT = re.compile(r"<((?:[\w.-]+:)?([\w.-]+))(?:\s[^<>]*)?>([^<]*)</\1\s*>")
_XML_ATTRIBUTE = re.compile(r"\s(?:[\w.-]+:)?([\w.-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_TEXT_PAIR = re.compile(r"(?<![\w-])([A-Za-z][\w.-]*)[\"']?\s*[=:]\s*[\"']?([^\s&\"',;<>]+)")


def luhn(digits: str) -> bool:
    """The check digit of card numbers (ISO/IEC 7812)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def card_number(text: str) -> bool:
    """A 13-19 digit number (spaces or dashes between) that passes the Luhn check."""
    digits = re.sub(r"[ -]", "", text)
    return 13 <= len(digits) <= 19 and digits.isdigit() and len(set(digits)) > 1 and luhn(digits)


def secret_value(value: str) -> bool:
    """A value secret by its look alone: a card number, a JWT, a known key format."""
    text = value.strip()
    return (card_number(text) or _JWT.fullmatch(text) is not None
            or _KEY_PREFIX.fullmatch(text) is not None)


def token_segment(segment: str) -> bool:
    """A URL path segment that looks like a credential rather than a name or an id: a JWT, a
    key, a card number, or 24+ random-looking characters (letters and digits mixed, not a UUID,
    not words joined by dashes)."""
    if secret_value(segment):
        return True
    if not _RANDOM_SEGMENT.fullmatch(segment) or _UUID.fullmatch(segment):
        return False
    letters = sum(c.isalpha() for c in segment)
    digits = sum(c.isdigit() for c in segment)
    if letters < 4 or digits < 4:
        return False
    words = re.split(r"[-_.~]", segment)
    return max(len(w) for w in words) >= 16  # slugs are short words joined by separators


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
        """The default and configured names, and names that say token, secret, signature..."""
        if not self.enabled:
            return False
        low = name.lower()
        if any(low == h.lower() for h in (*DEFAULT_HEADERS, *self.headers)):
            return True
        norm = _normal(name)  # X-Upstream-Token, X-Hub-Signature-256, X-Session-Id ...
        return any(word in norm for word in _SECRET_HEADER_WORDS)

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
        return self.text(value)

    def secret_query_value(self, name: str, value: str) -> bool:
        return self.enabled and (self.secret_parameter(name) or secret_value(value))

    def secret_segments(self, path: str) -> list[int]:
        """Indexes (in `path.split("/")`) of segments that look like credentials."""
        if not self.enabled:
            return []
        return [i for i, segment in enumerate(path.split("/"))
                if segment and token_segment(unquote_plus(segment))]

    def path(self, path: str) -> str:
        """`path` with credential-looking segments replaced by the placeholder."""
        secret = set(self.secret_segments(path))
        if not secret:
            return path
        return "/".join(quote(PLACEHOLDER) if i in secret else segment
                        for i, segment in enumerate(path.split("/")))

    def url(self, url: str) -> str:
        """A URL with credential-looking path segments and the values of secret query
        parameters (by name, or card numbers and tokens by their look) masked."""
        if not self.enabled:
            return url
        base, question, query = url.partition("?")
        scheme, sep, rest = base.partition("://")
        if sep:  # an absolute URL: mask the path after the authority
            authority, slash, path = rest.partition("/")
            base = f"{scheme}://{authority}{slash}{self.path(path)}"
        else:
            base = self.path(base)
        if not question:
            return base
        query, hash_mark, fragment = query.partition("#")
        parts = []
        for item in query.split("&"):
            name, eq, value = item.partition("=")
            if eq and self.secret_query_value(unquote_plus(name), unquote_plus(value)):
                item = f"{name}={quote(PLACEHOLDER)}"
            parts.append(item)
        return f"{base}?{'&'.join(parts)}{hash_mark}{fragment}"

    def text_spans(self, text: str) -> list[tuple[int, int]]:
        """Where secrets sit in a text or XML body: values of secret-named XML elements and
        attributes and of `name=value` / `"name": value` pairs, credentials after `Bearer`,
        card numbers, JWTs and known key formats. Sorted, not overlapping."""
        if not self.enabled or not text:
            return []
        spans: list[tuple[int, int]] = []
        for m in _XML_ELEMENT.finditer(text):
            if m.group(3).strip() and self.secret_field(m.group(2)):
                spans.append(m.span(3))
        for m in _XML_ATTRIBUTE.finditer(text):
            group = 2 if m.group(2) is not None else 3
            if m.group(group) and self.secret_field(m.group(1)):
                spans.append(m.span(group))
        for m in _TEXT_PAIR.finditer(text):
            if self.secret_field(m.group(1)):
                spans.append(m.span(2))
        for m in _BEARER.finditer(text):
            spans.append(m.span(1))
        for pattern in (_JWT, _KEY_PREFIX):
            spans.extend(m.span() for m in pattern.finditer(text))
        spans.extend(m.span() for m in _CARD.finditer(text) if card_number(m.group()))
        merged: list[tuple[int, int]] = []
        for start, end in sorted(spans):
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        return merged

    def text(self, text: str) -> str:
        """`text` with every span of `text_spans` replaced by the placeholder."""
        out, last = [], 0
        for start, end in self.text_spans(text):
            out += [text[last:start], PLACEHOLDER]
            last = end
        return "".join(out) + text[last:] if out else text

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
            elif (inside_secret and isinstance(node, (str, int, float))
                  and not isinstance(node, bool)) or _secret_scalar(node):
                values.append(str(node))

        walk(document, False)
        for expression in self.json_paths:
            for match in _json_path(expression).find(document):
                walk(match.value, True)
        return list(dict.fromkeys(values))  # once each, whichever rule found it

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
        elif _secret_scalar(node):
            found.append(where)
            return replacement
        return node


def _secret_scalar(value: Any) -> bool:
    """A JSON string or whole number secret by its look (a card number as digits, a JWT)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return card_number(str(value))
    return isinstance(value, str) and secret_value(value)


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
