"""Admin errors name the problem without the server's own paths; logs keep tracebacks whole."""

from __future__ import annotations

import json
import subprocess
import sys

from mockserver.serve.runner import ThreadedRunner
from tests.conftest import Client


def test_a_nul_in_an_admin_path_is_a_400(client: Client) -> None:
    """`/__admin/files/a%00b` names no file: 400, not a server error."""
    for method in ("GET", "PUT", "DELETE"):
        reply = client.request(method, "/__admin/files/a%00b", body="x")
        assert reply.status == 400, (method, reply.text)
        assert "NUL" in reply.json()["errors"][0]["title"]


def test_answers_do_not_show_the_root_folder(server: ThreadedRunner, client: Client) -> None:
    """A body file linked outside __files, or a bad file name, is reported without the
    server's absolute paths."""
    root = server.state.options.root_dir.resolve()
    (root / "__files" / "link").symlink_to(root.parent)
    client.stub({"request": {"url": "/escape"}, "response": {"bodyFileName": "link/x"}})
    reply = client.get("/escape")
    assert reply.status == 500 and "outside the __files folder" in reply.text
    outside = client.get("/__admin/files/link%2Fx")
    assert outside.status == 400
    for answer in (reply.text, outside.text):
        assert str(root.parent) not in answer


def test_json_logs_render_the_traceback_as_data() -> None:
    """`log.exception` in JSON mode writes the exception's type and frames, not exc_info
    (in a fresh interpreter, as the command line configures logging once per process)."""
    script = (
        "import structlog\n"
        "from mockserver.log import configure\n"
        "configure('json')\n"
        "try:\n"
        "    raise KeyError('boom')\n"
        "except KeyError:\n"
        "    structlog.get_logger('mockserver').exception('failed')\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    event = json.loads(done.stdout.strip().splitlines()[-1])
    (exc,) = event["exception"]
    assert exc["exc_type"] == "KeyError" and exc["frames"]
    assert "exc_info" not in event and "locals" not in exc["frames"][0]


def test_the_server_does_not_run_inside_the_uvloop_fallback() -> None:
    """Without uvloop the loop runs with no exception being handled, so tracebacks logged
    while serving carry no "ModuleNotFoundError: uvloop" context."""
    script = (
        "import sys; sys.modules['uvloop'] = None\n"
        "from mockserver.cli import run_loop\n"
        "async def main():\n"
        "    return repr(sys.exc_info()[1])\n"
        "print(run_loop(main()))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "None"
