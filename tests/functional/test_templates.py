"""Response templates over real HTTP: Jinja2 and WireMock Handlebars, helpers, errors, sandbox."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from mockserver.serve.runner import ThreadedRunner
from tests.conftest import Client, start_server
from tests.upstream import running_upstream

TEMPLATE = ["response-template"]


def templated(client: Client, request: dict[str, Any], **response: Any) -> str:
    return client.stub({"request": request,
                        "response": {"status": 200, "transformers": TEMPLATE, **response}})


def test_not_templated_without_the_transformer(client: Client) -> None:
    """Templating is local by default, as in WireMock 3: no transformer, no rendering."""
    client.stub({"request": {"url": "/plain"}, "response": {"body": "{{request.path}}"}})
    assert client.get("/plain").text == "{{request.path}}"


def test_global_templating_renders_every_stub(tmp_path: Path) -> None:
    """`--global-response-templating` renders stubs that did not opt in."""
    runner = start_server(tmp_path / "root", global_response_templating=True)
    try:
        client = Client(runner.port)
        client.stub({"request": {"urlPath": "/g"}, "response": {"body": "{{request.query.q}}"}})
        assert client.get("/g?q=hi").text == "hi"
    finally:
        runner.stop()


def test_request_model_in_jinja(client: Client) -> None:
    """Jinja2 sees the request: url, path, segments, query, headers, cookies, body, host."""
    templated(client, {"urlPathTemplate": "/shop/{kind}/{id}"}, body=(
        "{{ request.method }}|{{ request.url }}|{{ request.path }}|{{ request.path[0] }}|"
        "{{ request.path['id'] }}|{{ request.pathParameters.kind }}|{{ request.query.tag }}|"
        "{{ request.query.tag[1] }}|{{ request.query.tag.last }}|{{ request.query.tag | length }}|"
        "{{ request.headers['x-request-id'] }}|{{ request.cookies.session }}|{{ request.body }}|"
        "{{ request.scheme }}://{{ request.host }}:{{ request.port }}|{{ request.baseUrl }}|"
        "[{{ request.query.missing }}{{ request.headers['X-Missing'] }}"
        "{{ request.cookies.none }}]"))
    reply = client.post("/shop/widget/42?tag=a&tag=b", body="hello", headers={
        "X-Request-Id": "rid-1", "Cookie": "session=s1; other=o"})
    port = client.port
    assert reply.text == (
        f"POST|/shop/widget/42?tag=a&tag=b|/shop/widget/42|shop|42|widget|a|b|b|2|rid-1|s1|hello|"
        f"http://127.0.0.1:{port}|http://127.0.0.1:{port}|[]")


def test_handlebars_request_model(client: Client) -> None:
    """WireMock's Handlebars spellings render the same values."""
    templated(client, {"urlPathTemplate": "/hb/{kind}/{id}"}, body=(
        "{{request.path.[0]}} {{request.path.id}} {{request.query.a.[1]}} {{request.query.a}} "
        "{{request.headers.X-Trace-Id}} {{request.headers.x-trace-id}} "
        "{{request.requestLine.method}} {{{request.query.raw}}}"))
    reply = client.get("/hb/thing/7?a=1&a=2&raw=%3Cb%3E", headers={"X-Trace-Id": "t-9"})
    assert reply.text == "hb 7 2 1 t-9 t-9 GET <b>"


def test_templated_headers_json_body_and_status_untouched(client: Client) -> None:
    """Header values and jsonBody strings (keys too) are rendered; user data stays valid JSON."""
    templated(client, {"urlPath": "/echo"}, status=201,
              headers={"Location": "/items/{{request.query.id}}",
                       "X-Multi": ["{{request.method}}", "static"]},
              jsonBody={"id": "{{request.query.id}}", "{{request.query.key}}": 1,
                        "nested": [{"said": "{{request.query.text}}"}], "n": 5})
    reply = client.get('/echo?id=17&key=k1&text=%22quoted%22%20%5Cback')
    assert reply.status == 201
    assert reply.header("Location") == "/items/17"
    assert reply.header_values("X-Multi") == ["GET", "static"]
    assert reply.json() == {"id": "17", "k1": 1, "nested": [{"said": '"quoted" \\back'}], "n": 5}


