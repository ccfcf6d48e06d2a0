"""An OpenAPI description (3.0 or 3.1) as the contract stubs and requests are checked against.

Parsing, path matching and schema validation are openapi-core's (with openapi-spec-validator
and jsonschema behind it): the `openapi` extra, imported only when a command asks for it.
This module adapts our framework-free requests and stub answers to its protocols and turns
its errors into short, located violations (`$.name: 'name' is a required property`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from mockserver.errors import MockServerError

INSTALL_HINT = "OpenAPI support needs the openapi extra: pip install 'mockserver[openapi]'"


class SpecError(MockServerError):
    """The OpenAPI description cannot be read or is not valid OpenAPI."""


@dataclass(frozen=True, slots=True)
class Violation:
    where: str  # "path", "query.verbose", "body $.name", "status", ...
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message

    def to_json(self) -> dict[str, str]:
        return {"where": self.where, "message": self.message}


def read_document(path: Path) -> dict[str, Any]:
    """The description as data (YAML or JSON), or `SpecError` naming the file."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"{path}: cannot read: {exc}") from exc
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise SpecError(f"{path}: not YAML or JSON: {exc}") from exc
    if not isinstance(data, dict) or "openapi" not in data or "paths" not in data:
        raise SpecError(f"{path}: not an OpenAPI 3 description (no 'openapi' and 'paths' keys)")
    return data


class Contract:
    """A loaded, validated description and the checks made against it."""

    def __init__(self, document: dict[str, Any], source: str = "<spec>") -> None:
        try:
            from openapi_core import OpenAPI
        except ImportError as exc:  # pragma: no cover - the extra is installed in tests
            raise SpecError(INSTALL_HINT) from exc
        self.document = document
        self.source = source
        try:
            self._api = OpenAPI.from_dict(document)
        except Exception as exc:  # noqa: BLE001 - the validator raises many types
            raise SpecError(f"{source}: not valid OpenAPI: {_first_line(exc)}") from exc
        self.base_path = _base_path(document)
        self.prefixes = self._prefixes()

    @classmethod
    def load(cls, path: Path) -> Contract:
        return cls(read_document(path), str(path))

    def _prefixes(self) -> tuple[str, ...]:
        """The paths the description speaks for: its servers' base path when it has one (the
        whole API lives below it), else the first segments of its paths."""
        if self.base_path:
            return (self.base_path,)
        firsts = set()
        for template in self.document.get("paths") or {}:
            segment = str(template).strip("/").split("/", 1)[0]
            if not segment or segment.startswith("{"):
                return ("/",)
            firsts.add(f"/{segment}")
        return tuple(sorted(firsts)) or ("/",)

    def covers(self, path: str) -> bool:
        """Whether `path` is under a prefix the description speaks for."""
        return any(p == "/" or path == p or path.startswith(p + "/") for p in self.prefixes)

    def check_request(
        self, method: str, path: str, query: list[tuple[str, str]],
        headers: list[tuple[str, str]], body: bytes, content_type: str | None,
    ) -> list[Violation]:
        """What is wrong with a request under the description (empty when it conforms)."""
        request = _request(method, path, query, headers, body, content_type)
        result = self._api.unmarshal_request(request)
        return [v for error in result.errors for v in _violations(error)]

    def check_response(
        self, method: str, path: str, status: int, content_type: str | None, body: bytes,
        query: list[tuple[str, str]] | None = None,
    ) -> list[Violation]:
        """What is wrong with an answer to `method path` (status, media type, body schema)."""
        from werkzeug.datastructures import Headers

        request = _request(method, path, query or [], [], b"", None)
        response = _Response(status, content_type or "", body,
                             Headers({"Content-Type": content_type} if content_type else {}))
        result = self._api.unmarshal_response(request, response)
        return [v for error in result.errors for v in _violations(error)]

    def operation_of(self, method: str, path: str) -> tuple[str, dict[str, Any]] | None:
        """The operation `method path` reaches, as (template, operation object), or None.

        `path` may itself be a template (`/pets/{id}`, from a `urlPathTemplate` stub): a
        parameter segment fits any segment. Literal segments win over parameters, as
        OpenAPI says.
        """
        if self.base_path and not (path == self.base_path
                                   or path.startswith(self.base_path + "/")):
            return None
        wanted = path[len(self.base_path):].strip("/").split("/")
        best: tuple[int, str, dict[str, Any]] | None = None
        for template, item in (self.document.get("paths") or {}).items():
            if not isinstance(item, dict):
                continue
            operation = item.get(method.lower())
            segments = str(template).strip("/").split("/")
            if not isinstance(operation, dict) or len(segments) != len(wanted):
                continue
            literal = 0
            for theirs, mine in zip(segments, wanted, strict=True):
                if _is_param(theirs):
                    continue
                if theirs != mine:
                    break
                literal += 1
            else:
                if best is None or literal > best[0]:
                    best = (literal, str(template), operation)
        return None if best is None else (best[1], best[2])


