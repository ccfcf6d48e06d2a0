"""Recorded stubs written as files people maintain: one YAML file per endpoint and method.

`GET /v1/customers/cus_8Hx2` lands in `mappings/get-v1-customers-id.yaml` (id-like path
segments read `id`), next to every other stub recorded for that endpoint. Keys come in a
reading order, JSON bodies are YAML (`jsonBody`, `equalToJson` objects), binary and large
bodies live in `__files`. Recording again replaces the stubs with the same method, URL and
body pattern and keeps everything else in the file, so files are updated, never duplicated.
Repeats whose answers are all the same collapse to one stub; real sequences stay scenarios.
"""

from __future__ import annotations

import base64
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mockserver.model import STARTED, StubMapping, StubSource
from mockserver.record import file_extension, is_json_mime, mime_of
from mockserver.stubs import load_directory, load_file, parse_stub, stub_to_json, to_yaml
from mockserver.stubs.keys import BODY_KEYS, URL_KEYS
from mockserver.stubs.persistence import atomic_write

INLINE_LIMIT = 64 * 1024  # bigger text bodies go to __files
VOLATILE_HEADERS = ("date",)  # a replayed recording date only misleads
_REQUEST_ORDER = ("method", *URL_KEYS, "pathParameters", "queryParameters", "headers",
                  "cookies", "basicAuthCredentials", "formParameters", "bodyPatterns",
                  "multipartPatterns")
_RESPONSE_ORDER = ("status", "statusMessage", "headers", "jsonBody", "body", "base64Body",
                   "bodyFileName")
_STUB_ORDER = ("name", "request", "response", "scenarioName", "requiredScenarioState",
               "newScenarioState", "priority", "metadata", "id")
_DROPPED_KEYS = ("uuid", "persistent", "insertionIndex")
_ID_SEGMENT = re.compile(
    r"^(\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{12,}"
    r"|(?=[A-Za-z_-]*\d)(?=\d*[A-Za-z])[A-Za-z0-9_-]{8,})$",
    re.IGNORECASE,
)


@dataclass
class WriteResult:
    stubs: list[StubMapping] = field(default_factory=list)  # recorded stubs, as now on disk
    kept: list[StubMapping] = field(default_factory=list)  # others in the same files
    replaced_ids: list[str] = field(default_factory=list)  # stubs the recording superseded
    files: list[Path] = field(default_factory=list)  # every file written


def endpoint_stem(method: str, path: str) -> str:
    """`GET /v1/customers/cus_8Hx2kQ9z` reads `get-v1-customers-id`."""
    parts = []
    for segment in path.split("?", 1)[0].split("/"):
        if not segment:
            continue
        parts.append("id" if _ID_SEGMENT.match(segment) else segment)
    text = "-".join([method.lower(), *parts]) if parts else f"{method.lower()}-root"
    text = re.sub(r"[^a-z0-9_.-]+", "-", text.lower())
    return re.sub(r"-{2,}", "-", text).strip("-.")[:120] or "stub"


def _path_of(request: dict[str, Any]) -> str:
    for key in URL_KEYS:
        if isinstance(request.get(key), str):
            return str(request[key])
    return "/"


def match_key(entry: dict[str, Any]) -> str:
    """What makes two recorded stubs "the same request": method, URL and body pattern."""
    request = entry.get("request") or {}
    key = {k: request.get(k) for k in ("method", *URL_KEYS, "queryParameters", "bodyPatterns")}
    key["method"] = key["method"] or "ANY"
    return json.dumps(key, sort_keys=True)


def _normal_key(entry: dict[str, Any]) -> str:
    """`match_key` of the stub as the loader reads it back (operators in WireMock's form)."""
    return match_key(stub_to_json(parse_stub(entry)))


def _ordered(obj: dict[str, Any], order: tuple[str, ...]) -> dict[str, Any]:
    out = {k: obj[k] for k in order if k in obj}
    out.update((k, v) for k, v in obj.items() if k not in out and k not in _DROPPED_KEYS)
    return out


