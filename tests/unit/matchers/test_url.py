"""URL matchers (url, urlPattern, urlPath, urlPathPattern, urlPathTemplate) and their index keys."""

from __future__ import annotations

import pytest

from mockserver.exchange import Request
from mockserver.matchers.distance import normalised_distance
from mockserver.matchers.url import PathTemplate, UrlKind, UrlMatcher, request_first_segment

ORDERS = "/users/{userId}/orders/{orderId}"


def match(kind: str, value: str, url: str) -> bool:
    request = Request("GET", url)
    return UrlMatcher.parse(UrlKind(kind), value).match(request.url, request.path).matched


@pytest.mark.parametrize(
    ("kind", "value", "url", "matched"),
    [
        # every row of the compat doc's §2.2 table, confirmed on WireMock 3.13.2
        ("url", "/u1", "/u1", True),
        ("url", "/u1", "/u1?x=1", False),
        ("url", "/u1", "/u1/", False),
        ("url", "/u1", "/U1", False),
        ("url", "/u2?a=1&b=2", "/u2?b=2&a=1", False),
        ("urlPath", "/p1", "/p1?x=1", True),
        ("urlPath", "/p1", "/p1/", False),
        ("urlPattern", "/r1/[a-z]+", "/r1/abc", True),
        ("urlPattern", "/r1/[a-z]+", "/r1/abc?x=1", False),
        ("urlPattern", "/r1/[a-z]+", "/r1/abc/def", False),
        ("urlPathPattern", "/rp1/[a-z]+", "/rp1/abc?z=9", True),
        ("url", "/enc%20a", "/enc%20a", True),
        ("urlPath", "/enc b", "/enc%20b", False),
        ("urlPath", "/enc%20c", "/enc%20c", True),
        ("url", "/", "/", True),
    ],
)
def test_compat_table(kind: str, value: str, url: str, matched: bool) -> None:
    """Each URL matcher behaves as the WireMock 3.13.2 probes in the compat doc record."""
    assert match(kind, value, url) is matched


@pytest.mark.parametrize(
    ("kind", "value", "url", "matched"),
    [
        ("url", "/u2?a=1&b=2", "/u2?a=1&b=2", True),
        ("url", "/u1?x=1", "/u1", False),
        ("urlPath", "/p1", "/P1", False),
        ("urlPath", "/p1", "/p1?", True),
        ("urlPath", "/", "/?a=1", True),
        ("urlPattern", "/r1/.*", "/r1/abc?x=1", True),
        ("urlPattern", "/r1/[a-z]+\\?x=[0-9]", "/r1/abc?x=1", True),
        ("urlPattern", "/r1", "/r1/x", False),
        ("urlPattern", "r1/x", "/r1/x", False),
        ("urlPathPattern", "/rp1/[a-z]+", "/rp1/abc/", False),
        ("urlPathPattern", "/rp1/.*", "/rp1/a/b/c?q", True),
        ("urlPathPattern", "/ci/[a-z]+", "/ci/ABC", False),
        ("urlPathPattern", "(?i)/ci/[a-z]+", "/CI/ABC", True),
        ("urlPathPattern", "^/anchored/\\d+$", "/anchored/12", True),
        ("urlPathPattern", "/e/a%20b", "/e/a%20b", True),
        ("urlPathPattern", "/e/a b", "/e/a%20b", False),
        ("urlPathPattern", "/v(?<n>[0-9])/x", "/v1/x", True),
    ],
)
def test_more_url_cases(kind: str, value: str, url: str, matched: bool) -> None:
    """Regexes are full, case-sensitive matches over the raw URL; urlPath* ignore the query."""
    assert match(kind, value, url) is matched


@pytest.mark.parametrize(
    ("kind", "value", "url"),
    [
        ("url", "/users/1", "/users/2"),
        ("url", "/u1", "/u1?x=1"),
        ("urlPath", "/p1", "/p2?x=1"),
    ],
)
def test_literal_url_distance(kind: str, value: str, url: str) -> None:
    """A literal URL miss is graded by edit distance to the URL (or the path for urlPath)."""
    request = Request("GET", url)
    result = UrlMatcher.parse(UrlKind(kind), value).match(request.url, request.path)
    subject = request.url if kind == "url" else request.path
    assert not result.matched
    assert result.distance == pytest.approx(normalised_distance(value, subject))


