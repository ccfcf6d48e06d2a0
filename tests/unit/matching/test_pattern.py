"""Request-level matching: the quick `matches` and the graded `score` agree, field by field."""

from __future__ import annotations

import base64
import dataclasses
import uuid
from typing import Any

import pytest

from mockserver.exchange import Request
from mockserver.matchers import MatchResult, StringMatcher, parse_string_matcher
from mockserver.matchers.logic import And, Not, Or
from mockserver.matchers.multivalue import MultiValuePattern
from mockserver.matching.pattern import basic_auth_result, matches, method_matches, score
from mockserver.matching.registry import Registry
from mockserver.model import BasicAuth, RequestPattern
from mockserver.stubs.parse import parse_request_pattern, parse_stub

BOUNDARY = "XyZ-boundary"
MULTIPART_TYPE = f"multipart/form-data; boundary={BOUNDARY}"
MULTIPART_BODY = (
    f"--{BOUNDARY}\r\n"
    'Content-Disposition: form-data; name="text"\r\n'
    "\r\n"
    "hello\r\n"
    f"--{BOUNDARY}\r\n"
    'Content-Disposition: form-data; name="file"; filename="a.txt"\r\n'
    "Content-Type: text/plain\r\n"
    "\r\n"
    "file-body\r\n"
    f"--{BOUNDARY}--\r\n"
).encode()
FORM = "application/x-www-form-urlencoded"
HAS_A_B = {"hasExactly": [{"equalTo": "a"}, {"equalTo": "b"}]}
HAS_1_2 = {"hasExactly": [{"equalTo": "1"}, {"equalTo": "2"}]}
INCLUDES_1_DIGIT = {"includes": [{"equalTo": "1"}, {"matches": "[0-9]"}]}
INCLUDES_1_2 = {"includes": [{"equalTo": "1"}, {"equalTo": "2"}]}


def basic(user: str, password: str, scheme: str = "Basic") -> str:
    return f"{scheme} " + base64.b64encode(f"{user}:{password}".encode()).decode()


def req(
    url: str = "/",
    method: str = "GET",
    headers: list[tuple[str, str]] | None = None,
    body: bytes = b"",
    **kwargs: Any,
) -> Request:
    return Request(method, url, headers=headers or [], body=body, **kwargs)


def multipart(url: str = "/up") -> Request:
    return req(url, "POST", [("Content-Type", MULTIPART_TYPE)], MULTIPART_BODY)


def part_pattern(**fields: Any) -> dict[str, Any]:
    return {"multipartPatterns": [fields]}


