"""The sandboxed environment: compile once, errors with lines, nothing escapes, nothing explodes."""

from __future__ import annotations

import random

import pytest

from mockserver.exchange import Request
from mockserver.model import ResponseDefinition
from mockserver.respond.templating import (
    TemplateError,
    Templating,
    compile_template,
    needs_rendering,
)
from mockserver.respond.templating.context import RequestModel


def variables() -> dict[str, object]:
    templating = Templating(random.Random(0))
    return templating.variables(RequestModel(Request("GET", "/x?q=1"), {}), {"p": 1})


def test_templates_are_compiled_once() -> None:
    """The same source gives the same compiled template (cached by source)."""
    assert compile_template("{{ request.path }}!") is compile_template("{{ request.path }}!")


def test_language_is_recorded() -> None:
    """Each compiled template says which language it was read as."""
    assert compile_template("{{ request.path }}").language == "jinja"
    assert compile_template("{{request.path.[0]}}").language == "handlebars"


def test_only_marked_text_needs_rendering() -> None:
    """Text without `{{` or `{%` is never compiled."""
    assert not needs_rendering('{"plain": "json"}') and needs_rendering("a {{ b }}")
    assert needs_rendering("{% if x %}{% endif %}")


def test_output_rules() -> None:
    """No autoescape; None prints nothing; booleans print lower case; a final newline stays."""
    out = compile_template("{{ '<&>' }}|{{ none }}|{{ true }}|{{ [1, none] }}\n").render(
        variables())
    assert out == '<&>||true|[1, null]\n'


def test_syntax_errors_name_the_line() -> None:
    """A template that neither language reads is a TemplateError with its line."""
    with pytest.raises(TemplateError) as info:
        compile_template("ok\n{{ request.path }\n")
    assert info.value.line == 2 and "unexpected '}'" in str(info.value)


def test_unknown_helper_is_reported_as_such() -> None:
    """A Handlebars call to a helper WireMock lacks says so, rather than a Jinja parse error."""
    with pytest.raises(TemplateError, match="unknown helper 'faker'"):
        compile_template("{{ faker 'Name.first_name' }}")


@pytest.mark.parametrize("source", [
    "{% include 'x' %}", "{% extends 'base' %}", "{% import 'm' as m %}",
    "{% from 'm' import f %}",
])
def test_loader_tags_are_refused(source: str) -> None:
    """Templates cannot pull in other templates (there is nothing to load)."""
    with pytest.raises(TemplateError, match="not allowed"):
        compile_template(source)


@pytest.mark.parametrize("source", [
    "{{ ''.__class__ }}x{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ request._request }}{{ request._request.body.decode() }}",
    "{{ [].__class__.__base__.__subclasses__() }}",
    "{{ (request.query.q).__class__.__init__.__globals__ }}",
])
def test_private_attributes_are_unreachable(source: str) -> None:
    """The sandbox refuses `_` attributes: rendering fails or prints nothing of them."""
    try:
        out = compile_template(source).render(variables())
    except TemplateError as problem:
        assert "unsafe" in str(problem) or "undefined" in str(problem)
    else:
        assert "class" not in out and "function" not in out


@pytest.mark.parametrize(("source", "message"), [
    ("{{ 'x' * 10000000 }}", "longer than"),
    ("{{ [1] * 10000000 }}", "longer than"),
    ("{{ 10 ** 100000 }}", "larger than"),
    ("{% for i in range(10000000) %}{% endfor %}", "Range too big"),
    ("{{ cycler }}{{ lipsum() }}", "undefined"),
])
def test_resource_limits(source: str, message: str) -> None:
    """Huge strings, lists, powers and ranges are refused at render time."""
    with pytest.raises(TemplateError, match=message):
        compile_template(source).render(variables())


def test_render_errors_name_the_line() -> None:
    """A render error carries the template line it happened on."""
    with pytest.raises(TemplateError) as info:
        compile_template("a\nb\n{{ parseJson('nope') }}").render(variables())
    assert info.value.line == 3 and "parseJson" in str(info.value)


def test_templating_applies_to_opted_in_stubs_or_everywhere() -> None:
    """Local by default (the response-template transformer); global when asked."""
    local, everywhere = Templating(random.Random()), Templating(random.Random(), everywhere=True)
    opted = ResponseDefinition(transformers=("response-template",))
    plain = ResponseDefinition()
    assert local.applies_to(opted) and not local.applies_to(plain)
    assert everywhere.applies_to(plain)
