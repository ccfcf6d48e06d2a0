"""equalToXml: XMLUnit-style similarity, placeholders, and hostile bodies (both XML operators)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mockserver.errors import StubError
from mockserver.matchers import Content, MatchResult, parse_string_matcher
from tests.unit.matchers.xml_bodies import PLACEHOLDERS, SOAP, THINGS, XSI, match

# --- equalToXml ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expected", "actual", "options"),
    [
        pytest.param(
            THINGS,
            '<?xml version="1.0" encoding="utf-8"?>\n<things>\n  <thing characteristic="tepid"/>'
            '\n  <thing characteristic="tedious"/>\n</things>\n',
            {},
            id="declaration-and-whitespace",
        ),
        pytest.param(
            "<a><b>1</b></a>", "<a><!-- note --><b>1<!-- x --></b></a>", {}, id="comments"
        ),
        pytest.param('<a one="1" two="2"/>', '<a two="2" one="1"/>', {}, id="attribute-order"),
        pytest.param("<a><c/><b/></a>", "<a><b/><c/></a>", {}, id="different-names-reordered"),
        pytest.param(
            "<a><x>1</x><y>2</y><x>3</x></a>", "<a><y>2</y><x>1</x><x>3</x></a>", {}, id="mixed"
        ),
        pytest.param(
            "<a><b>1</b><b>2</b></a>",
            "<a><b>2</b><b>1</b></a>",
            {"ignoreOrderOfSameNode": True},
            id="same-name-reordered-allowed",
        ),
        pytest.param(
            '<x:a xmlns:x="urn:u"><x:b/></x:a>',
            '<y:a xmlns:y="urn:u"><y:b/></y:a>',
            {},
            id="prefix-differs-uri-same",
        ),
        pytest.param(
            '<a xmlns="urn:u"><b/></a>', '<p:a xmlns:p="urn:u"><p:b/></p:a>', {}, id="default-ns"
        ),
        pytest.param("<a>x &lt; y</a>", "<a><![CDATA[x < y]]></a>", {}, id="cdata-is-text"),
        pytest.param(
            "<msg><id>${xmlunit.ignore}</id><text>hi</text></msg>",
            "<msg><id>98765</id><text>hi</text></msg>",
            PLACEHOLDERS,
            id="placeholder-ignore-text",
        ),
        pytest.param(
            "<a><b>${xmlunit.ignore}</b></a>", "<a><b/></a>", PLACEHOLDERS, id="ignore-absent-text"
        ),
        pytest.param(
            '<a id="${xmlunit.ignore}" n="${xmlunit.isNumber}"/>',
            '<a n="-1.5e3" id="anything"/>',
            PLACEHOLDERS,
            id="placeholder-attributes",
        ),
        pytest.param(
            '<a keep="1" id="${xmlunit.ignore}"/>', '<a keep="1"/>', PLACEHOLDERS, id="ignore-attr"
        ),
        pytest.param(
            "<a>${xmlunit.matchesRegex([A-Z]{2}\\d+)}</a>",
            "<a>AB123</a>",
            PLACEHOLDERS,
            id="placeholder-regex",
        ),
        pytest.param(
            "<a>#{xmlunit.ignore}</a>",
            "<a>123</a>",
            {**PLACEHOLDERS, "placeholderOpeningDelimiterRegex": "#\\{"},
            id="custom-opening-delimiter",
        ),
        pytest.param(
            "<a>[[xmlunit.ignore]]</a>",
            "<a>123</a>",
            {
                **PLACEHOLDERS,
                "placeholderOpeningDelimiterRegex": "\\[\\[",
                "placeholderClosingDelimiterRegex": "]]",
            },
            id="custom-both-delimiters",
        ),
        pytest.param(
            "<a><b>${xmlunit.ignore}</b><b>1</b></a>",
            "<a><b>1</b><b>9</b></a>",
            {**PLACEHOLDERS, "ignoreOrderOfSameNode": True},
            id="unordered-wildcard-does-not-steal",
        ),
        pytest.param(
            '<a:Root xmlns:a="http://w/"><Child/></a:Root>',
            '<a:Root xmlns:a="http://w/"><a:Child/></a:Root>',
            {"exemptedComparisons": ["NAMESPACE_URI"]},
            id="exempt-namespace-uri",
        ),
        pytest.param(
            '<a x="1"/>', '<a x="2"/>', {"exemptedComparisons": ["ATTR_VALUE"]}, id="attr"
        ),
        pytest.param("<a>1</a>", "<a>2</a>", {"exemptedComparisons": ["TEXT_VALUE"]}, id="text"),
        pytest.param(
            '<a x="1"/>',
            '<a x="1" y="2"/>',
            {"exemptedComparisons": ["ELEMENT_NUM_ATTRIBUTES"]},
            id="exempt-extra-attribute",
        ),
        pytest.param(
            "<a><b/></a>",
            "<a><b/><c/></a>",
            {"exemptedComparisons": ["CHILD_NODELIST_LENGTH"]},
            id="exempt-extra-child",
        ),
        pytest.param(
            "<a><b/><c/></a>",
            "<a><b/></a>",
            {"exemptedComparisons": ["CHILD_NODELIST_LENGTH", "CHILD_LOOKUP"]},
            id="exempt-missing-child",
        ),
        pytest.param(
            f'<a xmlns:xsi="{XSI}" xsi:schemaLocation="u a.xsd"/>',
            f'<a xmlns:xsi="{XSI}" xsi:schemaLocation="u b.xsd"/>',
            {"exemptedComparisons": ["SCHEMA_LOCATION"]},
            id="exempt-schema-location",
        ),
        pytest.param(
            "<soapenv:Envelope><soapenv:Body/></soapenv:Envelope>",
            "<soapenv:Envelope>\n  <soapenv:Body/>\n</soapenv:Envelope>",
            {"namespaceAwareness": "NONE"},
            id="none-allows-unbound-prefixes",
        ),
        pytest.param(
            '<a:Root xmlns:a="http://w/"><Child/></a:Root>',
            '<a:Root xmlns:a="http://w/"><Child xmlns="http://new/"/></a:Root>',
            {"namespaceAwareness": "LEGACY"},
            id="legacy-ignores-added-namespace",
        ),
        pytest.param(
            "<th:thing>x</th:thing>",
            '<st:thing xmlns:st="urn:s">x</st:thing>',
            {"namespaceAwareness": "LEGACY"},
            id="legacy-ignores-element-prefix",
        ),
    ],
)
def test_equal_to_xml_matches_similar_documents(
    expected: str, actual: str, options: dict[str, Any]
) -> None:
    """Documents that XMLUnit deems similar under the given options match exactly."""
    assert match({"equalToXml": expected, **options}, actual) == MatchResult(True, 0.0)


@pytest.mark.parametrize(
    ("expected", "actual", "options"),
    [
        pytest.param("<a><b>1</b></a>", "<a><b>2</b></a>", {}, id="text"),
        pytest.param("<one>Hello</one>", "<two>Hello</two>", {}, id="tag-name"),
        pytest.param(
            "<a><b>1</b><b>2</b></a>", "<a><b>2</b><b>1</b></a>", {}, id="same-name-order"
        ),
        pytest.param("<a><b/></a>", "<a><b/><c/></a>", {}, id="extra-child"),
        pytest.param("<a><b/><c/></a>", "<a><b/></a>", {}, id="missing-child"),
        pytest.param('<a x="1"/>', "<a/>", {}, id="missing-attribute"),
        pytest.param('<a x="1"/>', '<a x="1" y="2"/>', {}, id="extra-attribute"),
        pytest.param(
            '<x:a xmlns:x="urn:u"/>', '<x:a xmlns:x="urn:other"/>', {}, id="namespace-uri-differs"
        ),
        pytest.param(
            '<a:Root xmlns:a="http://w/"><Child/></a:Root>',
            '<a:Root xmlns:a="http://w/"><a:Child/></a:Root>',
            {},
            id="namespace-added",
        ),
        pytest.param(
            '<a:Root xmlns:a="http://w/"><a:Child/></a:Root>',
            '<a:Root xmlns:a="http://w/"><Child/></a:Root>',
            {},
            id="namespace-removed",
        ),
        pytest.param("<a>${xmlunit.ignore}</a>", "<a>1</a>", {}, id="placeholders-off-literal"),
        pytest.param(
            "<m><id>${xmlunit.ignore}</id><t>hi</t></m>",
            "<m><id>9</id><t>bye</t></m>",
            PLACEHOLDERS,
            id="placeholder-elsewhere-differs",
        ),
        pytest.param('<a n="${xmlunit.isNumber}"/>', '<a n="12a"/>', PLACEHOLDERS, id="is-number"),
        pytest.param("<a>${xmlunit.isNumber}</a>", "<a/>", PLACEHOLDERS, id="is-number-absent"),
        pytest.param(
            "<a>${xmlunit.matchesRegex(\\d{3})}</a>", "<a>1234</a>", PLACEHOLDERS, id="regex"
        ),
        pytest.param(
            "<x:a/>", "<y:a/>", {"namespaceAwareness": "NONE"}, id="none-compares-prefixes"
        ),
        pytest.param(
            '<a xmlns:t="urn:t"/>',
            '<a xmlns:s="urn:t"/>',
            {"namespaceAwareness": "NONE"},
            id="none-compares-xmlns-attributes",
        ),
    ],
)
def test_equal_to_xml_rejects_different_documents(
    expected: str, actual: str, options: dict[str, Any]
) -> None:
    """A real difference is a near miss with a distance in (0, 1] and a reason naming it."""
    result = match({"equalToXml": expected, **options}, actual)
    assert not result.matched
    assert 0.0 < result.distance <= 1.0
    assert result.reason


def test_equal_to_xml_reason_locates_the_difference() -> None:
    """The near-miss reason gives the element path and both values."""
    result = match(
        {"equalToXml": "<order><item>apple</item></order>"}, "<order><item>pear</item></order>"
    )
    assert result.reason == "/order/item: expected text 'apple' but was 'pear'"


def test_equal_to_xml_distance_grows_with_the_differences() -> None:
    """A document closer to the expected one has a strictly smaller distance."""
    expected = '<order id="1"><item>apple</item><qty>2</qty><note>x</note></order>'
    actuals = [
        '<order id="1"><item>apple</item><qty>2</qty><note>x</note></order>',
        '<order id="1"><item>apple</item><qty>3</qty><note>x</note></order>',
        '<order id="2"><item>apple</item><qty>3</qty><note>x</note></order>',
        '<order id="2"><item>pear</item><qty>3</qty></order>',
        "<invoice/>",
    ]
    distances = [match({"equalToXml": expected}, body).distance for body in actuals]
    assert distances[0] == 0.0
    assert distances == sorted(distances)
    assert len(set(distances)) == len(distances)


def test_equal_to_xml_unbound_prefix_in_body_is_a_strict_no_match() -> None:
    """Under STRICT a body with an undeclared prefix cannot be namespace-resolved: no match."""
    result = match({"equalToXml": SOAP}, "<soap:Envelope><soap:Body/></soap:Envelope>")
    assert not result.matched
    assert "undeclared namespace prefix" in result.reason


@pytest.mark.parametrize("body", [None, "", "   ", '{"markup": "wrong"}', "badly-formed >"])
def test_equal_to_xml_non_xml_is_a_full_miss(body: str | None) -> None:
    """Absent, empty or non-XML values never match and sit at distance 1."""
    result = match({"equalToXml": THINGS}, body)
    assert (result.matched, result.distance) == (False, 1.0)
    assert result.reason


# --- hostile input and invalid stubs -------------------------------------------------------


def test_external_entities_are_never_resolved(tmp_path: Path) -> None:
    """An XXE payload pointing at a local file does not leak its content into matching."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    body = (
        f'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]><a>&xxe;</a>'
    )
    for spec in (
        {"matchesXPath": {"expression": "string(/a)", "contains": "TOPSECRET"}},
        {"matchesXPath": {"expression": "/a", "contains": "TOPSECRET"}},
        {"matchesXPath": "/a[contains(., 'TOPSECRET')]"},
        {"equalToXml": "<a>TOPSECRET</a>"},
    ):
        assert not match(spec, body).matched


