"""`Reloader`: changed stub files are re-read, checked and swapped in; broken ones keep serving."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import structlog

from mockserver.exchange import Request
from mockserver.stubs import parse_stub
from mockserver.stubs.reload import Reloader
from mockserver.stubs.store import StubStore


def stub_yaml(url: str, body: str, extra: str = "") -> str:
    return f"request: {{method: GET, url: {url}}}\nresponse: {{status: 200, body: {body}}}\n{extra}"


def write(path: Path, text: str) -> None:
    """Write and move the mtime on by a second, so even a same-size edit is seen."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text)
    after = max(path.stat().st_mtime_ns, before + 1_000_000_000)
    os.utime(path, ns=(after, after))


@pytest.fixture
def mappings(tmp_path: Path) -> Path:
    folder = tmp_path / "mappings"
    folder.mkdir()
    return folder


def start(mappings: Path) -> tuple[StubStore, Reloader]:
    stubs = StubStore(mappings, structlog.get_logger("mockserver"))
    reloader = Reloader(mappings)
    reloader.baseline()
    stubs.load()
    return stubs, reloader


def answer(stubs: StubStore, url: str) -> str | None:
    stub = stubs.registry.find(Request("GET", url))
    return None if stub is None else stub.response.body


def reload(stubs: StubStore, reloader: Reloader) -> object:
    return reloader.apply(stubs, reloader.scan())


def test_nothing_changed_means_nothing_done(mappings: Path) -> None:
    """A scan with no file changed plans nothing, and applying it changes nothing."""
    write(mappings / "a.yaml", stub_yaml("/a", "A"))
    stubs, reloader = start(mappings)
    before = stubs.registry.all()
    report = reload(stubs, reloader)
    assert not report
    assert stubs.registry.all() == before


def test_an_edited_file_replaces_its_stubs_and_keeps_their_ids(mappings: Path) -> None:
    """Editing a file swaps in its new stubs; stubs without an id keep the same id."""
    write(mappings / "a.yaml", stub_yaml("/a", "old"))
    stubs, reloader = start(mappings)
    (old_id,) = [s.id for s in stubs.registry.all()]
    write(mappings / "a.yaml", stub_yaml("/a", "new"))
    report = reload(stubs, reloader)
    assert report.reloaded == [str(mappings / "a.yaml")]
    assert answer(stubs, "/a") == "new"
    assert [s.id for s in stubs.registry.all()] == [old_id]


def test_a_reloaded_file_keeps_its_precedence(mappings: Path) -> None:
    """Of two files stubbing one URL, the later-loaded still wins after the earlier is edited."""
    write(mappings / "a.yaml", stub_yaml("/same", "from-a"))
    write(mappings / "b.yaml", stub_yaml("/same", "from-b"))
    stubs, reloader = start(mappings)
    assert answer(stubs, "/same") == "from-b"
    write(mappings / "a.yaml", stub_yaml("/same", "from-a-edited"))
    reload(stubs, reloader)
    assert answer(stubs, "/same") == "from-b"
    (mappings / "b.yaml").unlink()
    reload(stubs, reloader)
    assert answer(stubs, "/same") == "from-a-edited"


def test_a_broken_edit_keeps_the_old_stubs_and_reports_where(mappings: Path) -> None:
    """A file that no longer loads keeps serving its old stubs; its error names file and line."""
    write(mappings / "a.yaml", stub_yaml("/a", "A"))
    write(mappings / "b.yaml", stub_yaml("/b", "B"))
    stubs, reloader = start(mappings)
    write(mappings / "a.yaml", "request:\n  url: /a\n  headers: {X: {equals: 1}}\n")
    write(mappings / "b.yaml", stub_yaml("/b", "B2"))
    report = reload(stubs, reloader)
    assert list(report.failed) == [str(mappings / "a.yaml")]
    (error,) = report.failed[str(mappings / "a.yaml")]
    assert error.line == 3 and "unknown operator 'equals'" in error.message
    assert [str(e) for e in stubs.load_errors] == [str(error)]
    assert answer(stubs, "/a") == "A"  # the old stub still serves
    assert answer(stubs, "/b") == "B2"  # the good file of the same scan is swapped in
    write(mappings / "a.yaml", stub_yaml("/a", "fixed"))
    report = reload(stubs, reloader)
    assert report.reloaded == [str(mappings / "a.yaml")] and not report.failed
    assert answer(stubs, "/a") == "fixed"
    assert stubs.load_errors == []


def test_invalid_yaml_keeps_the_old_stubs(mappings: Path) -> None:
    """A half-saved file (a YAML syntax error) changes nothing until it is whole again."""
    write(mappings / "a.yaml", stub_yaml("/a", "A"))
    stubs, reloader = start(mappings)
    write(mappings / "a.yaml", "request: {url: /a\n")
    report = reload(stubs, reloader)
    assert "invalid YAML" in report.failed[str(mappings / "a.yaml")][0].message
    assert answer(stubs, "/a") == "A"


