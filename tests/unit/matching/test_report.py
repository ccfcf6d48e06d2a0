"""The side-by-side "Request was not matched" report, laid out as WireMock 3.13.2 prints it."""

from __future__ import annotations

from typing import Any

import pytest

from mockserver.exchange import Request
from mockserver.matching.nearmiss import NearMiss
from mockserver.matching.pattern import score
from mockserver.matching.report import BODY_LIMIT, _wrap, render_diff
from mockserver.stubs import parse_stub

BLANK = " " * 59 + "|"
RULE = "-" * 119

COMPAT_EXAMPLE = """
                                               Request was not matched
                                               =======================

-----------------------------------------------------------------------------------------------------------------------
| Closest stub                                             | Request                                                  |
-----------------------------------------------------------------------------------------------------------------------
                                                           |
Get widget                                                 |
                                                           |
POST                                                       | POST
[path] /widgets                                            | /widgets?q=abd
                                                           |
Content-Type [contains] : json                             | Content-Type: text/plain                            <<<<< Header does not match
                                                           |
Query: q = abc                                             | q: abd                                              <<<<< Query does not match
                                                           |
$.name                                                     | {"nm":1}                                            <<<<< Body does not match
                                                           |
-----------------------------------------------------------------------------------------------------------------------
"""  # noqa: E501 - WireMock's report is 119 columns wide


def report(stub_json: dict[str, Any], request: Request, **kwargs: Any) -> str:
    stub = parse_stub(stub_json)
    return render_diff(NearMiss(stub, request, score(stub.request, request)), **kwargs)


def rows(text: str) -> list[str]:
    """The report's lines between the column headings and the closing rule."""
    lines = text.split("\n")
    return lines[7:-2]


def row(left: str, right: str = "", message: str = "") -> str:
    """One line at width 119, spelled out: left padded to 59, `|`, right padded to 52."""
    if not right:
        return left.ljust(59) + "|" + (" " * 53 + "<<<<< " + message if message else "")
    return left.ljust(59) + "| " + (right.ljust(52) + "<<<<< " + message if message else right)


def test_reproduces_the_compat_example_line_for_line() -> None:
    """The documented example (named stub, header, query and JSONPath misses) is exact."""
    text = report(
        {
            "name": "Get widget",
            "request": {
                "method": "POST",
                "urlPath": "/widgets",
                "headers": {"Content-Type": {"contains": "json"}},
                "queryParameters": {"q": {"equalTo": "abc"}},
                "bodyPatterns": [{"matchesJsonPath": "$.name"}],
            },
        },
        Request(method="POST", url="/widgets?q=abd",
                headers=[("Content-Type", "text/plain")], body=b'{"nm":1}'),
    )
    assert text == COMPAT_EXAMPLE


def test_width_80_halves_the_columns() -> None:
    """At width 80 the title, rules, column headings and wrap column all follow W/2."""
    text = report(
        {"request": {"method": "GET", "url": "/x",
                     "headers": {"X-Long": {"equalTo": "alpha beta gamma delta epsilon "
                                                       "zeta eta theta iota kappa lambda"}}}},
        Request(method="GET", url="/x", headers=[
            ("X-Long", "alpha beta gamma delta epsilon zeta eta theta iota kappa mu")]),
        width=80,
    )
    assert text.split("\n") == [
        "",
        " " * 28 + "Request was not matched",
        " " * 28 + "=======================",
        "",
        "-" * 80,
        "| Closest stub                          | Request                               |",
        "-" * 80,
        " " * 40 + "|",
        "GET                                     | GET",
        "/x                                      | /x",
        " " * 40 + "|",
        ("X-Long: alpha beta gamma delta epsilon  | X-Long: alpha beta gamma delta epsilon"
        "<<<<< Header does not match"),
        "zeta eta theta iota kappa lambda        | zeta eta theta iota kappa mu",
        " " * 40 + "|",
        " " * 40 + "|",
        "-" * 80,
        "",
    ]


def test_unnamed_stub_goes_straight_to_the_method() -> None:
    """Without a name there is no name line: the blank row is followed by the method."""
    text = report({"request": {"method": "GET", "url": "/a"}}, Request(method="GET", url="/b"))
    assert rows(text) == [
        BLANK,
        row("GET", "GET"),
        row("/a", "/b", "URL does not match"),
        BLANK,
        BLANK,
    ]
    assert text.endswith(RULE + "\n")


def test_missing_header_is_not_present() -> None:
    """A header the request lacks is reported as not present, with an empty right side."""
    text = report(
        {"request": {"method": "GET", "url": "/a",
                     "headers": {"Accept": {"equalTo": "application/json"}}}},
        Request(method="GET", url="/a"),
    )
    assert row("Accept: application/json", "", "Header is not present") in rows(text)
    assert "Accept: application/json" + " " * 35 + "|" + " " * 53 + (
        "<<<<< Header is not present") in rows(text)


