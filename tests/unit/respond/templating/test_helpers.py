"""Every template helper, called directly with a seeded random source and a frozen clock."""

from __future__ import annotations

import random
import re
from datetime import datetime, timezone
from typing import Any

import pytest

from mockserver.respond.templating.context import MultiValue
from mockserver.respond.templating.helpers import (
    CONDITIONS,
    FILTERS,
    HANDLEBARS_HELPERS,
    HelperTable,
    helper_table,
    jinja_globals,
)
from mockserver.respond.templating.values import HelperError, text_of

FROZEN = datetime(2021, 6, 14, 10, 30, 15, 123000, tzinfo=timezone.utc)


@pytest.fixture
def h() -> dict[str, Any]:
    return helper_table(random.Random(3), lambda: FROZEN)


DOC = '{"id": 7, "name": "Ada", "tags": ["a", "b"], "n": null, "nested": {"k": 1.5}}'


def test_text_of_prints_like_handlebars() -> None:
    """None prints nothing, booleans in lower case, containers as JSON."""
    assert [text_of(v) for v in (None, True, False, 3, 1.5, "s")] == ["", "true", "false", "3",
                                                                      "1.5", "s"]
    assert text_of({"a": [1, None]}) == '{"a": [1, null]}'
    assert text_of(MultiValue(["x", "y"])) == "x"


def test_json_path(h: dict[str, Any]) -> None:
    """Jayway paths on text or parsed data; missing paths give '' or the default."""
    assert h["jsonPath"](DOC, "$.name") == "Ada"
    assert h["jsonPath"](DOC, "$.tags") == ["a", "b"]
    assert h["jsonPath"](DOC, "$.tags.length()") == 2
    assert h["jsonPath"](DOC, "$.nested.k") == 1.5
    assert h["jsonPath"]({"a": {"b": 2}}, "$.a.b") == 2
    assert h["jsonPath"](DOC, "$.missing") == ""
    assert h["jsonPath"](DOC, "$.missing", default="d") == "d"
    assert h["jsonPath"](DOC, "$.n", default="d") == "d"
    assert h["jsonPath"]("not json", "$.x") == ""
    with pytest.raises(HelperError):
        h["jsonPath"](DOC, "$[?(")


def test_parse_json_and_serialisers(h: dict[str, Any]) -> None:
    """parseJson reads text (invalid text is an error); toJson and formatJson write it."""
    assert h["parseJson"](DOC)["tags"] == ["a", "b"]
    assert h["parseJson"]({"a": 1}) == {"a": 1}
    with pytest.raises(HelperError):
        h["parseJson"]("{nope")
    assert h["toJson"]({"a": [1]}) == '{\n  "a": [\n    1\n  ]\n}'
    assert h["formatJson"]('{"a":1}', format="compact") == '{"a":1}'
    assert h["formatJson"]('{"a":1}') == '{\n  "a": 1\n}'


def test_xpath(h: dict[str, Any]) -> None:
    """XPath text, attributes, counts, elements with children as XML; SOAP bodies by name."""
    xml = '<o id="9"><item>a</item><item>b</item><meta><k>v</k></meta></o>'
    assert h["xPath"](xml, "/o/item/text()") == "a"
    assert h["xPath"](xml, "/o/@id") == "9"
    assert h["xPath"](xml, "count(/o/item)") == 2
    assert h["xPath"](xml, "/o/item") == "a"
    assert h["xPath"](xml, "/o/meta") == "<meta><k>v</k></meta>"
    assert h["xPath"](xml, "/o/none") == "" and h["xPath"]("not xml", "/a") == ""
    soap = ('<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
            '<m:Get xmlns:m="urn:x"><m:Id>5</m:Id></m:Get></s:Body></s:Envelope>')
    assert h["soapXPath"](soap, "/Get/Id/text()") == "5"
    with pytest.raises(HelperError):
        h["xPath"](xml, "///[")


def test_regex_helpers(h: dict[str, Any]) -> None:
    """regexExtract gives the first match (Java syntax); regexGroups the groups."""
    assert h["regexExtract"]("order 123 and 456", "[0-9]+") == "123"
    assert h["regexExtract"]("abc", r"\d+", default="none") == "none"
    assert h["regexExtract"]("abc", r"\d+") == ""
    assert h["regexGroups"]("/redirect/3/next", "/redirect/([0-9]*)/(.*)") == ["3", "next"]
    assert h["regexGroups"]("x", "(y)") == []
    assert h["matches"]("abc", "[a-c]+") is True and h["matches"]("abcd", "[a-c]+") is False
    with pytest.raises(HelperError):
        h["regexExtract"]("x", "(")


