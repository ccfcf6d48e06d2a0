"""`mockserver drift --update`: a drifted stub takes the live answer, through the recorder.

The live answer goes through the same path as a recording (`record.generate`), so secrets are
masked exactly as `mockserver record` masks them. The stub keeps its request pattern, id, name
and everything else in its response (delays, transformers); only what was recorded (status,
headers, body) is replaced, and the file is rewritten atomically.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mockserver.contracts.drift import StubResult
from mockserver.exchange import Request
from mockserver.journal import ServeEvent
from mockserver.record.content import is_json_mime, mime_of
from mockserver.record.generate import response_definition
from mockserver.record.redaction import RedactionPolicy
from mockserver.record.spec import parse_record_spec
from mockserver.stubs.dump import to_yaml
from mockserver.stubs.files import decode
from mockserver.stubs.persistence import atomic_write

RECORDED_KEYS = ("status", "statusMessage", "headers", "body", "jsonBody", "base64Body",
                 "bodyFileName")


def recorded_response(
    result: StubResult, policy: RedactionPolicy, files_dir: Path
) -> dict[str, Any]:
    """The live answer of `result` as a stub response, secrets masked."""
    assert result.live is not None and result.replay is not None
    request = Request(result.replay.method, result.replay.path_and_query,
                      list(result.replay.headers))
    event = ServeEvent(request, None, status=result.live.status,
                       headers=list(result.live.headers), body=result.live.body)
    spec = parse_record_spec({}, redaction=policy)
    stub_id = str(result.entry.stub.get("id") or "drift")
    name = str(result.entry.stub.get("name") or "drift")
    body_files: dict[str, bytes] = {}
    response = response_definition(event, spec, name, stub_id, body_files, [])
    for file_name, data in body_files.items():
        atomic_write(files_dir / file_name, data)
    content_type = next((v for k, v in (response.get("headers") or {}).items()
                         if k.lower() == "content-type"), None)
    if isinstance(response.get("body"), str) and is_json_mime(mime_of(
            content_type if isinstance(content_type, str) else None)):
        try:
            response["jsonBody"] = json.loads(response.pop("body"))
        except ValueError:
            pass
    return response


def update_files(results: list[StubResult], root_dir: Path, policy: RedactionPolicy) -> list[Path]:
    """Rewrite the files of drifted stubs with their live answers; the files written."""
    by_file: dict[Path, list[StubResult]] = {}
    for result in results:
        if result.drifted and result.live is not None:
            by_file.setdefault(result.entry.file, []).append(result)
    written: list[Path] = []
    for path, group in by_file.items():
        is_json = path.suffix.lower() == ".json"
        data = decode(path.read_text(encoding="utf-8-sig"), display=str(path), is_json=is_json)
        for result in group:
            stub = _at(data, result.entry.key_path)
            response = {k: v for k, v in stub.get("response", {}).items()
                        if k not in RECORDED_KEYS}
            fresh = recorded_response(result, policy, root_dir / "__files")
            stub["response"] = {**fresh, **response}
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n" if is_json else to_yaml(data)
        atomic_write(path, text.encode("utf-8"))
        written.append(path)
    return written


def _at(data: Any, key_path: tuple[str | int, ...]) -> dict[str, Any]:
    node = data
    for part in key_path:
        node = node[part]
    assert isinstance(node, dict)
    return node
