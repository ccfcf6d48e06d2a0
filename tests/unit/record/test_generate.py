"""The stub generator: serve events into WireMock-shaped recorded stubs (compat §7.1)."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from mockserver.exchange import Request
from mockserver.journal import ServeEvent
from mockserver.record import (
    generate,
    parse_record_spec,
    path_parts,
    select,
    stub_name,
)
from mockserver.stubs import parse_stub


def event(
    url: str = "/rec/one",
    method: str = "GET",
    *,
    body: bytes = b"",
    headers: list[tuple[str, str]] | None = None,
    status: int = 200,
    response_headers: list[tuple[str, str]] | None = None,
    response_body: bytes = b"ok",
    proxied: bool = True,
) -> ServeEvent:
    request = Request(method, url, headers=headers or [], body=body)
    return ServeEvent(request, None, status,
                      response_headers if response_headers is not None
                      else [("Content-Type", "text/plain")],
                      response_body, proxied=proxied)


def record(*events: ServeEvent, **spec: Any) -> list[dict[str, Any]]:
    return generate(list(events), parse_record_spec(spec)).stubs


@pytest.mark.parametrize(("path", "name"), [
    ("/rec/one", "rec_one"), ("/bin/img.png", "bin_img.png"), ("/", ""),
    ("/café/a b", "cafe_a-b"), ("/x/{y}!", "x_y"),
])
def test_stub_names(path: str, name: str) -> None:
    """Names are the sanitised path, as WireMock makes them."""
    assert stub_name(path) == name


def test_path_parts_are_the_last_two_segments() -> None:
    """Scenario names use the last two path segments."""
    assert path_parts("/rec/one") == "rec-one"
    assert path_parts("/a/b/c") == "b-c"
    assert path_parts("/") == ""


def test_url_without_query_is_exact() -> None:
    """No query string: `url` with the raw URL."""
    (stub,) = record(event("/a%20b"))
    assert stub["request"] == {"url": "/a%20b", "method": "GET"}


def test_query_becomes_url_path_and_has_exactly() -> None:
    """A query string: `urlPath` plus hasExactly per parameter, values decoded."""
    (stub,) = record(event("/q?a=1&a=2&b=x%20y&c"))
    assert stub["request"] == {"urlPath": "/q", "method": "GET", "queryParameters": {
        "a": {"hasExactly": [{"equalTo": "1"}, {"equalTo": "2"}]},
        "b": {"hasExactly": [{"equalTo": "x y"}]},
        "c": {"hasExactly": [{"equalTo": ""}]}}}


@pytest.mark.parametrize(("content_type", "body", "pattern"), [
    ("application/json", b'{"a":[1]}', {"equalToJson": '{"a":[1]}', "ignoreArrayOrder": True,
                                        "ignoreExtraElements": True}),
    ("application/vnd.api+json; charset=utf-8", b"[1]",
     {"equalToJson": "[1]", "ignoreArrayOrder": True, "ignoreExtraElements": True}),
    ("application/json", b"not json", {"equalTo": "not json", "caseInsensitive": False}),
    ("text/xml", b"<a/>", {"equalToXml": "<a/>"}),
    ("multipart/form-data; boundary=x", b"--x--", {"anything": "anything"}),
    ("application/octet-stream", b"\x00\x01", {"binaryEqualTo": "AAE="}),
    ("text/plain", b"Words", {"equalTo": "Words", "caseInsensitive": False}),
    (None, b"Words", {"equalTo": "Words", "caseInsensitive": False}),
])
def test_auto_body_patterns(content_type: str | None, body: bytes,
                            pattern: dict[str, Any]) -> None:
    """`auto` picks the matcher from the request's content type, as WireMock does."""
    headers = [("Content-Type", content_type)] if content_type else []
    (stub,) = record(event("/b", "POST", body=body, headers=headers))
    assert stub["request"]["bodyPatterns"] == [pattern]


def test_explicit_body_matcher_options() -> None:
    """requestBodyPattern's matcher and flags are used as given, and only those given (as
    WireMock 3.13.2 records them)."""
    (stub,) = record(event("/b", "POST", body=b'{"a":1}',
                           headers=[("Content-Type", "application/json")]),
                     requestBodyPattern={"matcher": "equalToJson", "ignoreArrayOrder": False})
    assert stub["request"]["bodyPatterns"] == [
        {"equalToJson": '{"a":1}', "ignoreArrayOrder": False}]


def test_captured_headers() -> None:
    """Listed headers present on the request become equalTo matchers."""
    (stub,) = record(event(headers=[("x-tenant", "T1"), ("Accept", "*/*")]),
                     captureHeaders={"X-Tenant": {"caseInsensitive": True}, "X-Absent": {}})
    assert stub["request"]["headers"] == {"X-Tenant": {"equalTo": "T1", "caseInsensitive": True}}


