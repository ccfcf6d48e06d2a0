"""WireMock's Handlebars: telling it from Jinja2, reading mustaches, translating into Jinja2."""

from __future__ import annotations

import random
from typing import Any

import pytest

from mockserver.exchange import Request
from mockserver.respond.templating import Templating, compile_template
from mockserver.respond.templating.context import RequestModel
from mockserver.respond.templating.handlebars import (
    HandlebarsError,
    is_handlebars,
    jinja_name,
    translate,
)
from mockserver.respond.templating.mustache import Call, Literal, Path, parse_mustache, tokenize


def render(source: str, *, body: str = "", url: str = "/p/q?a=1&a=2",
           params: dict[str, Any] | None = None) -> str:
    templating = Templating(random.Random(0))
    request = Request("POST", url, headers=[("X-Foo", "bar")], body=body.encode())
    return compile_template(source).render(
        templating.variables(RequestModel(request, {}), params or {}))


@pytest.mark.parametrize("source", [
    "{{request.path.[0]}}", "{{request.headers.X-Foo}}", "{{jsonPath request.body '$.a'}}",
    "{{#if x}}y{{/if}}", "{{{triple}}}", "{{now}}", "{{hostname}}", "{{! comment }}",
    "{{now offset='1 days'}}", "{{../up}}", "{{#each xs}}{{@index}}{{/each}}", "{{^x}}y{{/x}}",
    "{{this}}", "a {{request.method}} {{size request.query.a}}",
])
def test_handlebars_only_syntax_is_detected(source: str) -> None:
    """Templates using syntax only Handlebars has are recognised as Handlebars."""
    assert is_handlebars(source)


@pytest.mark.parametrize("source", [
    "{{ request.path }}", "{{ request.query.a | upper }}", "{{ now() }}",
    "{% if x %}{{ y }}{% endif %}", "{{ a if b else c }}", "{{ x or y }}", "{{ a - 1 }}",
    "{{ request.headers['X-Foo'] }}", "{{ 'lit' }}", "{{ f(1, k=2) }}", "plain text", "{# c #}",
])
def test_jinja_templates_are_left_alone(source: str) -> None:
    """Templates that read the same in both, or only as Jinja2, stay Jinja2."""
    assert not is_handlebars(source)


def test_parse_mustache_parts() -> None:
    """A mustache reads as head, parameters, options and block params."""
    m = parse_mustache("each (jsonPath request.body '$.x' default=\"d\") as |item i|")
    assert isinstance(m.head, Path) and m.head.segments == ["each"]
    [sub] = m.params
    assert isinstance(sub, Call) and sub.name == "jsonPath"
    assert sub.hash == [("default", Literal("d"))]
    assert m.block_params == ["item", "i"]
    path = parse_mustache("request.headers.[X Y].z-w").head
    assert isinstance(path, Path) and path.segments == ["request", "headers", "X Y", "z-w"]
    assert [p.value for p in parse_mustache("h 1 2.5 true null 'it\\'s'").params
            if isinstance(p, Literal)] == [1, 2.5, True, None, "it's"]


@pytest.mark.parametrize(("text", "message"), [
    ("a b=1 c", "positional arguments must come before"),
    ("(a", "unclosed '('"),
    ("a.[b", "unclosed '['"),
    ("", "empty expression"),
])
def test_parse_mustache_errors(text: str, message: str) -> None:
    """Malformed mustaches are errors that say what is wrong."""
    with pytest.raises(HandlebarsError, match=message.replace("(", r"\(").replace("[", r"\[")):
        parse_mustache(text)


def test_tokenize_handles_quotes_triples_and_escapes() -> None:
    """`}}` inside quotes does not end a mustache; `\\{{` is text; triples and `~` are read."""
    tokens = tokenize("a{{x '}}'}}b\\{{c}}{{{t}}}{{~y~}}")
    kinds = [getattr(t, "kind", "text") for t in tokens]
    assert kinds == ["text", "expr", "text", "text", "text", "expr", "expr"]
    assert tokens[1].body == "x '}}'"  # type: ignore[union-attr]
    assert tokens[5].triple and tokens[6].strip_before and tokens[6].strip_after  # type: ignore[union-attr]