CASES: list[tuple[str, dict[str, Any], Request, bool]] = [
    # method
    ("no method means ANY", {}, req(method="PATCH"), True),
    ("ANY takes any method", {"method": "ANY"}, req(method="DELETE"), True),
    ("exact method", {"method": "GET"}, req(method="GET"), True),
    ("other method", {"method": "GET"}, req(method="POST"), False),
    ("GET does not match HEAD", {"method": "GET"}, req(method="HEAD"), False),
    ("method is case-sensitive", {"method": "get"}, req(method="GET"), False),
    ("GET_OR_HEAD takes GET", {"method": "GET_OR_HEAD"}, req(method="GET"), True),
    ("GET_OR_HEAD takes HEAD", {"method": "GET_OR_HEAD"}, req(method="HEAD"), True),
    ("GET_OR_HEAD refuses POST", {"method": "GET_OR_HEAD"}, req(method="POST"), False),
    ("custom method name", {"method": "FOO"}, req(method="FOO"), True),
    # headers
    ("header by exact name", {"headers": {"X-Foo": {"equalTo": "bar"}}},
     req(headers=[("X-Foo", "bar")]), True),
    ("header name case-insensitive", {"headers": {"X-Foo": {"equalTo": "bar"}}},
     req(headers=[("x-foo", "bar")]), True),
    ("stub header name lower case",
     {"headers": {"x-foo": {"equalTo": "BAR", "caseInsensitive": True}}},
     req(headers=[("X-FOO", "bar")]), True),
    ("header value case-sensitive", {"headers": {"X-Foo": {"equalTo": "bar"}}},
     req(headers=[("X-Foo", "BAR")]), False),
    ("missing header", {"headers": {"X-Foo": {"equalTo": "bar"}}}, req(), False),
    ("absent header", {"headers": {"X-Foo": {"absent": True}}}, req(), True),
    ("absent header sent empty", {"headers": {"X-Foo": {"absent": True}}},
     req(headers=[("X-Foo", "")]), False),
    ("repeated header any value", {"headers": {"X-M": {"equalTo": "b"}}},
     req(headers=[("X-M", "a"), ("X-M", "b")]), True),
    ("comma-joined header not split", {"headers": {"X-M": {"equalTo": "b"}}},
     req(headers=[("X-M", "a, b")]), False),
    ("every header matcher must match",
     {"headers": {"A": {"equalTo": "1"}, "B": {"equalTo": "2"}}},
     req(headers=[("A", "1"), ("B", "3")]), False),
    ("header hasExactly", {"headers": {"X-M": HAS_A_B}},
     req(headers=[("x-m", "b"), ("X-M", "a")]), True),
    # query parameters
    ("query %20 decoded", {"queryParameters": {"name": {"equalTo": "a b"}}},
     req("/q?name=a%20b"), True),
    ("query + decoded", {"queryParameters": {"name": {"equalTo": "a b"}}},
     req("/q?name=a+b"), True),
    ("query %2B is a plus", {"queryParameters": {"name": {"equalTo": "a+b"}}},
     req("/q?name=a%2Bb"), True),
    ("query any value", {"queryParameters": {"id": {"equalTo": "2"}}}, req("/q?id=1&id=2"), True),
    ("query absent", {"queryParameters": {"id": {"absent": True}}}, req("/q"), True),
    ("query empty value is present", {"queryParameters": {"id": {"absent": True}}},
     req("/q?id="), False),
    ("query bare name is present", {"queryParameters": {"id": {"absent": True}}},
     req("/q?id"), False),
    ("query empty value equals empty", {"queryParameters": {"id": {"equalTo": ""}}},
     req("/q?id"), True),
    ("query name case-sensitive", {"queryParameters": {"id": {"equalTo": "1"}}},
     req("/q?ID=1"), False),
    ("query doesNotMatch absent", {"queryParameters": {"v": {"doesNotMatch": "x"}}},
     req("/q"), True),
    ("query not in body", {"queryParameters": {"a": {"equalTo": "1"}}},
     req("/q", "POST", [("Content-Type", FORM)], b"a=1"), False),
    ("query hasExactly", {"queryParameters": {"id": HAS_1_2}},
     req("/q?id=2&id=1"), True),
    ("query hasExactly extra value", {"queryParameters": {"id": HAS_1_2}},
     req("/q?id=1&id=2&id=3"), False),
    ("query includes", {"queryParameters": {"id": INCLUDES_1_DIGIT}},
     req("/q?id=1&id=7&id=x"), True),
    # form parameters
    ("form url-encoded body", {"formParameters": {"f": {"equalTo": "a b"}}},
     req("/f", "POST", [("Content-Type", FORM)], b"f=a+b"), True),
    ("form with charset", {"formParameters": {"f": {"equalTo": "1"}}},
     req("/f", "POST", [("Content-Type", FORM + "; charset=UTF-8")], b"f=1&g=2"), True),
    ("form needs url-encoded content type", {"formParameters": {"f": {"equalTo": "1"}}},
     req("/f", "POST", [("Content-Type", "text/plain")], b"f=1"), False),
    ("form without content type", {"formParameters": {"f": {"equalTo": "1"}}},
     req("/f", "POST", [], b"f=1"), False),
    ("form not from query", {"formParameters": {"a": {"equalTo": "1"}}},
     req("/form?a=1", "POST", [("Content-Type", FORM)]), False),
    ("form absent on other bodies", {"formParameters": {"f": {"absent": True}}},
     req("/f", "POST", [("Content-Type", "application/json")], b'{"f":1}'), True),
    ("form repeated values", {"formParameters": {"f": INCLUDES_1_2}},
     req("/f", "POST", [("Content-Type", FORM)], b"f=1&f=2"), True),
    # cookies
    ("cookie among others", {"cookies": {"session": {"matches": "s-[0-9]+"}}},
     req(headers=[("Cookie", "other=1; session=s-123")]), True),
    ("cookie wrong value", {"cookies": {"session": {"matches": "s-[0-9]+"}}},
     req(headers=[("Cookie", "session=x")]), False),
    ("cookie missing", {"cookies": {"session": {"equalTo": "1"}}}, req(), False),
    ("cookie absent", {"cookies": {"session": {"absent": True}}},
     req(headers=[("Cookie", "other=1")]), True),
    ("cookie name case-sensitive", {"cookies": {"session": {"equalTo": "1"}}},
     req(headers=[("Cookie", "Session=1")]), False),
    ("cookie from second header", {"cookies": {"b": {"equalTo": "2"}}},
     req(headers=[("Cookie", "a=1"), ("Cookie", "b=2")]), True),
    ("repeated cookie best value", {"cookies": {"s": {"equalTo": "2"}}},
     req(headers=[("Cookie", "s=1; s=2")]), True),
    ("cookie not negated when present", {"cookies": {"s": {"not": {"contains": "z"}}}},
     req(headers=[("Cookie", "s=xyz")]), False),
    ("cookie negation on absent", {"cookies": {"s": {"not": {"contains": "z"}}}}, req(), True),
    # basic auth
    ("basic auth", {"basicAuthCredentials": {"username": "u", "password": "p"}},
     req(headers=[("Authorization", basic("u", "p"))]), True),
    ("basic auth lower-case scheme", {"basicAuthCredentials": {"username": "u", "password": "p"}},
     req(headers=[("Authorization", "basic dTpw")]), True),
    ("basic auth upper-case scheme", {"basicAuthCredentials": {"username": "u", "password": "p"}},
     req(headers=[("Authorization", basic("u", "p", "BASIC"))]), True),
    ("basic auth wrong password", {"basicAuthCredentials": {"username": "u", "password": "p"}},
     req(headers=[("Authorization", basic("u", "x"))]), False),
    ("basic auth wrong user", {"basicAuthCredentials": {"username": "u", "password": "p"}},
     req(headers=[("Authorization", basic("v", "p"))]), False),
    ("basic auth missing", {"basicAuthCredentials": {"username": "u", "password": "p"}},
     req(), False),
    ("basic auth bearer", {"basicAuthCredentials": {"username": "u", "password": "p"}},
     req(headers=[("Authorization", "Bearer dTpw")]), False),
    ("basicAuth alias", {"basicAuth": {"username": "u", "password": "p"}},
     req(headers=[("Authorization", basic("u", "p"))]), True),
    ("basic auth replaces Authorization matcher",
     {"headers": {"Authorization": {"equalTo": "nope"}},
      "basicAuthCredentials": {"username": "u", "password": "p"}},
     req(headers=[("Authorization", basic("u", "p"))]), True),
    ("basic auth with unicode", {"basicAuthCredentials": {"username": "ü", "password": "p:q"}},
     req(headers=[("Authorization", basic("ü", "p:q"))]), True),
    # host, port, scheme, client IP
    ("scheme", {"scheme": "https"}, req(scheme="https"), True),
    ("other scheme", {"scheme": "https"}, req(scheme="http"), False),
    ("host", {"host": {"equalTo": "localhost"}}, req(host="localhost"), True),
    ("other host", {"host": {"equalTo": "localhost"}}, req(host="example.com"), False),
    ("host regex", {"host": {"matches": ".*\\.example\\.com"}}, req(host="api.example.com"), True),
    ("port", {"port": 8080}, req(port=8080), True),
    ("other port", {"port": 8080}, req(port=80), False),
    ("client ip", {"clientIp": {"matches": "127\\..*"}}, req(client_ip="127.0.0.1"), True),
    ("other client ip", {"clientIp": {"matches": "127\\..*"}}, req(client_ip="10.0.0.1"), False),
    # body
    ("body contains", {"bodyPatterns": [{"contains": "x"}]}, req("/b", "POST", body=b"axb"), True),
    ("empty body is absent for contains", {"bodyPatterns": [{"contains": "x"}]},
     req("/b", "POST"), False),
    ("empty body is absent", {"bodyPatterns": [{"absent": True}]}, req("/b", "POST"), True),
    ("all body patterns", {"bodyPatterns": [{"contains": "a"}, {"contains": "b"}]},
     req("/b", "POST", body=b"ab"), True),
    ("all body patterns, one fails", {"bodyPatterns": [{"contains": "a"}, {"contains": "c"}]},
     req("/b", "POST", body=b"ab"), False),
    ("binary body", {"bodyPatterns": [{"binaryEqualTo": "AQID"}]},
     req("/b", "POST", body=b"\x01\x02\x03"), True),
    ("body charset", {"bodyPatterns": [{"equalTo": "é"}]},
     req("/b", "POST", [("Content-Type", "text/plain; charset=ISO-8859-1")], "é".encode("latin-1")),
     True),
    # path parameters
    ("path parameter", {"urlPathTemplate": "/u/{id}", "pathParameters": {"id": {"equalTo": "7"}}},
     req("/u/7"), True),
    ("path parameter mismatch",
     {"urlPathTemplate": "/u/{id}", "pathParameters": {"id": {"equalTo": "7"}}},
     req("/u/8"), False),
    ("path parameter not decoded",
     {"urlPathTemplate": "/u/{id}", "pathParameters": {"id": {"equalTo": "a%20b"}}},
     req("/u/a%20b"), True),
    ("unconstrained variable",
     {"urlPathTemplate": "/u/{id}/{other}", "pathParameters": {"id": {"matches": "[0-9]+"}}},
     req("/u/7/x"), True),
    # multipart
    ("multipart ANY by header and body",
     part_pattern(matchingType="ANY", headers={"Content-Disposition": {"contains": 'name="file"'}},
                  bodyPatterns=[{"equalTo": "file-body"}]), multipart(), True),
    ("multipart ALL fails when one part differs",
     part_pattern(matchingType="ALL", headers={"Content-Disposition": {"contains": 'name="file"'}}),
     multipart(), False),
    ("multipart ALL", part_pattern(matchingType="ALL",
                                   headers={"Content-Disposition": {"contains": "form-data"}}),
     multipart(), True),
    ("multipart default is ANY", part_pattern(bodyPatterns=[{"contains": "hello"}]),
     multipart(), True),
    ("multipart ANY no part", part_pattern(bodyPatterns=[{"contains": "nowhere"}]),
     multipart(), False),
    ("multipart needs a multipart request", part_pattern(bodyPatterns=[{"contains": "hello"}]),
     req("/up", "POST", [("Content-Type", "text/plain")], b"hello"), False),
    ("multipart name is informational", part_pattern(name="nope"), multipart(), True),
    ("multipart fileName alone is informational", part_pattern(fileName="b.txt"),
     multipart(), True),
    ("multipart fileName with headers",
     part_pattern(fileName="a.txt", headers={"Content-Disposition": {"contains": "form-data"}}),
     multipart(), True),
    ("multipart wrong fileName with headers",
     part_pattern(fileName="b.txt", headers={"Content-Disposition": {"contains": "form-data"}}),
     multipart(), False),
    ("multipart part header", part_pattern(headers={"Content-Type": {"equalTo": "text/plain"}}),
     multipart(), True),
    # everything else
    ("empty pattern matches anything", {},
     req("/any/thing?x=1", "PUT", [("A", "b")], b"body"), True),
    ("custom matcher never matches", {"customMatcher": {"name": "mine", "parameters": {}}},
     req(), False),
]


