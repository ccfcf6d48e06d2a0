"""Stubs served over real HTTP: URL, method, header, query, cookie, auth and body matching."""

from __future__ import annotations

import base64
import gzip
import json
import zlib
from typing import Any

import pytest

from tests.conftest import Client, cli_server


def stub(client: Client, request: dict[str, Any], body: str = "ok", **extra: Any) -> str:
    return client.stub({"request": request, "response": {"status": 200, "body": body}, **extra})


@pytest.mark.parametrize(
    ("request_spec", "path", "expected"),
    [
        ({"url": "/u1"}, "/u1", 200),
        ({"url": "/u1"}, "/u1?x=1", 404),
        ({"url": "/u1"}, "/u1/", 404),
        ({"url": "/u1"}, "/U1", 404),
        ({"url": "/u2?a=1&b=2"}, "/u2?b=2&a=1", 404),
        ({"urlPath": "/p1"}, "/p1?x=1", 200),
        ({"urlPattern": "/r1/[a-z]+"}, "/r1/abc", 200),
        ({"urlPattern": "/r1/[a-z]+"}, "/r1/abc?x=1", 404),
        ({"urlPathPattern": "/rp1/[a-z]+"}, "/rp1/abc?z=9", 200),
        ({"urlPathPattern": "/rp1/[a-z]+"}, "/rp1/abc/def", 404),
        ({"url": "/enc%20a"}, "/enc%20a", 200),
        ({"urlPath": "/enc b"}, "/enc%20b", 404),
        ({"urlPathTemplate": "/users/{id}/orders/{order}"}, "/users/1/orders/2?z=1", 200),
        ({"urlPathTemplate": "/users/{id}/orders/{order}"}, "/users/1/orders/2/", 404),
        ({}, "/anything/at/all", 200),
    ],
)
def test_url_matching(client: Client, request_spec: dict[str, Any], path: str,
                      expected: int) -> None:
    """URL matchers follow WireMock: raw paths, query in `url`, full-match regexes."""
    stub(client, request_spec)
    assert client.get(path).status == expected


def test_method_matching(client: Client) -> None:
    """Methods are exact and case-sensitive; ANY matches every verb; GET does not serve HEAD."""
    stub(client, {"method": "POST", "url": "/m"}, "post")
    stub(client, {"method": "ANY", "url": "/any"}, "any")
    assert client.post("/m", body="x").text == "post"
    assert client.get("/m").status == 404
    for method in ("GET", "PUT", "DELETE", "PATCH", "OPTIONS"):
        assert client.request(method, "/any").status == 200
    stub(client, {"method": "GET", "url": "/g"})
    assert client.request("HEAD", "/g").status == 404


def test_headers_query_cookies(client: Client) -> None:
    """Header names are case-insensitive, query values decoded, other cookies ignored."""
    stub(client, {
        "urlPath": "/hq",
        "headers": {"x-token": {"equalTo": "abc"}},
        "queryParameters": {"name": {"equalTo": "a b"}},
        "cookies": {"session": {"matches": "s-[0-9]+"}},
    })
    ok = client.get("/hq?name=a+b", headers=[("X-Token", "abc"), ("Cookie", "o=1; session=s-12")])
    assert ok.status == 200
    assert client.get("/hq?name=a%20b", headers=[("X-TOKEN", "abc"),
                                                 ("Cookie", "session=s-1")]).status == 200
    assert client.get("/hq?name=a+b", headers=[("X-Token", "abd"),
                                               ("Cookie", "session=s-1")]).status == 404
    assert client.get("/hq?name=a+b", headers=[("X-Token", "abc")]).status == 404


def test_multi_valued_query_and_headers(client: Client) -> None:
    """hasExactly needs the exact set of values; repeated headers are separate values."""
    stub(client, {"urlPath": "/mv", "queryParameters": {
        "id": {"hasExactly": [{"equalTo": "1"}, {"equalTo": "2"}]}}})
    stub(client, {"urlPath": "/mh", "headers": {"X-M": {"equalTo": "b"}}})
    assert client.get("/mv?id=2&id=1").status == 200
    assert client.get("/mv?id=1&id=2&id=3").status == 404
    assert client.get("/mh", headers=[("X-M", "a"), ("X-M", "b")]).status == 200
    assert client.get("/mh", headers=[("X-M", "a, b")]).status == 404


