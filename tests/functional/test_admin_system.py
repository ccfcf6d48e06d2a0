"""`/__admin` system routes: settings, health, version, routing, `__files`, reset, shutdown."""

from __future__ import annotations

import base64
import json
import socket
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

from mockserver import __version__
from tests.conftest import Client, start_server


def refuses_connections(port: int, within: float = 5.0) -> bool:
    """Whether 127.0.0.1:port refuses connections before `within` seconds pass.

    A bounded poll: nothing signals a listener closing. Only a refusal counts (a tight loop
    could otherwise run out of local ports and mistake that for a closed server).
    """
    deadline = time.monotonic() + within
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                pass
        except ConnectionRefusedError:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)  # poll interval, not synchronisation: there is no event to wait on


# -- settings ------------------------------------------------------------------------------

def test_fresh_settings_only_pass_proxied_requests_through(client: Client) -> None:
    """A fresh server's settings are just proxyPassThrough: true."""
    reply = client.get("/__admin/settings")
    assert reply.status == 200
    assert reply.json() == {"settings": {"proxyPassThrough": True}}


@pytest.mark.parametrize("method", ["POST", "PUT"])
def test_posting_settings_replaces_them_all(client: Client, method: str) -> None:
    """A settings update replaces everything: omitted fields are cleared, proxyPassThrough false."""
    first = client.request(method, "/__admin/settings",
                           json_body={"fixedDelay": 5, "extended": {"a": 1},
                                      "proxyPassThrough": True})
    assert (first.status, first.body) == (200, b"")
    assert client.get("/__admin/settings").json() == {
        "settings": {"fixedDelay": 5, "extended": {"a": 1}, "proxyPassThrough": True}}
    client.request(method, "/__admin/settings", json_body={"settings": {"extended": {"b": 2}}})
    assert client.get("/__admin/settings").json() == {
        "settings": {"extended": {"b": 2}, "proxyPassThrough": False}}


def test_a_global_fixed_delay_is_added_to_every_stub(client: Client) -> None:
    """A global fixedDelay shows up as the added delay of served stubs in the journal."""
    client.stub({"request": {"url": "/slow"}})
    client.post("/__admin/settings", json_body={"fixedDelay": 5})
    client.get("/slow")
    event = client.get("/__admin/requests").json()["requests"][0]
    assert event["timing"]["addedDelay"] == 5


@pytest.mark.parametrize(
    ("body", "pointer"),
    [({"fixedDelay": "soon"}, "/fixedDelay"),
     ({"delayDistribution": {"type": "nope"}}, "/delayDistribution")],
)
def test_invalid_settings_are_422_and_change_nothing(
    client: Client, body: dict[str, object], pointer: str
) -> None:
    """Bad settings are refused with a pointer to the field; the old settings stay."""
    reply = client.post("/__admin/settings", json_body=body)
    assert reply.status == 422
    assert reply.json()["errors"][0]["source"]["pointer"] == pointer
    assert client.get("/__admin/settings").json() == {"settings": {"proxyPassThrough": True}}


def test_patch_extended_settings_merges_shallowly(client: Client) -> None:
    """PATCH /settings/extended merges keys into `extended` and answers {}."""
    client.post("/__admin/settings", json_body={"extended": {"a": 1, "b": {"x": 1}}})
    reply = client.request("PATCH", "/__admin/settings/extended",
                           json_body={"extended": {"b": {"y": 2}, "c": 3}})
    assert (reply.status, reply.json()) == (200, {})
    extended = client.get("/__admin/settings").json()["settings"]["extended"]
    assert extended == {"a": 1, "b": {"y": 2}, "c": 3}


def test_patch_extended_settings_refuses_unknown_fields(client: Client) -> None:
    """A field beside `extended` is a 422 naming it, as WireMock's wrapper model answers."""
    reply = client.request("PATCH", "/__admin/settings/extended",
                           json_body={"extended": {"a": 1}, "zzz": 1})
    assert reply.status == 422
    assert reply.json()["errors"][0]["source"] == {"pointer": "/zzz"}


def test_reset_keeps_settings_but_drops_stubs_and_journal(client: Client) -> None:
    """POST /__admin/reset empties stubs and journal and leaves global settings alone."""
    client.post("/__admin/settings", json_body={"fixedDelay": 7})
    client.stub({"request": {"url": "/x"}})
    client.get("/x")
    reply = client.post("/__admin/reset")
    assert (reply.status, reply.body) == (200, b"")
    assert client.get("/__admin/mappings").json()["meta"]["total"] == 0
    assert client.get("/__admin/requests").json()["requests"] == []
    assert client.get("/__admin/settings").json()["settings"]["fixedDelay"] == 7


# -- health, version, routing --------------------------------------------------------------

def test_health_reports_healthy_with_version_uptime_and_timestamp(client: Client) -> None:
    """GET /health answers WireMock's health document."""
    health = client.get("/__admin/health").json()
    assert health["status"] == "healthy"
    assert health["message"] == "Wiremock is ok"
    assert health["version"] == __version__
    assert isinstance(health["uptimeInSeconds"], int) and health["uptimeInSeconds"] >= 0
    assert datetime.fromisoformat(health["timestamp"].replace("Z", "+00:00")).tzinfo is not None


def test_version_is_json_or_plain_text_on_request(client: Client) -> None:
    """GET /version is JSON by default and the bare version for Accept: text/plain."""
    assert client.get("/__admin/version").json() == {"version": __version__}
    plain = client.get("/__admin/version", headers={"Accept": "text/plain"})
    assert plain.text == __version__
    assert (plain.header("Content-Type") or "").startswith("text/plain")