@pytest.mark.parametrize(
    ("pattern_json", "request_", "matched"),
    [pytest.param(p, r, m, id=name) for name, p, r, m in CASES],
)
def test_matches_and_score_agree(
    pattern_json: dict[str, Any], request_: Request, matched: bool
) -> None:
    """`matches` gives the expected answer and `score` agrees, with distance 0 on a match."""
    pattern, _ = parse_request_pattern(pattern_json)
    assert matches(pattern, request_) is matched
    graded = score(pattern, request_)
    assert graded.matched is matched
    assert 0.0 <= graded.distance <= 1.0
    assert (graded.distance == 0.0) is matched


@pytest.mark.parametrize(
    ("expected", "actual", "ok"),
    [
        ("ANY", "GET", True),
        ("ANY", "anything", True),
        ("GET", "GET", True),
        ("GET", "get", False),
        ("GET", "HEAD", False),
        ("GET_OR_HEAD", "HEAD", True),
        ("GET_OR_HEAD", "GET", True),
        ("GET_OR_HEAD", "get", False),
        ("GET_OR_HEAD", "PUT", False),
    ],
)
def test_method_matches(expected: str, actual: str, ok: bool) -> None:
    """Methods compare exactly; ANY and GET_OR_HEAD are the only wildcards."""
    assert method_matches(expected, actual) is ok


