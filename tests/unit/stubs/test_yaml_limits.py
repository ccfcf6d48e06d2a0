"""Stub files cannot make the loader build huge or endless documents from YAML aliases."""

from __future__ import annotations

from pathlib import Path

from mockserver.stubs import load_file, stub_to_json
from mockserver.stubs.files import MAX_ALIAS_EXPANSION


def alias_bomb(levels: int) -> str:
    """`levels` lists of nine aliases each to the previous list: 9**levels strings once built."""
    lines = ["a0: &a0 [" + ",".join(['"xxxxxxxx"'] * 9) + "]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]")
    body = "\n".join("    " + line for line in lines)
    return f"request:\n  url: /bomb\nresponse:\n  jsonBody:\n{body}\n"


def test_an_alias_bomb_fails_its_file_with_a_located_error(tmp_path: Path) -> None:
    """Nine levels of nested aliases (hundreds of millions of nodes) are refused, naming the
    file and the line where the expansion went over the limit."""
    path = tmp_path / "bomb.yaml"
    path.write_text(alias_bomb(9))
    assert len(path.read_bytes()) < 600
    stubs, (error,) = load_file(path)
    assert stubs == []
    assert error.file == str(path) and error.line is not None and error.line > 4
    assert "aliases expand this document" in error.message
    assert str(MAX_ALIAS_EXPANSION) in error.message


def test_a_recursive_alias_is_refused(tmp_path: Path) -> None:
    """An alias to a node that contains it would make an endless stub: the file is refused."""
    path = tmp_path / "loop.yaml"
    path.write_text("request: {url: /loop}\nresponse:\n  jsonBody: &a {self: *a}\n")
    stubs, (error,) = load_file(path)
    assert stubs == [] and "recursion" in error.message and error.line == 3


def test_ordinary_aliases_still_load(tmp_path: Path) -> None:
    """Anchors reused a few times (shared headers, bodies) load as before."""
    path = tmp_path / "shared.yaml"
    path.write_text(
        "- request: {url: /a, headers: &h {Accept: {equalTo: text/plain}}}\n"
        "  response: {body: a}\n"
        "- request: {url: /b, headers: *h}\n"
        "  response: {body: b}\n")
    stubs, errors = load_file(path)
    assert errors == []
    requests = [stub_to_json(s)["request"] for s in stubs]
    assert [r["url"] for r in requests] == ["/a", "/b"]
    assert requests[0]["headers"] == requests[1]["headers"]