def test_response_headers_without_framing() -> None:
    """Content-Length, Transfer-Encoding and a decoded Content-Encoding are dropped."""
    (stub,) = record(event(response_headers=[
        ("Content-Type", "text/plain"), ("Content-Length", "2"), ("Transfer-Encoding", "x"),
        ("Content-Encoding", "gzip"), ("X-Multi", "1"), ("x-multi", "2"), ("Date", "d")]))
    assert stub["response"] == {"status": 200, "headers": {
        "Content-Type": "text/plain", "X-Multi": ["1", "2"], "Date": "d"}, "body": "ok"}


def test_undecodable_encoding_stays_with_its_bytes() -> None:
    """A body in a coding we could not decode (br) keeps its Content-Encoding."""
    (stub,) = record(event(response_headers=[("Content-Type", "text/plain"),
                                             ("Content-Encoding", "br")],
                           response_body=b"\x8b\x00"))
    assert stub["response"]["headers"]["Content-Encoding"] == "br"


@pytest.mark.parametrize(("headers", "key"), [
    ([("Content-Type", "application/json")], "body"),
    ([("Content-Type", "text/html; charset=iso-8859-1")], "body"),
    ([("Content-Type", "image/png")], "base64Body"),
    ([], "base64Body"),
    ([("Content-Type", "text/plain; charset=utf-8")], "base64Body"),  # not valid UTF-8
])
def test_text_or_base64_by_content_type(headers: list[tuple[str, str]], key: str) -> None:
    """Text content types give `body`, others (and undecodable text) `base64Body`."""
    data = b"\xff\xfe" if key == "base64Body" and headers else b"\xe9t\xe9"
    if headers and "json" in headers[0][1]:
        data = b'{"a":1}'
    (stub,) = record(event(response_headers=headers, response_body=data))
    assert key in stub["response"]
    if key == "base64Body":
        assert base64.b64decode(stub["response"]["base64Body"]) == data


def test_empty_response_body_is_left_out() -> None:
    """No body key for an empty body."""
    (stub,) = record(event(status=204, response_body=b""))
    assert stub["response"] == {"status": 204, "headers": {"Content-Type": "text/plain"}}


def test_repeats_become_a_scenario_in_order() -> None:
    """Identical requests make scenario-<n>-<path>; the last has no next state."""
    stubs = record(event("/x"), event("/rec/one", response_body=b"1"),
                   event("/rec/one", response_body=b"2"), event("/rec/one", response_body=b"3"),
                   event("/y"), event("/y"))
    states = [(s["request"]["url"], s.get("scenarioName"), s.get("requiredScenarioState"),
               s.get("newScenarioState")) for s in stubs]
    assert states == [
        ("/x", None, None, None),
        ("/rec/one", "scenario-1-rec-one", "Started", "scenario-1-rec-one-2"),
        ("/rec/one", "scenario-1-rec-one", "scenario-1-rec-one-2", "scenario-1-rec-one-3"),
        ("/rec/one", "scenario-1-rec-one", "scenario-1-rec-one-3", None),
        ("/y", "scenario-2-y", "Started", "scenario-2-y-2"),
        ("/y", "scenario-2-y", "scenario-2-y-2", None),
    ]


def test_without_scenarios_the_first_answer_is_kept() -> None:
    """repeatsAsScenarios false drops later repeats."""
    stubs = record(event(response_body=b"1"), event(response_body=b"2"),
                   repeatsAsScenarios=False)
    assert [s["response"]["body"] for s in stubs] == ["1"]


def test_stubs_parse_and_carry_persistent_when_persisting() -> None:
    """Generated stubs are valid stub JSON; `persist` marks them persistent."""
    (stub,) = record(event())
    assert stub["persistent"] is True and stub["id"] == stub["uuid"]
    assert parse_stub(stub).id == stub["id"]
    (stub,) = record(event(), persist=False)
    assert "persistent" not in stub


def test_extract_body_criteria() -> None:
    """Bodies strictly above the threshold go to files named <name>-<id>.<ext>."""
    spec = parse_record_spec({"extractBodyCriteria": {"textSizeThreshold": 2,
                                                      "binarySizeThreshold": "1 kb"}})
    result = generate([event(response_body=b"abc"), event("/small", response_body=b"ab"),
                       event("/img", response_headers=[("Content-Type", "image/png")],
                             response_body=b"\x89PNG")], spec)
    big, small, image = result.stubs
    assert big["response"]["bodyFileName"] == f"rec_one-{big['id']}.txt"
    assert result.body_files == {big["response"]["bodyFileName"]: b"abc"}
    assert small["response"]["body"] == "ab"
    assert "base64Body" in image["response"]