def test_method_mismatch_is_flagged() -> None:
    """A different method is printed beside the expected one and marked."""
    text = report({"request": {"method": "GET", "url": "/a"}}, Request(method="DELETE", url="/a"))
    assert row("GET", "DELETE", "HTTP method does not match") in rows(text)


def test_long_values_wrap_on_both_sides() -> None:
    """Values longer than W/2 - 2 wrap at spaces; the marker stays on the first line."""
    expected = " ".join(["word"] * 20)
    text = report(
        {"request": {"url": "/a", "headers": {"X-W": {"equalTo": expected}}}},
        Request(method="GET", url="/a", headers=[("X-W", expected + " more")]),
    )
    body = rows(text)
    start = body.index(row("X-W: word word word word word word word word word word", "X-W: "
                           "word word word word word word word word word word",
                           "Header does not match"))
    assert body[start + 1] == row("word word word word word word word word word word",
                                  "word word word word word word word word word word more")


@pytest.mark.parametrize(
    ("text", "limit", "wrapped"),
    [
        ("abc", 1, "a\nb\nc"),
        ("abc", 2, "ab\nc"),
        ("abc", 3, "abc"),
        ("abc\nabcd\nabcd", 3, "abc\nab\ncd\nabc\nd"),
        ("one two three", 7, "one two\nthree"),
    ],
)
def test_wrapping_follows_wiremocks_rules(text: str, limit: int, wrapped: str) -> None:
    """Long words are cut, newlines are ordinary characters, blank lines are dropped."""
    assert _wrap(text, limit) == wrapped


def test_matching_body_patterns_are_not_printed() -> None:
    """Body expectations appear only when they fail."""
    text = report(
        {"request": {"method": "POST", "url": "/a", "bodyPatterns": [{"contains": "x"}]}},
        Request(method="POST", url="/b", body=b"xyz"),
    )
    assert "[contains]" not in text
    assert "Body" not in text


def test_equal_to_json_bodies_are_pretty_printed_on_both_sides() -> None:
    """equalToJson shows `[equalToJson]` then Jackson-style JSON beside the request's JSON."""
    text = report(
        {"request": {"method": "POST", "url": "/a",
                     "bodyPatterns": [{"equalToJson": {"a": [1, 2], "b": {}}}]}},
        Request(method="POST", url="/a", body=b'{"a":[1,3],"b":{"c":true}}'),
    )
    assert rows(text)[4:12] == [
        row("[equalToJson]", "", "Body does not match"),
        row("{", "{"),
        row('  "a" : [ 1, 2 ],', '  "a" : [ 1, 3 ],'),
        row('  "b" : { }', '  "b" : {'),
        row("}", '    "c" : true'),
        row("", "  }"),
        row("", "}"),
        BLANK,
    ]


def test_basic_auth_is_an_authorization_header_expectation() -> None:
    """basicAuthCredentials print as WireMock's prefix matcher on Authorization."""
    text = report(
        {"request": {"url": "/a", "basicAuthCredentials": {"username": "u", "password": "p"}}},
        Request(method="GET", url="/a", headers=[("Authorization", "Basic eDp5")]),
    )
    assert row("Authorization [prefix] : Basic dTpw", "Authorization: Basic eDp5",
               "Header does not match") in rows(text)


def test_absent_query_parameter_is_not_present() -> None:
    """A query parameter missing from the request is reported as not present."""
    text = report(
        {"request": {"urlPath": "/a", "queryParameters": {"q": {"matches": "[a-z]+"}}}},
        Request(method="GET", url="/a?other=1"),
    )
    assert row("Query: q [matches] [a-z]+", "", "Query is not present") in rows(text)


def test_multi_valued_query_lists_every_value() -> None:
    """hasExactly prints its operands; each request value gets its own line."""
    text = report(
        {"request": {"urlPath": "/a", "queryParameters": {
            "id": {"hasExactly": [{"equalTo": "1"}, {"equalTo": "2"}]}}}},
        Request(method="GET", url="/a?id=1&id=3"),
    )
    body = rows(text)
    start = body.index(row("Query: id exactly [equalTo 1 AND equalTo 2]", "id: 1",
                           "Query does not match"))
    assert body[start + 1] == row("", "id: 3")


