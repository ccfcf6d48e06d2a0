"""The recordings API against a real upstream: WireMock's shapes, files on disk, redaction."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
import yaml

from mockserver.serve.runner import ThreadedRunner
from tests.conftest import Client, start_server
from tests.recording import start, stop
from tests.upstream import BINARY, PNG, Upstream

SECRETS = ("SECRET", "sk_live_abc", "hunter2")


def files_under(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def test_status_follows_start_and_stop(client: Client, upstream: Upstream) -> None:
    """Status goes NeverStarted, Recording, Stopped; a second start changes nothing."""
    assert client.get("/__admin/recordings/status").json() == {"status": "NeverStarted"}
    start(client, upstream, persist=False)
    start(client, upstream, persist=False)
    assert client.get("/__admin/recordings/status").json() == {"status": "Recording"}
    assert len(client.get("/__admin/mappings").json()["mappings"]) == 1  # the proxy stub
    assert stop(client) == []
    assert client.get("/__admin/recordings/status").json() == {"status": "Stopped"}
    assert client.get("/__admin/mappings").json()["mappings"] == []


def test_stop_when_not_recording_is_error_30(client: Client) -> None:
    """Stopping without a recording is a 400 with WireMock's code 30."""
    reply = client.post("/__admin/recordings/stop")
    assert reply.status == 400
    assert reply.json() == {"errors": [{"code": 30, "title": "Not currently recording."}]}


def test_recorded_request_patterns_are_wiremocks(client: Client, upstream: Upstream,
                                                 root_dir: Path) -> None:
    """url vs urlPath + hasExactly, equalToJson, equalTo, binaryEqualTo; newest first."""
    start(client, upstream, persist=False)
    client.get("/echo/plain")
    client.get("/echo/query?a=1&a=2&b=x")
    client.post("/echo/json", body='{"ids":[1,2]}', headers={"Content-Type": "application/json"})
    client.post("/echo/text", body="Plain Words", headers={"Content-Type": "text/plain"})
    client.post("/echo/bin", body=b"\x00\x01\x02",
                headers={"Content-Type": "application/octet-stream"})
    mappings = stop(client)
    requests = [m["request"] for m in reversed(mappings)]
    assert requests[0] == {"url": "/echo/plain", "method": "GET"}
    assert requests[1] == {"urlPath": "/echo/query", "method": "GET", "queryParameters": {
        "a": {"hasExactly": [{"equalTo": "1"}, {"equalTo": "2"}]},
        "b": {"hasExactly": [{"equalTo": "x"}]}}}
    assert requests[2]["bodyPatterns"] == [{"equalToJson": '{"ids":[1,2]}',
                                            "ignoreArrayOrder": True,
                                            "ignoreExtraElements": True}]
    assert requests[3]["bodyPatterns"] == [{"equalTo": "Plain Words",
                                            "caseInsensitive": False}]
    assert requests[4]["bodyPatterns"] == [{"binaryEqualTo": "AAEC"}]
    assert [m["name"] for m in reversed(mappings)] == [
        "echo_plain", "echo_query", "echo_json", "echo_text", "echo_bin"]
    assert files_under(root_dir) == {}  # persist: false writes nothing


def test_recorded_responses_and_playback(client: Client, upstream: Upstream) -> None:
    """Text as body, binary as base64Body, no framing headers; replayed without upstream."""
    start(client, upstream, persist=False)
    client.get("/text")
    client.get("/binary")
    client.get("/gzip", headers={"Accept-Encoding": "gzip"})
    text, binary, gzipped = reversed(stop(client))
    assert text["response"]["body"] == "hello from upstream"
    assert text["response"]["headers"]["X-Upstream"] == "yes"
    assert base64.b64decode(binary["response"]["base64Body"]) == BINARY
    assert gzipped["response"]["body"] == '{"compressed": "gzip"}'
    for mapping in (text, binary, gzipped):
        names = {n.lower() for n in mapping["response"]["headers"]}
        assert not names & {"content-length", "content-encoding", "transfer-encoding"}
    seen = len(upstream.received)
    assert client.get("/text").text == "hello from upstream"
    assert client.get("/binary").body == BINARY
    replay = client.get("/gzip", headers={"Accept-Encoding": "gzip"})
    assert replay.header("Content-Encoding") is None
    assert replay.text == '{"compressed": "gzip"}'
    assert len(upstream.received) == seen