def _is_param(segment: str) -> bool:
    return segment.startswith("{") and segment.endswith("}")


class _Request:
    """openapi-core's request protocol over plain values."""

    def __init__(self, method: str, path: str, parameters: Any, body: bytes,
                 content_type: str) -> None:
        self.host_url = "http://localhost"
        self.path = path
        self.method = method.lower()
        self.parameters = parameters
        self.body = body or None
        self.content_type = content_type

    @property
    def full_url(self) -> str:
        return self.host_url + self.path


class _Response:
    def __init__(self, status: int, content_type: str, data: bytes, headers: Any) -> None:
        self.status_code = status
        self.content_type = content_type
        self.data = data
        self.headers = headers


def _request(method: str, path: str, query: list[tuple[str, str]],
             headers: list[tuple[str, str]], body: bytes, content_type: str | None) -> _Request:
    from openapi_core.datatypes import RequestParameters
    from werkzeug.datastructures import Headers, ImmutableMultiDict

    cookies: dict[str, str] = {}
    for name, value in headers:
        if name.lower() == "cookie":
            for pair in value.split(";"):
                key, _, val = pair.strip().partition("=")
                if key:
                    cookies[key] = val
    parameters = RequestParameters(query=ImmutableMultiDict(query), header=Headers(headers),
                                   cookie=ImmutableMultiDict(cookies))
    return _Request(method, path, parameters, body, (content_type or "").lower())


def _violations(error: BaseException) -> list[Violation]:
    """openapi-core's exception as located violations (schema errors one by one)."""
    where = _where(error)
    cause = error.__cause__
    schema_errors = getattr(cause, "schema_errors", None) or getattr(error, "schema_errors", None)
    if schema_errors:
        out = []
        for item in schema_errors:
            location = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}"
                                     for p in getattr(item, "absolute_path", ()))
            label = where if location == "$" else f"{where} {location}".strip()
            out.append(Violation(label, getattr(item, "message", str(item))))
        return out
    return [Violation(where, _first_line(error))]


def _where(error: BaseException) -> str:
    name = type(error).__name__
    if "Path" in name and "Parameter" not in name:
        return "path"
    if "Body" in name or "Data" in name or "MediaType" in name:
        return "body"
    if "Status" in name or "Response" in name:
        return "status"
    parameter = getattr(error, "name", None)
    location = getattr(error, "location", None)
    if parameter and location:
        return f"{location}.{parameter}"
    return ""


def _first_line(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0][:300]


def _base_path(document: dict[str, Any]) -> str:
    from urllib.parse import urlsplit

    servers = document.get("servers") or []
    if servers and isinstance(servers[0], dict) and isinstance(servers[0].get("url"), str):
        return urlsplit(servers[0]["url"]).path.rstrip("/")
    return ""
