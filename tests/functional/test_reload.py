"""Hot reload while serving: edit, break and fix a stub file; the server follows (or holds on)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from mockserver import MockServer
from tests.conftest import Client

STUB = "request: {{method: GET, url: /greeting}}\nresponse: {{status: 200, body: {body}}}\n"
BROKEN = "request: {method: GET, url: /greeting\nresponse: {status: 500}\n"  # unclosed flow map


def wait_until(check: Callable[[], bool], what: str, timeout: float = 15.0) -> None:
    """Poll `check` (a bounded loop, not a blind sleep) until it holds."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.02)


def body_is(client: Client, expected: str) -> Callable[[], bool]:
    return lambda: client.get("/greeting").text == expected


@pytest.fixture(params=["events", "polling"])
def watched(request: pytest.FixtureRequest, root_dir: Path) -> Iterator[MockServer]:
    """A server watching `root_dir` through file events (watchfiles) or by polling."""
    (root_dir / "mappings" / "greeting.yaml").write_text(STUB.format(body="hello"))
    poll = 0.05 if request.param == "polling" else None
    with MockServer(root_dir=root_dir, watch=True, watch_poll_interval=poll) as server:
        assert server._threaded is not None
        watcher = server._threaded._runner.watcher
        assert watcher is not None and watcher.mode == request.param
        yield server


def test_edit_break_and_fix_a_file_while_serving(watched: MockServer, root_dir: Path) -> None:
    """An edit is served, a broken edit keeps the old stub serving, the fix is served."""
    client = Client(watched.port)
    stub_file = root_dir / "mappings" / "greeting.yaml"
    assert client.get("/greeting").text == "hello"

    stub_file.write_text(STUB.format(body="hello again"))
    wait_until(body_is(client, "hello again"), "the edit to be served")

    stub_file.write_text(BROKEN)
    stubs = watched.state.stubs
    wait_until(lambda: any(e.file.endswith("greeting.yaml") for e in stubs.load_errors),
               "the broken file to be reported")
    (error,) = watched.state.stubs.load_errors
    assert "invalid YAML" in error.message and error.line is not None
    assert client.get("/greeting").text == "hello again"  # the old stub still serves

    stub_file.write_text(STUB.format(body="fixed hello"))
    wait_until(body_is(client, "fixed hello"), "the fixed file to be served")
    assert watched.state.stubs.load_errors == []


def test_reload_keeps_the_journal_and_stubs_added_by_the_api(
    watched: MockServer, root_dir: Path
) -> None:
    """Reloads replace file stubs only: API stubs and journalled requests survive."""
    client = Client(watched.port)
    watched.stub({"request": {"url": "/from-api"}, "response": {"body": "api"}})
    client.get("/greeting")
    (root_dir / "mappings" / "extra.yaml").write_text(
        "request: {url: /extra}\nresponse: {body: extra}\n")
    wait_until(lambda: client.get("/extra").status == 200, "the new file to be served")
    (root_dir / "mappings" / "greeting.yaml").unlink()
    wait_until(lambda: client.get("/greeting").status == 404, "the deleted file's stub to go")
    assert client.get("/from-api").text == "api"
    assert watched.verify({"url": "/greeting"}) >= 2  # requests from before the reloads remain


def test_cli_serve_watch_reloads(tmp_path: Path) -> None:
    """`mockserver serve --watch` (here from MOCKSERVER_* variables) reloads an edited file."""
    root = tmp_path / "root"
    (root / "mappings").mkdir(parents=True)
    stub_file = root / "mappings" / "greeting.yaml"
    stub_file.write_text(STUB.format(body="before"))
    env = {**os.environ, "MOCKSERVER_PORT": "0", "MOCKSERVER_HOST": "127.0.0.1",
           "MOCKSERVER_ROOT_DIR": str(root), "MOCKSERVER_LOG_FORMAT": "json",
           "MOCKSERVER_WATCH": "true"}
    process = subprocess.Popen(
        [sys.executable, "-m", "mockserver", "serve"], env=env, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True)
    try:
        assert process.stdout is not None
        port = None
        for line in process.stdout:  # ends when the process exits
            event = json.loads(line)
            if event.get("event") == "server_started":
                port = event["port"]
                break
        assert port, "the server did not start"
        client = Client(port)
        assert client.get("/greeting").text == "before"
        stub_file.write_text(STUB.format(body="after the edit"))
        wait_until(body_is(client, "after the edit"), "the CLI server to reload")
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()
    assert process.returncode == 0


def test_without_watchfiles_watching_falls_back_to_polling(
    root_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The core install (no `watch` extra) still watches, by polling in pure Python."""
    monkeypatch.setitem(sys.modules, "watchfiles", None)  # makes `import watchfiles` fail
    with MockServer(root_dir=root_dir, watch=True) as server:
        assert server._threaded is not None
        watcher = server._threaded._runner.watcher
        assert watcher is not None and watcher.mode == "polling"
        assert watcher.poll_interval is None  # the default interval applies


def test_files_rewritten_in_place_are_never_served_half_written(
    watched: MockServer, root_dir: Path
) -> None:
    """While a file is rewritten in place again and again (truncate, write half, write the
    rest), every answer is a whole version of it; once writing stops the last one is served."""
    import threading

    client = Client(watched.port)
    stub_file = root_dir / "mappings" / "greeting.yaml"
    pad = "x" * 2000
    done = threading.Event()
    last = ""

    def rewrite() -> None:
        nonlocal last
        for generation in range(150):
            last = f"v{generation}-{pad}"
            text = STUB.format(body=last).encode()
            fd = os.open(stub_file, os.O_WRONLY | os.O_TRUNC)
            try:
                os.write(fd, text[: len(text) // 2])
                time.sleep(0.001)
                os.write(fd, text[len(text) // 2:])
            finally:
                os.close(fd)
            time.sleep(0.005)
        done.set()

    writer = threading.Thread(target=rewrite)
    writer.start()
    answers = []
    while not done.is_set():
        reply = client.get("/greeting")
        answers.append((reply.status, reply.text == "hello" or reply.text.endswith(pad)))
    writer.join()
    assert answers and all(answer == (200, True) for answer in answers)
    wait_until(body_is(client, last), "the last version to be served")