def test_repeats_become_a_scenario(client: Client, upstream: Upstream) -> None:
    """Three calls with different answers replay in order; the last answer repeats."""
    start(client, upstream, persist=False)
    for _ in range(3):
        client.get("/counter")
    mappings = list(reversed(stop(client)))
    name = "scenario-1-counter"
    assert [(m["scenarioName"], m["requiredScenarioState"], m.get("newScenarioState"))
            for m in mappings] == [(name, "Started", f"{name}-2"),
                                   (name, f"{name}-2", f"{name}-3"), (name, f"{name}-3", None)]
    assert [client.get("/counter").json()["call"] for _ in range(4)] == [1, 2, 3, 3]


def test_repeats_as_scenarios_false_keeps_the_first(client: Client, upstream: Upstream) -> None:
    """With repeatsAsScenarios false only the first answer is kept."""
    start(client, upstream, persist=False, repeatsAsScenarios=False)
    client.get("/counter")
    client.get("/counter")
    (mapping,) = stop(client)
    assert "scenarioName" not in mapping
    assert client.get("/counter").json() == {"call": 1}


def test_capture_headers_and_body_pattern_options(client: Client, upstream: Upstream) -> None:
    """captureHeaders become equalTo matchers; requestBodyPattern picks the matcher."""
    start(client, upstream, persist=False,
          captureHeaders={"X-Tenant": {"caseInsensitive": True}, "Accept": {}},
          requestBodyPattern={"matcher": "equalTo", "caseInsensitive": True})
    client.post("/echo/cap", body='{"a":1}',
                headers={"X-Tenant": "T1", "Accept": "text/plain",
                         "Content-Type": "application/json"})
    (mapping,) = stop(client)
    assert mapping["request"]["headers"] == {
        "X-Tenant": {"equalTo": "T1", "caseInsensitive": True},
        "Accept": {"equalTo": "text/plain"}}
    assert mapping["request"]["bodyPatterns"] == [{"equalTo": '{"a":1}',
                                                   "caseInsensitive": True}]
    headers = {"X-Tenant": "t1", "Accept": "text/plain", "Content-Type": "application/json"}
    assert client.post("/echo/cap", body='{"A":1}', headers=headers).status == 200
    headers["X-Tenant"] = "t2"
    assert client.post("/echo/cap", body='{"a":1}', headers=headers).status == 404


def test_snapshot_filters_ids_and_non_proxied(client: Client, upstream: Upstream) -> None:
    """Snapshots take proxied events, by pattern or id; allowNonProxied adds local ones."""
    client.stub({"request": {"urlPathPattern": "/echo/.*"},
                 "response": {"proxyBaseUrl": upstream.url}})
    client.stub({"request": {"url": "/local"}, "response": {"body": "local"}})
    client.get("/echo/a")
    client.get("/echo/b")
    client.get("/local")
    events = client.get("/__admin/requests").json()["requests"]
    id_of_b = next(e["id"] for e in events if e["request"]["url"] == "/echo/b")
    reply = client.post("/__admin/recordings/snapshot", json_body={
        "persist": False, "filters": {"urlPathPattern": "/echo/a"}})
    assert [m["request"]["url"] for m in reply.json()["mappings"]] == ["/echo/a"]
    reply = client.post("/__admin/recordings/snapshot", json_body={
        "persist": False, "outputFormat": "ids", "filters": {"ids": [id_of_b]}})
    (stub_id,) = reply.json()["ids"]
    assert client.get(f"/__admin/mappings/{stub_id}").json()["request"]["url"] == "/echo/b"
    reply = client.post("/__admin/recordings/snapshot", json_body={
        "persist": False, "filters": {"allowNonProxied": True, "url": "/local"}})
    (local,) = reply.json()["mappings"]
    assert base64.b64decode(local["response"]["base64Body"]) == b"local"
    assert "Matched-Stub-Id" in local["response"]["headers"]


def test_extract_body_criteria_moves_large_bodies_to_files(
    client: Client, upstream: Upstream, root_dir: Path
) -> None:
    """Bodies above the thresholds go to __files and are served from there."""
    start(client, upstream, persist=False,
          extractBodyCriteria={"textSizeThreshold": "10 b", "binarySizeThreshold": 0})
    client.get("/text")
    client.get("/image.png")
    text, image = reversed(stop(client))
    assert text["response"]["bodyFileName"] == f"text-{text['id']}.txt"
    assert image["response"]["bodyFileName"] == f"image.png-{image['id']}.png"
    assert (root_dir / "__files" / image["response"]["bodyFileName"]).read_bytes() == PNG
    assert client.get("/text").text == "hello from upstream"
    assert client.get("/image.png").body == PNG


