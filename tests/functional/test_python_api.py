"""`mockserver.MockServer`: a real server from Python, in a thread or on the running loop."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import aiohttp
import pytest

import mockserver
from mockserver import MockServer
from mockserver.errors import StubError
from tests.conftest import Client

USERS_STUB = """\
request:
  method: GET
  urlPath: /api/users/1
response:
  status: 200
  jsonBody: {id: 1, name: Ada}
"""


@pytest.fixture
def stub_root(tmp_path: Path) -> Path:
    root = tmp_path / "stubs"
    (root / "mappings").mkdir(parents=True)
    (root / "__files").mkdir()
    (root / "mappings" / "users.yaml").write_text(USERS_STUB)
    return root


def _port_is_closed(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def test_package_exports_what_all_names() -> None:
    """Every name in `mockserver.__all__` resolves, and `MockServer` is the API class."""
    for name in mockserver.__all__:
        assert getattr(mockserver, name) is not None
    assert mockserver.MockServer is MockServer
    with pytest.raises(AttributeError):
        mockserver.NoSuchThing  # noqa: B018 - the attribute access is the test


def test_with_block_serves_the_root_dir_then_closes_the_port(stub_root: Path) -> None:
    """`with MockServer(root_dir)` preloads the files, serves on loopback and stops on exit."""
    with MockServer(root_dir=stub_root) as server:
        assert server.url == f"http://127.0.0.1:{server.port}"
        reply = Client(server.port).get("/api/users/1")
        assert reply.status == 200 and reply.json() == {"id": 1, "name": "Ada"}
        port = server.port
    assert _port_is_closed(port)


def test_without_root_dir_a_temporary_folder_is_used_and_removed() -> None:
    """No root dir: an empty server in a temporary folder that is deleted on exit."""
    with MockServer() as server:
        root = server.root_dir
        assert root.is_dir() and server.requests() == []
    assert not root.exists()


def test_stub_accepts_a_dict_or_yaml_text_and_returns_the_id() -> None:
    """`stub()` takes WireMock's schema as a dict or as YAML text and returns the stub id."""
    with MockServer() as server:
        first = server.stub({"request": {"url": "/a"}, "response": {"body": "A"}})
        second = server.stub("request: {url: /b}\nresponse: {status: 201, body: B}\n")
        third = server.stub("request: {url: /c}\nresponse: {body: C}\n")
        named = server.stub("id: 6a2c3cb0-1f4e-4c55-9d0a-1d7c1a3f0b11\nrequest: {url: /d}\n")
        assert named == "6a2c3cb0-1f4e-4c55-9d0a-1d7c1a3f0b11"
        client = Client(server.port)
        assert client.get("/a").text == "A"
        reply = client.get("/b")
        assert (reply.status, reply.text) == (201, "B")
        ids = {s["id"] for s in client.get("/__admin/mappings").json()["mappings"]}
        assert ids == {first, second, third, named}


def test_stub_with_a_mistake_raises_a_located_stub_error() -> None:
    """A bad stub fails in the caller with the key path (and line, for text) of the mistake."""
    with MockServer() as server:
        with pytest.raises(StubError, match=r"request\.headers\.Accept\.equals: unknown operator"):
            server.stub({"request": {"headers": {"Accept": {"equals": "x"}}}, "response": {}})
        with pytest.raises(StubError, match=r"<stub>:2: request\.queryParameters\.q\.equals"):
            server.stub("request:\n  queryParameters: {q: {equals: x}}\n")
        with pytest.raises(StubError, match="expected one stub mapping, got 2"):
            server.stub("- request: {url: /x}\n- request: {url: /y}\n")


def test_verify_counts_exactly_or_at_least_once() -> None:
    """`verify(pattern)` needs one match or more; `count=` needs exactly that many."""
    with MockServer() as server:
        client = Client(server.port)
        client.post("/orders", json_body={"sku": "A1"})
        client.post("/orders", json_body={"sku": "B2"})
        assert server.verify({"method": "POST", "url": "/orders"}) == 2
        assert server.verify({"method": "POST", "url": "/orders"}, count=2) == 2
        assert server.verify("method: GET\nurl: /orders\n", count=0) == 0
        with pytest.raises(AssertionError, match="expected exactly 1 request .* but 2 matched"):
            server.verify({"method": "POST", "url": "/orders"}, count=1)


