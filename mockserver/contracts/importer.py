"""`mockserver openapi import`: one stub file per operation of an OpenAPI description.

Each stub answers the operation's first 2xx response with its example (or a value generated
from its schema) and content type; path parameters become a `urlPathTemplate`. Stubs carry
`metadata.openapi.operationId`, so importing again finds them (in whatever file they were
moved to) and updates them in place: their id, and keys people added (priority, delays),
are kept.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mockserver.contracts.examples import example_of, resolve
from mockserver.contracts.replay import stub_entries
from mockserver.stubs.dump import to_yaml
from mockserver.stubs.files import decode, name_based_id
from mockserver.stubs.persistence import atomic_write

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_SLUG = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass
class ImportResult:
    created: list[Path] = field(default_factory=list)
    updated: list[Path] = field(default_factory=list)
    operations: int = 0


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    """(method, path template, operation, path item) for every operation, in file order."""
    out = []
    for template, item in (document.get("paths") or {}).items():
        item = resolve(document, item)
        if not isinstance(item, dict):
            continue
        for method in METHODS:
            operation = item.get(method)
            if isinstance(operation, dict):
                out.append((method, str(template), operation, item))
    return out


def operation_id(method: str, template: str, operation: dict[str, Any]) -> str:
    given = operation.get("operationId")
    if isinstance(given, str) and given:
        return given
    return _SLUG.sub("-", f"{method}-{template}").strip("-")


def stub_for(document: dict[str, Any], method: str, template: str,
             operation: dict[str, Any], item: dict[str, Any], base_path: str) -> dict[str, Any]:
    """The WireMock stub answering one operation."""
    op_id = operation_id(method, template, operation)
    url = base_path + (template if template.startswith("/") else "/" + template)
    request: dict[str, Any] = {"method": method.upper()}
    request["urlPathTemplate" if "{" in url else "urlPath"] = url
    status, response = _first_success(document, operation)
    answer: dict[str, Any] = {"status": status}
    content = response.get("content") if isinstance(response, dict) else None
    if isinstance(content, dict) and content:
        media_type = next((m for m in content if "json" in m.lower()), next(iter(content)))
        media = resolve(document, content[media_type]) or {}
        value = example_of(document, media)
        answer["headers"] = {"Content-Type": media_type}
        if "json" in media_type.lower():
            answer["jsonBody"] = value
        elif value is not None:
            answer["body"] = value if isinstance(value, str) else json.dumps(value)
    return {
        "id": name_based_id(f"openapi#{op_id}"),
        "name": op_id,
        "request": request,
        "response": answer,
        "metadata": {"openapi": {"operationId": op_id}},
    }


def _first_success(document: dict[str, Any], operation: dict[str, Any]) -> tuple[int, Any]:
    responses = operation.get("responses") or {}
    codes = sorted(str(code) for code in responses)
    for code in codes:
        if code.startswith("2"):
            status = int(code) if code.isdigit() else 200
            return status, resolve(document, responses[code])
    if "default" in responses:
        return 200, resolve(document, responses["default"])
    return 200, {}


def import_spec(document: dict[str, Any], root_dir: Path, base_path: str = "") -> ImportResult:
    """Write or update the stubs of every operation under `root_dir/mappings`."""
    mappings = root_dir / "mappings"
    existing: dict[str, tuple[Path, tuple[str | int, ...]]] = {}
    entries, _ = stub_entries(root_dir)
    for entry in entries:
        metadata = entry.stub.get("metadata")
        openapi = metadata.get("openapi") if isinstance(metadata, dict) else None
        if isinstance(openapi, dict) and isinstance(openapi.get("operationId"), str):
            existing[openapi["operationId"]] = (entry.file, entry.key_path)
    result = ImportResult()
    pending: dict[Path, list[tuple[tuple[str | int, ...], dict[str, Any]]]] = {}
    for method, template, operation, item in operations(document):
        result.operations += 1
        stub = stub_for(document, method, template, operation, item, base_path)
        op_id = stub["metadata"]["openapi"]["operationId"]
        if op_id in existing:
            path, key_path = existing[op_id]
            pending.setdefault(path, []).append((key_path, stub))
            continue
        path = mappings / f"{_SLUG.sub('-', op_id).strip('-') or 'operation'}.yaml"
        atomic_write(path, to_yaml(stub).encode("utf-8"))
        result.created.append(path)
    for path, updates in pending.items():
        is_json = path.suffix.lower() == ".json"
        data = decode(path.read_text(encoding="utf-8-sig"), display=str(path), is_json=is_json)
        for key_path, stub in updates:
            if key_path:
                target = data
                for part in key_path[:-1]:
                    target = target[part]
                target[key_path[-1]] = _merged(target[key_path[-1]], stub)
            else:
                data = _merged(data, stub)
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n" if is_json else to_yaml(data)
        atomic_write(path, text.encode("utf-8"))
        result.updated.append(path)
    return result


def _merged(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """The new request and answer; the old id and the keys people added stay."""
    out = dict(old)
    out["request"] = new["request"]
    response = {k: v for k, v in (old.get("response") or {}).items()
                if k not in ("status", "headers", "body", "jsonBody", "base64Body",
                             "bodyFileName")}
    out["response"] = {**new["response"], **response}
    out.setdefault("id", new["id"])
    out.setdefault("name", new["name"])
    metadata = dict(old.get("metadata") or {})
    metadata["openapi"] = new["metadata"]["openapi"]
    out["metadata"] = metadata
    return out
