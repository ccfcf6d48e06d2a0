"""What a test hands the Python API: stubs and request patterns as dicts or YAML/JSON text."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from mockserver.api.verification import StubLoadError
from mockserver.model import RequestPattern, StubMapping
from mockserver.stubs import decode, load_text, parse_request_pattern, parse_stub

Pattern = Mapping[str, Any] | str


def parse_stubs(mapping: Pattern) -> list[StubMapping]:
    if not isinstance(mapping, str):
        return [parse_stub(dict(mapping))]
    stubs, errors = load_text(mapping, path="<stub>", display="<stub>", is_json=False)
    if errors:
        raise StubLoadError.from_errors(errors)
    data = decode(mapping, display="<stub>")
    items = data.get("mappings", [data]) if isinstance(data, dict) else data
    out = []
    for stub, item in zip(stubs, items if isinstance(items, list) else [items], strict=False):
        named = isinstance(item, dict) and (item.get("id") or item.get("uuid"))
        # text without an id gets a fresh one (the file loader's ids are stable per location)
        out.append(stub.with_changes(source=None, id=stub.id if named else str(uuid.uuid4())))
    return out


def parse_pattern(pattern: Pattern) -> RequestPattern:
    data = decode(pattern, display="<pattern>") if isinstance(pattern, str) else dict(pattern)
    return parse_request_pattern({} if data is None else data)[0]
