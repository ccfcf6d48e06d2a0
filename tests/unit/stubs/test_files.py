"""Stub files on disk: YAML and JSON shapes, errors located by file, line and key path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mockserver.errors import StubError, StubFileError
from mockserver.stubs import load_directory, load_file, load_text, mapping_files


def load(text: str, name: str = "stubs.yaml"):
    return load_text(text, path=f"/root/mappings/{name}", display=name,
                     is_json=name.endswith(".json"))


def urls(stubs) -> list[str | None]:
    return [None if s.request.url is None else s.request.url.value for s in stubs]


SINGLE_YAML = """\
request:
  method: GET
  url: /one
response:
  status: 200
  body: one
"""

LIST_YAML = """\
- request:
    url: /one
- request:
    url: /two
  response:
    status: 201
"""

MAPPINGS_YAML = """\
mappings:
  - request:
      url: /one
  - request:
      url: /two
meta:
  total: 2
"""

SINGLE_JSON = json.dumps({"request": {"url": "/one"}, "response": {"status": 200}}, indent=2)
MAPPINGS_JSON = json.dumps(
    {
        "mappings": [{"request": {"url": "/one"}}, {"request": {"url": "/two"}}],
        "meta": {"total": 2},
    },
    indent=2,
)
COMMENTED_JSON = """\
// a stub with comments
{
  // which URL
  "request": { "url": "/one" }, // trailing comment
  /* block
     comment */
  "response": { "body": "http://example.com/a//b /* not a comment */" }
}
"""


@pytest.mark.parametrize(
    ("name", "text", "expected", "multi"),
    [
        ("one.yaml", SINGLE_YAML, ["/one"], False),
        ("one.yml", SINGLE_YAML, ["/one"], False),
        ("list.yaml", LIST_YAML, ["/one", "/two"], True),
        ("mappings.yaml", MAPPINGS_YAML, ["/one", "/two"], True),
        ("one.json", SINGLE_JSON, ["/one"], False),
        ("mappings.json", MAPPINGS_JSON, ["/one", "/two"], True),
        ("comments.json", COMMENTED_JSON, ["/one"], False),
        ("list.json", json.dumps([{"request": {"url": "/one"}}, {}]), ["/one", None], True),
        ("flow.yaml", '{"request": {"url": "/one"}}', ["/one"], False),
    ],
)
def test_file_shapes(name: str, text: str, expected: list[str | None], multi: bool) -> None:
    """A file holds one stub, a list of stubs, or `{mappings: [...]}` (meta ignored)."""
    stubs, errors = load(text, name)
    assert errors == []
    assert urls(stubs) == expected
    assert all(s.source is not None and s.source.multi is multi for s in stubs)
    assert all(s.source.path == f"/root/mappings/{name}" for s in stubs)


def test_comments_do_not_touch_strings() -> None:
    """`//` and `/* */` inside JSON strings are kept as text."""
    stubs, _ = load(COMMENTED_JSON, "c.json")
    assert stubs[0].response.body == "http://example.com/a//b /* not a comment */"


def test_single_quoted_json_strings() -> None:
    """JSON stub files may use single-quoted strings, as WireMock accepts them."""
    stubs, errors = load("{\"request\": {\"url\": '/one'}}", "q.json")
    assert errors == []
    assert urls(stubs) == ["/one"]


def test_bad_stub_does_not_stop_the_others() -> None:
    """One invalid stub in a list is reported; the stubs around it still load."""
    text = """\
- request:
    url: /one
- request:
    urlPath: /two
    method: GET
    foo: 1
- request:
    url: /three
