"""One bad stub file never stops the others: at start, in `validate`, on reset, on reload and
through the admin API (a 4xx as WireMock answers, never a 5xx)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from mockserver import MockServer
from tests.conftest import Client, start_server
from tests.functional.test_reload import wait_until

EMPTY_NAMESPACE = (
    "request:\n  method: POST\n  url: /xml\n  bodyPatterns:\n"
    "    - matchesXPath: //x:a\n      xPathNamespaces: {x: ''}\nresponse: {body: xml}\n")
HUGE_REPEAT = "request: {urlPattern: 'a{99999999999}'}\nresponse: {body: never}\n"
GOOD = "request: {url: /good}\nresponse: {body: good}\n"


def bad_root(root: Path) -> Path:
    mappings = root / "mappings"
    mappings.mkdir(parents=True, exist_ok=True)
    (mappings / "namespace.yaml").write_text(EMPTY_NAMESPACE)
    (mappings / "repeat.yaml").write_text(HUGE_REPEAT)
    (mappings / "good.yaml").write_text(GOOD)
    return root


def test_serve_starts_and_reset_reloads_despite_bad_files(tmp_path: Path) -> None:
    """A huge regex repetition fails its file only; an empty namespace URI loads and never
    matches (as WireMock); reset answers 200 and loads the same stubs again."""
    runner = start_server(bad_root(tmp_path / "root"))
    try:
        client = Client(runner.port)
        assert client.get("/good").text == "good"
        assert client.post("/xml", body="<a xmlns='urn:x'/>").status == 404
        (error,) = runner.state.stubs.load_errors
        assert error.file.endswith("repeat.yaml") and error.line == 1
        assert error.path == ("request", "urlPattern")
        assert "repetition number is too large" in error.message
        assert client.post("/__admin/reset").status == 200
        assert len(client.get("/__admin/mappings").json()["mappings"]) == 2
        assert client.get("/good").text == "good"
    finally:
        runner.stop()


def test_validate_lists_located_problems_without_a_traceback(tmp_path: Path) -> None:
    """`mockserver validate` names the file, line and key path, and prints no traceback."""
    root = bad_root(tmp_path / "root")
    done = subprocess.run([sys.executable, "-m", "mockserver", "validate", "--root-dir",
                           str(root)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "Traceback" not in done.stdout + done.stderr
    assert "repeat.yaml:1: request.urlPattern: invalid regular expression" in done.stdout
    assert "3 files" in done.stderr and "1 problem" in done.stderr


def test_admin_api_answers_bad_matchers_with_4xx(tmp_path: Path) -> None:
    """Through the admin API the huge repetition is a 422 naming its pointer; the empty
    namespace URI is accepted (201) and the stub never matches."""
    runner = start_server(tmp_path / "root")
    try:
        client = Client(runner.port)
        reply = client.post("/__admin/mappings", json_body={
            "request": {"urlPattern": "a{99999999999}"}, "response": {}})
        assert reply.status == 422
        (item,) = reply.json()["errors"]
        assert item["source"] == {"pointer": "/request/urlPattern"}
        stub = {"request": {"method": "POST", "url": "/xml", "bodyPatterns": [
            {"matchesXPath": "//x:a", "xPathNamespaces": {"x": ""}}]},
            "response": {"body": "xml"}}
        assert client.post("/__admin/mappings", json_body=stub).status == 201
        assert client.post("/xml", body="<a/>").status == 404
        count = client.post("/__admin/requests/count", json_body=stub["request"])
        assert count.status == 200 and count.json()["count"] == 0
    finally:
        runner.stop()


def test_a_bad_file_written_while_watching_keeps_the_others_serving(tmp_path: Path) -> None:
    """Under --watch a bad file is reported and later good edits are still picked up."""
    root = tmp_path / "root"
    (root / "mappings").mkdir(parents=True)
    (root / "mappings" / "good.yaml").write_text(GOOD)
    with MockServer(root_dir=root, watch=True, watch_poll_interval=0.05) as server:
        client = Client(server.port)
        (root / "mappings" / "repeat.yaml").write_text(HUGE_REPEAT)
        wait_until(lambda: len(server.state.stubs.load_errors) == 1, "the bad file to be reported")
        (root / "mappings" / "later.yaml").write_text("request: {url: /later}\n"
                                                      "response: {body: later}\n")
        wait_until(lambda: client.get("/later").status == 200, "the later file to be served")
        assert client.get("/good").text == "good"
