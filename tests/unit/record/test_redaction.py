"""Redaction: which names are secret, and how values are masked."""

from __future__ import annotations

import pytest

from mockserver.errors import RedactionError
from mockserver.record.redaction import (
    JSON_WILDCARD,
    PLACEHOLDER,
    RedactionPolicy,
    mask_set_cookie,
    scrub,
)


@pytest.mark.parametrize("name", ["Authorization", "proxy-authorization", "COOKIE",
                                  "X-Api-Key", "x-auth-token"])
def test_default_secret_headers(name: str) -> None:
    """The default header list matches whatever the case."""
    assert RedactionPolicy().secret_header(name)


def test_extra_headers_add_to_the_defaults() -> None:
    """--redact-header adds names; the defaults stay."""
    policy = RedactionPolicy(headers=("X-Tenant",))
    assert policy.secret_header("x-tenant") and policy.secret_header("Authorization")
    assert not policy.secret_header("Accept")


@pytest.mark.parametrize(("name", "secret"), [
    ("api_key", True), ("apiKey", True), ("API-KEY", True), ("access_token", True),
    ("token", True), ("key", True), ("secret", True), ("password", True),
    ("refresh_token", True), ("client_secret", True), ("db_password", True),
    ("page", False), ("expand", False), ("keyword", False), ("monkey", False),
])
def test_secret_parameter_names(name: str, secret: bool) -> None:
    """Secret-looking query names: the list, and names ending in token/secret/password."""
    assert RedactionPolicy().secret_parameter(name) is secret


def test_bare_key_is_not_a_secret_json_member() -> None:
    """A JSON member called `key` is too common to mask; `api_key` is masked."""
    policy = RedactionPolicy()
    assert not policy.secret_field("key")
    assert policy.secret_field("api_key")


def test_disabled_policy_masks_nothing() -> None:
    """With redaction off no name is secret and documents come back unchanged."""
    policy = RedactionPolicy(enabled=False)
    assert not policy.secret_header("Authorization")
    assert not policy.secret_parameter("token")
    assert policy.json({"password": "x"}) == ({"password": "x"}, [])


def test_json_masks_secret_members_anywhere_and_json_paths() -> None:
    """Secret members at any depth and the configured JSONPaths are masked, in a copy."""
    document = {"access_token": "a", "user": {"name": "ada", "password": "p"},
                "items": [{"card": "4242"}, {"card": "5555"}], "note": None}
    policy = RedactionPolicy(json_paths=("$.items[*].card",))
    masked, found = policy.json(document)
    assert masked == {"access_token": PLACEHOLDER,
                      "user": {"name": "ada", "password": PLACEHOLDER},
                      "items": [{"card": PLACEHOLDER}, {"card": PLACEHOLDER}], "note": None}
    assert found == ["$.access_token", "$.user.password", "$.items[*].card"]
    assert document["access_token"] == "a"


def test_json_with_a_wildcard_replacement() -> None:
    """Request bodies get a json-unit wildcard instead of the placeholder."""
    masked, _ = RedactionPolicy().json({"password": "p", "user": "u"}, JSON_WILDCARD)
    assert masked == {"password": JSON_WILDCARD, "user": "u"}


def test_json_values_lists_what_would_be_masked() -> None:
    """The masked scalar values are listed, so echoes of them can be scrubbed."""
    policy = RedactionPolicy(json_paths=("$.pin",))
    values = policy.json_values({"client_secret": "s3cr3t!", "pin": 1234,
                                 "tokens": {"a": "t1"}, "ok": True})
    assert sorted(values) == ["1234", "s3cr3t!"]
    values = policy.json_values({"refresh_token": ["t1", "t2"]})
    assert values == ["t1", "t2"]


def test_invalid_json_path_fails_at_construction() -> None:
    """A JSONPath that does not parse is refused when the policy is made."""
    with pytest.raises(RedactionError, match=r"invalid JSONPath '\$\['"):
        RedactionPolicy(json_paths=("$[",))


def test_set_cookie_keeps_name_and_attributes() -> None:
    """Only the cookie's value is masked."""
    assert mask_set_cookie("sid=abc; Path=/; HttpOnly") == f"sid={PLACEHOLDER}; Path=/; HttpOnly"
    assert mask_set_cookie("garbage") == PLACEHOLDER


def test_response_headers() -> None:
    """Set-Cookie keeps its shape, secret headers become the placeholder, Location is
    masked like a URL, other headers stay."""
    policy = RedactionPolicy()
    assert policy.response_header("Set-Cookie", "a=b; Secure") == f"a={PLACEHOLDER}; Secure"
    assert policy.response_header("X-Auth-Token", "t") == PLACEHOLDER
    assert policy.response_header("Location", "/x?token=abc&page=2") == \
        "/x?token=%5BREDACTED%5D&page=2"
    assert policy.response_header("Content-Type", "text/plain") == "text/plain"


def test_url_masks_only_secret_query_values() -> None:
    """Query values with secret names are masked; the rest of the URL is untouched."""
    policy = RedactionPolicy(query_parameters=("session",))
    assert policy.url("/a?api_key=k&page=2&session=s#frag") == \
        "/a?api_key=%5BREDACTED%5D&page=2&session=%5BREDACTED%5D#frag"
    assert policy.url("/plain") == "/plain"


def test_scrub_replaces_long_values_in_every_encoding() -> None:
    """Secrets are replaced as sent, URL-encoded and JSON-escaped; short values are not."""
    text = 'a hunter2 b hunter%2F2 c "hun\\"ter2" d 1234'
    assert scrub(text, ["hunter2", "hunter/2", 'hun"ter2', "1234"]) == (
        f'a {PLACEHOLDER} b {PLACEHOLDER} c "{PLACEHOLDER}" d 1234')