def test_basic_auth(client: Client) -> None:
    """basicAuthCredentials compares the scheme word case-insensitively and the token exactly."""
    stub(client, {"url": "/auth", "basicAuthCredentials": {"username": "u", "password": "p"}})
    token = base64.b64encode(b"u:p").decode()
    assert client.get("/auth", headers=[("Authorization", f"Basic {token}")]).status == 200
    assert client.get("/auth", headers=[("Authorization", f"basic {token}")]).status == 200
    wrong = base64.b64encode(b"u:x").decode()
    assert client.get("/auth", headers=[("Authorization", f"Basic {wrong}")]).status == 404


def test_body_patterns(client: Client) -> None:
    """Every body pattern must match; an empty body counts as absent."""
    stub(client, {"method": "POST", "url": "/b", "bodyPatterns": [
        {"contains": "hello"}, {"doesNotContain": "bye"}]}, "body")
    stub(client, {"method": "POST", "url": "/empty", "bodyPatterns": [{"absent": True}]}, "none")
    assert client.post("/b", body="say hello").text == "body"
    assert client.post("/b", body="hello bye").status == 404
    assert client.post("/empty", body="").text == "none"
    assert client.post("/empty", body="x").status == 404


def test_gzip_request_body_is_decoded_for_matching(client: Client) -> None:
    """A gzip-encoded request body is matched (and journalled) decompressed."""
    stub(client, {"method": "POST", "url": "/gz", "bodyPatterns": [{"equalTo": "plain"}]}, "gz")
    reply = client.post("/gz", body=gzip.compress(b"plain"),
                        headers=[("Content-Encoding", "gzip")])
    assert reply.text == "gz"


def _raw_deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


@pytest.mark.parametrize(
    ("coding", "encoded"),
    [
        ("x-gzip", gzip.compress(b"plain")),
        ("deflate", zlib.compress(b"plain")),
        ("deflate", _raw_deflate(b"plain")),
    ],
    ids=["x-gzip", "zlib-deflate", "raw-deflate"],
)
def test_other_request_codings_are_decoded_for_matching(client: Client, coding: str,
                                                        encoded: bytes) -> None:
    """x-gzip and deflate (zlib-wrapped or raw) request bodies are matched decompressed."""
    stub(client, {"method": "POST", "url": "/coded", "bodyPatterns": [{"equalTo": "plain"}]},
         "decoded")
    reply = client.post("/coded", body=encoded, headers=[("Content-Encoding", coding)])
    assert reply.text == "decoded"


def test_gzip_inside_gzip_is_inflated_once(client: Client) -> None:
    """A gzip body whose content is itself gzip is decoded one layer, as its header says."""
    inner = gzip.compress(b"plain", mtime=0)
    stub(client, {"method": "POST", "url": "/twice",
                  "bodyPatterns": [{"binaryEqualTo": base64.b64encode(inner).decode()}]},
         "once")
    reply = client.post("/twice", body=gzip.compress(inner),
                        headers=[("Content-Encoding", "gzip")])
    assert reply.text == "once"


def test_priority_then_newest_first(client: Client) -> None:
    """A lower priority number wins; among equals the most recently added stub wins."""
    client.stub({"request": {"url": "/p"}, "response": {"body": "old"}})
    client.stub({"request": {"url": "/p"}, "response": {"body": "new"}})
    assert client.get("/p").text == "new"
    client.stub({"priority": 1, "request": {"urlPathPattern": "/.*"},
                 "response": {"body": "first"}})
    assert client.get("/p").text == "first"