def test_select_takes_proxied_events_and_filters() -> None:
    """Only proxied events unless allowNonProxied; ids and the pattern narrow further."""
    a, b, local = event("/a"), event("/b", "POST"), event("/local", proxied=False)
    assert select([a, b, local], parse_record_spec({})) == [a, b]
    assert select([a, b, local], parse_record_spec(
        {"filters": {"allowNonProxied": True}})) == [a, b, local]
    assert select([a, b, local], parse_record_spec({"filters": {"method": "POST"}})) == [b]
    assert select([a, b, local], parse_record_spec({"filters": {"ids": [a.id]}})) == [a]


def test_redacted_request_values_become_wildcards() -> None:
    """Secret query values, captured headers and JSON fields match anything, and are listed."""
    (stub,) = record(event("/t?api_key=k&page=2", "POST", body=b'{"password":"p","u":1}',
                           headers=[("Content-Type", "application/json"),
                                    ("Authorization", "Bearer abc")]),
                     captureHeaders={"Authorization": {}}, redact={"headers": ["Authorization"]})
    request = stub["request"]
    assert request["queryParameters"]["api_key"] == {"matches": ".*"}
    assert request["headers"]["Authorization"] == {"matches": ".*"}
    assert request["bodyPatterns"][0]["equalToJson"] == \
        '{"password":"${json-unit.ignore}","u":1}'
    assert stub["metadata"]["redacted"] == [
        "request.queryParameters.api_key", "request.headers.Authorization",
        "request.body.password"]


def test_secret_form_fields_become_a_regex() -> None:
    """A form body's secret fields match any value; the other fields still must match."""
    (stub,) = record(event("/login", "POST", body=b"user=a.b&password=hunter2",
                           headers=[("Content-Type", "application/x-www-form-urlencoded")]))
    assert stub["request"]["bodyPatterns"] == [{"matches": r"user=a\.b&password=[^&]*"}]


def test_echoed_request_secrets_are_scrubbed_from_the_response() -> None:
    """A secret the request carried is masked where the response repeats it."""
    (stub,) = record(event("/me", headers=[("Authorization", "Bearer tok-123456")],
                           response_headers=[("Content-Type", "application/json"),
                                             ("X-Echo", "tok-123456")],
                           response_body=b'{"seen":"Bearer tok-123456"}'))
    assert stub["response"]["headers"]["X-Echo"] == "[REDACTED]"
    assert stub["response"]["body"] == '{"seen":"[REDACTED]"}'


def test_no_redaction_when_disabled() -> None:
    """With redaction off, values are recorded as they were."""
    (stub,) = record(event("/t?api_key=k", response_headers=[("Set-Cookie", "s=v")]),
                     redact={"enabled": False})
    assert stub["request"]["queryParameters"]["api_key"] == {"hasExactly": [{"equalTo": "k"}]}
    assert stub["response"]["headers"]["Set-Cookie"] == "s=v"
    assert "metadata" not in stub


def test_a_header_that_decides_the_answer_becomes_a_present_or_absent_matcher() -> None:
    """Two authorised requests (200) and one without a token (401) give two stubs, no scenario."""
    auth = [("Authorization", "Bearer abcdefgh"), ("Accept", "*/*")]
    stubs = record(
        event("/api/orders", headers=auth, response_body=b"[1]"),
        event("/api/orders", headers=[("Accept", "*/*")], status=401, response_body=b"no"),
        event("/api/orders", headers=auth, response_body=b"[1]"),
    )
    assert len(stubs) == 2
    assert all("scenarioName" not in s for s in stubs)
    by_status = {s["response"]["status"]: s["request"] for s in stubs}
    assert by_status[200]["headers"] == {"Authorization": {"matches": ".*"}}
    assert by_status[401]["headers"] == {"Authorization": {"absent": True}}


def test_answers_that_change_with_the_same_headers_stay_a_scenario() -> None:
    """When no header explains the change, repeats are still a scenario in arrival order."""
    stubs = record(event("/n", response_body=b"1"), event("/n", response_body=b"2"))
    assert [s["requiredScenarioState"] for s in stubs] == ["Started", "scenario-1-n-2"]


def test_recording_the_same_traffic_again_keeps_the_ids() -> None:
    """Ids derive from the request pattern and its repeat number, not from chance."""
    def traffic() -> list[ServeEvent]:
        return [event("/a"), event("/b"), event("/a", response_body=b"again")]

    first, second = record(*traffic()), record(*traffic())
    assert [s["id"] for s in first] == [s["id"] for s in second]
    assert len({s["id"] for s in first}) == 3


def test_hop_by_hop_and_server_headers_are_not_recorded() -> None:
    """`Server`, `Connection`, `Keep-Alive` describe the upstream, not the API's answer."""
    (stub,) = record(event(response_headers=[
        ("Content-Type", "text/plain"), ("Server", "Python/3.11 aiohttp/3.9"),
        ("Connection", "keep-alive"), ("Keep-Alive", "timeout=5"), ("X-Trace", "1")]))
    assert stub["response"]["headers"] == {"Content-Type": "text/plain", "X-Trace": "1"}