def test_encodings(h: dict[str, Any]) -> None:
    """base64 and URL encoding both ways, as Java's encoders do."""
    assert h["base64"]("hello") == "aGVsbG8="
    assert h["base64"]("hello", padding=False) == "aGVsbG8"
    assert h["base64"]("aGVsbG8", decode=True) == "hello"
    assert h["urlEncode"]("a b&c/é") == "a+b%26c%2F%C3%A9"
    assert h["urlEncode"]("a+b%26c", decode=True) == "a b&c"
    assert FILTERS["b64encode"]("hi") == "aGk=" and FILTERS["b64decode"]("aGk=") == "hi"
    assert FILTERS["urlDecode"]("a%20b") == "a b"


def test_size_trim_and_form_data(h: dict[str, Any]) -> None:
    """size counts values, items or characters; formData reads a url-encoded body."""
    assert h["size"](MultiValue(["a", "b"])) == 2
    assert h["size"]([1, 2, 3]) == 3 and h["size"]({"a": 1}) == 1 and h["size"]("abcd") == 4
    assert h["size"](None) == 0
    assert h["trim"]("  x \n") == "x"
    form = h["formData"]("a=1&b=x%20y&a=2", urlDecode=True)
    assert form["a"] == "1" and form["a"][1] == "2" and form["b"] == "x y"


def test_now_formats_offsets_and_zones(h: dict[str, Any]) -> None:
    """now: ISO 8601 by default, Java patterns, epoch/unix, offsets, time zones."""
    now = h["now"]
    assert now() == "2021-06-14T10:30:15Z"
    assert now(format="yyyy-MM-dd") == "2021-06-14"
    assert now(offset="3 days", format="yyyy-MM-dd") == "2021-06-17"
    assert now(offset="-1 months", format="yyyy-MM-dd") == "2021-05-14"
    assert now(offset="+2 hours", format="HH:mm") == "12:30"
    assert now(offset="1 weeks", format="dd") == "21"
    assert now(format="epoch") == 1623666615123
    assert now(format="unix") == 1623666615
    assert now(timezone="Australia/Sydney", format="HH:mm XXX") == "20:30 +10:00"
    assert now(tz="America/New_York") == "2021-06-14T06:30:15-04:00"
    with pytest.raises(HelperError):
        now(offset="soon")
    with pytest.raises(HelperError):
        now(timezone="Mars/Olympus")


def test_date_helpers(h: dict[str, Any]) -> None:
    """parseDate, date (offset + format) and truncateDate."""
    parsed = h["parseDate"]("2021-06-14T00:00:00Z")
    assert h["date"](parsed, offset="3 days", format="yyyy-MM-dd") == "2021-06-17"
    assert h["date"]("2021-06-14", format="EEE") == "Mon"
    assert h["parseDate"]("14/06/2021", format="dd/MM/yyyy").day == 14
    assert h["parseDate"]("1623628800", format="unix").day == 14
    truncated = h["truncateDate"]("2021-06-14T10:00:00Z", "first day of month")
    assert h["date"](truncated) == "2021-06-01T00:00:00Z"
    with pytest.raises(HelperError):
        h["parseDate"]("yesterday")
    with pytest.raises(HelperError):
        h["truncateDate"](parsed, "first day of spring")


def test_math_and_lists(h: dict[str, Any]) -> None:
    """math keeps whole results whole; range is inclusive; list helpers build lists."""
    assert h["math"](1, "+", 2) == 3 and h["math"]("7", "x", "6") == 42
    assert h["math"](10, "/", 4) == 3 and h["math"](10.0, "/", 4) == 2.5  # Java BigDecimal
    assert h["math"](10, "%", 4) == 2 and h["math"](0.1, "+", 0.2) == 0.3
    assert h["math"]("x", "+", 2) == 2  # not a number counts as 0, as in WireMock
    with pytest.raises(HelperError):
        h["math"](1, "^", 2)
    with pytest.raises(HelperError):
        h["math"](1, "/", 0)
    with pytest.raises(HelperError):
        h["math"](1, "/", "zero")
    assert h["range"](1, 3) == [1, 2, 3] and h["range"](2) == [0, 1, 2]
    assert h["array"](1, "a") == [1, "a"]
    assert h["arrayAdd"]([1], 2) == [1, 2] and h["arrayAdd"]([1], 0, position="start") == [0, 1]
    assert h["arrayRemove"]([1, 2, 3]) == [1, 2] and h["arrayRemove"]([1, 2], position=0) == [2]
    assert h["arrayJoin"](",", [1, 2], 3) == "1,2,3"
    assert h["join"](["a", "b"], "-") == "a-b"
    assert h["val"]("", default="d") == "d" and h["val"]("x", default="d") == "x"
    assert h["lookup"]({"a": 1}, "a") == 1 and h["lookup"]([5], 3) is None