def test_tojson_keeps_user_data_json_safe(client: Client) -> None:
    """`tojson` quotes and escapes: the documented way to put user data into a JSON body."""
    templated(client, {"urlPath": "/safe"}, body='{"name": {{ request.query.name | tojson }}}')
    assert client.get('/safe?name=a%22b%5Cc').json() == {"name": 'a"b\\c'}


def test_body_file_name_and_content_are_templates(server: ThreadedRunner,
                                                  client: Client) -> None:
    """`bodyFileName` is rendered, then the file's content, unless disabled."""
    files = server.state.options.files_dir
    (files / "user-7.json").write_text('{"id": "{{request.query.id}}"}')
    (files / "raw.txt").write_text("{{request.path}}")
    templated(client, {"urlPath": "/file"}, bodyFileName="user-{{request.query.id}}.json")
    templated(client, {"urlPath": "/raw"}, bodyFileName="raw.txt",
              transformerParameters={"disableBodyFileTemplating": True})
    assert client.get("/file?id=7").json() == {"id": "7"}
    assert client.get("/raw").text == "{{request.path}}"
    missing = client.get("/file?id=8")
    assert missing.status == 500 and "user-8.json" in missing.text


def test_parameters_are_transformer_parameters(client: Client) -> None:
    """`parameters` holds the stub's transformerParameters."""
    templated(client, {"url": "/params"}, body="{{ parameters.greeting }} {{parameters.n}}",
              transformerParameters={"greeting": "hi", "n": 3})
    assert client.get("/params").text == "hi 3"


def test_json_helpers(client: Client) -> None:
    """jsonPath (Handlebars and Jinja filter/function), parseJson, #each and #with."""
    templated(client, {"url": "/json", "method": "POST"}, body=(
        "{{jsonPath request.body '$.name'}}|{{ request.body | jsonpath('$.id') }}|"
        "{{ jsonpath(request.body, '$.tags') }}|{{jsonPath request.body '$.none' default='-'}}|"
        "{{#each (jsonPath request.body '$.items') as |item|}}{{@index}}={{item.sku}};{{/each}}|"
        "{{#with (parseJson request.body)}}{{name}}/{{size tags}}{{/with}}|"
        "{{parseJson request.body 'doc'}}{{doc.items.[1].sku}}"))
    body = json.dumps({"id": 7, "name": "Ada", "tags": ["a", "b"],
                       "items": [{"sku": "x1"}, {"sku": "x2"}]})
    assert client.post("/json", body=body).text == 'Ada|7|["a", "b"]|-|0=x1;1=x2;|Ada/2|x2'


def test_conditionals_and_comparisons(client: Client) -> None:
    """#if/else if/else, #unless, conditional helpers as blocks and as sub-expressions."""
    templated(client, {"urlPath": "/cond"}, body=(
        "{{#if (eq request.query.kind 'a')}}A{{else if (eq request.query.kind 'b')}}B"
        "{{else}}other{{/if}}|{{#unless request.query.flag}}no flag{{/unless}}|"
        "{{#gt request.query.n 10}}big{{else}}small{{/gt}}|"
        "{{#contains request.query.kind 'b'}}has b{{/contains}}"))
    assert client.get("/cond?kind=a&n=11").text == "A|no flag|big|"
    assert client.get("/cond?kind=b&n=2&flag=1").text == "B||small|has b"
    assert client.get("/cond?kind=z&n=3").text == "other|no flag|small|"


def test_regex_base64_url_math_size_trim(client: Client) -> None:
    """Text helpers render as WireMock's do."""
    templated(client, {"urlPathPattern": "/redirect/.*"}, status=302,
              headers={"Location": "/to/{{regexExtract request.path '/redirect/([0-9]*)/(.*)' "
                                   "'parts'}}{{parts.1}}"},
              body=("{{regexExtract request.path '[0-9]+'}}|{{base64 'hello'}}|"
                    "{{base64 'aGVsbG8=' decode=true}}|{{ 'hi' | b64encode }}|"
                    "{{urlEncode 'a b&c'}}|{{math 7 '*' 6}}|{{math 10.0 '/' 4}}|"
                    "{{size request.query.q}}|[{{trim '  x '}}]|{{ randomInt(3, 4) }}"))
    reply = client.get("/redirect/12/next/page?q=1&q=2")
    assert reply.status == 302
    assert reply.header("Location") == "/to/next/page"
    assert reply.text == "12|aGVsbG8=|hello|aGk=|a+b%26c|42|2.5|2|[x]|3"