"""
    stubs, errors = load(text)
    assert urls(stubs) == ["/one", "/three"]
    assert len(errors) == 1
    assert errors[0].path == (1, "request", "foo")
    assert errors[0].line == 6


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("a.yaml", "request:\n  url: /a\n  foo: 1\n",
         "a.yaml:3: request.foo: unknown field 'foo'"),
        ("a.yaml", "request:\n  url: /a\nid: 1\n",
         "a.yaml:3: id: 1 is not a valid UUID"),
        ("a.yaml", "request:\n  url: /a\nbar: 2\n",
         "a.yaml:3: bar: unknown field 'bar'"),
        ("list.yaml", "- request:\n    url: /a\n- request:\n    urlPath: /b\n    foo: 1\n",
         "list.yaml:5: [1].request.foo: unknown field 'foo'"),
        ("m.yaml",
         ("mappings:\n  - request:\n      url: /a\n  - request:\n      queryParameters:\n"
         "        page:\n          equals: 1\n"),
         "m.yaml:7: mappings[1].request.queryParameters.page.equals: unknown operator 'equals'"),
        ("p.yaml", "request:\n  url: /a\npriority: high\n",
         "p.yaml:3: priority: expected an integer"),
        ("r.yaml", "request:\n  url: /a\nresponse:\n  status: 200\n  fault: BOOM\n",
         "r.yaml:5: response.fault: unknown fault 'BOOM'"),
        ("b.yaml", "request:\n  bodyPatterns:\n    - equalTo: a\n    - matches: '('\n",
         "b.yaml:4: request.bodyPatterns[1].matches: invalid regular expression"),
        ("a.json", '{\n  "request": {\n    "url": "/a",\n    "foo": 1\n  }\n}\n',
         "a.json:4: request.foo: unknown field 'foo'"),
        ("m.json",
         ('{\n  "mappings": [\n    {"request": {"url": "/a"}},\n    {\n      "request": {\n'
         '        "headers": {"X": {"equals": "1"}}\n      }\n    }\n  ]\n}\n'),
         "m.json:6: mappings[1].request.headers.X.equals: unknown operator 'equals'"),
        ("c.json", '// comment\n{\n  // another\n  "request": {\n    "foo": 1\n  }\n}\n',
         "c.json:5: request.foo: unknown field 'foo'"),
        ("t.json", '{\n\t"request": {\n\t\t"foo": 1\n\t}\n}\n',
         "t.json:3: request.foo: unknown field 'foo'"),
        ("s.yaml", "hello\n", "s.yaml:1: (root): expected a stub mapping object"),
    ],
)
def test_errors_name_file_line_and_key_path(name: str, text: str, expected: str) -> None:
    """A stub error reads `file:line: key.path: message`, the line being the offending key's."""
    _, errors = load(text, name)
    assert len(errors) == 1
    assert str(errors[0]).startswith(expected), str(errors[0])


def test_error_line_with_repeated_key_names() -> None:
    """The line points at the inner key even when an outer key has the same name."""
    text = "request:\n  bodyPatterns:\n    - or:\n        - equalTo: a\n        - or: not-a-list\n"
    _, errors = load(text)
    assert errors[0].path == ("request", "bodyPatterns", 0, "or", 1, "or")
    assert errors[0].line == 5


def test_error_line_after_a_multi_line_block_comment() -> None:
    """Line numbers count the lines of block comments too."""
    text = '{\n/* a\n   b\n   c */\n"request": {\n"foo": 1\n}\n}\n'
    _, errors = load(text, "b.json")
    assert errors[0].line == 6


def test_syntax_error_line_in_json_with_comments() -> None:
    """A JSON syntax error is reported at its own line even when the file has comments."""
    text = '{\n// comment\n"request": {\n"url": "/x",\n}\n}\n'
    _, errors = load(text, "s.json")
    assert errors[0].line == 5


@pytest.mark.parametrize(
    ("name", "text", "line", "message"),
    [
        ("y.yaml", "request:\n  url: /a\n method: GET\n", 3, "invalid YAML"),
        ("y.yaml", "request:\n  url: /a\n\tmethod: GET\n", 3, "invalid YAML"),
        ("y.yaml", "request:\n  url: /a\n  method: GET: x\n", 3, "invalid YAML"),
        ("j.json", '{\n  "request": {\n    "url": "/a",\n  }\n}\n', 4, "invalid JSON"),
        ("j.json", '{\n  "request": {\n    "url": "/a"\n  }\n', 5, "invalid JSON"),
        ("j.json", "{\n  request: {}\n}\n", 2, "invalid JSON"),
    ],
)
def test_syntax_errors_carry_the_line(name: str, text: str, line: int, message: str) -> None:
    """Unparseable files give one error at the line of the problem, at the root path."""
    stubs, errors = load(text, name)
    assert stubs == []
    assert len(errors) == 1
    assert errors[0].line == line
    assert errors[0].path == ()
    assert str(errors[0]).startswith(f"{name}:{line}: (root): {message}")


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "---\n"])
def test_empty_yaml_file(text: str) -> None:
    """An empty YAML file holds no stubs and is no error."""
    assert load(text) == ([], [])


