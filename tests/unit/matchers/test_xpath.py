"""matchesXPath: XPath 1.0 selections, nested matchers, namespaces."""

from __future__ import annotations

from typing import Any

import pytest

from mockserver.matchers import parse_string_matcher
from tests.unit.matchers.xml_bodies import match

SOLAR = (
    "<solar-system><planet name='Earth' position='3' supportsLife='yes'/>"
    "<planet name='Venus' position='2'/></solar-system>"
)
THING_NS = (
    "<t:thing xmlns:t='http://things' xmlns:s='http://subthings'>"
    "<s:subThing>The stuff</s:subThing></t:thing>"
)


@pytest.mark.parametrize(
    ("spec", "body", "matched"),
    [
        pytest.param(
            {"matchesXPath": "/order/id"}, "<order><id>5</id></order>", True, id="present"
        ),
        pytest.param({"matchesXPath": "/order/id"}, "<order><n>5</n></order>", False, id="absent"),
        pytest.param({"matchesXPath": "//planet[@name='Earth']"}, SOLAR, True, id="predicate"),
        pytest.param({"matchesXPath": "//star[@name='Sirius']"}, SOLAR, False, id="predicate-miss"),
        pytest.param({"matchesXPath": "//planet[@position > 2]"}, SOLAR, True, id="numeric"),
        pytest.param({"matchesXPath": "/a/b[text()='1']"}, "<a><b>2</b><b>1</b></a>", True, id="t"),
        pytest.param(
            {"matchesXPath": "order/id"}, "<order><id>5</id></order>", True, id="relative"
        ),
        pytest.param({"matchesXPath": "boolean(/order)"}, "<order/>", True, id="true"),
        pytest.param(
            {"matchesXPath": "count(//id) = 0"}, "<order><id/></order>", False, id="false"
        ),
        pytest.param(
            {"matchesXPath": "/thing/subThing[.='The stuff']"}, THING_NS, True, id="local-names"
        ),
        pytest.param(
            {"matchesXPath": "/Envelope/Body/R"},
            "<soapenv:Envelope><soapenv:Body><R/></soapenv:Body></soapenv:Envelope>",
            True,
            id="unbound-prefixes-tolerated",
        ),
        pytest.param(
            {
                "matchesXPath": "//sub:subThing[.='The stuff']",
                "xPathNamespaces": {"sub": "http://subthings", "t": "http://things"},
            },
            THING_NS,
            True,
            id="xpath-namespaces",
        ),
        pytest.param(
            {"matchesXPath": "//sub:subThing", "xPathNamespaces": {"sub": "http://other"}},
            THING_NS,
            False,
            id="xpath-namespaces-wrong-uri",
        ),
        pytest.param(
            {"matchesXPath": "/thing", "xPathNamespaces": {"t": "http://things"}},
            THING_NS,
            False,
            id="namespace-aware-once-namespaces-given",
        ),
        pytest.param(
            {"matchesXPath": {"expression": "/a/b/text()", "equalTo": "1"}},
            "<a><b>2</b><b>1</b></a>",
            True,
            id="sub-equal-to-any-node",
        ),
        pytest.param(
            {"matchesXPath": {"expression": "/a/b/text()", "equalTo": "3"}},
            "<a><b>2</b><b>1</b></a>",
            False,
            id="sub-equal-to-none",
        ),
        pytest.param(
            {"matchesXPath": {"expression": "//todo/text()", "contains": "wash"}},
            "<todos><todo>wash the car</todo></todos>",
            True,
            id="sub-contains",
        ),
        pytest.param(
            {"matchesXPath": {"expression": "/outer/@inner", "matches": "st.*"}},
            '<outer inner="stuff"/>',
            True,
            id="sub-attribute-value",
        ),
        pytest.param(
            {"matchesXPath": {"expression": "/outer/@nothing", "absent": True}},
            '<outer inner="stuff"/>',
            False,
            id="sub-absent-when-nothing-selected",
        ),
        pytest.param(
            {"matchesXPath": {"expression": "/outer/@inner", "absent": True}},
            '<outer inner="stuff"/>',
            False,
            id="sub-absent-when-selected",
        ),
        pytest.param(
            {"matchesXPath": {"expression": "/outer/inner", "equalToXml": "<inner>stuff</inner>"}},
            "<outer>\n    <inner>stuff</inner>\n</outer>",
            True,
            id="sub-equal-to-xml-on-element",
        ),
        pytest.param(
            {"matchesXPath": {"expression": "/a/b", "equalTo": "<b>1</b>"}},
            "<a><b>1</b></a>",
            True,
            id="elements-render-as-xml",
        ),
        pytest.param(
            {"matchesXPath": {"expression": "count(//id)", "equalTo": "2"}},
            "<o><id/><id/></o>",
            True,
            id="sub-on-number",
        ),
        pytest.param(
            {
                "matchesXPath": {
                    "expression": "//n:id/text()",
                    "xPathNamespaces": {"n": "urn:n"},
                    "equalTo": "7",
                }
            },
            '<o xmlns="urn:n"><id>7</id></o>',
            True,
            id="namespaces-inside-object-form",
        ),
        pytest.param(
            {"matchesXPath": "/order/id"}, '{"order": {"id": 5}}', False, id="json-body-not-xml"
        ),
    ],
)
def test_matches_xpath(spec: dict[str, Any], body: str, matched: bool) -> None:
    """XPath 1.0 selects from the document node; object forms test each selected value."""
    result = match(spec, body)
    assert result.matched is matched
    assert result.distance == (0.0 if matched else result.distance)
    if not matched:
        assert 0.0 < result.distance <= 1.0 and result.reason