def test_xpath_helper(client: Client) -> None:
    """xPath reads a request's XML body (Handlebars) and xpath works as a Jinja filter."""
    templated(client, {"url": "/xml", "method": "POST"},
              body="{{xPath request.body '/order/id/text()'}}-{{ request.body | xpath('//qty') }}")
    reply = client.post("/xml", body="<order><id>A1</id><qty>3</qty></order>")
    assert reply.text == "A1-3"


def test_now_and_random_helpers(client: Client) -> None:
    """now with offsets, Java formats, epoch and zones; random values have the asked shape."""
    templated(client, {"url": "/time"}, body=(
        "{{now offset='3 days' format='yyyy-MM-dd'}}|{{ now(format='epoch') }}|"
        "{{now timezone='Asia/Tokyo' format='XXX'}}|{{randomValue length=12 type='NUMERIC'}}|"
        "{{randomValue type='UUID'}}|{{ uuid() }}|{{randomValue length=8 type='HEXADECIMAL' "
        "uppercase=true}}|{{ randomValue(length=5, type='ALPHABETIC') }}|"
        "{{randomInt lower=5 upper=9}}|{{pickRandom 'x' 'y'}}"))
    parts = client.get("/time").text.split("|")
    expected_day = (datetime.now(timezone.utc) + timedelta(days=3)).strftime("%Y-%m-%d")
    assert parts[0] == expected_day
    assert abs(int(parts[1]) - datetime.now(timezone.utc).timestamp() * 1000) < 60_000
    assert parts[2] == "+09:00"
    assert re.fullmatch(r"\d{12}", parts[3])
    uuid_re = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
    assert re.fullmatch(uuid_re, parts[4]) and re.fullmatch(uuid_re, parts[5])
    assert re.fullmatch(r"[0-9A-F]{8}", parts[6])
    assert re.fullmatch(r"[a-z]{5}", parts[7])
    assert 5 <= int(parts[8]) <= 9
    assert parts[9] in ("x", "y")


def test_seed_makes_random_helpers_repeatable(tmp_path: Path) -> None:
    """Two servers with the same --seed give the same random values for the same requests."""
    seen = []
    for name in ("a", "b"):
        runner = start_server(tmp_path / name, seed=42)
        try:
            client = Client(runner.port)
            templated(client, {"url": "/r"}, body=(
                "{{randomValue length=16}} {{ uuid() }} {{randomInt lower=1 upper=1000}}"))
            seen.append([client.get("/r").text for _ in range(3)])
        finally:
            runner.stop()
    assert seen[0] == seen[1]
    assert len(set(seen[0])) == 3


def test_wiremock_style_stub_files_render(root_dir: Path) -> None:
    """Handlebars stubs as real WireMock projects write them work from files unchanged."""
    (root_dir / "mappings" / "auth.json").write_text(json.dumps({"mappings": [
        {"request": {"urlPattern": "/oauth/authorize\\?.*", "method": "GET"},
         "response": {"status": 302, "transformers": TEMPLATE, "headers": {
             "Location": "http://localhost:3000/callback?code=c&state={{ request.query.state }}"}}},
        {"request": {"urlPath": "/checkins", "method": "POST"},
         "response": {"status": 200, "transformers": TEMPLATE, "jsonBody": {
             "first": "{{jsonPath request.body '$.schedule.first'}}",
             "due": "{{now offset='5 days' format='yyyy-MM-dd'}}T10:00:00+01:00",
             "hint": "How has {{thing}} been going?"}}},
        {"request": {"urlPath": "/cors"}, "response": {"transformers": TEMPLATE, "headers": {
            "access-control-allow-origin": "{{ request.headers.origin }}"}, "body": ""}},
        {"request": {"url": "/link"}, "response": {"transformers": TEMPLATE, "body":
            "http://localhost:{{request.requestLine.port}}/documents"}},
    ]}))
    runner = start_server(root_dir)
    try:
        client = Client(runner.port)
        assert runner.state.stubs.load_errors == []
        reply = client.get("/oauth/authorize?response_type=code&state=st8")
        assert reply.header("Location") == "http://localhost:3000/callback?code=c&state=st8"
        data = client.post("/checkins", json_body={"schedule": {"first": "2025-01-02"}}).json()
        due = (datetime.now(timezone.utc) + timedelta(days=5)).strftime("%Y-%m-%d")
        assert data == {"first": "2025-01-02", "due": f"{due}T10:00:00+01:00",
                        "hint": "How has  been going?"}
        cors = client.get("/cors", headers={"Origin": "https://app.example"})
        assert cors.header("access-control-allow-origin") == "https://app.example"
        assert client.get("/link").text == f"http://localhost:{runner.port}/documents"
    finally:
        runner.stop()