def test_errors_are_stub_errors() -> None:
    """File errors belong to the StubError family and carry file, line and path."""
    _, errors = load("request:\n  foo: 1\n")
    error = errors[0]
    assert isinstance(error, StubFileError)
    assert isinstance(error, StubError)
    assert (error.file, error.line, error.path) == ("stubs.yaml", 2, ("request", "foo"))


def test_load_file_reads_from_disk(tmp_path: Path) -> None:
    """load_file reads YAML or JSON by suffix, tolerating a UTF-8 byte order mark."""
    yaml_file = tmp_path / "a.yaml"
    yaml_file.write_text(SINGLE_YAML)
    json_file = tmp_path / "b.JSON"
    json_file.write_bytes(b"\xef\xbb\xbf" + SINGLE_JSON.encode())
    assert urls(load_file(yaml_file)[0]) == ["/one"]
    assert urls(load_file(json_file)[0]) == ["/one"]


def test_load_file_names_the_file(tmp_path: Path) -> None:
    """Errors name the file as displayed (the full path by default)."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("request:\n  foo: 1\n")
    assert str(load_file(bad)[1][0]).startswith(f"{bad}:2: request.foo:")
    assert str(load_file(bad, display="mappings/bad.yaml")[1][0]).startswith("mappings/bad.yaml:2:")


def test_unreadable_file_is_an_error(tmp_path: Path) -> None:
    """A file that is not UTF-8 is reported, without a line."""
    bad = tmp_path / "latin.yaml"
    bad.write_bytes(b"request:\n  url: /\xe9\n")
    stubs, errors = load_file(bad)
    assert stubs == []
    assert errors[0].line is None
    assert "cannot read file" in str(errors[0])


def make_tree(root: Path) -> None:
    files = {
        "a.yaml": "request:\n  url: /a\n",
        "b.json": '{"request": {"url": "/b"}}',
        "sub/c.yml": "- request:\n    url: /c1\n- request:\n    url: /c2\n",
        "sub/deeper/d.yaml": "request:\n  url: /d\n",
        ".hidden.yaml": "request:\n  url: /hidden\n",
        ".git/e.yaml": "request:\n  url: /git\n",
        "sub/.secret/f.yaml": "request:\n  url: /secret\n",
        "notes.txt": "not a stub",
        "bad.yaml": "request:\n  foo: 1\n",
        "empty.yaml": "",
    }
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_mapping_files_skip_hidden_and_other_files(tmp_path: Path) -> None:
    """Only visible .json/.yaml/.yml files are stub files, found recursively in a stable order."""
    make_tree(tmp_path)
    found = [p.relative_to(tmp_path).as_posix() for p in mapping_files(tmp_path)]
    assert found == ["a.yaml", "b.json", "bad.yaml", "empty.yaml", "sub/c.yml", "sub/deeper/d.yaml"]


def test_mapping_files_of_a_missing_directory(tmp_path: Path) -> None:
    """A missing mappings directory simply has no files."""
    assert mapping_files(tmp_path / "nope") == []


def test_load_directory(tmp_path: Path) -> None:
    """Every file loads; one bad file is reported and does not stop the others."""
    make_tree(tmp_path)
    result = load_directory(tmp_path)
    assert result.files == 6
    assert sorted(urls(result.stubs)) == ["/a", "/b", "/c1", "/c2", "/d"]
    assert len(result.errors) == 1
    assert result.errors[0].file.endswith("bad.yaml")
    assert result.errors[0].line == 2


def header_operand(value: str) -> dict:
    stubs, errors = load(f"request:\n  headers:\n    X:\n      equalTo: {value}\n")
    assert errors == []
    return stubs[0].request.headers[0][1].to_json()


@pytest.mark.parametrize("value", ["2020-01-01", "2020-01-01T10:00:00Z", "2020-01-01 10:00:00"])
def test_yaml_dates_stay_text(value: str) -> None:
    """Unquoted YAML dates are kept as the text written, not turned into date objects."""
    assert header_operand(value) == {"equalTo": value}


@pytest.mark.parametrize("value", ["yes", "off", "12:30", "1_000"])
def test_yaml_1_1_scalars_stay_text(value: str) -> None:
    """Plain scalars that JSON (and YAML 1.2) read as text keep their written form."""
    assert header_operand(value) == {"equalTo": value}