@pytest.mark.parametrize(
    ("values", "ok"),
    [
        (["Basic dTpw"], True),
        (["basic dTpw"], True),
        (["bAsIc dTpw"], True),
        (["Basic dTpX"], False),
        (["Basic  dTpw"], False),
        (["Basic"], False),
        (["Bearer x", "Basic dTpw"], True),
        (None, False),
        ([], False),
    ],
)
def test_basic_auth_result(values: list[str] | None, ok: bool) -> None:
    """The scheme word is case-insensitive, the base64 token exact."""
    assert basic_auth_result(BasicAuth("u", "p"), values).matched is ok


def pattern_of(**json: Any):
    return parse_request_pattern(json)[0]


def test_other_url_ranks_behind_wrong_header() -> None:
    """A stub for another URL is further than one for the right URL with a wrong header."""
    request = req("/orders", headers=[("X", "2")])
    other_url = pattern_of(urlPath="/users", method="GET")
    wrong_header = pattern_of(urlPath="/orders", method="GET", headers={"X": {"equalTo": "1"}})
    assert score(wrong_header, request).distance < score(other_url, request).distance


def test_detail_fields_do_not_count_when_the_url_misses() -> None:
    """Headers, query and body only weigh in once URL, method and the like all match."""
    request = req("/orders")
    bare = pattern_of(urlPath="/users")
    loaded = pattern_of(urlPath="/users", headers={"A": {"equalTo": "1"}, "B": {"equalTo": "2"}},
                        queryParameters={"q": {"equalTo": "1"}}, bodyPatterns=[{"contains": "z"}])
    assert score(loaded, request).distance == pytest.approx(score(bare, request).distance)


