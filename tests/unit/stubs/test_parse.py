"""Parsing WireMock stub JSON into the model: strict keys, aliases, defaults, round trips."""

from __future__ import annotations

import base64
import copy
import uuid
from pathlib import Path
from typing import Any

import pytest

from mockserver.errors import StubError
from mockserver.matchers.url import UrlKind
from mockserver.model import DEFAULT_PRIORITY, DelayDistribution, Fault
from mockserver.respond.rendering import body_bytes
from mockserver.stubs import parse_request_pattern, parse_response, parse_stub, stub_to_json

ID_A = "11111111-1111-1111-1111-111111111111"
ID_B = "22222222-2222-2222-2222-222222222222"

# The full round-trip example of the compat doc (§1.1), confirmed on WireMock 3.13.2.
FULL = {
    "id": "55555555-5555-5555-5555-555555555555",
    "name": "full",
    "request": {
        "scheme": "http",
        "host": {"equalTo": "localhost"},
        "port": 8080,
        "urlPathTemplate": "/a/{b}",
        "method": "POST",
        "headers": {"H": {"equalTo": "1"}},
        "pathParameters": {"b": {"equalTo": "x"}},
        "queryParameters": {"q": {"equalTo": "1"}},
        "formParameters": {"f": {"equalTo": "1"}},
        "cookies": {"c": {"equalTo": "1"}},
        "bodyPatterns": [{"equalToJson": {"a": 1}, "ignoreArrayOrder": True}],
        "multipartPatterns": [{"name": "p", "matchingType": "ALL",
                               "headers": {"Content-Disposition": {"contains": "p"}},
                               "bodyPatterns": [{"equalTo": "x"}]}],
        "basicAuthCredentials": {"username": "u", "password": "p"},
    },
    "response": {
        "status": 201,
        "statusMessage": "Made",
        "body": "x",
        "headers": {"Set-Cookie": ["a=1", "b=2"]},
        "additionalProxyRequestHeaders": {"X": "y"},
        "removeProxyRequestHeaders": ["z"],
        "fixedDelayMilliseconds": 10,
        "delayDistribution": {"type": "lognormal", "median": 50.0, "sigma": 0.2, "maxValue": 100.0},
        "chunkedDribbleDelay": {"numberOfChunks": 2, "totalDuration": 20},
        "proxyUrlPrefixToRemove": "/a",
        "transformers": ["response-template"],
        "transformerParameters": {"p": 1},
    },
    "uuid": "55555555-5555-5555-5555-555555555555",
    "persistent": False,
    "priority": 2,
    "scenarioName": "sc",
    "requiredScenarioState": "Started",
    "newScenarioState": "next",
    "metadata": {"k": "v"},
    "serveEventListeners": [{"name": "webhook", "requestPhases": ["AFTER_COMPLETE"],
                             "parameters": {"url": "http://127.0.0.1:18301/x", "method": "GET"}}],
}


def error_of(data: Any, **kwargs: Any) -> StubError:
    with pytest.raises(StubError) as info:
        parse_stub(data, **kwargs)
    return info.value