def test_response_fields(client: Client) -> None:
    """Status, reason phrase, repeated headers, JSON and base64 bodies are sent as written."""
    stub_id = client.stub({"request": {"url": "/r"}, "response": {
        "status": 418, "statusMessage": "I am a teapot (custom)",
        "headers": {"X-Multi": ["a", "b"], "Set-Cookie": ["a=1", "b=2"]},
        "jsonBody": {"a": [1, 2], "b": None}}})
    reply = client.get("/r")
    assert (reply.status, reply.reason) == (418, "I am a teapot (custom)")
    assert reply.header_values("X-Multi") == ["a", "b"]
    assert reply.header_values("Set-Cookie") == ["a=1", "b=2"]
    assert reply.body == b'{"a":[1,2],"b":null}'
    assert reply.header("Content-Type") is None
    assert reply.header("Matched-Stub-Id") == stub_id
    client.stub({"request": {"url": "/bin"}, "response": {"base64Body": "AAEC"}})
    assert client.get("/bin").body == b"\x00\x01\x02"


def test_body_file(client: Client, root_dir: Any) -> None:
    """bodyFileName is read from __files and may not escape it."""
    (root_dir / "__files" / "nested").mkdir()
    (root_dir / "__files" / "nested" / "n.txt").write_text("from file")
    client.stub({"request": {"url": "/f"}, "response": {"bodyFileName": "nested/n.txt"}})
    assert client.get("/f").text == "from file"
    refused = client.post("/__admin/mappings", json_body={
        "request": {"url": "/escape"}, "response": {"bodyFileName": "../../etc/passwd"}})
    assert refused.status == 422
    assert refused.json()["errors"][0]["source"]["pointer"] == "/response/bodyFileName"


def test_head_request(client: Client) -> None:
    """A HEAD stub answers with headers and no body."""
    client.stub({"request": {"method": "HEAD", "url": "/h"},
                 "response": {"body": "hidden", "headers": {"X-A": "1"}}})
    reply = client.request("HEAD", "/h")
    assert reply.status == 200 and reply.body == b"" and reply.header("X-A") == "1"


def test_scenario_progression(client: Client) -> None:
    """A scenario moves from Started to the next state after its stub is served."""
    client.stub({"scenarioName": "s", "requiredScenarioState": "Started",
                 "newScenarioState": "two", "request": {"url": "/s"},
                 "response": {"body": "one"}})
    client.stub({"scenarioName": "s", "requiredScenarioState": "two",
                 "request": {"url": "/s"}, "response": {"body": "two"}})
    assert [client.get("/s").text for _ in range(3)] == ["one", "two", "two"]


def test_request_logging_can_be_disabled(tmp_path: Any) -> None:
    """--disable-request-logging drops the per-request event but keeps the others."""
    root = tmp_path / "r"
    (root / "mappings").mkdir(parents=True)
    (root / "mappings" / "a.yaml").write_text("request: {url: /a}\nresponse: {body: ok}\n")
    with cli_server(root, "--disable-request-logging") as (client, log):
        assert client.get("/a").text == "ok"
    output = log.read_text()
    assert '"stubs_loaded"' in output
    assert "request_served" not in output


def test_log_events_carry_the_request_id(tmp_path: Any) -> None:
    """A stub request's events carry its journal id; an admin request's events carry an id of
    their own; nothing leaks from one request to the next."""
    root = tmp_path / "r"
    (root / "mappings").mkdir(parents=True)
    (root / "mappings" / "a.yaml").write_text("request: {url: /a}\nresponse: {body: ok}\n")
    with cli_server(root) as (client, log):
        assert client.get("/a").text == "ok"
        journal_id = client.get("/__admin/requests").json()["requests"][0]["id"]
        assert client.post("/__admin/reset").status == 200
    events = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    by_name = {event["event"]: event for event in events}
    assert by_name["request_served"]["request_id"] == journal_id
    reload_id = [e for e in events if e["event"] == "stubs_loaded"][-1]["request_id"]
    assert reload_id not in (None, journal_id)
    assert "request_id" not in by_name["server_started"]