@pytest.mark.parametrize(
    ("pattern_json", "request_", "distance"),
    [
        ({"method": "POST"}, req(method="GET"), 3 / 39),
        ({"port": 8080}, req(port=80), 10 / 39),
        ({"scheme": "https"}, req(), 3 / 39),
        ({"host": {"matches": "x"}}, req(), 10 / 39),
        ({"clientIp": {"matches": "x"}}, req(), 3 / 39),
        ({"urlPathPattern": "/x"}, req("/y"), 10 / 39),
        ({"urlPath": "/abcd"}, req("/abce"), 10 * (1 / 5) / 39),
        ({"method": "POST", "urlPathPattern": "/x"}, req("/y"), 13 / 39),
        ({"headers": {"X": {"equalTo": "1"}}}, req(), 1 / 40),
        ({"headers": {"X": {"equalTo": "1"}}, "queryParameters": {"q": {"equalTo": "1"}}},
         req(), 2 / 41),
        ({"headers": {"X": {"equalTo": "abcd"}}}, req(headers=[("X", "abce")]), (1 / 4) / 40),
    ],
)
def test_weighted_distance(
    pattern_json: dict[str, Any], request_: Request, distance: float
) -> None:
    """URL, host and port weigh 10, method, scheme and client IP 3, every other field 1."""
    assert score(pattern_of(**pattern_json), request_).distance == pytest.approx(distance)