@pytest.mark.parametrize(("spec", "pointer"), [
    ({"outputFormat": "XML"}, "/outputFormat"),
    ({"unknownField": 1}, "/unknownField"),
    ({"redact": {"jsonPaths": ["$["]}}, "/redact/jsonPaths"),
    ({"requestBodyPattern": {"matcher": "fuzzy"}}, "/requestBodyPattern/matcher"),
    ({"targetBaseUrl": "ftp://x"}, "/targetBaseUrl"),
])
def test_bad_record_specs_are_422(client: Client, spec: dict[str, Any], pointer: str) -> None:
    """A bad record spec is refused with 422, pointing at the field."""
    reply = client.post("/__admin/recordings/start", json_body=spec)
    assert reply.status == 422
    assert reply.json()["errors"][0]["source"]["pointer"] == pointer
    assert client.get("/__admin/recordings/status").json() == {"status": "NeverStarted"}


def record_secrets(client: Client) -> None:
    client.get("/customers/cus_8Hx2kQ9zLm?api_key=sk_live_abc&expand=orders",
               headers={"Authorization": "Bearer SECRET-BEARER"})
    client.post("/oauth/token", body='{"client_secret":"SECRET-CLIENT","scope":"read"}',
                headers={"Content-Type": "application/json"})
    client.post("/echo/form", body="user=ada&password=hunter2",
                headers={"Content-Type": "application/x-www-form-urlencoded"})


def test_persisted_recording_is_readable_yaml(
    client: Client, upstream: Upstream, root_dir: Path
) -> None:
    """persist writes one YAML file per endpoint: jsonBody, binary bodies in __files."""
    start(client, upstream)
    client.get("/customers/cus_8Hx2kQ9zLm")
    client.get("/customers/42")
    client.get("/image.png")
    client.post("/echo/json", body='{"b":[1]}', headers={"Content-Type": "application/json"})
    stop(client)
    names = sorted(files_under(root_dir))
    assert [n for n in names if n.startswith("mappings")] == [
        "mappings/get-customers-id.yaml", "mappings/get-image.png.yaml",
        "mappings/post-echo-json.yaml"]
    customers = yaml.safe_load((root_dir / "mappings/get-customers-id.yaml").read_text())
    assert [c["request"]["url"] for c in customers] == ["/customers/cus_8Hx2kQ9zLm",
                                                       "/customers/42"]
    assert customers[1]["response"]["jsonBody"]["id"] == "42"
    assert list(customers[0]) == ["name", "request", "response", "metadata", "id"]
    posted = yaml.safe_load((root_dir / "mappings/post-echo-json.yaml").read_text())
    assert posted["request"]["bodyPatterns"][0]["equalToJson"] == {"b": [1]}
    image = yaml.safe_load((root_dir / "mappings/get-image.png.yaml").read_text())
    assert (root_dir / "__files" / image["response"]["bodyFileName"]).read_bytes() == PNG
    assert client.get("/image.png").body == PNG
    assert client.get("/customers/42").json()["id"] == "42"


def test_recording_again_updates_files_without_duplicates(
    client: Client, upstream: Upstream, root_dir: Path
) -> None:
    """A second recording of the same requests replaces the stubs, in the same files."""
    for _ in range(2):
        start(client, upstream)
        client.get("/counter")
        client.get("/text")
        client.get("/image.png")
        stop(client)
    files = files_under(root_dir)
    assert sorted(files) == sorted([
        "mappings/get-counter.yaml", "mappings/get-text.yaml", "mappings/get-image.png.yaml",
        *[n for n in files if n.startswith("__files/get-image.png-")]])
    assert len([n for n in files if n.startswith("__files/")]) == 1
    counter = yaml.safe_load(files["mappings/get-counter.yaml"])
    assert counter["response"]["jsonBody"] == {"call": 2}
    assert len(client.get("/__admin/mappings").json()["mappings"]) == 3
    assert client.get("/counter").json() == {"call": 2}


def test_persisted_scenario_and_restart_replay(upstream: Upstream, root_dir: Path) -> None:
    """A persisted scenario replays in order after the server restarts on the same folder."""
    runner = start_server(root_dir)
    try:
        client = Client(runner.port)
        start(client, upstream)
        for _ in range(2):
            client.get("/counter")
        client.get("/text")
        client.get("/text")  # same answer twice: one stub, no scenario
        stop(client)
    finally:
        runner.stop()
    counter = yaml.safe_load((root_dir / "mappings/get-counter.yaml").read_text())
    assert [c["scenarioName"] for c in counter] == ["get-counter", "get-counter"]
    text = yaml.safe_load((root_dir / "mappings/get-text.yaml").read_text())
    assert "scenarioName" not in text
    replay: ThreadedRunner = start_server(root_dir)
    try:
        client = Client(replay.port)
        assert [client.get("/counter").json()["call"] for _ in range(3)] == [1, 2, 2]
        assert client.get("/text").text == "hello from upstream"
    finally:
        replay.stop()


