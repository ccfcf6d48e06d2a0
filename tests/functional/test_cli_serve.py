"""`mockserver serve` and `validate` from a shell: loud about mistakes, readable when running."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from mockserver.version import __version__

BROKEN = ("request:\n  method: get\n  urlz: /a\n"
          "response: {status: 200, fixedDelayMilliseconds: -5}\n")
GOOD = "name: health check\nrequest: {method: GET, url: /health}\nresponse: {status: 200}\n"


def mockserver(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mockserver", *args], capture_output=True,
                          text=True, timeout=60, stdin=subprocess.DEVNULL)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "mappings").mkdir()
    (tmp_path / "mappings" / "health.yaml").write_text(GOOD)
    return tmp_path


def test_a_missing_root_dir_is_an_error(tmp_path: Path) -> None:
    """A --root-dir that does not exist exits 2 instead of serving 404s."""
    done = mockserver("serve", "--port", "0", "--root-dir", str(tmp_path / "nope"))
    assert done.returncode == 2
    assert f"--root-dir {tmp_path / 'nope'}: no such folder" in done.stderr


@pytest.mark.parametrize("port", ["99999", "-1", "65536"])
def test_a_port_out_of_range_is_a_usage_error(port: str) -> None:
    """`--port` accepts 0-65535 only, with a one-line reason and no traceback."""
    done = mockserver("serve", "--port", port)
    assert done.returncode == 2
    assert "is not a port: use 1-65535, or 0 for any free port" in done.stderr
    assert "Traceback" not in done.stderr


def test_strict_refuses_to_serve_with_a_broken_stub_file(root: Path) -> None:
    """`--strict` lists the broken stubs with a suggestion and exits 1."""
    (root / "mappings" / "broken.yaml").write_text(BROKEN)
    done = mockserver("serve", "--port", "0", "--root-dir", str(root), "--strict")
    assert done.returncode == 1
    assert "1 problem in 1 stub file" in done.stderr
    assert "broken.yaml:3: request.urlz: unknown field 'urlz' (did you mean 'url'" in done.stderr


def test_start_banner_problem_summary_and_request_logs(root: Path) -> None:
    """The banner names version, URL, root and stub count; a request's log line reads
    event, method, path, status, then the stub's name."""
    (root / "mappings" / "broken.yaml").write_text(BROKEN)
    proc = subprocess.Popen(
        [sys.executable, "-m", "mockserver", "serve", "--host", "127.0.0.1", "--port", "0",
         "--root-dir", str(root), "--log-format", "json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stderr is not None
        started = None
        for line in proc.stdout:
            event = json.loads(line)
            if event["event"] == "server_started":
                started = event
                break
        assert started is not None
        assert started["version"] == __version__ and started["stubs"] == 1
        assert started["problems"] == 1 and started["root_dir"] == str(root)
        assert started["url"] == f"http://127.0.0.1:{started['port']}"
        assert "1 problem in 1 stub file" in proc.stderr.readline()
        with urllib.request.urlopen(started["url"] + "/health") as reply:
            assert reply.status == 200
        served = json.loads(proc.stdout.readline())
        assert list(served)[:5] == ["event", "method", "path", "status", "stub_name"]
        assert served["stub_name"] == "health check"
        urllib.request.urlopen(urllib.request.Request(
            started["url"] + "/__admin/shutdown", method="POST")).close()
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def test_validate_lists_every_problem_with_correct_plurals(root: Path) -> None:
    """validate reports all three problems of one stub, not only the first."""
    (root / "mappings" / "broken.yaml").write_text(BROKEN)
    done = mockserver("validate", "--root-dir", str(root))
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert [line.split(": ")[1] for line in lines] == [
        "request.method", "request.urlz", "response.fixedDelayMilliseconds"]
    assert done.stderr.strip() == "2 files, 2 stubs, 3 problems"
    (root / "mappings" / "broken.yaml").unlink()
    done = mockserver("validate", "--root-dir", str(root))
    assert (done.returncode, done.stderr.strip()) == (0, "1 file, 1 stub, 0 problems")