def test_empty_stub_matches_anything() -> None:
    """`{}` is a valid stub: any method and URL, an empty 200, a fresh UUID id."""
    s = parse_stub({})
    assert s.request.method == "ANY"
    assert s.request.url is None
    assert s.response.status == 200
    assert s.priority is None
    assert s.effective_priority == DEFAULT_PRIORITY == 5
    assert str(uuid.UUID(s.id)) == s.id
    assert parse_stub({}).id != s.id


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"bar": 2}, ("bar",)),
        ({"request": {"foo": 1}}, ("request", "foo")),
        ({"request": {"urlPath": "/a", "queryParams": {}}}, ("request", "queryParams")),
        ({"response": {"foo": 1}}, ("response", "foo")),
        ({"response": {"jsonbody": {}}}, ("response", "jsonbody")),
        ({"request": {"multipartPatterns": [{"nam": "x"}]}},
         ("request", "multipartPatterns", 0, "nam")),
        ({"request": {"basicAuthCredentials": {"username": "u", "pass": "p"}}},
         ("request", "basicAuthCredentials", "pass")),
        ({"request": {"basicAuth": {"user": "u"}}}, ("request", "basicAuth", "user")),
        ({"response": {"delayDistribution": {"type": "uniform", "lower": 1, "upper": 2, "x": 3}}},
         ("response", "delayDistribution", "x")),
        ({"response": {"delayDistribution": {"type": "lognormal", "median": 1, "mean": 2}}},
         ("response", "delayDistribution", "mean")),
        ({"response": {"delayDistribution": {"type": "fixed", "ms": 2}}},
         ("response", "delayDistribution", "ms")),
        ({"response": {"chunkedDribbleDelay": {"numberOfChunks": 2, "duration": 5}}},
         ("response", "chunkedDribbleDelay", "duration")),
    ],
)
def test_unknown_fields_are_rejected_with_the_key_path(data: dict[str, Any], path: tuple) -> None:
    """A misspelt key anywhere in the stub is an error naming where it is."""
    err = error_of(data)
    assert err.path == path
    assert f"unknown field {path[-1]!r}" in err.message


def test_unknown_field_lists_the_allowed_ones() -> None:
    """The unknown-field error lists the keys that are allowed there."""
    message = error_of({"request": {"urll": "/a"}}).message
    for key in ("url", "urlPath", "headers", "bodyPatterns", "method"):
        assert key in message


def test_schema_key_is_ignored() -> None:
    """`$schema` is accepted and has no effect."""
    assert parse_stub({"$schema": "whatever", "request": {"url": "/a"}}).request.url is not None


def test_key_path_is_prefixed() -> None:
    """Errors inside a multi-stub document carry the stub's own position first."""
    err = error_of({"request": {"foo": 1}}, path=("mappings", 3))
    assert err.path == ("mappings", 3, "request", "foo")
    assert str(err).startswith("mappings[3].request.foo: ")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"id": ID_A}, ID_A),
        ({"uuid": ID_B}, ID_B),
        ({"id": ID_A, "uuid": ID_B}, ID_B),
        ({"uuid": ID_B, "id": ID_A}, ID_A),
        ({"id": ID_A, "uuid": None}, ID_A),
        ({"id": None, "uuid": ID_B}, ID_B),
        ({"id": ID_A.upper().replace("1", "A")}, ID_A.replace("1", "a")),
    ],
)
def test_id_and_uuid(data: dict[str, Any], expected: str) -> None:
    """`uuid` is an alias of `id`; when both are given the later one in the text wins."""
    s = parse_stub(data)
    assert s.id == expected
    out = stub_to_json(s)
    assert out["id"] == out["uuid"] == expected


@pytest.mark.parametrize("key", ["id", "uuid"])
@pytest.mark.parametrize("value", ["not-a-uuid", 12, True, []])
def test_invalid_ids_are_rejected(key: str, value: Any) -> None:
    """An id that is not a UUID is an error at that key."""
    assert error_of({key: value}).path == (key,)


@pytest.mark.parametrize(
    ("request_json", "method"),
    [({}, "ANY"), ({"method": None}, "ANY"), ({"method": "GET"}, "GET"), ({"method": "get"}, "get"),
     ({"method": "GET_OR_HEAD"}, "GET_OR_HEAD"), ({"method": "FOO"}, "FOO")],
)
def test_method(request_json: dict[str, Any], method: str) -> None:
    """The method defaults to ANY, is kept as written, and is always in the output."""
    pattern, out = parse_request_pattern(request_json)
    assert pattern.method == method
    assert out["method"] == method