def test_form_and_cookie_lines() -> None:
    """Form fields print as `Form: k = v`, cookies as `Cookie: k=v` beside the value."""
    text = report(
        {"request": {"method": "POST", "url": "/f",
                     "formParameters": {"f": {"equalTo": "x"}},
                     "cookies": {"session": {"equalTo": "s1"}}}},
        Request(method="POST", url="/f", body=b"f=y", headers=[
            ("Content-Type", "application/x-www-form-urlencoded"), ("Cookie", "session=s2")]),
    )
    assert row("Form: f = x", "f: y", "Form data does not match") in rows(text)
    assert row("Cookie: session=s1", "s2", "Cookie does not match") in rows(text)


def test_path_template_parameters() -> None:
    """With a matching template, each constrained variable gets a line."""
    text = report(
        {"request": {"urlPathTemplate": "/u/{id}/o/{oid}",
                     "pathParameters": {"id": {"equalTo": "1"}}}},
        Request(method="GET", url="/u/2/o/3"),
    )
    assert rows(text)[1:6] == [
        row("ANY", "GET"),
        row("[path template] /u/{id}/o/{oid}", "/u/2/o/3"),
        BLANK,
        row("Path parameter: id = 1", "id: 2", "Path parameter does not match"),
        BLANK,
    ]


def test_host_port_client_ip_and_scheme_come_first() -> None:
    """Host, port, client IP and scheme lines precede the method, in that order."""
    text = report(
        {"request": {"url": "/a", "host": {"equalTo": "example.com"}, "port": 8080,
                     "clientIp": {"matches": "10\\..*"}, "scheme": "https"}},
        Request(method="GET", url="/a"),
    )
    assert rows(text)[1:6] == [
        row("example.com", "localhost", "Host does not match"),
        row("8080", "80", "Port does not match"),
        row("[matches] 10\\..*", "127.0.0.1", "Client IP does not match"),
        row("https", "http", "Scheme does not match"),
        row("ANY", "GET"),
    ]


def test_any_url_prints_always() -> None:
    """A stub without a URL expectation shows `(always)`."""
    text = report({"request": {"method": "POST"}}, Request(method="GET", url="/z"))
    assert row("(always)", "/z") in rows(text)


def test_unescaped_question_mark_in_url_regex_gets_a_hint() -> None:
    """A failing URL regex with a bare `?` carries WireMock's escaping hint."""
    text = report({"request": {"urlPattern": "/x?y"}}, Request(method="GET", url="/x"))
    assert row("[regex] /x?y", "/x",
               'URL does not match. When using a regex, "?" should be "\\\\?"') in rows(text)


@pytest.mark.parametrize(
    ("current", "expected_row"),
    [
        ("Other", row("[Scenario 'flow' state: Started]", "[Scenario 'flow' state: Other]",
                      "Scenario does not match")),
        ("Started", row("[Scenario 'flow' state: Started]", "[Scenario 'flow' state: Started]")),
        (None, row("[Scenario 'flow' state: Started]")),
    ],
)
def test_scenario_state_line(current: str | None, expected_row: str) -> None:
    """The required state is shown; the current one only when known, marked if different."""
    text = report(
        {"request": {"url": "/s"}, "scenarioName": "flow", "requiredScenarioState": "Started"},
        Request(method="GET", url="/t"),
        scenario_state=current,
    )
    assert rows(text)[-2] == expected_row


def test_huge_bodies_are_capped() -> None:
    """A huge body prints at most BODY_LIMIT characters, then an ellipsis line."""
    text = report(
        {"request": {"method": "POST", "url": "/a", "bodyPatterns": [{"contains": "x"}]}},
        Request(method="POST", url="/a", body=b"y" * 100_000),
    )
    assert text.replace("Body", "").count("y") == BODY_LIMIT
    assert row("", "... (98000 more characters)") in rows(text)


def test_odd_bodies_never_raise() -> None:
    """Non-UTF-8, invalid JSON and empty bodies still render a report."""
    for body in (b"\xff\xfe\x00binary", b"{not json", b"", b"[" * 5000, b"[" * 900 + b"]" * 900):
        text = report(
            {"request": {"method": "POST", "url": "/a", "bodyPatterns": [
                {"equalToJson": {"a": 1}}, {"matchesJsonPath": {"expression": "$.a",
                                                                 "equalTo": "1"}},
                {"equalToXml": "<a/>"}, {"binaryEqualTo": "AQID"}]}},
            Request(method="POST", url="/a", body=body),
        )
        assert text.endswith(RULE + "\n")
        assert "Body does not match" in text or "Body is not present" in text


def test_request_that_is_not_multipart() -> None:
    """Multipart expectations against a plain request say the multipart body is missing."""
    text = report(
        {"request": {"method": "POST", "url": "/m",
                     "multipartPatterns": [{"bodyPatterns": [{"contains": "a"}]}]}},
        Request(method="POST", url="/m", body=b"plain"),
    )
    assert row("[Multipart request body]", "",
               "[Multipart request body] is not present") in rows(text)