def test_handlebars_blocks_with_whitespace_rules(client: Client) -> None:
    """Standalone block lines vanish, `~` trims, comments print nothing, `\\{{` is literal."""
    templated(client, {"url": "/lines", "method": "POST"}, body=(
        "items:\n{{#each (jsonPath request.body '$')}}\n  - {{this}}\n{{/each}}\n"
        "{{! a comment }}end   {{~ '!' ~}}   \\{{literal}}"))
    assert client.post("/lines", body='["a", "b"]').text == "items:\n  - a\n  - b\nend!{{literal}}"


def test_proxy_base_url_is_a_template(client: Client) -> None:
    """A templated proxy stub forwards to the URL rendered for the request."""
    with running_upstream() as upstream:
        port = upstream.url.rsplit(":", 1)[1]
        templated(client, {"urlPathPattern": "/echo/.*"},
                  proxyBaseUrl="http://127.0.0.1:{{request.headers.X-Upstream-Port}}")
        reply = client.get("/echo/one?x=1", headers={"X-Upstream-Port": port})
        assert reply.status == 200 and reply.json()["path"] == "/echo/one?x=1"
        templated(client, {"urlPathPattern": "/bad/.*"},
                  proxyBaseUrl="http://127.0.0.1:{{ parseJson('x') }}")
        bad = client.get("/bad/1")
        assert bad.status == 500 and "response.proxyBaseUrl" in bad.text


# --- errors ----------------------------------------------------------------------------------


def test_syntax_error_is_rejected_by_the_admin_api(client: Client) -> None:
    """A template that does not compile is a 422 naming the field, the stub and the line."""
    reply = client.post("/__admin/mappings", json_body={
        "name": "broken one", "request": {"url": "/b"},
        "response": {"transformers": TEMPLATE, "body": "line one\n{{#if request.body}}open"}})
    assert reply.status == 422
    error = reply.json()["errors"][0]
    assert error["source"]["pointer"] == "/response/body"
    assert "broken one" in error["detail"] and "line 2" in error["detail"]
    assert client.get("/__admin/mappings").json()["meta"]["total"] == 0


def test_syntax_error_in_a_file_names_file_line_and_key(root_dir: Path) -> None:
    """A broken template in a stub file is a load error with file, line and key path."""
    (root_dir / "mappings" / "bad.json").write_text(
        '{\n  "request": {"url": "/x"},\n  "response": {\n'
        '    "transformers": ["response-template"],\n'
        '    "headers": {"X-A": "{{ request.path }"}\n  }\n}\n')
    (root_dir / "mappings" / "good.yaml").write_text(
        "request: {url: /ok}\nresponse: {body: fine}\n")
    runner = start_server(root_dir)
    try:
        [error] = runner.state.stubs.load_errors
        text = str(error)
        assert text.startswith(str(root_dir / "mappings" / "bad.json") + ":5: ")
        assert "response.headers.X-A: template syntax error" in text
        assert Client(runner.port).get("/ok").text == "fine"
    finally:
        runner.stop()


def test_render_error_is_a_short_500(server: ThreadedRunner, client: Client) -> None:
    """A failing helper gives a plain-text 500 naming the stub and the error, no traceback."""
    templated(client, {"url": "/boom", "method": "POST"}, body="{{ parseJson(request.body) }}")
    stub_id = client.get("/__admin/mappings").json()["mappings"][0]["id"]
    reply = client.post("/boom", body="not json")
    assert reply.status == 500
    assert reply.header("Content-Type") == "text/plain"
    assert stub_id in reply.text and "parseJson" in reply.text and "response.body" in reply.text
    assert "Traceback" not in reply.text and len(reply.text) < 300
    assert client.get("/__admin/requests").json()["requests"][0]["response"]["status"] == 500