def test_conditions(h: dict[str, Any]) -> None:
    """Comparisons compare numbers as numbers and text as text."""
    assert h["eq"]("1", 1) and h["eq"]("a", "a") and not h["eq"]("a", "b")
    assert h["neq"]("a", "b") and h["gt"]("10", 9) and h["gte"](2, 2)
    assert h["lt"]("a", "b") and h["lte"](1, 1.0)
    assert h["and"](1, "x") and not h["and"](1, "") and h["or"](0, "x") and h["not"]([])
    assert h["contains"](["a", "b"], "b") and h["contains"]("abc", "bc")
    assert h["isEven"](4) and h["isOdd"]("3")
    assert CONDITIONS <= HANDLEBARS_HELPERS


def test_string_helpers(h: dict[str, Any]) -> None:
    """Handlebars' StringHelpers that stubs use."""
    assert h["upper"]("ab") == "AB" and h["lower"]("AB") == "ab"
    assert h["capitalize"]("hello wORLD") == "Hello WORLD"
    assert h["capitalize"]("hello wORLD", fully=True) == "Hello World"
    assert h["capitalizeFirst"]("abc") == "Abc"
    assert h["replace"]("a-b-c", "-", "+") == "a+b+c"
    assert h["substring"]("abcdef", 1, 3) == "bc" and h["substring"]("abcdef", 4) == "ef"
    assert h["defaultIfEmpty"]("", "x") == "x" and h["abbreviate"]("abcdefgh", 6) == "abc..."
    assert h["stripTags"]("<b>bold</b>") == "bold"
    assert h["systemValue"](key="PATH") == "[ERROR: Access to PATH is denied]"
    assert h["hostname"]()


def test_random_helpers_follow_the_seed() -> None:
    """The same seed gives the same values; shapes follow type, length and uppercase."""
    first = helper_table(random.Random(9))
    second = helper_table(random.Random(9))
    draws = [(t["uuid"](), t["randomValue"](length=10), t["randomInt"](1, 100),
              t["randomDecimal"](1, 2), t["pickRandom"]("a", "b", "c")) for t in (first, second)]
    assert draws[0] == draws[1]
    h = first
    assert re.fullmatch(r"[a-z0-9]{36}", h["randomValue"]())
    assert re.fullmatch(r"[A-Z]{8}", h["randomValue"](length=8, type="ALPHABETIC",
                                                      uppercase=True))
    assert re.fullmatch(r"\d{5}", h["randomValue"](length=5, type="NUMERIC"))
    assert re.fullmatch(r"[0-9a-f]{6}", h["randomValue"](length=6, type="HEXADECIMAL"))
    assert len(h["randomValue"](length=20, type="ALPHANUMERIC_AND_SYMBOLS")) == 20
    assert re.fullmatch(r"[0-9a-f-]{36}", h["randomValue"](type="UUID"))
    assert h["randomInt"](lower=4, upper=5) == 4  # upper excluded, as in WireMock
    assert 1.0 <= h["randomDecimal"](lower=1, upper=1.5) <= 1.5
    assert h["pickRandom"](["only"]) == "only"
    for bad in (lambda: h["randomValue"](type="EMOJI"), lambda: h["randomInt"](5, 5),
                lambda: h["pickRandom"](), lambda: h["randomValue"](length=10**7)):
        with pytest.raises(HelperError):
            bad()


def test_faker_style_random() -> None:
    """`random 'Name.first_name'` (WireMock's Faker extension) gives plausible, seeded values."""
    a, b = helper_table(random.Random(2)), helper_table(random.Random(2))
    keys = ["Name.first_name", "Name.last_name", "Address.country", "Address.city",
            "Name.fullName", "Internet.email_address", "Address.zip_code"]
    values = [a["random"](k) for k in keys]
    assert values == [b["random"](k) for k in keys]
    assert all(isinstance(v, str) and v for v in values)
    assert "@" in values[5] and re.fullmatch(r"\d{5}", values[6])
    with pytest.raises(HelperError, match="unknown key 'Pokemon.name'"):
        a["random"]("Pokemon.name")


def test_jinja_globals_and_helper_table_access() -> None:
    """Jinja2 gets the helpers by name (not Handlebars' `range`); `_hb` names only helpers."""
    table = helper_table(random.Random(1))
    names = jinja_globals(table)
    assert {"now", "uuid", "randomInt", "jsonpath", "jsonPath", "xpath", "parseJson"} <= set(names)
    assert "range" not in names
    hb = HelperTable(table)
    assert hb.eq(1, 1) and hb["size"]("ab") == 2
    with pytest.raises(AttributeError, match="no template helper named 'nothing'"):
        hb.nothing  # noqa: B018
    with pytest.raises(AttributeError):
        hb.__getattr__("_private")