def test_failed_verify_lists_the_nearest_requests_and_what_differed() -> None:
    """A failed verification shows the nearest journalled requests beside the pattern."""
    with MockServer() as server:
        client = Client(server.port)
        client.post("/payments", json_body={"amount": 10})
        client.get("/health")
        pattern = {"method": "POST", "url": "/payments",
                   "bodyPatterns": [{"equalToJson": {"amount": 12}}]}
        with pytest.raises(AssertionError) as caught:
            server.verify(pattern)
    message = str(caught.value)
    assert message.startswith("expected at least one request matching")
    assert "but 0 matched" in message
    assert "Nearest request 1 of 2" in message and "Nearest request 2 of 2" in message
    assert "| Expected" in message
    first = message.split("Nearest request 2 of 2")[0]
    assert "<<<<< Body does not match" in first  # the POST to /payments is the nearest
    assert "<<<<< HTTP method does not match" in message.split("Nearest request 2 of 2")[1]


def test_failed_verify_with_an_empty_journal_says_so() -> None:
    """With nothing received, the failure says no requests arrived at all."""
    with MockServer() as server, pytest.raises(AssertionError, match="no requests were received"):
        server.verify({"url": "/anything"})


def test_verify_with_the_journal_disabled_fails_clearly() -> None:
    """Verification cannot pass or fail honestly without a journal: it says so."""
    with MockServer(request_journal=False) as server, pytest.raises(
        AssertionError, match="journal is disabled"
    ):
        server.verify({"url": "/x"}, count=0)


def test_requests_lists_the_journal_oldest_first_optionally_filtered() -> None:
    """`requests()` returns journalled requests oldest first; a pattern filters them."""
    with MockServer() as server:
        client = Client(server.port)
        client.get("/one")
        client.post("/two", body="payload")
        everything = server.requests()
        assert [(r.method, r.path) for r in everything] == [("GET", "/one"), ("POST", "/two")]
        posts = server.requests({"method": "POST"})
        assert [r.body for r in posts] == [b"payload"]


def test_reset_keeps_file_stubs_and_drops_the_rest(stub_root: Path) -> None:
    """`reset()` drops added stubs and the journal, and reloads the root dir's files."""
    with MockServer(root_dir=stub_root) as server:
        client = Client(server.port)
        server.stub({"request": {"url": "/extra"}, "response": {"status": 204}})
        client.get("/extra")
        server.reset()
        assert server.requests() == []
        assert client.get("/extra").status == 404
        assert client.get("/api/users/1").status == 200


def test_using_a_stopped_server_is_a_clear_error() -> None:
    """Before start (or after stop) the server's address and state are not available."""
    server = MockServer()
    with pytest.raises(RuntimeError, match="not running"):
        server.url  # noqa: B018 - the attribute access is the test
    server.start()
    with pytest.raises(RuntimeError, match="already running"):
        server.start()
    server.stop()
    with pytest.raises(RuntimeError, match="not running"):
        server.stub({"request": {"url": "/x"}})


def test_async_with_runs_on_the_current_loop(stub_root: Path) -> None:
    """`async with MockServer()` serves from the running loop; the same methods work there."""

    async def scenario() -> tuple[int, str, int]:
        async with MockServer(root_dir=stub_root) as server:
            server.stub({"request": {"url": "/ping"}, "response": {"body": "pong"}})
            async with aiohttp.ClientSession() as session:
                async with session.get(f"{server.url}/ping") as reply:
                    status, text = reply.status, await reply.text()
            found = server.verify({"url": "/ping"}, count=1)
            port = server.port
        return status, text, found if _port_is_closed(port) else -1

    assert asyncio.run(scenario()) == (200, "pong", 1)


# -- loud about mistakes -----------------------------------------------------------------

