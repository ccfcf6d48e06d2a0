"""Writing stubs to `ROOT/mappings` atomically, and removing the files the server owns.

A hand-written file is rewritten only when its own stub was edited through the admin API and
then saved, and deleted only when that very stub is deleted while persistent.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path

from mockserver.model import StubMapping, StubSource
from mockserver.stubs.dump import stub_to_json, to_yaml


def atomic_write(path: Path, data: bytes) -> None:
    """Write via a temporary file in the same folder and rename: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def file_name_for(stub: StubMapping) -> str:
    """WireMock's naming (`name` or `method-url`, then `-id`), sanitised, as `.yaml`."""
    if stub.name:
        base = stub.name
    else:
        url = stub.request.url.value if stub.request.url is not None else ""
        base = f"{stub.request.method}-{url}"
    base = re.sub(r"[^A-Za-z0-9_\-.]", "", base.replace(" ", "-")).lower().lstrip(".") or "stub"
    return f"{base[:150]}-{stub.id}.yaml"


def write_stub(stub: StubMapping, mappings_dir: Path) -> StubSource:
    """Persist one stub; a stub loaded from its own file keeps that file (and its format)."""
    source = stub.source
    if source is not None and not source.multi:
        path = Path(source.path)
    else:
        path = mappings_dir / file_name_for(stub)
    data = stub_to_json(stub.with_changes(persistent=True), private=True)
    if path.suffix.lower() == ".json":
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    else:
        text = to_yaml(data)
    atomic_write(path, text.encode("utf-8"))
    return StubSource(str(path), False)


def delete_stub_file(stub: StubMapping) -> None:
    source = stub.source
    if source is None or source.multi:
        return
    try:
        os.unlink(source.path)
    except FileNotFoundError:
        pass