@pytest.mark.parametrize("key", ["basicAuthCredentials", "basicAuth"])
def test_basic_auth_alias(key: str) -> None:
    """`basicAuth` is accepted on input; the output always says `basicAuthCredentials`."""
    pattern, out = parse_request_pattern({key: {"username": "u", "password": "p"}})
    assert pattern.basic_auth is not None
    assert (pattern.basic_auth.username, pattern.basic_auth.password) == ("u", "p")
    assert out["basicAuthCredentials"] == {"username": "u", "password": "p"}
    assert "basicAuth" not in out


@pytest.mark.parametrize(
    ("value", "priority", "effective"),
    [(None, None, 5), (1, 1, 1), (0, 0, 0), (10, 10, 10), (-3, -3, -3), ("7", 7, 7), (2.0, 2, 2)],
)
def test_priority(value: Any, priority: int | None, effective: int) -> None:
    """Priority is any integer, absent meaning 5; it is echoed only when given."""
    s = parse_stub({"priority": value})
    assert s.priority == priority
    assert s.effective_priority == effective
    assert stub_to_json(s).get("priority") == priority


@pytest.mark.parametrize("value", ["high", True, 1.5, [1], {"p": 1}])
def test_bad_priority(value: Any) -> None:
    """A priority that is not an integer is an error at `priority`."""
    assert error_of({"priority": value}).path == ("priority",)


@pytest.mark.parametrize(
    ("request_json", "kind", "value"),
    [
        ({"url": "/1", "urlPattern": "/2", "urlPath": "/3", "urlPathPattern": "/4",
          "urlPathTemplate": "/5"}, UrlKind.URL, "/1"),
        ({"urlPathTemplate": "/5", "urlPathPattern": "/4", "urlPattern": "/2"},
         UrlKind.URL_PATTERN, "/2"),
        ({"urlPathTemplate": "/5", "urlPath": "/3", "urlPathPattern": "/4"},
         UrlKind.URL_PATH, "/3"),
        ({"urlPathTemplate": "/5", "urlPathPattern": "/4"}, UrlKind.URL_PATH_PATTERN, "/4"),
        ({"urlPathTemplate": "/5"}, UrlKind.URL_PATH_TEMPLATE, "/5"),
        ({"url": None, "urlPath": "/3"}, UrlKind.URL_PATH, "/3"),
    ],
)
def test_url_precedence(request_json: dict[str, Any], kind: UrlKind, value: str) -> None:
    """With several URL fields, url > urlPattern > urlPath > urlPathPattern > urlPathTemplate."""
    pattern, _ = parse_request_pattern(request_json)
    assert pattern.url is not None
    assert (pattern.url.kind, pattern.url.value) == (kind, value)


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"request": {"urlPattern": "/a/("}}, ("request", "urlPattern")),
        ({"request": {"urlPathTemplate": "/a/{}"}}, ("request", "urlPathTemplate")),
        ({"request": {"url": ["/a"]}}, ("request", "url")),
        ({"request": {"method": True}}, ("request", "method")),
        ({"request": {"urlPathTemplate": "/a/{b}", "pathParameters": {"c": {"equalTo": "x"}}}},
         ("request", "pathParameters", "c")),
        ({"request": {"headers": {"X": {"equals": "1"}}}}, ("request", "headers", "X", "equals")),
        ({"request": {"queryParameters": {"q": {"hasExactly": []}}}},
         ("request", "queryParameters", "q", "hasExactly")),
        ({"request": {"cookies": {"c": "plain"}}}, ("request", "cookies", "c")),
        ({"request": {"bodyPatterns": {"equalTo": "x"}}}, ("request", "bodyPatterns")),
        ({"request": {"bodyPatterns": [{"equalTo": "x"}, {"matches": "("}]}},
         ("request", "bodyPatterns", 1, "matches")),
        ({"request": {"multipartPatterns": [{"matchingType": "SOME"}]}},
         ("request", "multipartPatterns", 0, "matchingType")),
        ({"request": {"multipartPatterns": {"matchingType": "ANY"}}},
         ("request", "multipartPatterns")),
        ({"request": {"port": "eighty"}}, ("request", "port")),
        ({"request": {"host": "localhost"}}, ("request", "host")),
        ({"response": "ok"}, ("response",)),
        ({"persistent": "yes"}, ("persistent",)),
        ({"metadata": [1]}, ("metadata",)),
        ({"serveEventListeners": [{"parameters": {}}]}, ("serveEventListeners", 0, "name")),
        ({"postServeActions": "webhook"}, ("postServeActions",)),
    ],
)
def test_invalid_request_parts_are_located(data: dict[str, Any], path: tuple) -> None:
    """Each invalid part of a stub raises an error at its own key path."""
    assert error_of(data).path == path