def test_paths_become_subscripts() -> None:
    """Paths are translated to subscripts, so no key reaches a Python attribute."""
    assert translate("{{request.headers.X-Foo}}") == \
        "{{ _hb.show(request['headers']['X-Foo']) }}"
    assert translate("{{request.path.[0]}}") == "{{ _hb.show(request['path'][0]) }}"
    assert translate("{{jsonPath request.body '$.a'}}") == \
        "{{ _hb.show(_hb.jsonPath(request['body'], '$.a')) }}"
    assert translate("{{request.query.a.[-1]}}") == \
        "{{ _hb.show(_hb.at(request['query']['a'], -1)) }}"


def test_rendering_paths_and_helpers() -> None:
    """Translated templates render like WireMock."""
    assert render("{{request.path.[1]}}/{{request.query.a.[1]}}/{{request.headers.x-foo}}") == \
        "q/2/bar"
    assert render("{{jsonPath request.body '$.a.b'}}", body='{"a": {"b": "c"}}') == "c"
    assert render("{{math (math 1 '+' 2) '*' 3}}") == "9"
    assert render("{{#if (and (eq 1 1) (not false))}}yes{{/if}}") == "yes"


def test_if_else_chains() -> None:
    """#if / else if / else, and conditional helpers as blocks with else."""
    template = ("{{#if (eq request.query.a 'x')}}X{{else if request.query.a}}has a"
                "{{else}}none{{/if}}|{{#neq request.query.a 'z'}}not z{{else}}z{{/neq}}")
    assert render(template, url="/?a=x") == "X|not z"
    assert render(template, url="/?a=y") == "has a|not z"
    assert render(template, url="/?a=z") == "has a|z"
    assert render(template, url="/") == "none|not z"
    assert render("{{#unless request.query.a}}no a{{else}}a{{/unless}}", url="/") == "no a"


def test_wiremock_java_semantics() -> None:
    """What WireMock stubs rely on: Java printing and equality, WireMock's helper quirks."""
    body = '{"obj": {"a": 1, "b": [1, 2.5]}, "list": ["x", "y"], "n": 5}'
    assert render("{{jsonPath request.body '$.obj'}}", body=body) == \
        '{\n  "a" : 1,\n  "b" : [ 1, 2.5 ]\n}'
    assert render("{{jsonPath request.body '$.list'}}", body=body) == "[x, y]"
    assert render("{{parseJson request.body 'd'}}{{d.obj}}", body=body) == "{a=1, b=[1, 2.5]}"
    assert render("{{array 1 'two' true}}|{{range 1 3}}") == "[1, two, true]|[1, 2, 3]"
    assert render("{{eq 1 '1'}} {{eq (jsonPath request.body '$.n') 5}} "
                  "{{eq request.method 'POST'}} {{eq request.query.a '1'}}",
                  body=body, url="/?a=1") == "false true false true"
    assert render("{{eq request.query.a '1' yes='Y' no='N'}}", url="/?a=1&a=2") == "N"
    assert render("{{request.query.a.[-1]}}|{{request.query.a.[1]}}", url="/?a=1&a=2&a=3") == \
        "2|2"
    assert render("{{jsonPath request.body '$.x'}}", body="not json") == \
        "[ERROR: not json is not valid JSON]"
    assert render("{{regexExtract request.body '[0-9]+'}}", body="abc") == \
        "[ERROR: Nothing matched [0-9]+]"
    assert render("{{regexExtract request.body '([a-z])([0-9])' 'p'}}{{p.2}}{{p.3}}",
                  body="a1 b2") == "b2"
    assert render("{{join ',' (array 'a' 'b')}}") == "a,b"
    assert render("{{math 10 '/' 4}} {{math 10.0 '/' 4}} {{math 1.5 '+' 1.5}}") == "3 2.5 3.0"
    assert render("{{toJson (parseJson request.body)}}", body='{"a": []}') == '{\n  "a" : [ ]\n}'


