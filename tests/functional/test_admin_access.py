"""The admin API can be locked (Basic credentials, a bearer token, HTTPS only) and refuses
what browsers send on behalf of other sites (CSRF, DNS rebinding); stubs stay open."""

from __future__ import annotations

import base64
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from mockserver import MockServer
from mockserver.serve.runner import ThreadedRunner
from tests.conftest import Client, start_server


def raw(port: int, request: str) -> tuple[int, bytes]:
    """Send `request` as written (any Host header) and return the status and the body."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request.replace("\n", "\r\n").encode("latin-1"))
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


def basic(credentials: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(credentials.encode()).decode()}


@pytest.fixture
def locked(root_dir: Path) -> Iterator[ThreadedRunner]:
    runner = start_server(root_dir, admin_api_basic_auth="admin:s3cret", admin_api_token="t0k")
    try:
        yield runner
    finally:
        runner.stop()


@pytest.mark.parametrize("method,path", [
    ("GET", "/__admin/health"), ("GET", "/__admin/mappings"), ("POST", "/__admin/shutdown"),
    ("GET", "/__admin/no-such-route"), ("GET", "/__admin"),
])
def test_without_credentials_everything_under_admin_is_401_with_an_empty_body(
    locked: ThreadedRunner, method: str, path: str
) -> None:
    """As WireMock's --admin-api-basic-auth: health and unknown routes included."""
    reply = Client(locked.port).request(method, path)
    assert reply.status == 401 and reply.body == b""
    assert Client(locked.port).get("/__admin/health").status == 401  # still running


def test_basic_credentials_or_the_bearer_token_open_the_admin_api(locked: ThreadedRunner) -> None:
    """Right Basic credentials or the token give access; a wrong password or token does not."""
    client = Client(locked.port)
    assert client.get("/__admin/mappings", headers=basic("admin:s3cret")).status == 200
    assert client.get("/__admin/mappings", headers={"Authorization": "Bearer t0k"}).status == 200
    assert client.get("/__admin/mappings", headers=basic("admin:wrong")).status == 401
    assert client.get("/__admin/mappings", headers={"Authorization": "Bearer t0"}).status == 401
    assert client.get("/__admin/mappings", headers={"Authorization": "Basic %%%"}).status == 401


def test_stubs_are_served_without_credentials(locked: ThreadedRunner) -> None:
    """Only /__admin is locked: the mocked API answers as before (a 404 here, no stubs)."""
    assert Client(locked.port).get("/api/anything").status == 404
    assert Client(locked.port).get("/__adminx").status == 404


def test_require_https_refuses_plain_http_with_code_40(root_dir: Path) -> None:
    """As WireMock's --admin-api-require-https: 403 and its code-40 error body."""
    runner = start_server(root_dir, admin_api_require_https=True)
    try:
        client = Client(runner.port)
        reply = client.get("/__admin/health")
        assert reply.status == 403
        assert reply.json() == {"errors": [{"code": 40, "title":
                                            "HTTPS is required for accessing the admin API"}]}
        forwarded = client.get("/__admin/health", headers={"X-Forwarded-Proto": "https"})
        assert forwarded.status == 200  # a TLS terminator on loopback
    finally:
        runner.stop()


def test_a_page_of_another_site_cannot_create_stubs_or_write_files(client: Client) -> None:
    """A simple cross-origin POST (text/plain) or form PUT is refused before any handler."""
    stub = '{"request": {"url": "/x"}, "response": {"body": "pwned"}}'
    evil = {"Origin": "http://evil.example", "Content-Type": "text/plain"}
    assert client.post("/__admin/mappings", body=stub, headers=evil).status == 403
    form = {"Origin": "http://evil.example",
            "Content-Type": "application/x-www-form-urlencoded"}
    assert client.request("PUT", "/__admin/files/x.txt", body="a=b", headers=form).status == 403
    fetch = {"Sec-Fetch-Site": "cross-site"}
    assert client.post("/__admin/shutdown", headers=fetch).status == 403
    assert client.get("/__admin/mappings").json()["mappings"] == []
    assert client.get("/__admin/files").json() == []


def test_same_origin_pages_and_plain_clients_are_allowed(client: Client) -> None:
    """The server's own origin, a default-port origin and requests without Origin pass."""
    own = {"Origin": f"http://127.0.0.1:{client.port}"}
    assert client.get("/__admin/mappings", headers=own).status == 200
    assert client.get("/__admin/mappings", headers={"Sec-Fetch-Site": "same-origin"}).status == 200
    assert client.get("/__admin/mappings").status == 200


def test_an_allowed_origin_gets_cors_answers(root_dir: Path) -> None:
    """--admin-api-allow-origin lets that origin's pages call the API, preflight included."""
    runner = start_server(root_dir, admin_api_allowed_origins=("http://localhost:3000",))
    try:
        client = Client(runner.port)
        origin = {"Origin": "http://localhost:3000"}
        reply = client.get("/__admin/mappings", headers=origin)
        assert reply.status == 200
        assert reply.header("Access-Control-Allow-Origin") == "http://localhost:3000"
        preflight = client.request("OPTIONS", "/__admin/mappings", headers={
            **origin, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type"})
        assert preflight.status == 200
        assert preflight.header("Access-Control-Allow-Headers") == "content-type"
        other = {"Origin": "http://localhost:4000"}
        assert client.get("/__admin/mappings", headers=other).status == 403
    finally:
        runner.stop()


@pytest.mark.parametrize("host,status", [
    ("localhost:8080", 200), ("127.0.0.1", 200), ("[::1]:9", 200), ("LOCALHOST", 200),
    ("evil.example", 403), ("evil.example:8080", 403), ("10.0.0.1", 403),
])
def test_a_loopback_server_refuses_foreign_host_names(
    server: ThreadedRunner, host: str, status: int
) -> None:
    """DNS rebinding: on loopback, /__admin answers only loopback Host names (any port)."""
    got, _ = raw(server.port, f"GET /__admin/mappings HTTP/1.1\nHost: {host}\n"
                              "Connection: close\n\n")
    assert got == status


def test_foreign_host_names_still_reach_stubs(server: ThreadedRunner) -> None:
    """The Host check guards the admin API only; stubs answer whatever the Host."""
    got, _ = raw(server.port, "GET /x HTTP/1.1\nHost: api.example\nConnection: close\n\n")
    assert got == 404


def test_the_python_api_passes_the_locks(tmp_path: Path) -> None:
    """MockServer takes the same options; its own methods need no credentials."""
    with MockServer(admin_api_token="tok") as server:
        server.stub({"request": {"url": "/a"}, "response": {"body": "a"}})
        client = Client(server.port)
        assert client.get("/a").text == "a"
        assert client.get("/__admin/mappings").status == 401
        authorised = client.get("/__admin/mappings", headers={"Authorization": "Bearer tok"})
        assert len(authorised.json()["mappings"]) == 1


def test_the_command_line_binds_loopback_and_reads_the_token_from_the_environment() -> None:
    """`serve` listens on 127.0.0.1 unless told; MOCKSERVER_ADMIN_API_TOKEN sets the token."""
    from mockserver.cli import build_parser
    from mockserver.envvars import apply_env_defaults

    parser = build_parser()
    apply_env_defaults(parser, {"MOCKSERVER_ADMIN_API_TOKEN": "from-env",
                                "MOCKSERVER_ADMIN_API_REQUIRE_HTTPS": "true"})
    args = parser.parse_args(["serve"])
    assert args.host == "127.0.0.1"
    assert args.admin_api_token == "from-env" and args.admin_api_require_https is True