@pytest.mark.parametrize("kind", ["urlPattern", "urlPathPattern"])
def test_regex_miss_is_distance_one(kind: str) -> None:
    """A regex URL either matches or is as far as possible."""
    result = UrlMatcher.parse(UrlKind(kind), "/r/[0-9]+").match("/r/x", "/r/x")
    assert not result.matched
    assert result.distance == 1.0


@pytest.mark.parametrize(
    ("template", "url", "parameters"),
    [
        (ORDERS, "/users/12/orders/abc", {"userId": "12", "orderId": "abc"}),
        (ORDERS, "/users/12/orders/abc?z=1", {"userId": "12", "orderId": "abc"}),
        (ORDERS, "/users/12/orders/abc/", None),
        (ORDERS, "/users//orders/abc", None),
        (ORDERS, "/users/1/2/orders/abc", None),
        ("/users/{userId}", "/Users/1", None),
        ("/pp/{v}", "/pp/a%20b", {"v": "a%20b"}),
        ("/pp/{v}", "/pp/a+b", {"v": "a+b"}),
        ("/files/**", "/files/a/b/c", {}),
        ("/files/**", "/files/", {}),
        ("/files/**", "/files", None),
        ("/a/{x}/**/{y}", "/a/1/q/r/2", {"x": "1", "y": "2"}),
        ("/a/**/end", "/a/b/c/end", {}),
        ("/a/**/end", "/a/b/c/end/more", None),
        ("/f/{.x}/{;y}/{*z}", "/f/1/2/3", {"x": "1", "y": "2", "z": "3"}),
        ("/v1.0/{id}", "/v1.0/5", {"id": "5"}),
        ("/v1.0/{id}", "/v1x0/5", None),
        ("/a(b)+/{id}", "/a(b)+/5", {"id": "5"}),
        ("/static", "/static", {}),
        ("/static", "/static/", None),
    ],
)
def test_path_templates(template: str, url: str, parameters: dict[str, str] | None) -> None:
    """Variables take one non-empty segment, `**` anything; values stay percent-encoded."""
    request = Request("GET", url)
    matcher = UrlMatcher.parse(UrlKind.URL_PATH_TEMPLATE, template)
    result = matcher.match(request.url, request.path)
    assert result.matched is (parameters is not None)
    assert matcher.template is not None
    assert matcher.template.parameters(request.path) == parameters
    assert matcher.path_parameters(request.path) == (parameters or {})


def test_path_template_names_strip_operator_characters() -> None:
    """`.`, `;` and `*` inside braces are dropped from the variable names."""
    assert PathTemplate.parse("/f/{.x}/{;y}/{*z}/{id}").names == ("x", "y", "z", "id")


def test_path_template_miss_distance_uses_the_blanked_template() -> None:
    """A template miss is graded against the template with variables replaced by `_`."""
    matcher = UrlMatcher.parse(UrlKind.URL_PATH_TEMPLATE, "/users/{id}/orders/**")
    assert matcher.template is not None
    assert matcher.template.blanked == "/users/_/orders/_"
    result = matcher.match("/users/1/order", "/users/1/order")
    expected = normalised_distance("/users/_/orders/_", "/users/1/order")
    assert result.distance == pytest.approx(expected)


@pytest.mark.parametrize("template", ["/a/{}", "/a/{x}/{x}", "/a/{.}"])
def test_bad_templates_raise(template: str) -> None:
    """Empty or repeated variable names are rejected when the template is parsed."""
    with pytest.raises(ValueError):
        UrlMatcher.parse(UrlKind.URL_PATH_TEMPLATE, template)


@pytest.mark.parametrize(("kind", "value"), [("urlPattern", "/a/("), ("urlPathPattern", "[a-")])
def test_bad_regexes_raise(kind: str, value: str) -> None:
    """An invalid URL regex is rejected when the matcher is parsed."""
    with pytest.raises(ValueError):
        UrlMatcher.parse(UrlKind(kind), value)