def test_score_lists_every_field() -> None:
    """score reports each field it graded, naming the section, key and outcome."""
    pattern = pattern_of(urlPath="/a", headers={"X": {"equalTo": "1"}, "Y": {"equalTo": "2"}},
                         queryParameters={"q": {"equalTo": "1"}})
    graded = score(pattern, req("/a?q=1", headers=[("X", "1"), ("Y", "3")]))
    outcome = {(f.section, f.key): f.result.matched for f in graded.fields}
    assert outcome[("url", None)] is True
    assert outcome[("header", "X")] is True
    assert outcome[("header", "Y")] is False
    assert outcome[("query", "q")] is True
    assert not graded.matched


def test_matches_stops_at_first_failure_but_score_grades_all() -> None:
    """Even after a header fails, score still grades the later fields."""
    pattern = pattern_of(headers={"X": {"equalTo": "1"}}, bodyPatterns=[{"contains": "b"}])
    graded = score(pattern, req(body=b"abc"))
    sections = [f.section for f in graded.fields]
    assert "body" in sections
    assert next(f for f in graded.fields if f.section == "body").result.matched


def test_distance_equals_the_score_distance() -> None:
    """The ranking shortcut gives exactly the distance the full score gives."""
    from mockserver.matching.pattern import distance, score
    from mockserver.stubs import parse_stub

    stubs = [
        parse_stub({"request": {"method": "GET", "url": "/a/b"}}),
        parse_stub({"request": {"method": "POST", "urlPath": "/a/b",
                                "headers": {"X": {"equalTo": "1"}}}}),
        parse_stub({"request": {"urlPathPattern": "/z/.*", "queryParameters": {
            "q": {"equalTo": "v"}}}}),
        parse_stub({"request": {}}),
    ]
    requests = [Request("GET", "/a/b"), Request("POST", "/a/b", headers=[("X", "2")]),
                Request("PUT", "/z/1?q=w"), Request("GET", "/elsewhere")]
    for stub in stubs:
        for request in requests:
            assert distance(stub.request, request) == score(stub.request, request).distance


# --- two questions, two prices --------------------------------------------------------------


class GradeCounter(StringMatcher):
    """A stub author's `equalTo` that counts how often it is asked for a graded result."""

    operator = "equalTo"

    def __init__(self, value: str) -> None:
        self.inner = parse_string_matcher({"equalTo": value})
        self.graded = 0

    def matches(self, value: str | None) -> bool:
        return self.inner.matches(value)

    def match(self, value: str | None) -> MatchResult:
        self.graded += 1
        return self.inner.match(value)

    def to_json(self) -> dict[str, Any]:
        return self.inner.to_json()


def counted_pattern(counter: GradeCounter) -> RequestPattern:
    """Every field kind that holds a string matcher, each asking the same counter."""
    single = MultiValuePattern("single", (counter,))
    return dataclasses.replace(
        parse_request_pattern({"urlPath": "/c", "method": "POST"})[0],
        headers=(("X-A", single),),
        query_parameters=(("q", single),),
        cookies=(("c", counter),),
        body_patterns=(Not(Or((counter, And((counter, counter))))), counter),
    )


@pytest.mark.parametrize("agree", [True, False])
def test_matches_never_asks_for_a_grade(agree: bool) -> None:
    """The hot path asks matchers only the yes/no question, whether the request matches or not."""
    counter = GradeCounter("v")
    value = "v" if agree else "w"
    request = req(f"/c?q={value}", "POST", [("X-A", value), ("Cookie", f"c={value}")],
                  body=value.encode())
    pattern = counted_pattern(counter)
    assert matches(pattern, request) is False  # `not (v or (v and v))` fails whenever v does
    assert counter.graded == 0
    score(pattern, request)
    assert counter.graded > 0  # grading (near misses, verification) is where distances come from


def test_registry_find_never_asks_for_a_grade() -> None:
    """Finding the stub for a request among many near-identical ones computes no distance."""
    counter = GradeCounter("x" * 310)
    base = parse_stub({"request": {"method": "POST", "url": "/one"}})
    registry = Registry()
    for _ in range(50):
        registry.add(dataclasses.replace(
            base, id=str(uuid.uuid4()),
            request=dataclasses.replace(base.request, body_patterns=(counter,))))
    assert registry.find(req("/one", "POST", body=b"y" * 310)) is None
    assert counter.graded == 0
