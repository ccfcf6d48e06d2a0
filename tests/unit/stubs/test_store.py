"""`StubStore`: the running server's stubs, refusing what it cannot do with domain errors and
deleting or rewriting only the files it should."""

from __future__ import annotations

from pathlib import Path

import pytest
import structlog

from mockserver.errors import DuplicateStubError, ReadOnlyStubError, UnknownStubError
from mockserver.stubs import parse_stub
from mockserver.stubs.store import StubStore

STUB_ID = "7d4b5f3e-0a0b-4c1d-9e2f-3a4b5c6d7e8f"


@pytest.fixture
def mappings(tmp_path: Path) -> Path:
    folder = tmp_path / "mappings"
    folder.mkdir()
    return folder


def store(mappings: Path) -> StubStore:
    stubs = StubStore(mappings, structlog.get_logger("mockserver"))
    stubs.load()
    return stubs


def test_a_second_stub_with_a_taken_id_is_refused(mappings: Path) -> None:
    """Adding a stub whose id is already used raises DuplicateStubError naming the id."""
    stubs = store(mappings)
    stubs.add(parse_stub({"id": STUB_ID, "name": "first", "request": {"url": "/a"}}))
    with pytest.raises(DuplicateStubError) as info:
        stubs.add(parse_stub({"id": STUB_ID, "name": "second", "request": {"url": "/b"}}))
    assert info.value.stub_id == STUB_ID
    assert [s.name for s in stubs.registry.all()] == ["first"]


def test_editing_an_unknown_stub_is_refused(mappings: Path) -> None:
    """Editing an id no stub has raises UnknownStubError and adds nothing."""
    stubs = store(mappings)
    with pytest.raises(UnknownStubError):
        stubs.edit(parse_stub({"id": STUB_ID, "request": {"url": "/a"}}))
    assert stubs.registry.all() == []


def test_a_stub_from_a_multi_stub_file_is_never_rewritten(mappings: Path) -> None:
    """Persisting an edit of a stub loaded from a file of several stubs raises
    ReadOnlyStubError and leaves the file as it was."""
    text = (f"- {{id: {STUB_ID}, request: {{url: /a}}, response: {{body: A}}}}\n"
            "- {request: {url: /b}, response: {body: B}}\n")
    (mappings / "both.yaml").write_text(text)
    stubs = store(mappings)
    with pytest.raises(ReadOnlyStubError, match="multi-stub file"):
        stubs.edit(parse_stub({"id": STUB_ID, "persistent": True, "request": {"url": "/a"},
                               "response": {"body": "edited"}}))
    assert (mappings / "both.yaml").read_text() == text


def test_removing_all_deletes_only_the_files_the_store_wrote(mappings: Path) -> None:
    """`remove_all` forgets every stub, deletes persisted stubs' files, keeps hand-written ones."""
    (mappings / "hand.yaml").write_text("request: {url: /hand}\nresponse: {body: H}\n")
    stubs = store(mappings)
    stubs.add(parse_stub({"name": "mine", "persistent": True, "request": {"url": "/mine"}}))
    assert len(list(mappings.iterdir())) == 2
    stubs.remove_all()
    assert stubs.registry.all() == []
    assert [p.name for p in mappings.iterdir()] == ["hand.yaml"]


def test_save_all_writes_new_and_edited_stubs_but_not_untouched_files(mappings: Path) -> None:
    """`save_all` persists admin stubs and edited file stubs; an unedited file is not touched."""
    (mappings / "hand.yaml").write_text("name: hand\nrequest: {url: /hand}\n")
    (mappings / "edit.yaml").write_text(f"id: {STUB_ID}\nrequest: {{url: /e}}\n")
    stubs = store(mappings)
    hand_mtime = (mappings / "hand.yaml").stat().st_mtime_ns
    stubs.add(parse_stub({"name": "new", "request": {"url": "/new"}}))
    stubs.edit(parse_stub({"id": STUB_ID, "request": {"url": "/e"},
                           "response": {"body": "edited"}}))
    stubs.save_all()
    assert (mappings / "hand.yaml").stat().st_mtime_ns == hand_mtime
    assert "edited" in (mappings / "edit.yaml").read_text()
    assert len(list(mappings.iterdir())) == 3
    assert all(s.persistent for s in stubs.registry.all() if s.name != "hand")