def test_billion_laughs_is_refused_quickly() -> None:
    """Exponential entity expansion is not performed: the body is a no-match (expanding it
    would take gigabytes and run into the test's time limit)."""
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    )
    body = f'<?xml version="1.0"?><!DOCTYPE lolz [{entities}]><lolz>&lol9;</lolz>'
    for spec in (
        {"matchesXPath": {"expression": "string(/lolz)", "contains": "lollollol"}},
        {"equalToXml": "<lolz>lol</lolz>"},
    ):
        assert not match(spec, body).matched


GARBAGE = [
    "<",
    "<a>",
    "<a></b>",
    "<a/><b/>",
    "<a>x</a>trailing",
    "<a>&undefined;</a>",
    "<a>\x00</a>",
    "<a x='1' x='2'/>",
    "<?xml version='1.0' encoding='no-such-charset'?><a/>",
    "\ud800<a/>",
    "<a>\udcff</a>",
    "<" + "a>" * 5000,
    "<a>" * 3000 + "</a>" * 3000,
    "\ufeff" * 3 + "{}",
    "null",
]


@pytest.mark.parametrize("body", GARBAGE, ids=range(len(GARBAGE)))
@pytest.mark.parametrize(
    "spec",
    [
        {"equalToXml": "<a/>"},
        {"equalToXml": "<a/>", "namespaceAwareness": "NONE"},
        {"matchesXPath": "/a"},
        {"matchesXPath": {"expression": "/a", "doesNotContain": "zzz"}},
        {"matchesXPath": "//n:a", "xPathNamespaces": {"n": "urn:n"}},
    ],
    ids=["equalToXml", "none", "xpath", "xpath-sub", "xpath-ns"],
)
def test_garbage_bodies_never_raise(spec: dict[str, Any], body: str) -> None:
    """Malformed, deep or oddly encoded bodies give a MatchResult, never an exception."""
    matcher = parse_string_matcher(spec)
    for result in (
        matcher.match(body),
        matcher.match_content(Content(body.encode("utf-8", "replace"))),
    ):
        assert isinstance(result, MatchResult)
        assert 0.0 <= result.distance <= 1.0


