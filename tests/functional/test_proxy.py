"""Proxy stubs against a real upstream on loopback: forwarding, headers, bodies, failures."""

from __future__ import annotations

import gzip
import http.client
import json
import socket
import time
from pathlib import Path
from typing import Any

from mockserver.serve.runner import ThreadedRunner
from tests.conftest import Client, start_server
from tests.upstream import BINARY, Upstream


def proxy_stub(client: Client, base: str, request: dict[str, Any] | None = None,
               **response: Any) -> str:
    return client.stub({"request": request or {"urlPathPattern": "/.*"},
                        "response": {"proxyBaseUrl": base, **response}})


def get_with_host(port: int, path: str, host: str) -> Any:
    """GET with a Host header of our choosing (http.client would add its own)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
        conn.putheader("Host", host)
        conn.endheaders()
        return json.loads(conn.getresponse().read())
    finally:
        conn.close()


def journal(server: ThreadedRunner) -> list[Any]:
    return server.call(lambda: server.state.journal.newest_first())


def test_forwards_method_path_query_headers_and_body(client: Client, upstream: Upstream) -> None:
    """The upstream receives the method, raw path and query, headers and body as sent."""
    proxy_stub(client, upstream.url)
    reply = client.post("/echo/a%20b?q=1&q=2", body="hello",
                        headers={"Content-Type": "text/plain", "X-Client": "test"})
    assert reply.status == 200
    echoed = reply.json()
    assert echoed["method"] == "POST"
    assert echoed["path"] == "/echo/a%20b?q=1&q=2"
    assert echoed["body"] == "hello"
    assert echoed["headers"]["x-client"] == "test"
    assert echoed["headers"]["content-type"] == "text/plain"
    assert reply.header("X-Upstream") == "yes"


def test_proxied_response_has_no_matched_stub_id(client: Client, upstream: Upstream) -> None:
    """Proxied answers carry no Matched-Stub-Id, as in WireMock."""
    proxy_stub(client, upstream.url)
    reply = client.get("/text")
    assert reply.text == "hello from upstream"
    assert reply.header("Matched-Stub-Id") is None


def test_host_header_is_the_targets(client: Client, upstream: Upstream) -> None:
    """Without --preserve-host-header the upstream sees its own authority as Host."""
    proxy_stub(client, upstream.url)
    echoed = get_with_host(client.port, "/echo", "client.example")
    assert echoed["headers"]["host"] == upstream.url.removeprefix("http://")


def test_preserve_host_header_keeps_the_clients(root_dir: Path, upstream: Upstream) -> None:
    """With --preserve-host-header the client's Host header is forwarded."""
    runner = start_server(root_dir, preserve_host_header=True)
    try:
        client = Client(runner.port)
        proxy_stub(client, upstream.url)
        echoed = get_with_host(client.port, "/echo", "client.example")
        assert echoed["headers"]["host"] == "client.example"
    finally:
        runner.stop()


def test_additional_and_removed_request_headers(client: Client, upstream: Upstream) -> None:
    """additionalProxyRequestHeaders override; removeProxyRequestHeaders ignore case."""
    proxy_stub(client, upstream.url,
               additionalProxyRequestHeaders={"X-Extra": "added", "X-Override": "stub"},
               removeProxyRequestHeaders=["X-Secret", "x-other-SECRET"])
    echoed = client.get("/echo", headers={"x-secret": "1", "X-Other-Secret": "2",
                                          "X-Override": "client", "X-Kept": "3"}).json()
    headers = echoed["headers"]
    assert headers["x-extra"] == "added"
    assert headers["x-override"] == "stub"
    assert headers["x-kept"] == "3"
    assert "x-secret" not in headers and "x-other-secret" not in headers


def test_prefix_removed_and_base_path_prepended(client: Client, upstream: Upstream) -> None:
    """proxyUrlPrefixToRemove strips the prefix; a path in proxyBaseUrl is prepended."""
    proxy_stub(client, f"{upstream.url}/echo/base", {"urlPathPattern": "/strip/.*"},
               proxyUrlPrefixToRemove="/strip")
    assert client.get("/strip/x/y?z=1").json()["path"] == "/echo/base/x/y?z=1"


def test_hop_by_hop_headers_are_not_forwarded(client: Client, upstream: Upstream) -> None:
    """Connection, the headers it names, Keep-Alive, TE and Proxy-Authorization stay here."""
    proxy_stub(client, upstream.url)
    echoed = client.get("/echo", headers={"Connection": "keep-alive, X-Hop", "X-Hop": "1",
                                          "Keep-Alive": "timeout=5", "TE": "trailers",
                                          "Proxy-Authorization": "Basic eDp5"}).json()
    for name in ("x-hop", "keep-alive", "te", "proxy-authorization"):
        assert name not in echoed["headers"]


def test_stub_headers_are_added_and_delay_applies(client: Client, upstream: Upstream) -> None:
    """The stub's own headers are appended to the upstream's; its delay is honoured."""
    proxy_stub(client, upstream.url, headers={"X-Stub": "yes"}, fixedDelayMilliseconds=200)
    started = time.monotonic()
    reply = client.get("/text")
    assert time.monotonic() - started >= 0.2
    assert reply.header("X-Stub") == "yes"
    assert reply.header("X-Upstream") == "yes"


