"""The request model templates read: multi-values, case-insensitive headers, path segments."""

from __future__ import annotations

from mockserver.exchange import Request
from mockserver.respond.templating.context import EMPTY, MultiValue, Params, PathValue, RequestModel


def model(url: str = "/a/b%20c/42?x=1&x=2") -> RequestModel:
    request = Request("PUT", url, headers=[("X-Id", "i1"), ("x-id", "i2"), ("Cookie", "c=v")],
                      body=b"payload", host="example.test", port=8080)
    return RequestModel(request, {"id": "42"})


def test_multivalue_is_its_first_value_as_text() -> None:
    """A MultiValue prints, compares and hashes as its first value."""
    value = MultiValue(["a", "b", "c"])
    assert str(value) == "a" and value == "a" and value.upper() == "A"
    assert hash(value) == hash("a")


def test_multivalue_indexes_counts_and_iterates_values() -> None:
    """Indexing, len, iteration, first/last and `in` see the list of values."""
    value = MultiValue(["a", "b", "c"])
    assert (value[1], value[-1], value.first, value.last) == ("b", "c", "a", "c")
    assert len(value) == 3 and list(value) == ["a", "b", "c"] and "c" in value
    assert value.values == ["a", "b", "c"] and value["last"] == "c"


def test_empty_multivalue_is_falsy_and_prints_nothing() -> None:
    """A missing parameter is an empty, falsy MultiValue."""
    assert str(EMPTY) == "" and not EMPTY and len(EMPTY) == 0
    assert EMPTY.first == "" and EMPTY.last == ""


def test_params_case_folding_and_missing_names() -> None:
    """Headers fold case; query parameters do not; a missing name is empty."""
    headers = Params({"X-Id": ["1"]}, fold_case=True)
    query = Params({"Id": ["1"]})
    assert headers["x-id"] == "1" and headers.X_missing == ""
    assert query["id"] == "" and query.Id == "1"
    assert "x-id" in headers and list(query) == ["Id"] and len(query) == 1


def test_params_have_no_public_methods_that_hide_names() -> None:
    """A parameter named `items` or `keys` is reachable by dot."""
    query = Params({"items": ["3"], "keys": ["k"]})
    assert query.items == "3" and query.keys == "k"


def test_path_value_segments_and_template_variables() -> None:
    """The path prints whole; ints index decoded segments; names read template variables."""
    path = PathValue("/a/b%20c/42", {"id": "42"})
    assert path == "/a/b%20c/42"
    assert (path[0], path[1], path[-1], path["id"], path.id) == ("a", "b c", "42", "42", "42")
    assert len(path) == 3 and list(path) == ["a", "b c", "42"]
    assert path["1"] == "b c" and path.first == "a" and path.last == "42"


def test_request_model_fields() -> None:
    """Every documented field of `request`."""
    m = model()
    assert (m.method, m.url, m.path, m.pathSegments[2]) == ("PUT", "/a/b%20c/42?x=1&x=2",
                                                             "/a/b%20c/42", "42")
    assert m.query.x == "1" and m.query.x[1] == "2"
    assert m.headers["X-ID"].values == ["i1", "i2"]
    assert m.cookies.c == "v" and m.body == "payload" and m.bodyAsBase64 == "cGF5bG9hZA=="
    assert (m.host, m.port, m.scheme) == ("example.test", 8080, "http")
    assert m.baseUrl == "http://example.test:8080" and m.pathParameters == {"id": "42"}
    assert m.requestLine.method == "PUT" and m["method"] == "PUT"
    assert m.isBinary is False and m.isMultipart is False and m.id


def test_base_url_omits_default_port() -> None:
    """The base URL has no port when it is the scheme's default."""
    request = Request("GET", "/", host="h", port=80)
    assert RequestModel(request, {}).baseUrl == "http://h"


def test_request_model_refuses_private_names() -> None:
    """Item access only reaches the documented fields."""
    m = model()
    for name in ("_request", "__class__", "nope"):
        try:
            m[name]
        except KeyError:
            continue
        raise AssertionError(name)