def test_raw_bytes_in_any_charset_never_raise() -> None:
    """Undecodable bytes and unknown charsets are handled by Content and the parser alike."""
    matcher = parse_string_matcher({"matchesXPath": "/a"})
    for raw, charset in [
        (b"\xff\xfe<\x00a\x00/>", "utf-8"),
        (b"<a/>", "x-unknown"),
        (b"\x80\x81", "utf-8"),
    ]:
        assert isinstance(matcher.match_content(Content(raw, charset)), MatchResult)


@pytest.mark.parametrize(
    ("spec", "where", "message"),
    [
        ({"equalToXml": "<a>"}, "equalToXml", "invalid XML"),
        ({"equalToXml": ""}, "equalToXml", "invalid XML"),
        ({"equalToXml": 5}, "equalToXml", "must be a string"),
        ({"equalToXml": "<x:a/>"}, "equalToXml", "undeclared namespace prefix"),
        ({"equalToXml": "<a/>", "exemptedComparisons": ["NOPE"]}, "exemptedComparisons[0]", "NOPE"),
        ({"equalToXml": "<a/>", "exemptedComparisons": 3}, "exemptedComparisons", "list"),
        ({"equalToXml": "<a/>", "namespaceAwareness": "strict"}, "namespaceAwareness", "STRICT"),
        ({"equalToXml": "<a/>", "enablePlaceholders": "yes"}, "enablePlaceholders", "true or"),
        (
            {"equalToXml": "<a/>", "placeholderOpeningDelimiterRegex": "["},
            "placeholderOpeningDelimiterRegex",
            "regular expression",
        ),
        (
            {"equalToXml": "<a>${xmlunit.matchesRegex([)}</a>", "enablePlaceholders": True},
            "equalToXml",
            "invalid placeholder",
        ),
        (
            {"equalToXml": "<a>${xmlunit.isDateTime}</a>", "enablePlaceholders": True},
            "equalToXml",
            "not supported",
        ),
        ({"matchesXPath": "//["}, "matchesXPath", "invalid XPath"),
        ({"matchesXPath": "/soap:Envelope"}, "matchesXPath", "Undefined namespace prefix"),
        ({"matchesXPath": "$var"}, "matchesXPath", "Undefined variable"),
        ({"matchesXPath": 3}, "matchesXPath", "expected an XPath string"),
        ({"matchesXPath": {"equalTo": "1"}}, "matchesXPath.expression", "XPath string"),
        ({"matchesXPath": {"expression": "/a", "equals": "1"}}, "matchesXPath.equals", "unknown"),
        ({"matchesXPath": "/a", "xPathNamespaces": {"": "urn:u"}}, "xPathNamespaces", "prefix"),
        ({"matchesXPath": "/a", "xPathNamespaces": ["urn:u"]}, "xPathNamespaces", "prefix"),
        (
            {"matchesXPath": {"expression": "/a", "xPathNamespaces": {"n": 1}}},
            "matchesXPath.xPathNamespaces",
            "prefix",
        ),
    ],
)
def test_invalid_specs_fail_at_load(spec: dict[str, Any], where: str, message: str) -> None:
    """Mistakes in a stub raise StubError naming the key path and the problem."""
    with pytest.raises(StubError) as caught:
        parse_string_matcher(spec, ("request", "bodyPatterns", 0))
    assert str(caught.value).startswith(f"request.bodyPatterns[0].{where}: ")
    assert message in caught.value.message