def test_each_scopes_and_data_variables() -> None:
    """#each over lists and maps: this, fields, @index/@key/@first/@last, block params,
    outer names, ../ and else for empty lists."""
    body = '{"xs": [{"n": "a"}, {"n": "b"}], "m": {"k1": 1, "k2": 2}, "e": []}'
    assert render("{{#each (jsonPath request.body '$.xs')}}{{@index}}{{n}}{{#if @first}}^"
                  "{{/if}}{{#if @last}}${{/if}}{{request.method}},{{/each}}", body=body) == \
        "0a^POST,1b$POST,"
    assert render("{{#each (jsonPath request.body '$.m')}}{{@key}}={{this}};{{/each}}",
                  body=body) == "k1=1;k2=2;"
    assert render("{{#each (jsonPath request.body '$.xs') as |x i|}}{{i}}{{x.n}}{{/each}}",
                  body=body) == "0a1b"
    assert render("{{#each (jsonPath request.body '$.e')}}x{{else}}empty{{/each}}",
                  body=body) == "empty"
    assert render("{{#each (jsonPath request.body '$.xs')}}{{#each (array 1 2)}}"
                  "{{../n}}{{this}}{{/each}}{{/each}}", body=body) == "a1a2b1b2"


def test_with_sections_and_assignment() -> None:
    """#with changes the context; mustache sections iterate or test; helpers can assign."""
    body = '{"user": {"name": "Ada"}, "list": [1, 2]}'
    assert render("{{#with (jsonPath request.body '$.user')}}{{name}}{{/with}}", body=body) == \
        "Ada"
    assert render("{{#with (jsonPath request.body '$.none')}}x{{else}}no user{{/with}}",
                  body=body) == "no user"
    assert render("{{parseJson request.body 'doc'}}{{#doc.list}}[{{this}}]{{/doc.list}}"
                  "{{^doc.missing}}missing{{/doc.missing}}", body=body) == "[1][2]missing"
    assert render("{{#assign 'who'}}Ada{{/assign}}hi {{who}}") == "hi Ada"
    assert render("{{val request.query.none default='dflt' assign='v'}}{{v}}", url="/") == "dflt"
    assert render("{{formData request.body 'f'}}{{f.x}}", body="x=1&y=2") == "1"
    assert render("{{#trim}}  padded  {{/trim}}") == "padded"
    assert render("{{#parseJson 'j'}}{\"a\": 5}{{/parseJson}}{{j.a}}") == "5"


def test_whitespace_rules() -> None:
    """Standalone block lines vanish; `~` strips; comments disappear; text braces survive."""
    assert render("a\n  {{#if true}}\n  in\n  {{/if}}\nb\n") == "a\n  in\nb\n"
    assert render("a  {{~#if true~}}  b  {{~/if~}}  c") == "abc"
    assert render("x{{!-- a {{comment}} --}}y{{! short }}z") == "xyz"
    assert render("{a} \\{{x}} {{request.method}}") == "{a} {{x}} POST"


@pytest.mark.parametrize(("source", "message"), [
    ("{{#if x}}open", "never closed"),
    ("{{#if x}}{{/each}}", "does not close"),
    ("{{/if}}", "without a matching block"),
    ("{{> partial}}", "partials are not supported"),
    ("{{nosuch 1}}", "unknown helper 'nosuch'"),
    ("{{#nosuch 1}}x{{/nosuch}}", "unknown block helper 'nosuch'"),
    ("{{@index}}", "only defined inside"),
    ("{{parseJson request.body 7}}", "must be a quoted string"),
    ("{{x", "unclosed mustache"),
])
def test_translation_errors(source: str, message: str) -> None:
    """Templates the translator cannot read fail with a reason and a line."""
    with pytest.raises(HandlebarsError, match=message) as info:
        translate(source)
    assert info.value.line == 1


def test_jinja_names_are_safe_identifiers() -> None:
    """Assigned names that are not Jinja identifiers are mangled, never executed."""
    assert jinja_name("parts") == "parts"
    assert jinja_name("my-var").startswith("_v_")
    assert jinja_name("loop").startswith("_v_") and jinja_name("__class__").startswith("_v_")