def test_a_nul_byte_in_a_templated_body_file_name_is_a_render_error(client: Client) -> None:
    """A request that puts a NUL byte into a templated bodyFileName gets the render 500."""
    templated(client, {"urlPath": "/file"}, bodyFileName="{{request.query.name}}")
    reply = client.get("/file?name=a%00b")
    assert reply.status == 500
    assert reply.header("Content-Type") == "text/plain"
    assert "is not a file name" in reply.text


def test_unknown_handlebars_helper_is_a_load_error(client: Client) -> None:
    """A helper mockserver does not have is refused where the stub is created."""
    reply = client.post("/__admin/mappings", json_body={
        "request": {"url": "/u"},
        "response": {"transformers": TEMPLATE, "body": "{{ faker 'Name.first_name' }}"}})
    assert reply.status == 422
    assert "unknown helper 'faker'" in reply.json()["errors"][0]["detail"]


# --- the sandbox ----------------------------------------------------------------------------

INJECTIONS = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ ''.__class__.__mro__ }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ joiner.__init__.__globals__ }}",
    "{{ lipsum.__globals__['os'].popen('id').read() }}",
    "{{ self._TemplateReference__context }}",
    "{{ self.__init__.__globals__ }}",
    "{{ request.__class__.__init__.__globals__ }}",
    "{{ request._request.body }}",
    "{{ config }}{{ config.items() }}",
    "{{ request.path.__class__.__base__.__subclasses__() }}",
    "{{ namespace.__init__.__globals__ }}",
    "{{ range.__self__ }}",
    "{{ _hb.__class__ }}{{ _hb._table }}",
    "{{ now.__globals__ }}",
    "{{ '{0.__class__}'.format(request) }}",
    "{{ request.headers.__init__.__globals__ }}",
    "{% for c in [].__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
    "{{ 'x' * 100000000 }}",
    "{{ 9 ** 99999999 }}",
    "{{#with request}}{{__class__}}{{/with}}",
    "{{lookup request '__class__'}}",
]
LEAKS = ("class", "subclasses", "globals", "module", "uid=", "function", "builtin", "<", "os.")


@pytest.fixture
def injected(server: ThreadedRunner, client: Client) -> Iterator[Client]:
    yield client
    events = client.get("/__admin/requests").json()["requests"]
    assert events, "the payloads were requested"


@pytest.mark.parametrize("payload", INJECTIONS)
def test_injection_payloads_reach_nothing_via_admin(injected: Client, payload: str) -> None:
    """Classic template-injection payloads from the admin API render nothing sensitive."""
    reply = injected.post("/__admin/mappings", json_body={
        "request": {"url": "/inject"}, "response": {"transformers": TEMPLATE, "body": payload}})
    if reply.status == 422:  # refused at load: also reaches nothing
        injected.get("/inject")
        return
    assert reply.status == 201, reply.text
    answer = injected.get("/inject")
    assert answer.status in (200, 500)
    text = answer.text
    if answer.status == 200:
        assert not any(leak in text for leak in LEAKS), text
    else:
        assert "unsafe" in text or "undefined" in text or "longer than" in text \
            or "larger than" in text or "no attribute" in text, text
        assert "Traceback" not in text


def test_injection_payloads_reach_nothing_from_files(root_dir: Path) -> None:
    """The same payloads in stub files are just as inert."""
    (root_dir / "mappings" / "inject.json").write_text(json.dumps([
        {"request": {"url": f"/i/{i}"}, "response": {"transformers": TEMPLATE, "body": p}}
        for i, p in enumerate(INJECTIONS)]))
    runner = start_server(root_dir)
    try:
        client = Client(runner.port)
        loaded = {s["request"]["url"] for s in client.get("/__admin/mappings").json()["mappings"]}
        for i in range(len(INJECTIONS)):
            if f"/i/{i}" not in loaded:
                continue  # refused at load
            answer = client.get(f"/i/{i}")
            assert answer.status in (200, 500)
            if answer.status == 200:
                assert not any(leak in answer.text for leak in LEAKS), (INJECTIONS[i], answer.text)
        assert len(loaded) >= len(INJECTIONS) - 3
    finally:
        runner.stop()