@pytest.mark.parametrize("key", ["request", "response"])
@pytest.mark.parametrize("value", [[], "", 0, False])
def test_falsy_non_object_sections_are_rejected(key: str, value: Any) -> None:
    """A request or response that is not an object is an error, even when it is empty."""
    assert error_of({key: value}).path == (key,)


def test_bad_top_level_value() -> None:
    """A stub must be an object."""
    assert error_of(["not", "a", "stub"]).path == ()


@pytest.mark.parametrize(
    ("status", "expected"), [(None, 200), (201, 201), (0, 200), (-1, 200), (999, 999), ("404", 404)]
)
def test_status(status: Any, expected: int) -> None:
    """Status defaults to 200; zero or negative values also become 200."""
    response = parse_response({"status": status})
    assert response.status == expected
    assert parse_stub({"response": {"status": status}}).response.source_json["status"] == expected


@pytest.mark.parametrize("status", [1000, "ok", True])
def test_bad_status(status: Any) -> None:
    """A status outside 3 digits, or not a number, is an error at `response.status`."""
    assert error_of({"response": {"status": status}}).path == ("response", "status")


@pytest.mark.parametrize(
    ("response", "body"),
    [
        ({"body": "text", "jsonBody": {"a": 1}, "base64Body": "AQID", "bodyFileName": "f.txt"},
         b"text"),
        ({"jsonBody": {"a": [1, 2], "b": None}, "base64Body": "AQID", "bodyFileName": "f.txt"},
         b'{"a":[1,2],"b":null}'),
        ({"base64Body": "AQID", "bodyFileName": "f.txt"}, b"\x01\x02\x03"),
        ({"bodyFileName": "f.txt"}, b"from file"),
        ({"jsonBody": [1, "x"]}, b'[1,"x"]'),
        ({"body": ""}, b""),
        ({}, b""),
    ],
)
def test_body_fields_and_precedence(response: dict[str, Any], body: bytes, tmp_path: Path) -> None:
    """Every body field is kept; body beats jsonBody beats base64Body beats bodyFileName."""
    (tmp_path / "f.txt").write_bytes(b"from file")
    s = parse_stub({"response": response})
    assert body_bytes(s, tmp_path) == body
    out = stub_to_json(s)["response"]
    for key, value in response.items():
        assert out[key] == value


@pytest.mark.parametrize("value", ["not base64!", "A?ID", "====", True])
def test_invalid_base64_body(value: Any) -> None:
    """A base64Body that does not decode is rejected at `response.base64Body`."""
    assert error_of({"response": {"base64Body": value}}).path == ("response", "base64Body")


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"type": "lognormal", "median": 50, "sigma": 0.2},
         DelayDistribution("lognormal", median=50.0, sigma=0.2)),
        ({"type": "lognormal", "median": 50.0, "sigma": 0.2, "maxValue": 100.0},
         DelayDistribution("lognormal", median=50.0, sigma=0.2, max_value=100.0)),
        ({"type": "uniform", "lower": 10, "upper": 20},
         DelayDistribution("uniform", lower=10, upper=20)),
        ({"type": "uniform", "lower": 5, "upper": 5},
         DelayDistribution("uniform", lower=5, upper=5)),
        ({"type": "fixed", "milliseconds": 30}, DelayDistribution("fixed", milliseconds=30)),
    ],
)
def test_delay_distributions(spec: dict[str, Any], expected: DelayDistribution) -> None:
    """The three delay distributions parse into the model and are echoed as given."""
    s = parse_stub({"response": {"delayDistribution": spec}})
    assert s.response.delay_distribution == expected
    assert stub_to_json(s)["response"]["delayDistribution"] == spec


