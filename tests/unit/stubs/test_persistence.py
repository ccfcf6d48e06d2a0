"""Saving stubs under mappings/: atomic writes, WireMock-style file names, owned files only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from mockserver.model import StubSource
from mockserver.stubs import load_file, parse_stub, request_pattern_json
from mockserver.stubs.persistence import atomic_write, delete_stub_file, file_name_for, write_stub

ID = "33333333-3333-3333-3333-333333333333"


def test_atomic_write_creates_the_file_and_its_folders(tmp_path: Path) -> None:
    """atomic_write creates missing parent folders and leaves exactly the target file."""
    target = tmp_path / "deep" / "er" / "stub.yaml"
    atomic_write(target, b"hello")
    assert target.read_bytes() == b"hello"
    assert sorted(p.name for p in target.parent.iterdir()) == ["stub.yaml"]


def test_atomic_write_replaces_existing_content(tmp_path: Path) -> None:
    """A second write replaces the whole file and leaves no temporary files behind."""
    target = tmp_path / "stub.json"
    atomic_write(target, b"x" * 10_000)
    atomic_write(target, b"short")
    assert target.read_bytes() == b"short"
    assert [p.name for p in tmp_path.iterdir()] == ["stub.json"]


def test_atomic_write_cleans_up_on_failure(tmp_path: Path) -> None:
    """When the final rename fails, the temporary file is removed and the error raised."""
    target = tmp_path / "taken"
    target.mkdir()
    (target / "inside").write_text("keep")
    with pytest.raises(OSError):
        atomic_write(target, b"data")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]
    assert (target / "inside").read_text() == "keep"


def test_many_writes_leave_no_temporary_files(tmp_path: Path) -> None:
    """Repeated writes of several files leave only those files."""
    for round_ in range(5):
        for name in ("a.yaml", "b.yaml", "c.json"):
            atomic_write(tmp_path / name, f"{name} {round_}".encode())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.yaml", "b.yaml", "c.json"]
    assert (tmp_path / "c.json").read_text() == "c.json 4"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"name": "Saved One"}, f"saved-one-{ID}.yaml"),
        ({"name": "UPPER lower"}, f"upper-lower-{ID}.yaml"),
        ({"name": "Héllo/Wörld! (v2)"}, f"hllowrld-v2-{ID}.yaml"),
        ({"name": "under_score.dot"}, f"under_score.dot-{ID}.yaml"),
        ({"request": {"method": "PUT", "url": "/persist/me"}}, f"put-persistme-{ID}.yaml"),
        ({"request": {"method": "GET", "urlPath": "/a/b"}}, f"get-ab-{ID}.yaml"),
        ({"request": {"method": "GET", "url": "/a?b=1&c=2"}}, f"get-ab1c2-{ID}.yaml"),
        ({"request": {"urlPathTemplate": "/users/{id}"}}, f"any-usersid-{ID}.yaml"),
        ({"name": "x" * 300}, f"{'x' * 150}-{ID}.yaml"),
    ],
)
def test_file_names(data: dict[str, Any], expected: str) -> None:
    """Names follow WireMock: name or method-url, sanitised and lower-cased, then the id."""
    assert file_name_for(parse_stub({"id": ID, **data})) == expected


def test_file_name_keeps_trailing_dots() -> None:
    """A URL ending in `.` keeps it in the file name, as in WireMock."""
    stub = parse_stub({"id": ID, "request": {"method": "POST", "urlPathPattern": "/saved/two/.*"}})
    assert file_name_for(stub) == f"post-savedtwo.-{ID}.yaml"


def test_write_new_stub(tmp_path: Path) -> None:
    """A new stub is written as YAML under its file name, marked persistent, in the private view."""
    mappings = tmp_path / "mappings"
    stub = parse_stub({"id": ID, "name": "Saved One", "request": {"urlPath": "/a"}})
    source = write_stub(stub, mappings)
    path = mappings / f"saved-one-{ID}.yaml"
    assert source == StubSource(str(path), False)
    data = yaml.safe_load(path.read_text())
    assert data["id"] == ID
    assert data["persistent"] is True
    assert "insertionIndex" in data
    assert data["request"] == {"urlPath": "/a", "method": "ANY"}
    assert sorted(p.name for p in mappings.iterdir()) == [path.name]


def test_written_stub_loads_back(tmp_path: Path) -> None:
    """What write_stub saves, load_file reads back as the same stub."""
    stub = parse_stub({"id": ID, "request": {"method": "POST", "url": "/x", "bodyPatterns": [
        {"contains": "multi\nline"}]}, "response": {"status": 201, "body": "line1\nline2\n"}})
    source = write_stub(stub, tmp_path)
    (loaded,), errors = load_file(Path(source.path))
    assert errors == []
    assert loaded.id == ID
    assert request_pattern_json(loaded.request) == request_pattern_json(stub.request)
    assert loaded.response.body == "line1\nline2\n"
    assert loaded.persistent is True


def test_own_json_file_is_rewritten_in_place(tmp_path: Path) -> None:
    """A stub loaded from its own JSON file is saved back to that file, still as JSON."""
    own = tmp_path / "hand" / "written.json"
    own.parent.mkdir()
    own.write_text(json.dumps({"id": ID, "request": {"url": "/old"}}))
    stub = parse_stub({"id": ID, "request": {"url": "/new"}}, source=StubSource(str(own)))
    assert write_stub(stub, tmp_path / "mappings") == StubSource(str(own), False)
    assert json.loads(own.read_text())["request"]["url"] == "/new"
    assert not (tmp_path / "mappings").exists()


def test_stub_from_multi_file_gets_its_own_file(tmp_path: Path) -> None:
    """A stub from a multi-stub file is saved to a new file; the shared file is untouched."""
    shared = tmp_path / "many.yaml"
    shared.write_text("original")
    stub = parse_stub({"id": ID, "name": "one"}, source=StubSource(str(shared), multi=True))
    source = write_stub(stub, tmp_path / "mappings")
    assert source == StubSource(str(tmp_path / "mappings" / f"one-{ID}.yaml"), False)
    assert shared.read_text() == "original"


def test_delete_own_file(tmp_path: Path) -> None:
    """Deleting a stub removes its own file; a file already gone is no error."""
    path = tmp_path / "s.yaml"
    path.write_text("x")
    stub = parse_stub({"id": ID}, source=StubSource(str(path)))
    delete_stub_file(stub)
    assert not path.exists()
    delete_stub_file(stub)


@pytest.mark.parametrize("source_multi", [True, None])
def test_delete_leaves_shared_or_unknown_files(tmp_path: Path, source_multi: bool | None) -> None:
    """Stubs from multi-stub files, or without a file, delete nothing."""
    path = tmp_path / "many.yaml"
    path.write_text("x")
    source = None if source_multi is None else StubSource(str(path), multi=True)
    delete_stub_file(parse_stub({"id": ID}, source=source))
    assert path.read_text() == "x"
