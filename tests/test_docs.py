"""The README and docs/ examples run, so they cannot rot.

- YAML and JSON stubs are loaded with the real loader and must load without a problem;
  a YAML block headed `# docker-compose.yml` must equal that file.
- Python blocks run: plain ones as scripts (from the repository root), pytest ones (with a
  `def test_`) through pytester, and every test in them must pass.
- Each page's `curl` lines are sent, in order, to a real server holding the repository's
  `stubs/` plus the page's blocks headed `# ROOT/mappings/...` (or `# stubs/mappings/...`);
  a `# NNN` comment beside a line is the status it must get. `mockserver validate` lines run.
- Relative links point at files that exist.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from mockserver import MockServer
from mockserver.stubs import load_text
from tests.conftest import Client

pytest_plugins = ["pytester"]

REPO = Path(__file__).resolve().parents[1]
PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
# pages other engineers are writing; a link to one is fine while it is still missing
PENDING_PAGES = {"templates.md", "delays-faults-chaos.md", "recording.md"}
_FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
_FILE_HEADER = re.compile(r"#\s*(?:ROOT|stubs)/(mappings/\S+)")
_STATUS = re.compile(r"\s#\s*(\d{3})\b")


@dataclass(frozen=True)
class Block:
    page: Path
    line: int
    lang: str
    text: str

    def __str__(self) -> str:
        return f"{self.page.relative_to(REPO)}:{self.line}"


def blocks(lang: str, pages: list[Path] = PAGES) -> list[Block]:
    found = []
    for page in pages:
        text = page.read_text()
        for match in _FENCE.finditer(text):
            if match.group(1) == lang:
                line = text.count("\n", 0, match.start()) + 1
                found.append(Block(page, line, lang, match.group(2)))
    return found


def params(lang: str) -> list[Any]:
    return [pytest.param(b, id=str(b)) for b in blocks(lang)]


def is_stub_document(data: Any) -> bool:
    if isinstance(data, list):
        return bool(data) and all(isinstance(d, dict) and is_stub_document(d) for d in data)
    return isinstance(data, dict) and bool({"request", "response", "mappings"} & set(data))


# -- stubs ---------------------------------------------------------------------------------------


def test_the_docs_have_examples_of_each_kind() -> None:
    """The checks below have something to check (a renamed fence would silently skip them)."""
    assert len(blocks("yaml")) >= 15 and blocks("json") and len(blocks("python")) >= 4
    assert len([b for b in blocks("sh") if "curl" in b.text]) >= 5


@pytest.mark.parametrize("block", params("yaml"))
def test_yaml_examples_load(block: Block) -> None:
    """Every YAML stub in the docs loads with no problem; other YAML parses."""
    first = block.text.splitlines()[0]
    if first.strip() == "# docker-compose.yml":
        compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
        assert yaml.safe_load(block.text) == compose, "docs differ from docker-compose.yml"
        return
    data = yaml.safe_load(block.text)
    if not is_stub_document(data):
        assert data is not None
        return
    stubs, errors = load_text(block.text, path=str(block), display=str(block), is_json=False)
    assert not errors, [str(e) for e in errors]
    assert stubs


@pytest.mark.parametrize("block", params("json"))
def test_json_examples_load(block: Block) -> None:
    """Every JSON stub in the docs loads with no problem."""
    data = json.loads(block.text)
    if is_stub_document(data):
        stubs, errors = load_text(block.text, path=str(block), display=str(block), is_json=True)
        assert not errors and stubs, [str(e) for e in errors]


# -- Python --------------------------------------------------------------------------------------


@pytest.mark.parametrize("block", params("python"))
def test_python_examples_run(
    block: Block, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Scripts run from the repository root; pytest examples pass under pytester."""
    if re.search(r"^def test_", block.text, re.MULTILINE):
        pytester.makepyfile(test_docs_example=block.text)
        result = pytester.runpytest("-p", "no:cacheprovider")
        outcomes = result.parseoutcomes()
        assert outcomes.get("passed", 0) >= 1 and set(outcomes) <= {"passed"}, outcomes
        return
    monkeypatch.chdir(REPO)
    code = compile(block.text, str(block), "exec")
    exec(code, {"__name__": "__docs__"})  # noqa: S102 - running the docs is the point


# -- shell ---------------------------------------------------------------------------------------


def commands(text: str) -> list[str]:
    """Lines of a shell block, continuation lines joined."""
    out, pending = [], ""
    for line in text.splitlines():
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        out.append((pending + line).strip())
        pending = ""
    return [c for c in out if c and not c.startswith("#")]


def curl(command: str, client: Client) -> int:
    """Send what a `curl` command line would send; return the status."""
    argv = shlex.split(command, comments=True)
    assert argv[0] == "curl"
    method, data, url = None, None, None
    headers: list[tuple[str, str]] = []
    args = iter(argv[1:])
    for arg in args:
        if arg in ("-X", "--request"):
            method = next(args)
        elif arg in ("-d", "--data", "--data-raw", "--data-binary"):
            data = next(args)
        elif arg in ("-H", "--header"):
            name, _, value = next(args).partition(":")
            headers.append((name.strip(), value.strip()))
        elif arg in ("-s", "-sS", "-i", "-v", "-f"):
            continue
        elif arg.startswith("-"):
            raise AssertionError(f"the docs test does not know curl's {arg}")
        else:
            url = arg
    assert url is not None and "localhost:8080" in url, command
    path = url.split("localhost:8080", 1)[1] or "/"
    if data is not None and not headers:
        headers.append(("Content-Type", "application/x-www-form-urlencoded"))  # curl's default
    reply = client.request(method or ("POST" if data is not None else "GET"), path,
                           body=data, headers=headers)
    return reply.status