def test_files_added_and_removed_come_and_go_but_admin_stubs_stay(mappings: Path) -> None:
    """A new file's stubs appear, a deleted file's disappear, stubs added by the API remain."""
    write(mappings / "a.yaml", stub_yaml("/a", "A"))
    stubs, reloader = start(mappings)
    stubs.add(parse_stub({"request": {"url": "/api"}, "response": {"body": "API"}}))
    write(mappings / "new.yaml", stub_yaml("/new", "NEW"))
    (mappings / "a.yaml").unlink()
    report = reload(stubs, reloader)
    assert report.reloaded == [str(mappings / "new.yaml")]
    assert report.removed == [str(mappings / "a.yaml")]
    assert answer(stubs, "/a") is None
    assert answer(stubs, "/new") == "NEW"
    assert answer(stubs, "/api") == "API"


def test_scenario_state_survives_a_reload(mappings: Path) -> None:
    """Reloading a scenario's file keeps its current stubs; the journal is untouched."""
    scenario = (
        "- {scenarioName: cart, requiredScenarioState: Started, newScenarioState: Full,\n"
        "   request: {url: /cart}, response: {body: empty}}\n"
        "- {scenarioName: cart, requiredScenarioState: Full,\n"
        "   request: {url: /cart}, response: {body: BODY}}\n"
    )
    write(mappings / "cart.yaml", scenario.replace("BODY", "full"))
    stubs, reloader = start(mappings)
    assert answer(stubs, "/cart") == "empty"
    write(mappings / "cart.yaml", scenario.replace("BODY", "one item"))
    reload(stubs, reloader)
    assert stubs.registry.scenarios.state("cart") == "Full"
    assert answer(stubs, "/cart") == "one item"


def test_a_stub_id_used_elsewhere_refuses_the_file(mappings: Path) -> None:
    """A file reusing another file's (or the API's) stub id is refused, not silently merged."""
    fixed_id = "7d4b5f3e-0a0b-4c1d-9e2f-3a4b5c6d7e8f"
    write(mappings / "a.yaml", f"id: {fixed_id}\n" + stub_yaml("/a", "A"))
    stubs, reloader = start(mappings)
    write(mappings / "copy.yaml", f"id: {fixed_id}\n" + stub_yaml("/a", "copy"))
    report = reload(stubs, reloader)
    (error,) = report.failed[str(mappings / "copy.yaml")]
    assert f"stub id {fixed_id} is already used by" in error.message
    assert "a.yaml" in error.message
    assert answer(stubs, "/a") == "A"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_file_being_rewritten_keeps_its_old_stubs_until_it_settles(mappings: Path) -> None:
    """With `settle`, an emptied (mid-rewrite) file is not loaded: its old stub keeps serving
    until the same content has been seen `settle` seconds apart."""
    path = mappings / "a.yaml"
    write(path, stub_yaml("/a", "old"))
    clock = Clock()
    state = StubStore(mappings, structlog.get_logger("mockserver"))
    reloader = Reloader(mappings, settle=0.1, clock=clock)
    reloader.baseline()
    state.load()

    write(path, "")  # truncated: what a reader sees between open("w") and write()
    plan = reloader.scan()
    assert plan.pending == (str(path),) and not reloader.apply(state, plan)
    clock.now += 0.5  # an empty file waits ten times `settle`
    assert reloader.scan().pending == (str(path),)
    assert answer(state, "/a") == "old"

    write(path, stub_yaml("/a", "new"))
    clock.now += 0.05
    assert reloader.scan().pending == (str(path),)  # a new signature starts the wait again
    clock.now += 0.05
    assert reloader.scan().pending == (str(path),)  # seen 0.05 s apart: not yet
    assert answer(state, "/a") == "old"
    clock.now += 0.1
    plan = reloader.scan()
    assert plan.pending == ()
    assert reloader.apply(state, plan).reloaded == [str(path)]
    assert answer(state, "/a") == "new"


def test_a_new_file_is_loaded_once_settled(mappings: Path) -> None:
    """A file that appears is pending first, then loaded; nothing is loaded half-written."""
    clock = Clock()
    state = StubStore(mappings, structlog.get_logger("mockserver"))
    reloader = Reloader(mappings, settle=0.1, clock=clock)
    reloader.baseline()
    write(mappings / "b.yaml", stub_yaml("/b", "B"))
    plan = reloader.scan()
    reloader.apply(state, plan)
    assert plan.pending and answer(state, "/b") is None
    clock.now += 0.2
    reloader.apply(state, reloader.scan())
    assert answer(state, "/b") == "B"


def test_a_file_left_empty_drops_its_stubs_after_ten_times_settle(mappings: Path) -> None:
    """Emptying a file on purpose still works: once it has stayed empty for ten times
    `settle`, its stubs go."""
    path = mappings / "a.yaml"
    write(path, stub_yaml("/a", "old"))
    clock = Clock()
    state = StubStore(mappings, structlog.get_logger("mockserver"))
    reloader = Reloader(mappings, settle=0.1, clock=clock)
    reloader.baseline()
    state.load()
    write(path, "")
    reloader.apply(state, reloader.scan())
    clock.now += 1.0
    plan = reloader.scan()
    assert plan.pending == ()
    reloader.apply(state, plan)
    assert answer(state, "/a") is None
