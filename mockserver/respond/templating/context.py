"""The `request` a template sees: WireMock's request model, read-only and lazily computed.

Multi-valued things (query parameters, headers, cookies) are `MultiValue`s: strings that print
their first value and index (`[1]`), iterate and count (`|length`) their values. A missing name
gives an empty `MultiValue`, so it prints nothing instead of failing the render.

The objects expose no public method that leads back to Python internals; the sandbox blocks
every `_`-prefixed attribute, which is where the underlying request is kept.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import unquote

from mockserver.exchange import MultiDict, Request


class MultiValue(str):
    """A list of strings that behaves as its first value wherever a string is expected."""

    _values: tuple[str, ...]

    def __new__(cls, values: Iterable[str] = ()) -> MultiValue:
        items = tuple(values)
        self = super().__new__(cls, items[0] if items else "")
        self._values = items
        return self

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, slice):  # string filters (truncate, ...) slice the text
            return str.__getitem__(self, key)
        if isinstance(key, str):
            if key == "first":
                return self.first
            if key == "last":
                return self.last
            raise KeyError(key)
        return self._values[key]

    def __len__(self) -> int:
        return len(self._values)

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __reversed__(self) -> Iterator[str]:
        return reversed(self._values)

    def __contains__(self, item: object) -> bool:
        return item in self._values

    def __bool__(self) -> bool:
        return bool(self._values)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, MultiValue):
            return self._values == other._values
        return str.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = str.__hash__

    def __repr__(self) -> str:
        return repr(list(self._values))

    @property
    def first(self) -> str:
        return self._values[0] if self._values else ""

    @property
    def last(self) -> str:
        return self._values[-1] if self._values else ""

    @property
    def values(self) -> list[str]:
        return list(self._values)


EMPTY = MultiValue()


class Params:
    """Named multi-values (`request.query.a`, `request.headers['X-Id']`); missing names are empty.

    No public methods, so a parameter called `items` or `keys` is still reachable by dot.
    """

    __slots__ = ("_data", "_fold")

    def __init__(self, data: MultiDict, *, fold_case: bool = False) -> None:
        self._fold = fold_case
        if fold_case:
            folded: MultiDict = {}
            for name, values in data.items():
                folded.setdefault(name.lower(), []).extend(values)
            data = folded
        self._data = data

    def __getitem__(self, name: object) -> MultiValue:
        if not isinstance(name, str):
            raise KeyError(name)
        values = self._data.get(name.lower() if self._fold else name)
        return MultiValue(values) if values else EMPTY

    def __getattr__(self, name: str) -> MultiValue:
        if name.startswith("_"):
            raise AttributeError(name)
        return self[name]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and (name.lower() if self._fold else name) in self._data

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __bool__(self) -> bool:
        return bool(self._data)

    def __str__(self) -> str:
        return "{" + ", ".join(f"{k}={v[0] if v else ''}" for k, v in self._data.items()) + "}"


class PathValue(str):
    """`request.path`: prints the path; `[0]` is a segment, `['id']` a path template variable."""

    _segments: tuple[str, ...]
    _named: Mapping[str, str]

    def __new__(cls, path: str, named: Mapping[str, str]) -> PathValue:
        self = super().__new__(cls, path)
        self._segments = tuple(unquote(s) for s in path.strip("/").split("/") if s)
        self._named = named
        return self

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            if key in self._named:
                return self._named[key]
            if key.lstrip("-").isdigit():
                return self._segments[int(key)]
            raise KeyError(key)
        if isinstance(key, slice):
            return str.__getitem__(self, key)
        return self._segments[key]

    def __getattr__(self, name: str) -> str:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._named[name]
        except KeyError:
            raise AttributeError(name) from None

    def __len__(self) -> int:
        return len(self._segments)

    def __iter__(self) -> Iterator[str]:
        return iter(self._segments)

    def __bool__(self) -> bool:
        return True

    __eq__ = str.__eq__
    __hash__ = str.__hash__

    @property
    def first(self) -> str:
        return self._segments[0] if self._segments else ""

    @property
    def last(self) -> str:
        return self._segments[-1] if self._segments else ""


class MethodValue(str):
    """`request.method`: text everywhere, except that WireMock's `eq` never finds it equal to a
    string (the method is an object there), which translated Handlebars reproduces."""


class RequestModel:
    """WireMock's `RequestTemplateModel`: what `{{ request.* }}` can read."""

    __slots__ = ("_request", "_named", "_cache")

    def __init__(self, request: Request, path_parameters: Mapping[str, str]) -> None:
        self._request = request
        self._named = dict(path_parameters)
        self._cache: dict[str, Any] = {}

    def __getitem__(self, name: object) -> Any:
        if not isinstance(name, str) or name.startswith("_") or name not in _FIELDS:
            raise KeyError(name)
        return getattr(self, name)

    def _cached(self, key: str, build: Any) -> Any:
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]

    @property
    def id(self) -> str:
        return self._request.id

    @property
    def url(self) -> str:
        return self._request.url

    @property
    def path(self) -> PathValue:
        return self._cached("path", lambda: PathValue(self._request.path, self._named))  # type: ignore[no-any-return]

    pathSegments = path  # noqa: N815 - WireMock's name

    @property
    def pathParameters(self) -> dict[str, str]:  # noqa: N802 - WireMock's name
        return dict(self._named)

    @property
    def query(self) -> Params:
        return self._cached("query", lambda: Params(self._request.query))  # type: ignore[no-any-return]

    @property
    def headers(self) -> Params:
        return self._cached(  # type: ignore[no-any-return]
            "headers", lambda: Params(_headers(self._request.headers), fold_case=True))

    @property
    def cookies(self) -> Params:
        return self._cached("cookies", lambda: Params(self._request.cookies))  # type: ignore[no-any-return]

    @property
    def method(self) -> MethodValue:
        return MethodValue(self._request.method)

    @property
    def body(self) -> str:
        return self._request.body_text or ""

    @property
    def bodyAsBase64(self) -> str:  # noqa: N802 - WireMock's name
        return base64.b64encode(self._request.body).decode("ascii")

    @property
    def baseUrl(self) -> str:  # noqa: N802 - WireMock's name
        request = self._request
        default = (request.scheme, request.port) in (("http", 80), ("https", 443))
        host = request.host if default else f"{request.host}:{request.port}"
        return f"{request.scheme}://{host}{request.base_path}"

    @property
    def host(self) -> str:
        return self._request.host

    @property
    def port(self) -> int:
        return self._request.port

    @property
    def scheme(self) -> str:
        return self._request.scheme

    @property
    def clientIp(self) -> str:  # noqa: N802 - WireMock's name
        return self._request.client_ip

    @property
    def isBinary(self) -> bool:  # noqa: N802 - WireMock's name
        if not self._request.body:
            return False
        try:
            self._request.body.decode("utf-8")
        except UnicodeDecodeError:
            return True
        return False

    binary = isBinary

    @property
    def isMultipart(self) -> bool:  # noqa: N802 - WireMock's name
        return self._request.is_multipart

    multipart = isMultipart

    @property
    def parts(self) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for part in self._request.parts:
            if part.name is None or part.name in out:
                continue
            out[part.name] = {
                "name": part.name,
                "headers": Params(_headers(part.headers), fold_case=True),
                "body": part.content.text or "",
                "bodyAsBase64": base64.b64encode(part.body).decode("ascii"),
                "binary": _is_binary(part.body),
            }
        return out

    @property
    def requestLine(self) -> RequestModel:  # noqa: N802 - WireMock's deprecated alias
        return self

    def __str__(self) -> str:
        return f"{self._request.method} {self._request.url}"


def _is_binary(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def _headers(headers: list[tuple[str, str]]) -> MultiDict:
    out: MultiDict = {}
    for name, value in headers:
        out.setdefault(name, []).append(value)
    return out


_FIELDS = frozenset(
    name for name, value in vars(RequestModel).items()
    if isinstance(value, property) and not name.startswith("_")
)
