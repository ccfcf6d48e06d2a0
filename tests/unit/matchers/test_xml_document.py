"""XML bodies are parsed once per request, whichever XML operators look at them."""

from __future__ import annotations

from typing import Any

import pytest

from mockserver.matchers import Content, parse_string_matcher, xml_document


def test_body_is_parsed_once_per_request(monkeypatch: pytest.MonkeyPatch) -> None:
    """Many XML stubs tested against one Content parse its body a single time."""
    calls: list[str | None] = []
    real_parse = xml_document.parse_xml

    def counting_parse(text: str | None) -> Any:
        calls.append(text)
        return real_parse(text)

    matchers = [
        parse_string_matcher({"equalToXml": "<a><b>1</b></a>"}),
        parse_string_matcher({"matchesXPath": "/a/b"}),
        parse_string_matcher({"matchesXPath": {"expression": "/a/b/text()", "equalTo": "1"}}),
        parse_string_matcher({"equalToXml": "<a><b>2</b></a>", "namespaceAwareness": "NONE"}),
    ]
    monkeypatch.setattr(xml_document, "parse_xml", counting_parse)
    content = Content(b"<a><b>1</b></a>")
    results = [m.match_content(content) for m in matchers]
    assert [r.matched for r in results] == [True, True, True, False]
    assert len(calls) == 1