def pages_with_commands() -> list[Any]:
    return [pytest.param(page, id=str(page.relative_to(REPO))) for page in PAGES
            if any("curl " in b.text or "mockserver validate" in b.text
                   for b in blocks("sh", [page]))]


@pytest.mark.parametrize("page", pages_with_commands())
def test_shell_examples_get_the_statuses_they_claim(page: Path, tmp_path: Path) -> None:
    """Each page's curl lines, in order, against a server with the stubs the page shows."""
    root = tmp_path / "root"
    shutil.copytree(REPO / "stubs", root)
    for block in blocks("yaml", [page]):
        header = _FILE_HEADER.match(block.text.splitlines()[0])
        if header:
            target = root / header.group(1)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(block.text)
    ran = 0
    with MockServer(root_dir=root) as server:
        client = Client(server.port)
        for block in blocks("sh", [page]):
            for command in commands(block.text):
                if command.startswith("curl "):
                    status = curl(command, client)
                    expected = _STATUS.search(command)
                    if expected:
                        assert status == int(expected.group(1)), f"{block}: {command}"
                    else:
                        assert status < 500, f"{block}: {command}"
                    ran += 1
                elif command.startswith("mockserver validate"):
                    result = subprocess.run(
                        [sys.executable, "-m", "mockserver", *shlex.split(command)[1:]],
                        cwd=REPO, capture_output=True, text=True, timeout=60)
                    assert result.returncode == 0, result.stdout + result.stderr
                    ran += 1
    assert ran


# -- links and the README ------------------------------------------------------------------------


@pytest.mark.parametrize("page", [pytest.param(p, id=str(p.relative_to(REPO))) for p in PAGES])
def test_relative_links_resolve(page: Path) -> None:
    """Links to other pages and files point at something that exists (anchors: a heading)."""
    text = page.read_text()
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target):
            continue
        path, _, anchor = target.partition("#")
        resolved = (page.parent / path).resolve() if path else page
        if not resolved.exists():
            assert resolved.name in PENDING_PAGES, f"{page.name}: broken link {target}"
            continue
        if anchor and resolved.suffix == ".md":
            headings = re.findall(r"^#+ (.+)$", resolved.read_text(), re.MULTILINE)
            slugs = {re.sub(r"[^a-z0-9 -]", "", h.lower()).replace(" ", "-") for h in headings}
            assert anchor in slugs, f"{page.name}: no heading for #{anchor} in {path}"


def test_readme_commands_are_the_ones_ci_runs() -> None:
    """The README's test command is what `.ci/run` runs, after the same install."""
    readme = (REPO / "README.md").read_text()
    ci = (REPO / ".ci" / "run").read_text()
    serve, test = (b.text.strip() for b in blocks("sh", [REPO / "README.md"])[:2])
    assert serve.endswith("mockserver serve --root-dir stubs") and "pip install -e ." in serve
    install, _, run = test.rpartition(" && ")
    assert run == "scripts/check" and run in ci.splitlines()
    assert "pip install -e '.[dev]'" in install and "install --quiet -e '.[dev]'" in ci
    check = (REPO / "scripts" / "check").read_text()
    assert all(tool in check for tool in ("ruff check", "mypy mockserver", "pytest -q"))
    assert "## Two commands" in readme


def text_block_after(page: Path, marker: str) -> str:
    """The first `text` block on `page` after the line containing `marker`."""
    text = page.read_text()
    start = text.index(marker)
    return text[text.index("```text\n", start) + len("```text\n"):].split("```", 1)[0]


def test_the_404_report_shown_is_the_real_one(root_dir: Path) -> None:
    """matching.md's report is what the server answers for the request it names."""
    (root_dir / "mappings" / "hello.yaml").write_text(blocks("yaml", [
        REPO / "docs" / "getting-started.md"])[0].text)
    shown = text_block_after(REPO / "docs" / "matching.md", "An unmatched request explains")
    with MockServer(root_dir=root_dir) as server:
        reply = Client(server.port).get("/hello?name=42")
    assert reply.status == 404
    assert reply.text.strip("\n") == shown.strip("\n")  # a fence cannot open on a blank line


def test_the_verify_failure_shown_is_the_real_one() -> None:
    """pytest-and-python.md's failed verify is what `verify` raises for the request it names."""
    shown = text_block_after(REPO / "docs" / "pytest-and-python.md", "A failed `verify` fails")
    with MockServer() as server:
        Client(server.port).post("/v1/charges", json_body={"amount": 1200})
        with pytest.raises(AssertionError) as caught:
            server.verify({"method": "POST", "urlPath": "/v1/charges",
                           "bodyPatterns": [{"equalToJson": {"amount": 1250}}]}, count=1)
    assert f"AssertionError: {caught.value}".strip("\n") == shown.strip("\n")
