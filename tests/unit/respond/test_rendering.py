"""Stub + request into a ResponsePlan: bodies, templates, chaos, faults (pure, no sockets)."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from mockserver.errors import StubError
from mockserver.exchange import Request
from mockserver.model import ChaosFailure, Fault
from mockserver.respond.chaos import ChaosOutcome
from mockserver.respond.rendering import (
    RenderError,
    plan_response,
    with_rendered_proxy_url,
)
from mockserver.respond.templating import Templating
from mockserver.settings import GlobalSettings
from mockserver.stubs.parse import parse_stub

TEMPLATE = ["response-template"]


def plan(response: dict[str, Any], *, url: str = "/x?q=v", files: Path = Path("/nonexistent"),
         chaos: ChaosOutcome | None = None, everywhere: bool = False, **stub: Any) -> Any:
    mapping = parse_stub({"request": {"urlPath": "/x"}, "response": response, **stub})
    return plan_response(mapping, Request("GET", url), files_dir=files, settings=GlobalSettings(),
                         rng=random.Random(0), chaos=chaos,
                         templating=Templating(random.Random(0), everywhere=everywhere))


def test_plain_stub_is_not_rendered() -> None:
    """Without the transformer the body goes out as written, with the stub's identity."""
    p = plan({"status": 201, "body": "{{request.path}}", "headers": {"A": "{{x}}"}},
             name="named")
    assert (p.status, p.body) == (201, b"{{request.path}}")
    assert p.headers == [("A", "{{x}}"), ("Matched-Stub-Id", p.headers[1][1]),
                         ("Matched-Stub-Name", "named")]


def test_templated_body_headers_and_json() -> None:
    """Opted-in stubs render body, header values and jsonBody strings."""
    p = plan({"body": "q={{request.query.q}}", "headers": {"L": "/{{request.query.q}}"},
              "transformers": TEMPLATE})
    assert p.body == b"q=v" and ("L", "/v") in p.headers
    j = plan({"jsonBody": {"a": ["{{request.query.q}}", 1]}, "transformers": TEMPLATE})
    assert j.body == b'{"a":["v",1]}'
    assert plan({"body": "{{request.query.q}}"}, everywhere=True).body == b"v"


def test_body_file_templates(tmp_path: Path) -> None:
    """bodyFileName and the file's text are templates; binary files are sent untouched."""
    (tmp_path / "f-v.txt").write_text("file {{request.query.q}}")
    (tmp_path / "bin").write_bytes(b"\xff{{x}}")
    assert plan({"bodyFileName": "f-{{request.query.q}}.txt", "transformers": TEMPLATE},
                files=tmp_path).body == b"file v"
    assert plan({"bodyFileName": "bin", "transformers": TEMPLATE},
                files=tmp_path).body == b"\xff{{x}}"
    with pytest.raises(RenderError, match="outside"):
        plan({"bodyFileName": "{{'../../etc/passwd'}}", "transformers": TEMPLATE}, files=tmp_path)


def test_render_errors_name_stub_and_field() -> None:
    """A failing template is a RenderError naming the stub, the field and the cause."""
    with pytest.raises(RenderError) as info:
        plan({"headers": {"X": "{{ parseJson('x') }}"}, "transformers": TEMPLATE},
             id="11111111-2222-3333-4444-555555555555", name="n")
    text = str(info.value)
    assert text.startswith("Template error in stub 11111111-2222-3333-4444-555555555555 (n): ")
    assert "response.headers.X" in text and "parseJson" in text


def test_faults_and_chaos_plans() -> None:
    """Faults carry no body or identity; chaos replaces the answer, hangs, or paces it."""
    fault = plan({"fault": "EMPTY_RESPONSE", "fixedDelayMilliseconds": 20})
    assert (fault.fault, fault.body, fault.headers, fault.delay_ms) == (
        Fault.EMPTY_RESPONSE, b"", [], 20)
    failed = plan({"body": "ok"}, chaos=ChaosOutcome(
        ChaosFailure(503, "down", (("A", "b"),)), reason="failFirst 1/1", retry_after=4,
        headers_delay_ms=7))
    assert (failed.status, failed.body, failed.chaos, failed.delay_ms) == (
        503, b"down", "failFirst 1/1", 7)
    assert ("A", "b") in failed.headers and ("Retry-After", "4") in failed.headers
    reset = plan({"body": "ok"}, chaos=ChaosOutcome(
        ChaosFailure(fault=Fault.CONNECTION_RESET_BY_PEER)))
    assert reset.fault is Fault.CONNECTION_RESET_BY_PEER
    hang = plan({"body": "ok"}, chaos=ChaosOutcome(hang=True, reason="hang"))
    assert hang.hang and hang.chaos == "hang"
    paced = plan({"body": "ok"}, chaos=ChaosOutcome(bytes_per_second=10))
    assert (paced.body, paced.bytes_per_second) == (b"ok", 10)


def test_proxy_base_url_is_rendered() -> None:
    """A templated stub's proxyBaseUrl is rendered for the request."""
    mapping = parse_stub({"request": {"urlPath": "/x"}, "response": {
        "proxyBaseUrl": "http://{{request.query.host}}:9", "transformers": TEMPLATE}})
    rendered = with_rendered_proxy_url(mapping, Request("GET", "/x?host=up"),
                                       Templating(random.Random()))
    assert rendered.response.proxy_base_url == "http://up:9"
    assert with_rendered_proxy_url(mapping, Request("GET", "/"), None) is mapping


def test_template_syntax_errors_are_load_errors() -> None:
    """parse_stub refuses an opted-in stub whose template does not compile, naming the stub."""
    with pytest.raises(StubError) as info:
        parse_stub({"name": "orders", "response": {
            "transformers": TEMPLATE, "jsonBody": {"items": [{"id": "{{#each}}"}]}}})
    assert info.value.path == ("response", "jsonBody", "items", 0, "id")
    assert "template syntax error in stub 'orders' on line 1" in info.value.message
    parse_stub({"response": {"body": "{{#each}}"}})  # not a template: accepted as text