def test_admin_json_is_pretty_printed_with_vary_origin(client: Client) -> None:
    """Admin JSON uses WireMock's layout (`"key" : value`, 2-space indent) and Vary: Origin."""
    reply = client.get("/__admin/version")
    assert reply.text == json.dumps({"version": __version__}, indent=2, separators=(",", " : "))
    assert reply.header("Content-Type") == "application/json"
    assert reply.header("Vary") == "Origin"


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/__admin/no-such-thing"), ("PUT", "/__admin/mappings"),
     ("GET", "/__admin/reset"), ("POST", "/__admin/health"), ("GET", "/__admin/mappings/x/y")],
)
def test_an_unknown_admin_route_is_an_empty_404(client: Client, method: str, path: str) -> None:
    """An unknown admin path or method answers 404 with an empty body, never a stub."""
    client.stub({"request": {"urlPattern": "/.*"}, "response": {"body": "stub"}})
    reply = client.request(method, path)
    assert (reply.status, reply.body) == (404, b"")


def test_admin_without_slash_redirects_to_admin_with_slash(client: Client) -> None:
    """GET /__admin redirects (302) to /__admin/."""
    reply = client.get("/__admin")
    assert reply.status == 302
    assert reply.header("Location") == "/__admin/"


# -- __files -------------------------------------------------------------------------------

def test_files_put_get_list_and_delete(client: Client, root_dir: Path) -> None:
    """The files API writes under __files (making folders), reads, lists sorted and deletes."""
    put = client.request("PUT", "/__admin/files/sub/dir/hello.txt", body="hello file")
    assert put.status == 200
    assert put.json() == base64.b64encode(b"hello file").decode()
    assert (root_dir / "__files" / "sub" / "dir" / "hello.txt").read_bytes() == b"hello file"
    client.request("PUT", "/__admin/files/a.bin", body=b"\x00\xff")
    assert client.get("/__admin/files").json() == ["a.bin", "sub/dir/hello.txt"]
    got = client.get("/__admin/files/sub/dir/hello.txt")
    assert (got.status, got.body) == (200, b"hello file")
    assert client.get("/__admin/files/a.bin").body == b"\x00\xff"
    deleted = client.request("DELETE", "/__admin/files/sub/dir/hello.txt")
    assert (deleted.status, deleted.body) == (200, b"")
    assert client.get("/__admin/files").json() == ["a.bin"]
    assert client.get("/__admin/files/sub/dir/hello.txt").status == 404
    again = client.request("DELETE", "/__admin/files/sub/dir/hello.txt")
    assert again.status == 200


def test_a_file_put_through_the_api_serves_as_a_body_file(client: Client) -> None:
    """A file written with PUT /files is what a stub's bodyFileName serves."""
    client.request("PUT", "/__admin/files/bodies/greeting.json", body='{"hi": 1}')
    client.stub({"request": {"url": "/greet"},
                 "response": {"bodyFileName": "bodies/greeting.json"}})
    assert client.get("/greet").text == '{"hi": 1}'


@pytest.mark.parametrize(
    "path", ["../x", "sub/../../x", "%2e%2e/x", "..%2fx", "%2Fetc%2Fx", "sub/..%2F..%2Fx"]
)
@pytest.mark.parametrize("method", ["PUT", "GET", "DELETE"])
def test_files_refuse_paths_outside_the_files_folder(
    client: Client, root_dir: Path, method: str, path: str
) -> None:
    """A files path that climbs out of __files is a 400 naming it, and nothing is touched."""
    (root_dir / "x").write_text("outside")
    reply = client.request(method, f"/__admin/files/{path}",
                           body="pwned" if method == "PUT" else None)
    assert reply.status == 400
    assert "outside the __files folder" in reply.json()["errors"][0]["title"]
    assert (root_dir / "x").read_text() == "outside"
    assert sorted(p.name for p in root_dir.iterdir()) == ["__files", "mappings", "x"]


def test_files_refuse_to_treat_a_folder_as_a_file(client: Client) -> None:
    """Writing or deleting a path that is a folder is a 400, not a crash."""
    client.request("PUT", "/__admin/files/sub/a.txt", body="a")
    for method in ("PUT", "DELETE"):
        reply = client.request(method, "/__admin/files/sub", body="x" if method == "PUT" else None)
        assert reply.status == 400
        assert "folder" in reply.json()["errors"][0]["title"]
    assert client.get("/__admin/files").json() == ["sub/a.txt"]


# -- shutdown ------------------------------------------------------------------------------

def test_shutdown_stops_the_command_line_server(root_dir: Path) -> None:
    """POST /__admin/shutdown answers 200 and the `mockserver serve` process then exits."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "mockserver", "serve", "--host", "127.0.0.1", "--port", "0",
         "--root-dir", str(root_dir), "--log-format", "json"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert proc.stdout is not None
        port = None
        for line in proc.stdout:
            event = json.loads(line)
            if event.get("event") == "server_started":
                port = int(event["port"])
                break
        assert port is not None, "the server never logged server_started"
        reply = Client(port).post("/__admin/shutdown")
        assert (reply.status, reply.body) == (200, b"")
        assert proc.wait(timeout=10) == 0
        assert refuses_connections(port)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()


def test_shutdown_stops_a_server_started_from_python(root_dir: Path) -> None:
    """POST /__admin/shutdown also stops a server started with the threaded runner."""
    runner = start_server(root_dir)
    try:
        reply = Client(runner.port).post("/__admin/shutdown")
        assert reply.status == 200
        runner._watcher.result(timeout=30)  # the stop the shutdown set off has finished
        assert refuses_connections(runner.port, within=3.0)
    finally:
        runner.stop()
