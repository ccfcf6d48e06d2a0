"""Response templates: Jinja2 in a sandbox, with WireMock's Handlebars translated on the way in.

    context           the `request` model a template reads
    values            how values print and convert
    documents, dates, text, fakedata
                      helper families: JSON/XML, dates, strings and encodings, Faker keys
    helpers           the helper tables, bound to a server's seeded random source and clock
    mustache          Handlebars syntax: `{{...}}` tags and the expressions inside them
    handlebars        which templates are Handlebars; translation into Jinja2
    wiremock_helpers  WireMock's Java manners, for translated Handlebars only
    environment       the sandboxed environment, compile-once cache, `Templating` per server
    response          which response fields are templates; load-time checks; rendering them
"""

from mockserver.errors import TemplateError
from mockserver.respond.templating.environment import (
    CompiledTemplate,
    Templating,
    compile_template,
    needs_rendering,
)
from mockserver.respond.templating.response import (
    TemplateRun,
    check_templates,
    template_fields,
)

__all__ = [
    "CompiledTemplate",
    "TemplateError",
    "TemplateRun",
    "Templating",
    "check_templates",
    "compile_template",
    "needs_rendering",
    "template_fields",
]
