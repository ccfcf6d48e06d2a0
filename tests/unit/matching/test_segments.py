"""Trie keys of URL matchers: literal segments, one-segment wildcards, open tails, residuals."""

from __future__ import annotations

import pytest

from mockserver.matchers.url import UrlKind, UrlMatcher
from mockserver.matching.segments import ANY_SEGMENT as ANY
from mockserver.matching.segments import UrlKey, url_key


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("url", "/api/v1/users?x=1", UrlKey(("", "api", "v1", "users"), False, False)),
        ("url", "?x=1", UrlKey(("", ""), False, False)),
        ("urlPath", "/api/v1/a%2Fb/", UrlKey(("", "api", "v1", "a%2Fb", ""), False, False)),
        ("urlPathTemplate", "/api/{id}/x-{n}.json",
         UrlKey(("", "api", ANY, ANY), False, False)),
        ("urlPathTemplate", "/api/{id}/files/**", UrlKey(("", "api", ANY, "files"), True, False)),
        ("urlPathPattern", "/api/v1/pattern/3/[0-9]+/detail",
         UrlKey(("", "api", "v1", "pattern", "3", ANY, "detail"), False, False)),
        ("urlPathPattern", "^/api/[^/]+/\\d+$", UrlKey(("", "api", ANY, ANY), False, False)),
        ("urlPathPattern", "/api/(users|orders)/item-[0-9]{2,3}",
         UrlKey(("", "api", ANY, ANY), False, False)),
        ("urlPathPattern", "/api/v1/.*", UrlKey(("", "api", "v1"), True, False)),
        ("urlPathPattern", "/api/v1.*", UrlKey(("", "api"), True, False)),
        ("urlPathPattern", "/api/v1/x/?", UrlKey(("", "api", "v1"), True, False)),
        ("urlPathPattern", "/api/[a-z/]+/x", UrlKey(("", "api"), True, False)),
        ("urlPathPattern", "/api/[!-9]+/x", UrlKey(("", "api"), True, False)),
        ("urlPathPattern", "/api/\\Wx", UrlKey(("", "api"), True, False)),
        ("urlPattern", "/api/v1/items\\?page=[0-9]+",
         UrlKey(("", "api", "v1", ANY), False, True)),
        ("urlPattern", "/api/v1/items(\\?.*)?", UrlKey(("", "api", "v1"), True, True)),
    ],
)
def test_keys(kind: str, value: str, expected: UrlKey) -> None:
    """Each URL matcher is filed under the segments every URL it accepts must start with."""
    assert url_key(UrlMatcher.parse(UrlKind(kind), value)) == expected


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("urlPathPattern", ".*"),
        ("urlPathPattern", "/a/b|/c/d"),
        ("urlPathPattern", "(?i)/api/users"),
        ("urlPattern", "/api/(?i)users"),
        ("urlPathPattern", "\\Q/api\\E/x"),
        ("urlPathTemplate", "/**"),
        ("urlPathPattern", "[/a]pi/x"),
    ],
)
def test_unanchored_patterns_have_no_key(kind: str, value: str) -> None:
    """Patterns whose start is not pinned down (or not understood) stay in the residual list."""
    key = url_key(UrlMatcher.parse(UrlKind(kind), value))
    assert key is None or key.segments in ((), ("",))


def test_no_url_has_no_key() -> None:
    """A stub without a URL matcher answers any URL, so it has no key."""
    assert url_key(None) is None
