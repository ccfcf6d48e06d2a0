"""`mockserver validate`'s checks: every problem of a stub, suggestions, suspicious values."""

from __future__ import annotations

from mockserver.stubs.validation import suggest, validate_text

BROKEN = """\
request:
  method: get
  urlPathPattern: "/a(["
  headers: {X: {matches: "[z"}}
  queryParams: {a: {equalTo: b}}
response:
  status: 200
  fixedDelayMilliseconds: -5
  bodyFileNam: x
  bodyFileName: ../../etc/passwd
"""


def test_every_problem_of_one_stub_is_reported_in_line_order() -> None:
    """A mistake does not hide the next: each one is listed with its line and key path."""
    stubs, problems = validate_text(BROKEN, display="s.yaml", is_json=False)
    assert stubs == 1
    found = [(p.line, ".".join(map(str, p.path))) for p in problems]
    assert found == [
        (2, "request.method"), (3, "request.urlPathPattern"), (4, "request.headers.X.matches"),
        (5, "request.queryParams"), (8, "response.fixedDelayMilliseconds"),
        (9, "response.bodyFileNam"), (10, "response.bodyFileName"),
    ]


def test_unknown_keys_get_the_nearest_allowed_name() -> None:
    """`queryParams` suggests `queryParameters` rather than listing twenty fields."""
    _, problems = validate_text(BROKEN, display="s.yaml", is_json=False)
    messages = {".".join(map(str, p.path)): p.message for p in problems}
    assert messages["request.queryParams"] == (
        "unknown field 'queryParams' (did you mean 'queryParameters'?)")
    assert "did you mean 'GET'" in messages["request.method"]
    assert "negative delay -5" in messages["response.fixedDelayMilliseconds"]


def test_a_name_close_to_nothing_keeps_the_whole_list() -> None:
    """Without a close allowed name the message is left as the parser wrote it."""
    message = "unknown field 'zzzzzz' (expected one of: url, urlPath)"
    assert suggest(message) == message


def test_each_stub_of_a_multi_stub_file_is_checked() -> None:
    """A list of stubs reports problems for each, located under its index."""
    text = ("- request: {method: GET, urlz: /a}\n  response: {}\n"
            "- request: {method: post, url: /b}\n  response: {}\n")
    stubs, problems = validate_text(text, display="m.yaml", is_json=False)
    assert stubs == 2
    assert [(p.line, p.path) for p in problems] == [
        (1, (0, "request", "urlz")), (3, (1, "request", "method"))]
