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
    secret_value,
    token_segment,
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


@pytest.mark.parametrize(("value", "secret"), [
    ("4111111111111111", True), ("4111 1111 1111 1111", True), ("4012-8888-8888-1881", True),
    ("4111111111111112", False),  # fails the Luhn check
    ("0000000000000000", False), ("12345", False), ("2026-12-04", False),
    ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl", True),
    ("sk_live_4eC39HqLyjWDarjtT1", True),
])
def test_values_secret_by_their_look(value: str, secret: bool) -> None:
    """Card numbers (Luhn-checked), JWTs and known key formats are secret whatever their name."""
    assert secret_value(value) is secret


@pytest.mark.parametrize(("name", "secret"), [
    ("signature", True), ("cvv", True), ("card_cvc", True), ("pin", True), ("otp", True),
    ("x_signature", True), ("spinner", False), ("design", False),
])
def test_more_secret_names(name: str, secret: bool) -> None:
    """Signatures, card codes and PINs are secret names too; words merely containing them not."""
    assert RedactionPolicy().secret_parameter(name) is secret


@pytest.mark.parametrize(("segment", "token"), [
    ("Zq8Lm3Xv9Rt2Kp7Wn4Bd6Hs1", True), ("3f9a8c7e2b1d4e6fa0b9c8d7e6f5a4b3c2d1e0f9", True),
    ("550e8400-e29b-41d4-a716-446655440000", False), ("how-to-write-a-good-mock-in-2024", False),
    ("cus_8Hx2kQ9zLm", False), ("orders", False), ("12345", False),
])
def test_token_like_path_segments(segment: str, token: bool) -> None:
    """Long random-looking segments are tokens; UUIDs, slugs and short ids stay."""
    assert token_segment(segment) is token


def test_urls_mask_path_tokens_and_card_numbers_in_queries() -> None:
    """A URL loses its token segment and secret query values, by name or by look."""
    policy = RedactionPolicy()
    url = "http://api.example/reset/Zq8Lm3Xv9Rt2Kp7Wn4Bd6Hs1/go?card=4111111111111111&q=1"
    assert policy.url(url) == ("http://api.example/reset/%5BREDACTED%5D/go"
                               "?card=%5BREDACTED%5D&q=1")


def test_text_and_xml_values_are_masked() -> None:
    """Secret-named XML elements and attributes, `name=value` pairs, bearer credentials and
    card numbers in text are replaced; the rest of the text stays."""
    policy = RedactionPolicy()
    xml = '<a><ns:Password>p4ss</ns:Password><c token="t0k3n"/><id>7</id></a>'
    assert policy.text(xml) == (
        '<a><ns:Password>[REDACTED]</ns:Password><c token="[REDACTED]"/><id>7</id></a>')
    text = "user=ada&signature=abc pin: 1234 Authorization: Bearer abcdefgh123 4111111111111111"
    assert policy.text(text) == ("user=ada&signature=[REDACTED] pin: [REDACTED] Authorization: "
                                 "Bearer [REDACTED] [REDACTED]")


def test_secret_looking_response_headers() -> None:
    """Headers whose names say token, secret, signature or session are masked."""
    policy = RedactionPolicy()
    assert policy.response_header("X-Upstream-Token", "abc") == PLACEHOLDER
    assert policy.response_header("X-Hub-Signature-256", "sha256=1") == PLACEHOLDER
    assert policy.response_header("X-Request-Id", "abc") == "abc"


def test_json_values_secret_by_their_look_are_masked() -> None:
    """A card number in a JSON member of any name is masked, as a string or a number."""
    masked, found = RedactionPolicy().json({"n": "4111111111111111", "m": 4111111111111111,
                                            "ok": 7})
    assert masked == {"n": PLACEHOLDER, "m": PLACEHOLDER, "ok": 7}
    assert found == ["$.n", "$.m"]
