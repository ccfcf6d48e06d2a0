"""Stub files on disk: YAML and WireMock JSON folders load; a bad file never blocks the rest."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import Client, start_server

WIREMOCK_STYLE = {
    "mappings": [
        {"request": {"method": "GET", "url": "/wm/one"},
         "response": {"status": 200, "bodyFileName": "one.json",
                      "headers": {"Content-Type": "application/json"}}},
        {"request": {"method": "POST", "urlPathPattern": "/wm/two/.*",
                     "bodyPatterns": [{"equalToJson": "{\"k\": 1}", "ignoreExtraElements": True}]},
         "response": {"status": 201, "body": "two"}},
    ]
}


def test_wiremock_json_folder_loads_unchanged(tmp_path: Path) -> None:
    """A WireMock mappings/ + __files/ folder serves as WireMock would."""
    root = tmp_path / "wm"
    (root / "mappings" / "sub").mkdir(parents=True)
    (root / "__files").mkdir()
    (root / "mappings" / "sub" / "bulk.json").write_text(json.dumps(WIREMOCK_STYLE))
    (root / "mappings" / "single.json").write_text(
        '// a comment WireMock accepts\n{"request": {"url": "/wm/single"}, '
        '"response": {"body": "single"}}')
    (root / "__files" / "one.json").write_text('{"one": 1}')
    runner = start_server(root)
    try:
        client = Client(runner.port)
        assert client.get("/wm/one").json() == {"one": 1}
        assert client.post("/wm/two/x", body='{"k": 1, "extra": 2}').text == "two"
        assert client.get("/wm/single").text == "single"
    finally:
        runner.stop()


def test_bad_file_does_not_stop_the_others(tmp_path: Path) -> None:
    """A malformed stub file is reported and skipped; the good ones still serve."""
    root = tmp_path / "r"
    (root / "mappings").mkdir(parents=True)
    (root / "mappings" / "good.yaml").write_text(
        "request: {url: /good}\nresponse: {body: fine}\n")
    (root / "mappings" / "bad.yaml").write_text(
        "request:\n  url: /bad\n  queryParameters:\n    page:\n      equals: 1\n")
    (root / "mappings" / "broken.json").write_text('{"request": ')
    runner = start_server(root)
    try:
        assert Client(runner.port).get("/good").text == "fine"
        errors = [str(e) for e in runner.state.stubs.load_errors]
        assert any("bad.yaml:5: request.queryParameters.page.equals: unknown operator" in e
                   for e in errors), errors
        assert any("broken.json:1:" in e for e in errors), errors
    finally:
        runner.stop()


def test_validate_command_lists_problems(tmp_path: Path) -> None:
    """`mockserver validate` prints file:line: key.path: message and exits non-zero."""
    (tmp_path / "mappings").mkdir()
    (tmp_path / "mappings" / "s.yaml").write_text(
        "- request: {url: /a}\n- request:\n    urlPattern: '[unclosed'\n")
    done = subprocess.run(
        [sys.executable, "-m", "mockserver", "validate", "--root-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 1
    assert "s.yaml:3: [1].request.urlPattern:" in done.stdout
    ok = tmp_path / "ok"
    (ok / "mappings").mkdir(parents=True)
    (ok / "mappings" / "a.yaml").write_text("request: {url: /a}\n")
    done = subprocess.run(
        [sys.executable, "-m", "mockserver", "validate", "--root-dir", str(ok)],
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0


def test_bundled_examples_load_cleanly() -> None:
    """The repository's stubs/ folder has no problems."""
    root = Path(__file__).resolve().parents[2] / "stubs"
    done = subprocess.run(
        [sys.executable, "-m", "mockserver", "validate", "--root-dir", str(root)],
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