@pytest.mark.parametrize(
    ("spec", "path"),
    [
        ({"type": "gaussian"}, ("type",)),
        ({"median": 5}, ("type",)),
        ({"type": "uniform", "lower": 20, "upper": 10}, ("upper",)),
        ({"type": "uniform", "lower": "a", "upper": 10}, ("lower",)),
        ({"type": "lognormal", "median": "fast", "sigma": 1}, ("median",)),
        ({"type": "fixed", "milliseconds": [1]}, ("milliseconds",)),
        ("fixed", ()),
    ],
)
def test_bad_delay_distributions(spec: Any, path: tuple) -> None:
    """Unknown distribution types and bad parameters are located under delayDistribution."""
    err = error_of({"response": {"delayDistribution": spec}})
    assert err.path == ("response", "delayDistribution", *path)


def test_unknown_distribution_lists_the_types() -> None:
    """An unknown distribution type names the valid ones."""
    message = error_of({"response": {"delayDistribution": {"type": "x"}}}).message
    assert all(name in message for name in ("fixed", "lognormal", "uniform"))


@pytest.mark.parametrize(
    ("response", "path"),
    [
        ({"fixedDelayMilliseconds": "slow"}, ("response", "fixedDelayMilliseconds")),
        ({"chunkedDribbleDelay": {"numberOfChunks": 0, "totalDuration": 5}},
         ("response", "chunkedDribbleDelay", "numberOfChunks")),
        ({"headers": {"X": {"a": 1}}}, ("response", "headers", "X")),
        ({"headers": {"X": ["a", None]}}, ("response", "headers", "X", 1)),
        ({"transformers": "response-template"}, ("response", "transformers")),
        ({"removeProxyRequestHeaders": "x"}, ("response", "removeProxyRequestHeaders")),
        ({"additionalProxyRequestHeaders": ["x"]}, ("response", "additionalProxyRequestHeaders")),
    ],
)
def test_bad_response_fields(response: dict[str, Any], path: tuple) -> None:
    """Invalid response fields are errors at their own key path."""
    assert error_of({"response": response}).path == path


def test_fixed_delay_and_dribble() -> None:
    """Fixed delays and chunked dribble delays parse into the model."""
    dribble = {"numberOfChunks": 5, "totalDuration": 1000}
    s = parse_stub({"response": {"fixedDelayMilliseconds": 250, "chunkedDribbleDelay": dribble}})
    assert s.response.fixed_delay_milliseconds == 250
    assert s.response.chunked_dribble_delay is not None
    assert (s.response.chunked_dribble_delay.number_of_chunks,
            s.response.chunked_dribble_delay.total_duration) == (5, 1000)


@pytest.mark.parametrize("fault", [f.value for f in Fault])
def test_faults(fault: str) -> None:
    """Each of WireMock's four faults is accepted and echoed."""
    s = parse_stub({"response": {"fault": fault}})
    assert s.response.fault is Fault(fault)
    assert stub_to_json(s)["response"]["fault"] == fault


@pytest.mark.parametrize("fault", ["TIMEOUT", "empty_response", 1])
def test_unknown_fault(fault: Any) -> None:
    """An unknown fault is rejected at `response.fault`, listing the valid names."""
    err = error_of({"response": {"fault": fault}})
    assert err.path == ("response", "fault")
    assert "CONNECTION_RESET_BY_PEER" in err.message