def test_secrets_never_reach_disk_and_stubs_still_replay(
    client: Client, upstream: Upstream, root_dir: Path
) -> None:
    """Credentials are masked on disk and in the API; other credentials still match."""
    start(client, upstream, captureHeaders={"Authorization": {}},
          redact={"headers": ["Authorization"]})
    record_secrets(client)
    mappings = stop(client)
    written = b"".join(files_under(root_dir).values())
    assert written
    for secret in SECRETS:
        assert secret.encode() not in written
        assert secret not in str(mappings)
    customer = yaml.safe_load((root_dir / "mappings/get-customers-id.yaml").read_text())
    assert customer["request"]["headers"]["Authorization"] == {"matches": ".*"}
    assert customer["request"]["queryParameters"]["api_key"] == {"matches": ".*"}
    assert customer["response"]["headers"]["Set-Cookie"] == \
        "session=[REDACTED]; Path=/; HttpOnly"
    assert customer["response"]["jsonBody"]["api_token"] == "[REDACTED]"
    assert "response.headers.Set-Cookie" in customer["metadata"]["redacted"]
    reply = client.get("/customers/cus_8Hx2kQ9zLm?api_key=other&expand=orders",
                       headers={"Authorization": "Bearer other"})
    assert reply.json()["name"] == "Ada"
    token = client.post("/oauth/token", body='{"client_secret":"other","scope":"read"}',
                        headers={"Content-Type": "application/json"})
    assert token.json()["access_token"] == "[REDACTED]"
    form = client.post("/echo/form", body="user=ada&password=other",
                       headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert form.status == 200
    wrong = client.post("/echo/form", body="user=bob&password=other",
                        headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert wrong.status == 404


def test_capture_headers_record_a_secret_header_the_spec_names(
    client: Client, upstream: Upstream
) -> None:
    """captureHeaders: {Authorization} records its value as WireMock does (the built-in
    redaction list yields to a header the spec asks for by name)."""
    start(client, upstream, persist=False, captureHeaders={"Authorization": {}})
    client.get("/customers/7", headers={"Authorization": "Bearer tok-1"})
    (mapping,) = stop(client)
    assert mapping["request"]["headers"] == {"Authorization": {"equalTo": "Bearer tok-1"}}
    assert client.get("/customers/7", headers={"Authorization": "Bearer tok-1"}).status == 200
    assert client.get("/customers/7", headers={"Authorization": "Bearer tok-2"}).status == 404


def test_redact_extension_adds_names_and_can_be_disabled(client: Client,
                                                         upstream: Upstream) -> None:
    """`redact` adds headers, query names and JSONPaths; `enabled: false` keeps secrets."""
    start(client, upstream, persist=False, captureHeaders={"X-Custom": {}},
          redact={"headers": ["X-Custom"], "queryParameters": ["session"],
                  "jsonPaths": ["$.name"]})
    client.get("/customers/7?session=abc", headers={"X-Custom": "private"})
    (mapping,) = stop(client)
    assert mapping["request"]["headers"]["X-Custom"] == {"matches": ".*"}
    assert mapping["request"]["queryParameters"]["session"] == {"matches": ".*"}
    assert '"name":"[REDACTED]"' in mapping["response"]["body"]
    start(client, upstream, persist=False, redact={"enabled": False})
    client.get("/customers/7?api_key=sk_live_abc")
    (mapping,) = stop(client)
    assert mapping["request"]["queryParameters"]["api_key"] == {
        "hasExactly": [{"equalTo": "sk_live_abc"}]}
    assert "SECRET-IN-RESPONSE" in mapping["response"]["body"]


def test_server_redaction_options_apply_to_the_api(root_dir: Path, upstream: Upstream) -> None:
    """--redact-header and --redact-json-path (server options) apply to API recordings."""
    runner = start_server(root_dir, redact_headers=("X-Tenant",), redact_json_paths=("$.id",))
    try:
        client = Client(runner.port)
        start(client, upstream, persist=False, captureHeaders={"X-Tenant": {}})
        client.get("/customers/99", headers={"X-Tenant": "acme"})
        (mapping,) = stop(client)
        assert mapping["request"]["headers"]["X-Tenant"] == {"matches": ".*"}
        assert '"id":"[REDACTED]"' in mapping["response"]["body"]
    finally:
        runner.stop()