@pytest.mark.parametrize(
    ("kind", "value", "prefix"),
    [
        ("urlPathPattern", "/api/v1/.*", "/api/"),
        ("urlPattern", "/a/b+", "/a/"),
        ("urlPathPattern", "^/x/y", "/x/"),
        ("urlPattern", "/a/\\d+", "/a/"),
        ("urlPattern", "/a/b?", "/a/"),
        ("urlPathPattern", "/a/b{2}", "/a/"),
        ("urlPattern", "(?i)/a/b", None),
        ("urlPattern", "/a/b|/c/d", None),
        ("urlPattern", "/ab?/c", None),
        ("urlPathPattern", "/ab*/c", None),
        ("urlPathPattern", "/a/?", None),
        ("urlPathPattern", "/api", None),
        ("urlPathPattern", ".*", None),
        ("urlPathPattern", "a/b/c", None),
        ("urlPathTemplate", "/users/{id}", "/users/"),
        ("urlPathTemplate", "/a/**", "/a/"),
        ("urlPathTemplate", "/a/b/{c}", "/a/"),
        ("urlPathTemplate", "/{x}/a", None),
        ("urlPathTemplate", "/a**/b", None),
        ("url", "/a/b", None),
        ("urlPath", "/a/b", None),
    ],
)
def test_index_prefix(kind: str, value: str, prefix: str | None) -> None:
    """Regex and template stubs are indexed by a first path segment only when it is literal."""
    assert UrlMatcher.parse(UrlKind(kind), value).index_prefix == prefix


@pytest.mark.parametrize(
    ("kind", "value", "url"),
    [
        ("urlPathPattern", "/api/v1/.*", "/api/v1/x"),
        ("urlPattern", "/a/b+", "/a/bbb"),
        ("urlPattern", "/a/b?", "/a/"),
        ("urlPathPattern", "/a/b{2}", "/a/bb"),
        ("urlPattern", "/a/\\d+", "/a/12"),
        ("urlPathPattern", "^/x/y", "/x/y?q=1"),
        ("urlPathTemplate", "/users/{id}", "/users/7"),
        ("urlPathTemplate", "/a/**", "/a/"),
        ("urlPathTemplate", "/a/b/{c}", "/a/b/c"),
    ],
)
def test_index_prefix_is_a_prefix_of_every_match(kind: str, value: str, url: str) -> None:
    """A URL that the matcher accepts always lies in the matcher's segment bucket."""
    request = Request("GET", url)
    matcher = UrlMatcher.parse(UrlKind(kind), value)
    assert matcher.match(request.url, request.path).matched
    assert matcher.index_prefix == request_first_segment(request.path)


@pytest.mark.parametrize(
    ("kind", "value", "literal"),
    [
        ("url", "/a/b?x=1", "/a/b"),
        ("url", "/a", "/a"),
        ("url", "?x=1", "/"),
        ("urlPath", "/a/b", "/a/b"),
        ("urlPath", "/enc%20c", "/enc%20c"),
        ("urlPattern", "/a", None),
        ("urlPathPattern", "/a", None),
        ("urlPathTemplate", "/a/{x}", None),
    ],
)
def test_literal_path(kind: str, value: str, literal: str | None) -> None:
    """url and urlPath stubs pin one exact path (query stripped); the others do not."""
    assert UrlMatcher.parse(UrlKind(kind), value).literal_path == literal


@pytest.mark.parametrize(
    ("path", "segment"),
    [("/a/b", "/a/"), ("/a/", "/a/"), ("/a", None), ("/", None), ("/a/b/c", "/a/")],
)
def test_request_first_segment(path: str, segment: str | None) -> None:
    """A request's first segment includes both slashes, and exists only if a second slash does."""
    assert request_first_segment(path) == segment


@pytest.mark.parametrize(
    ("kind", "includes_query", "label"),
    [
        (UrlKind.URL, True, ""),
        (UrlKind.URL_PATTERN, True, "[regex] "),
        (UrlKind.URL_PATH, False, "[path] "),
        (UrlKind.URL_PATH_PATTERN, False, "[path regex] "),
        (UrlKind.URL_PATH_TEMPLATE, False, "[path template] "),
    ],
)
def test_kinds(kind: UrlKind, includes_query: bool, label: str) -> None:
    """url and urlPattern see the query; report labels follow WireMock's diff."""
    assert kind.includes_query is includes_query
    assert kind.report_label == label


@pytest.mark.parametrize("kind", list(UrlKind))
def test_to_json(kind: UrlKind) -> None:
    """A URL matcher serialises to its single WireMock key."""
    assert UrlMatcher.parse(kind, "/a/b").to_json() == {kind.value: "/a/b"}