def test_repeated_headers_statuses_and_binary_pass_through(client: Client,
                                                          upstream: Upstream) -> None:
    """Repeated headers, error statuses and binary bodies come back unchanged."""
    proxy_stub(client, upstream.url)
    assert client.get("/multi-header").header_values("X-Multi") == ["one", "two"]
    reply = client.get("/status/503")
    assert (reply.status, reply.text) == (503, "status 503")
    assert client.get("/binary").body == BINARY


def test_redirects_are_passed_on_not_followed(client: Client, upstream: Upstream) -> None:
    """A 302 from upstream reaches the client as a 302."""
    proxy_stub(client, upstream.url)
    reply = client.get("/redirect")
    assert reply.status == 302
    assert reply.header("Location") == "/text?token=SECRET-LOCATION"


def test_gzip_reaches_client_compressed_and_journal_decoded(
    client: Client, server: ThreadedRunner, upstream: Upstream
) -> None:
    """The client gets the gzip bytes; the journal keeps them decoded, without the encoding."""
    proxy_stub(client, upstream.url)
    reply = client.get("/gzip", headers={"Accept-Encoding": "gzip"})
    assert reply.header("Content-Encoding") == "gzip"
    assert gzip.decompress(reply.body) == b'{"compressed": "gzip"}'
    event = journal(server)[0]
    assert event.proxied
    assert event.body == b'{"compressed": "gzip"}'
    names = {k.lower() for k, _ in event.headers}
    assert "content-encoding" not in names and "content-length" not in names


def test_deflate_is_decoded_in_the_journal(client: Client, server: ThreadedRunner,
                                           upstream: Upstream) -> None:
    """A deflate body is journalled decoded too."""
    proxy_stub(client, upstream.url)
    client.get("/deflate", headers={"Accept-Encoding": "deflate"})
    assert journal(server)[0].body == b"deflated text"


def test_accept_encoding_is_narrowed_to_decodable_codings(client: Client,
                                                          upstream: Upstream) -> None:
    """Codings a recording could not decode (br, zstd) are not offered upstream."""
    proxy_stub(client, upstream.url)
    echoed = client.get("/echo", headers={"Accept-Encoding": "br, gzip;q=0.8, zstd"}).json()
    assert echoed["headers"]["accept-encoding"] == "gzip;q=0.8"
    echoed = client.get("/echo", headers={"Accept-Encoding": "br"}).json()
    assert "accept-encoding" not in echoed["headers"]
    echoed = client.get("/echo").json()
    assert "accept-encoding" not in echoed["headers"]


def test_unreachable_upstream_is_a_500_naming_it(client: Client, server: ThreadedRunner) -> None:
    """A dead upstream gives 500 with WireMock's message, the URL and the reason."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}"
    proxy_stub(client, dead)
    reply = client.get("/nowhere?x=1")
    assert reply.status == 500
    first, _, reason = reply.text.partition("\r\n")
    assert first == ("Network failure trying to make a proxied request from WireMock to "
                     f"{dead}/nowhere?x=1")
    assert "Cannot connect" in reason
    event = journal(server)[0]
    assert event.was_matched and event.status == 500 and not event.proxied


def test_response_body_is_streamed(client: Client, upstream: Upstream) -> None:
    """The client reads the first chunk while the upstream is still holding back the rest."""
    proxy_stub(client, upstream.url)
    conn = http.client.HTTPConnection("127.0.0.1", client.port, timeout=5)
    try:
        conn.request("GET", "/stream")
        response = conn.getresponse()
        assert response.read(12) == b"first chunk;"
        upstream.release.set()
        assert response.read() == b"second chunk"
    finally:
        conn.close()


def test_large_bodies_go_through(client: Client, upstream: Upstream) -> None:
    """A 3 MB request body reaches the upstream and its echo comes back whole."""
    proxy_stub(client, upstream.url)
    data = "x" * (3 * 1024 * 1024)
    reply = client.post("/echo/large", body=data, headers={"Content-Type": "text/plain"})
    assert reply.json()["body"] == data


def test_proxied_requests_are_journalled(client: Client, server: ThreadedRunner,
                                         upstream: Upstream) -> None:
    """The journal shows the request as matched, with the upstream's response."""
    proxy_stub(client, upstream.url)
    client.get("/text")
    logged = client.get("/__admin/requests").json()["requests"][0]
    assert logged["wasMatched"] is True
    assert logged["response"]["body"] == "hello from upstream"
    assert logged["responseDefinition"]["proxyBaseUrl"] == upstream.url
    assert journal(server)[0].proxied


def test_proxy_all_sends_unmatched_requests_upstream(root_dir: Path, upstream: Upstream) -> None:
    """--proxy-all proxies what no stub matches, at priority 10, and survives a reset."""
    runner = start_server(root_dir, proxy_all=upstream.url)
    try:
        client = Client(runner.port)
        client.stub({"request": {"url": "/text"}, "response": {"body": "stubbed"}})
        assert client.get("/text").text == "stubbed"
        assert client.get("/multi-header").text == "multi"
        client.post("/__admin/reset")
        assert client.get("/text").text == "hello from upstream"
        mappings = client.get("/__admin/mappings").json()["mappings"]
        assert [(m["priority"], m["request"]["method"], m["response"]["proxyBaseUrl"])
                for m in mappings] == [(10, "ANY", upstream.url)]
    finally:
        runner.stop()