def test_matches_xpath_reports_the_closest_node() -> None:
    """With no exact node, the distance is the nearest node's (WireMock: about 0.16)."""
    body = "<o><i>stuffing</i><i>stuffed</i><i>stuffy</i><i>stuffable</i></o>"
    result = match({"matchesXPath": {"expression": "//i/text()", "equalTo": "stuff"}}, body)
    assert not result.matched
    assert result.distance == pytest.approx(0.16, abs=0.02)
    assert "nearest value 'stuffy'" in result.reason


@pytest.mark.parametrize(
    "spec",
    [
        {"matchesXPath": "/a/b"},
        {"matchesXPath": "//n:b", "xPathNamespaces": {"n": "urn:n"}},
        {"matchesXPath": {"expression": "/a/b/text()", "contains": "x"}},
        {
            "matchesXPath": {
                "expression": "//n:b",
                "xPathNamespaces": {"n": "urn:n"},
                "equalTo": "1",
            }
        },
        {"equalToXml": "<a/>"},
        {
            "equalToXml": "<a>#{xmlunit.ignore}</a>",
            "enablePlaceholders": True,
            "placeholderOpeningDelimiterRegex": "#\\{",
            "exemptedComparisons": ["ATTR_VALUE"],
            "ignoreOrderOfSameNode": True,
            "namespaceAwareness": "LEGACY",
        },
    ],
)
def test_to_json_returns_the_shape_given(spec: dict[str, Any]) -> None:
    """A matcher serialises back to the WireMock JSON it was built from."""
    assert parse_string_matcher(spec).to_json() == spec


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"matchesXPath": "/a/b"}, "/a/b"),
        ({"matchesXPath": {"expression": "/a/b/text()", "equalTo": "1"}}, "/a/b/text()"),
        ({"equalToXml": "<a><b/></a>"}, "<a>\n  <b/>\n</a>\n"),
    ],
)
def test_expected_is_the_document_or_expression(spec: dict[str, Any], expected: str) -> None:
    """Near-miss reports show the expected XML (indented) or the XPath expression."""
    assert parse_string_matcher(spec).report_expected() == expected