def test_response_headers_keep_their_shape() -> None:
    """A list of header values gives repeated headers and is echoed as a list."""
    s = parse_stub({"response": {"headers": {"Set-Cookie": ["a=1", "b=2"], "X": "y"}}})
    assert s.response.headers == (("Set-Cookie", "a=1"), ("Set-Cookie", "b=2"), ("X", "y"))
    assert stub_to_json(s)["response"]["headers"] == {"Set-Cookie": ["a=1", "b=2"], "X": "y"}


def test_legacy_post_serve_actions_become_a_list() -> None:
    """The legacy object form of postServeActions is read as the list form."""
    s = parse_stub({"postServeActions": {"webhook": {"url": "http://x"}}})
    assert stub_to_json(s)["postServeActions"] == [{"name": "webhook", "parameters": {"url": "http://x"}}]


def test_full_example_round_trips() -> None:
    """The compat doc's full example comes back unchanged through parse and stub_to_json."""
    out = stub_to_json(parse_stub(copy.deepcopy(FULL)))
    assert out == FULL


def test_output_key_order() -> None:
    """Top-level and request keys come out in WireMock's order."""
    scrambled = dict(reversed(list(copy.deepcopy(FULL).items())))
    scrambled["request"] = dict(reversed(list(scrambled["request"].items())))
    scrambled["uuid"] = scrambled["id"]
    out = stub_to_json(parse_stub(scrambled))
    assert list(out) == list(FULL)
    assert list(out["request"]) == list(FULL["request"])


def test_minimal_output() -> None:
    """An empty stub is shown with its id twice, method ANY and status 200, nothing else."""
    s = parse_stub({"id": ID_A})
    assert stub_to_json(s) == {
        "id": ID_A, "request": {"method": "ANY"}, "response": {"status": 200}, "uuid": ID_A,
    }


def test_private_view_adds_the_insertion_index() -> None:
    """Saved files carry insertionIndex; the public view does not; both read back."""
    s = parse_stub({"id": ID_A, "insertionIndex": 42})
    assert s.insertion_index == 42
    assert "insertionIndex" not in stub_to_json(s)
    assert stub_to_json(s, private=True)["insertionIndex"] == 42


@pytest.mark.parametrize(
    "request_json",
    [
        {"url": "/a?b=1", "method": "GET"},
        {"urlPathPattern": "/a/.*", "method": "ANY",
         "queryParameters": {"q": {"hasExactly": [{"equalTo": "1"}, {"matches": "[0-9]"}]}}},
        {"urlPath": "/a", "method": "POST",
         "headers": {"X": {"or": [{"absent": True}, {"contains": "x"}]}},
         "cookies": {"c": {"not": {"equalTo": "1"}}},
         "bodyPatterns": [{"binaryEqualTo": "AQID"}, {"doesNotMatch": "z.*"}]},
        {"clientIp": {"matches": "127\\..*"}, "method": "ANY"},
        {"method": "ANY", "customMatcher": {"name": "m", "parameters": {"a": 1}}},
    ],
)
def test_request_patterns_round_trip(request_json: dict[str, Any]) -> None:
    """Request patterns are echoed as WireMock JSON exactly as written."""
    assert stub_to_json(parse_stub({"request": request_json}))["request"] == request_json


def test_parsed_stub_reparses_to_the_same_json() -> None:
    """stub_to_json output parses back into a stub with the same JSON."""
    first = stub_to_json(parse_stub(copy.deepcopy(FULL)), private=True)
    assert stub_to_json(parse_stub(first), private=True) == first


def test_base64_body_is_binary() -> None:
    """base64Body bytes are served exactly, including ones that are not UTF-8."""
    data = bytes(range(256))
    s = parse_stub({"response": {"base64Body": base64.b64encode(data).decode()}})
    assert body_bytes(s, Path(".")) == data