def _content_type(response: dict[str, Any]) -> str | None:
    for name, value in (response.get("headers") or {}).items():
        if name.lower() == "content-type":
            return str(value[0] if isinstance(value, list) else value)
    return None


def _readable_request(request: dict[str, Any]) -> dict[str, Any]:
    request = dict(request)
    patterns = []
    for pattern in request.get("bodyPatterns") or []:
        operand = pattern.get("equalToJson")
        if isinstance(operand, str):
            try:
                pattern = {**pattern, "equalToJson": json.loads(operand)}
            except ValueError:
                pass
        patterns.append(pattern)
    if patterns:
        request["bodyPatterns"] = patterns
    return _ordered(request, _REQUEST_ORDER)


def _readable_response(
    response: dict[str, Any], stem: str, stub_id: str, path: str, bodies: dict[str, bytes]
) -> dict[str, Any]:
    """JSON as YAML, binary and large bodies to `__files` (named after the endpoint)."""
    response = dict(response)
    content_type = _content_type(response)
    headers = {k: v for k, v in (response.get("headers") or {}).items()
               if k.lower() not in VOLATILE_HEADERS}
    response.pop("headers", None)
    if headers:
        response["headers"] = headers
    data: bytes | None = None
    if "body" in response:
        text = str(response["body"])
        data = text.encode("utf-8")
        if is_json_mime(mime_of(content_type)) and len(data) <= INLINE_LIMIT:
            try:
                document = json.loads(text)
            except ValueError:
                document = None
            if isinstance(document, (dict, list)):
                del response["body"]
                response["jsonBody"] = document
                data = None
        if data is not None and len(data) <= INLINE_LIMIT:
            data = None
    elif "base64Body" in response:
        data = base64.b64decode(response["base64Body"])
    if data is not None:
        name = f"{stem}-{stub_id[:8]}.{file_extension(content_type, path, data)}"
        bodies[name] = data
        response.pop("body", None)
        response.pop("base64Body", None)
        response["bodyFileName"] = name
    return _ordered(response, _RESPONSE_ORDER)


def readable(entry: dict[str, Any], stem: str, bodies: dict[str, bytes]) -> dict[str, Any]:
    """A stub as it is written to disk: reading order, no bookkeeping keys, YAML bodies."""
    entry = dict(entry)
    request = entry.get("request") or {}
    entry["request"] = _readable_request(request)
    entry["response"] = _readable_response(entry.get("response") or {}, stem,
                                           str(entry.get("id", "")), _path_of(request), bodies)
    return _ordered(entry, _STUB_ORDER)


def _answer(entry: dict[str, Any], bodies: dict[str, bytes]) -> str:
    """Status and body: what decides whether two recorded answers differ."""
    response = entry.get("response") or {}
    body: Any = {k: response[k] for k in BODY_KEYS if k in response}
    if "bodyFileName" in body and body["bodyFileName"] in bodies:
        body = base64.b64encode(bodies[body["bodyFileName"]]).decode("ascii")
    return json.dumps([response.get("status", 200), body], sort_keys=True, default=str)


def _collapse(group: list[dict[str, Any]], bodies: dict[str, bytes]) -> list[dict[str, Any]]:
    """A scenario whose answers are all alike is one stub: the first."""
    if len(group) > 1 and len({_answer(e, bodies) for e in group}) > 1:
        return group
    first = {k: v for k, v in group[0].items()
             if k not in ("scenarioName", "requiredScenarioState", "newScenarioState")}
    return [first]


def _rename_scenario(group: list[dict[str, Any]], name: str) -> None:
    for count, entry in enumerate(group, start=1):
        entry["scenarioName"] = name
        entry["requiredScenarioState"] = STARTED if count == 1 else f"{name}-{count}"
        entry.pop("newScenarioState", None)
        if count < len(group):
            entry["newScenarioState"] = f"{name}-{count + 1}"