def test_a_broken_stub_file_stops_the_start_naming_every_problem(stub_root: Path) -> None:
    """Start raises `StubLoadError` listing each broken file as file:line; `strict=False`
    serves the rest instead."""
    (stub_root / "mappings" / "a.yaml").write_text("request: {urlz: /a}\nresponse: {}\n")
    (stub_root / "mappings" / "b.yaml").write_text("request: {url: /b}\nresponse: {foo: 1}\n")
    with pytest.raises(mockserver.StubLoadError) as caught:
        MockServer(root_dir=stub_root).start()
    message = str(caught.value)
    assert message.startswith("2 stubs did not load:")
    assert "a.yaml:1: request.urlz: unknown field 'urlz' (did you mean 'url'" in message
    assert "b.yaml:2: response.foo" in message
    with MockServer(root_dir=stub_root, strict=False) as server:
        assert Client(server.port).get("/api/users/1").status == 200


def test_a_missing_root_dir_is_an_error(tmp_path: Path) -> None:
    """A root_dir that does not exist raises instead of serving nothing."""
    with pytest.raises(mockserver.StubLoadError, match="no such folder"):
        MockServer(root_dir=tmp_path / "nope").start()


def test_verify_shows_near_misses_only_for_requests_that_did_not_match() -> None:
    """Too few: the nearest other requests; the requests that matched are not drawn."""
    with MockServer() as server:
        server.on("ANY", "/.*", url_key="urlPathPattern").reply(200)
        client = Client(server.port)
        client.get("/orders/1")
        client.get("/orders/1")
        client.get("/orders/2")
        with pytest.raises(AssertionError) as caught:
            server.verify({"url": "/orders/1"}, count=3)
        text = str(caught.value)
        assert "but 2 matched" in text and "Nearest request 1 of 1" in text
        assert "/orders/2" in text


def test_builder_writes_the_wiremock_mapping_it_stands_for() -> None:
    """`on(...)` holds a plain WireMock mapping; reply adds the response and the stub."""
    with MockServer() as server:
        builder = server.on("post", "/users", query={"dry": "1"}, headers={"X-A": "b"},
                            json={"name": "Ada"}, name="create", priority=2)
        assert builder.mapping({"status": 201}) == {
            "request": {"method": "POST", "urlPath": "/users",
                        "queryParameters": {"dry": {"equalTo": "1"}},
                        "headers": {"X-A": {"equalTo": "b"}},
                        "bodyPatterns": [{"equalToJson": {"name": "Ada"}}]},
            "name": "create", "priority": 2, "response": {"status": 201}}
        stub_id = builder.reply(201, body=b"\x00\x01", headers={"X-Id": "7"})
        assert server.stub_ids() == [stub_id]


def test_journalled_headers_and_query_are_mappings() -> None:
    """Headers by any case (repeats via get_all), query by name, body as text and JSON."""
    with MockServer() as server:
        server.on("POST", "/j").reply(200)
        Client(server.port).request("POST", "/j?a=1&a=2&b=", body=b'{"k": [1]}',
                                    headers={"X-Multi": "one", "Content-Type":
                                             "application/json; charset=utf-8"})
        (sent,) = server.requests({"urlPath": "/j"})
        assert sent.headers["x-multi"] == "one" and "X-MULTI" in sent.headers
        assert sent.query["a"] == "1" and sent.query.get_all("a") == ["1", "2"]
        assert sent.query["b"] == "" and "c" not in sent.query
        assert sent.json() == {"k": [1]} and sent.text == '{"k": [1]}'
        assert sent.stub_id == server.stub_ids()[0]


def test_async_server_answers_with_a_coroutine_callable() -> None:
    """Under `async with`, `aresponder()` then `reply_with` takes an async function."""

    async def answer(request: object) -> tuple[int, dict[str, bool]]:
        await asyncio.sleep(0)
        return 200, {"async": True}

    async def main() -> None:
        async with MockServer() as server:
            await server.aresponder()
            server.on("GET", "/a").reply_with(answer)
            async with aiohttp.ClientSession() as session, \
                    session.get(server.url + "/a") as reply:
                assert (reply.status, await reply.json()) == (200, {"async": True})

    asyncio.run(main())


@pytest.mark.parametrize("port", [-1, 65536, 99999])
def test_a_port_out_of_range_is_refused(port: int) -> None:
    """A port beyond 65535 would wrap around under uvloop: it is refused up front."""
    with pytest.raises(ValueError, match="is not a port"):
        MockServer(port=port)
