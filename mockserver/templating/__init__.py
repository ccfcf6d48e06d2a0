"""Response templates: Jinja2 in a sandbox, with WireMock's Handlebars translated on the way in.

    context      the `request` model a template reads
    helpers      jsonPath, now, randomValue, ... bound to a server's seeded random source
    handlebars   WireMock's Handlebars subset -> Jinja2 source
    environment  the sandboxed environment, compile-once cache, `Templating` per server
    response     which response fields are templates; load-time checks; rendering them
"""

from mockserver.templating.environment import (
    CompiledTemplate,
    TemplateProblem,
    TemplateRenderProblem,
    Templating,
    compile_template,
    needs_rendering,
)
from mockserver.templating.response import (
    TRANSFORMER,
    TemplateRun,
    check_templates,
    opted_in,
    template_fields,
)

__all__ = [
    "TRANSFORMER",
    "CompiledTemplate",
    "TemplateProblem",
    "TemplateRenderProblem",
    "TemplateRun",
    "Templating",
    "check_templates",
    "compile_template",
    "needs_rendering",
    "opted_in",
    "template_fields",
]