def write_recorded(
    stubs: list[dict[str, Any]], body_files: dict[str, bytes], root_dir: Path
) -> WriteResult:
    """Merge recorded stubs (WireMock JSON, oldest first) into `ROOT/mappings` as YAML."""
    mappings_dir, files_dir = root_dir / "mappings", root_dir / "__files"
    result = WriteResult()
    by_file: dict[str, list[list[dict[str, Any]]]] = {}
    groups: dict[str, list[dict[str, Any]]] = {}
    for stub in stubs:  # a scenario (or a single stub) is one group
        request = stub.get("request") or {}
        key = match_key(stub)
        if key not in groups:
            groups[key] = []
            stem = endpoint_stem(str(request.get("method", "ANY")), _path_of(request))
            by_file.setdefault(stem, []).append(groups[key])
        groups[key].append(stub)
    taken = {s.scenario_name for s in load_directory(mappings_dir).stubs if s.scenario_name}
    for stem, file_groups in by_file.items():
        path, existing = _target(mappings_dir, stem)
        bodies = dict(body_files)
        new_groups = []
        for group in file_groups:
            entries = _collapse([readable(e, stem, bodies) for e in group], bodies)
            new_groups.append(entries)
        _merge_into(path, stem, existing, new_groups, bodies, taken, files_dir, result)
    return result


def _target(mappings_dir: Path, stem: str) -> tuple[Path, list[dict[str, Any]]]:
    """The file for an endpoint and what it holds; a file that does not load is left alone."""
    for n in range(1, 100):
        path = mappings_dir / (f"{stem}.yaml" if n == 1 else f"{stem}-{n}.yaml")
        if not path.exists():
            return path, []
        loaded, errors = load_file(path)
        if not errors:
            return path, [stub_to_json(s) for s in loaded]
    raise OSError(f"no free file name for {stem} in {mappings_dir}")


def _merge_into(
    path: Path,
    stem: str,
    existing: list[dict[str, Any]],
    new_groups: list[list[dict[str, Any]]],
    bodies: dict[str, bytes],
    taken: set[str],
    files_dir: Path,
    result: WriteResult,
) -> None:
    new_keys = {_normal_key(g[0]): g for g in new_groups}
    replaced = [e for e in existing if _normal_key(e) in new_keys]
    taken -= {str(e["scenarioName"]) for e in replaced if e.get("scenarioName")}
    for group in new_groups:
        if len(group) > 1:
            name = next(n for n in (stem if i == 1 else f"{stem}-{i}" for i in range(1, 10**6))
                        if n not in taken)
            taken.add(name)
            _rename_scenario(group, name)
        group[:] = [_ordered(entry, _STUB_ORDER) for entry in group]
    final: list[dict[str, Any]] = []
    placed: set[str] = set()
    for entry in existing:
        key = _normal_key(entry)
        if key not in new_keys:
            final.append(_ordered(entry, _STUB_ORDER))
        elif key not in placed:  # the new group takes the old group's place
            final.extend(new_keys[key])
            placed.add(key)
    for key, group in new_keys.items():
        if key not in placed:
            final.extend(group)
    new_ids = {str(e.get("id")) for g in new_groups for e in g}
    data: Any = final[0] if len(final) == 1 else final
    atomic_write(path, to_yaml(data).encode("utf-8"))
    result.files.append(path)
    referenced = {str(e["response"].get("bodyFileName")) for e in final
                  if isinstance(e.get("response"), dict)}
    for name in sorted(referenced & set(bodies)):
        target = files_dir / name
        atomic_write(target, bodies[name])
        result.files.append(target)
    for entry in replaced:
        result.replaced_ids.append(str(entry.get("id")))
        old_file = (entry.get("response") or {}).get("bodyFileName")
        if isinstance(old_file, str) and old_file not in referenced:
            _remove_body_file(files_dir, old_file, stem)
    source = StubSource(str(path), len(final) > 1)
    for entry in final:
        stub = parse_stub(entry, source=source)
        (result.stubs if stub.id in new_ids else result.kept).append(stub)


def _remove_body_file(files_dir: Path, name: str, stem: str) -> None:
    """Delete a superseded body file, but only one this module named (after the endpoint)."""
    if not name.startswith(f"{stem}-") or "/" in name or "\\" in name:
        return
    try:
        os.unlink(files_dir / name)
    except OSError:
        pass
