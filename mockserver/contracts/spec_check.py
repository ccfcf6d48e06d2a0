"""`mockserver validate --openapi`: stubs that promise what the real API does not.

A stub for an operation the description lacks, or answering a status or body its schema
forbids, makes tests pass against an API that cannot behave that way. Stubs whose URL is a
pattern (regexes, `anyUrl`) describe families of requests and are not checked; templated
bodies are not checked either (their text is not the answer).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mockserver.contracts.openapi import Contract
from mockserver.contracts.replay import StubEntry, stub_entries

_PARAM = re.compile(r"\{[^}/]+\}")


@dataclass(frozen=True, slots=True)
class SpecProblem:
    entry: StubEntry
    key_path: str
    message: str

    def __str__(self) -> str:
        keys = [int(p) if p.isdigit() else p for p in self.key_path.split(".")]
        line = self.entry.line_of(*keys)
        where = f"{self.entry.display}:{line}" if line else self.entry.display
        prefix = ".".join(str(p) for p in self.entry.key_path)
        key = f"{prefix}.{self.key_path}" if prefix else self.key_path
        return f"{where}: {key}: {self.message}"


def check_stubs(root_dir: Path, contract: Contract) -> list[SpecProblem]:
    entries, _ = stub_entries(root_dir)  # file errors are reported by the ordinary validate
    problems: list[SpecProblem] = []
    for entry in entries:
        problems.extend(check_stub(entry, contract, root_dir / "__files"))
    return problems


def check_stub(entry: StubEntry, contract: Contract, files_dir: Path) -> list[SpecProblem]:
    request = entry.stub.get("request")
    response = entry.stub.get("response")
    if not isinstance(request, dict) or not isinstance(response, dict):
        return []
    located = _path_of(request)
    if located is None:
        return []
    key, path = located
    method = str(request.get("method", "ANY")).upper()
    if method == "ANY" or not contract.covers(_PARAM.sub("x", path)):
        return []
    found = contract.operation_of(method, path)
    if found is None:
        return [SpecProblem(entry, f"request.{key}",
                            f"{method} {path} is not an operation of {contract.source}")]
    if response.get("proxyBaseUrl") or response.get("fault"):
        return []
    template, operation = found
    problems: list[SpecProblem] = []
    status = response.get("status", 200)
    declared = [str(code) for code in (operation.get("responses") or {})]
    if isinstance(status, int) and not _declared(status, declared):
        problems.append(SpecProblem(
            entry, "response.status",
            f"{status} is not a response of {method} {template} "
            f"(declared: {', '.join(declared) or 'none'})"))
        return problems
    if "response-template" in (response.get("transformers") or []):
        return problems
    body, body_key = _body_of(response, files_dir)
    if body is None:
        return problems
    content_type = _content_type(response) or ("application/json" if body_key == "jsonBody"
                                               else None)
    concrete = _PARAM.sub("1", path)
    for violation in contract.check_response(method, concrete, int(status), content_type, body):
        where = violation.where
        suffix = where.split(" ", 1)[1] if where.startswith("body ") else ""
        detail = f"response.{body_key}{suffix[1:] if suffix.startswith('$') else ''}"
        if where == "status":
            detail = "response.status"
        problems.append(SpecProblem(entry, detail, violation.message))
    return problems


def _declared(status: int, declared: list[str]) -> bool:
    text = str(status)
    return any(code == text or code == "default" or (len(code) == 3 and code[1:].upper() == "XX"
                                                   and code[0] == text[0])
               for code in declared)


def _path_of(request: dict[str, Any]) -> tuple[str, str] | None:
    for key in ("urlPath", "urlPathTemplate"):
        if isinstance(request.get(key), str):
            return key, str(request[key])
    if isinstance(request.get("url"), str):
        return "url", str(request["url"]).partition("?")[0]
    return None


def _content_type(response: dict[str, Any]) -> str | None:
    for name, value in (response.get("headers") or {}).items():
        if name.lower() == "content-type":
            return str(value[0] if isinstance(value, list) and value else value)
    return None


def _body_of(response: dict[str, Any], files_dir: Path) -> tuple[bytes | None, str]:
    if "jsonBody" in response:
        return json.dumps(response["jsonBody"]).encode(), "jsonBody"
    if isinstance(response.get("body"), str):
        return response["body"].encode(), "body"
    name = response.get("bodyFileName")
    if isinstance(name, str):
        target = (files_dir / name).resolve()
        if files_dir.resolve() in target.parents and target.is_file():
            return target.read_bytes(), "bodyFileName"
    return None, ""
