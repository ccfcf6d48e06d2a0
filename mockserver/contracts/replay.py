"""What a stub file says about the real API: the request to replay, and the answer recorded.

Drift checking replays stubs against the live API, so it needs a concrete request from a
request pattern: a literal `url` or `urlPath` (a `urlPathTemplate` whose parameters the stub
pins with `equalTo`), `equalTo` query parameters and headers, an `equalTo`/`equalToJson`
body. A pattern that only describes a family of requests (regexes, `anyUrl`) cannot be
replayed and is reported as skipped, with the reason, rather than guessed at.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from mockserver.errors import StubFileError
from mockserver.stubs.files import decode, display_name, locate_line, mapping_files

SAFE_METHODS = ("GET", "HEAD")
_TEMPLATE_PARAM = re.compile(r"\{([^}/]+)\}")


@dataclass(frozen=True, slots=True)
class StubEntry:
    """One stub as written in its file, with where it is (for reports and rewriting)."""

    file: Path
    display: str
    key_path: tuple[str | int, ...]
    line: int | None
    stub: dict[str, Any]
    text: str = field(default="", repr=False)  # the file's text, to locate keys in it

    def line_of(self, *keys: str | int) -> int | None:
        """The line of `keys` below this stub (the deepest that exists in the file)."""
        if not self.text:
            return self.line
        return locate_line(self.text, self.file.suffix.lower() == ".json",
                           (*self.key_path, *keys))

    @property
    def label(self) -> str:
        where = f"{self.display}:{self.line}" if self.line else self.display
        name = self.stub.get("name")
        return f"{where} ({name})" if isinstance(name, str) and name else where


@dataclass(frozen=True, slots=True)
class Replay:
    method: str
    path_and_query: str
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None


@dataclass(frozen=True, slots=True)
class Expected:
    status: int
    content_type: str | None
    body: Any = None  # parsed JSON, or None when the answer is not JSON
    is_json: bool = False
    ignore: tuple[str, ...] = field(default=())  # JSONPaths from metadata.drift.ignore


def stub_entries(root_dir: Path) -> tuple[list[StubEntry], list[StubFileError]]:
    """Every stub under `root_dir/mappings`, as written, in load order."""
    entries: list[StubEntry] = []
    errors: list[StubFileError] = []
    mappings = root_dir / "mappings"
    for path in mapping_files(mappings):
        display = display_name(path)
        is_json = path.suffix.lower() == ".json"
        try:
            text = path.read_text(encoding="utf-8-sig")
            data = decode(text, display=display, is_json=is_json)
        except StubFileError as exc:
            errors.append(exc)
            continue
        except (OSError, UnicodeDecodeError) as exc:
            errors.append(StubFileError(display, None, (), f"cannot read file: {exc}"))
            continue
        items: list[tuple[tuple[str | int, ...], Any]]
        if isinstance(data, dict) and isinstance(data.get("mappings"), list):
            items = [(("mappings", i), item) for i, item in enumerate(data["mappings"])]
        elif isinstance(data, list):
            items = [((i,), item) for i, item in enumerate(data)]
        elif data is None:
            items = []
        else:
            items = [((), data)]
        for key_path, item in items:
            if isinstance(item, dict):
                line = locate_line(text, is_json, key_path) if key_path else 1
                entries.append(StubEntry(path, display, key_path, line, item, text))
    return entries, errors


def _equal_to(spec: Any) -> str | None:
    if isinstance(spec, dict) and isinstance(spec.get("equalTo"), str | int | float):
        return str(spec["equalTo"])
    return None


def replay_of(stub: dict[str, Any], *, unsafe_methods: bool) -> Replay | str:
    """The concrete request a stub describes, or why there is none."""
    request = stub.get("request")
    if not isinstance(request, dict):
        return "no request pattern"
    method = str(request.get("method", "ANY")).upper()
    if method == "ANY":
        method = "GET"
    if method not in SAFE_METHODS and not unsafe_methods:
        return f"{method} is not replayed without --unsafe-methods"
    path = _path_of(request)
    if path is None:
        return "the URL is a pattern, not one concrete URL"
    query: list[tuple[str, str]] = []
    for name, spec in (request.get("queryParameters") or {}).items():
        value = _equal_to(spec)
        if value is None:
            if isinstance(spec, dict) and spec.get("absent") is True:
                continue
            return f"query parameter {name!r} is not an equalTo value"
        query.append((name, value))
    headers: list[tuple[str, str]] = []
    for name, spec in (request.get("headers") or {}).items():
        value = _equal_to(spec)
        if value is not None:
            headers.append((name, value))
    body = _body_of(request) if method not in SAFE_METHODS else None
    if query:
        path += ("&" if "?" in path else "?") + urlencode(query)
    return Replay(method, path, tuple(headers), body)


def _path_of(request: dict[str, Any]) -> str | None:
    for key in ("url", "urlPath"):
        if isinstance(request.get(key), str):
            return str(request[key])
    template = request.get("urlPathTemplate")
    if isinstance(template, str):
        pinned = {name: _equal_to(spec)
                  for name, spec in (request.get("pathParameters") or {}).items()}
        names = _TEMPLATE_PARAM.findall(template)
        if all(pinned.get(name) is not None for name in names):
            return _TEMPLATE_PARAM.sub(lambda m: quote(str(pinned[m.group(1)]), safe=""),
                                       template)
    return None


def _body_of(request: dict[str, Any]) -> bytes | None:
    for pattern in request.get("bodyPatterns") or []:
        if not isinstance(pattern, dict):
            continue
        if "equalToJson" in pattern:
            value = pattern["equalToJson"]
            text = value if isinstance(value, str) else json.dumps(value)
            return text.encode()
        if isinstance(pattern.get("equalTo"), str):
            return str(pattern["equalTo"]).encode()
    return None


def expected_of(stub: dict[str, Any], files_dir: Path) -> Expected | str:
    """The answer the stub gives, as far as drift compares it, or why it has none."""
    response = stub.get("response")
    if not isinstance(response, dict):
        return "no response"
    if response.get("proxyBaseUrl") or response.get("fault"):
        return "a proxy or fault stub records no answer"
    status = response.get("status", 200)
    if not isinstance(status, int):
        return "status is not a number"
    content_type = None
    for name, value in (response.get("headers") or {}).items():
        if name.lower() == "content-type":
            content_type = value[0] if isinstance(value, list) and value else str(value)
    metadata = stub.get("metadata")
    drift = metadata.get("drift") if isinstance(metadata, dict) else None
    ignore = drift.get("ignore") if isinstance(drift, dict) else None
    ignored = tuple(str(p) for p in ignore) if isinstance(ignore, list) else ()
    body: Any = None
    is_json = False
    if "jsonBody" in response:
        body, is_json = response["jsonBody"], True
    else:
        text: str | None = None
        if isinstance(response.get("body"), str):
            text = response["body"]
        elif isinstance(response.get("bodyFileName"), str):
            target = (files_dir / response["bodyFileName"]).resolve()
            if files_dir.resolve() in target.parents and target.is_file():
                text = target.read_text(encoding="utf-8", errors="replace")
        if text is not None and _looks_json(content_type, text):
            try:
                body, is_json = json.loads(text), True
            except ValueError:
                pass
    return Expected(status, content_type, body, is_json, ignored)


def _looks_json(content_type: str | None, text: str) -> bool:
    if content_type and "json" in content_type.lower():
        return True
    return content_type is None and text.lstrip()[:1] in ("{", "[")


def media_type(content_type: str | None) -> str | None:
    """`application/json; charset=utf-8` -> `application/json` (parameters don't drift)."""
    if not content_type:
        return None
    return content_type.split(";", 1)[0].strip().lower() or None
