"""The one Jinja2 environment every template runs in: sandboxed, immutable, no autoescape.

`compile_template` turns a source (Jinja2, or WireMock Handlebars translated first) into a
`CompiledTemplate`, cached by source so a stub's templates are compiled once. `Templating`
holds what one server renders with: helpers bound to its seeded random source and clock.
Nothing here can reach files, imports, the environment or Python internals: the sandbox
blocks `_` attributes and unsafe callables, Jinja's loader-based tags are refused at
compile time, and every loop, buffer and sized operation is charged to the render's
budget (`budget`) so a template can neither spin nor allocate gigabytes.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import TracebackType
from typing import Any

from jinja2 import ChainableUndefined, TemplateSyntaxError, nodes
from jinja2.exceptions import SecurityError
from jinja2.filters import FILTERS as JINJA_FILTERS
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

from mockserver.errors import TemplateError
from mockserver.model import ResponseDefinition, is_template
from mockserver.respond.templating import budget, wiremock_helpers
from mockserver.respond.templating.context import MultiValue, Params, PathValue, RequestModel
from mockserver.respond.templating.dates import Clock, utc_now
from mockserver.respond.templating.handlebars import (
    HandlebarsError,
    has_jinja_blocks,
    is_handlebars,
    translate,
)
from mockserver.respond.templating.helpers import FILTERS, HelperTable, helper_table, jinja_globals
from mockserver.respond.templating.values import text_of, truthy

MAX_SIZE = 1_000_000  # longest string or list a `*` may build
MAX_EXPONENT = 1_000
_REFUSED_TAGS = (nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)
_COUNTED = "counted_loop"  # the filter every `for` iterable is wrapped in at compile time


class _Sandbox(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**", "+", "%"})
    code_generator_class = budget.BudgetCodeGenerator
    capped_buffer = budget.CappedBuffer
    checked_concat = staticmethod(budget.checked_concat)

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, (int, float)) and abs(right) > MAX_EXPONENT:
            raise SecurityError(f"exponent {right} is larger than {MAX_EXPONENT}")
        if operator == "*":
            for seq, count in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(count, int):
                    size = budget.product_size(seq, count)
                    if size > MAX_SIZE:
                        raise SecurityError(f"result would be longer than {MAX_SIZE}")
                    budget.current().charge(size)
        elif operator == "+" and isinstance(left, (str, list, tuple)) and \
                isinstance(right, (str, list, tuple)):
            budget.current().charge(len(left) + len(right))
        elif operator == "%" and isinstance(left, str):
            budget.current().charge(budget.format_size(left, right))
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Context, __obj: Any,  # noqa: N805 - Jinja's own signature
             *args: Any, **kwargs: Any) -> Any:
        method = getattr(__obj, "__wrapped__", __obj)  # str.format comes wrapped
        owner = getattr(method, "__self__", None)
        size = budget.STR_METHOD_SIZES.get(getattr(method, "__name__", ""))
        if size is not None and isinstance(owner, str):
            budget.current().charge(size(owner, *args, **kwargs))
        elif getattr(method, "__name__", "") == "join" and isinstance(owner, str) and args:
            items = list(args[0])
            budget.current().charge(budget.join_size(items, owner))
            args = (items, *args[1:])
        return super().call(__context, __obj, *args, **kwargs)


@lru_cache(maxsize=1)
def environment() -> ImmutableSandboxedEnvironment:
    """Built once: configuration only, nothing per server (helpers come with each render)."""
    env = _Sandbox(
        autoescape=False,
        undefined=ChainableUndefined,
        finalize=text_of,
        keep_trailing_newline=True,
        auto_reload=False,
        cache_size=0,
    )
    for name in ("lipsum", "cycler", "joiner"):  # nothing a stub needs; less to attack
        env.globals.pop(name, None)
    env.filters.update(FILTERS)
    for name, size in budget.FILTER_SIZES.items():
        env.filters[name] = budget.sized_filter(JINJA_FILTERS[name], size)
    env.filters[_COUNTED] = budget.Counted
    return env


@dataclass(frozen=True, eq=False)
class CompiledTemplate:
    source: str
    language: str  # "jinja" or "handlebars"
    jinja_source: str
    _template: Any

    def render(self, variables: Mapping[str, Any]) -> str:
        """The output, built within one fresh budget (`budget.MAX_*`)."""
        try:
            with budget.spending() as spent:
                out: list[str] = []
                for chunk in self._template.generate(variables):
                    spent.charge(len(chunk))
                    out.append(chunk)
                return "".join(out)
        except Exception as exc:  # noqa: BLE001 - helpers and the sandbox raise many kinds
            raise TemplateError(_describe(exc), _template_line(exc.__traceback__)) \
                from None


def _describe(exc: BaseException) -> str:
    name = type(exc).__name__
    text = str(exc) or name
    if name in ("UndefinedError", "SecurityError", "HelperError", "TemplateRuntimeError"):
        return text
    return f"{name}: {text}"


def _template_line(tb: TracebackType | None) -> int | None:
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def needs_rendering(text: str) -> bool:
    """Only text with template markup is compiled or rendered (the cheap path for the rest)."""
    return "{{" in text or "{%" in text


@lru_cache(maxsize=4096)
def compile_template(source: str) -> CompiledTemplate:
    """Compile Jinja2 (or translated Handlebars); TemplateError when neither reads it."""
    env = environment()
    if is_handlebars(source):
        try:
            return _compile(env, source, "handlebars", translate(source))
        except HandlebarsError as exc:
            raise TemplateError(exc.message, exc.line) from None
    try:
        return _compile(env, source, "jinja", source)
    except TemplateError as jinja_error:
        if has_jinja_blocks(source):
            raise
        try:  # not Jinja2; perhaps Handlebars after all
            return _compile(env, source, "handlebars", translate(source))
        except HandlebarsError as exc:
            if exc.message.startswith("unknown helper"):  # `{{ random 'Name.first' }}`
                raise TemplateError(exc.message, exc.line) from None
            raise jinja_error from None
        except TemplateError:
            raise jinja_error from None


def _compile(env: ImmutableSandboxedEnvironment, source: str, language: str,
             jinja_source: str) -> CompiledTemplate:
    try:
        tree = env.parse(jinja_source)
        for node in tree.find_all(_REFUSED_TAGS):
            raise TemplateError(f"{type(node).__name__.lower()} is not allowed in a stub "
                                  "template", node.lineno)
        for loop in tree.find_all(nodes.For):  # every iteration is charged to the budget
            loop.iter = nodes.Filter(loop.iter, _COUNTED, [], [], None, None,
                                     lineno=loop.iter.lineno)
        template = env.from_string(tree)
    except TemplateSyntaxError as exc:
        raise TemplateError(exc.message or "syntax error", exc.lineno) from None
    return CompiledTemplate(source, language, jinja_source, template)


# --- translated Handlebars' own helpers ------------------------------------------------------


def _scope(obj: Any, key: str, fallback: Any) -> Any:
    """A bare name inside `#each`/`#with`: the item's field if it has one, else the outer value."""
    if key.startswith("_"):
        return fallback
    if isinstance(obj, dict):
        return obj[key] if key in obj else fallback
    if isinstance(obj, (Params, RequestModel, PathValue)):
        try:
            return obj[key]
        except (KeyError, IndexError):
            return fallback
    return fallback


def _each(value: Any) -> list[tuple[Any, Any]]:
    if value is None or isinstance(value, ChainableUndefined):
        return []
    if isinstance(value, dict):
        return list(value.items())
    if isinstance(value, Params):
        return [(k, value[k]) for k in value]
    if isinstance(value, (list, tuple, MultiValue, PathValue, range)):
        return list(enumerate(value))
    return [(0, value)] if truthy(value) else []


def _section(value: Any) -> list[Any]:
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value] if truthy(value) else []


class Templating:
    """What one server renders with: helpers bound to its random source and clock, and whether
    every stub is a template (`--global-response-templating`) or only those that opt in."""

    def __init__(self, rng: random.Random, clock: Clock = utc_now, *,
                 everywhere: bool = False) -> None:
        self.everywhere = everywhere
        table = helper_table(rng, clock)
        internal: dict[str, Callable[..., Any]] = {
            "scope": _scope, "each": _each, "section": _section, "truthy": truthy}
        self._base: dict[str, Any] = {
            **jinja_globals(table),
            "_hb": HelperTable({**table, **wiremock_helpers.OVERRIDES, **internal}),
        }

    def applies_to(self, response: ResponseDefinition) -> bool:
        return is_template(response, everywhere=self.everywhere)

    def variables(self, request: RequestModel, parameters: Mapping[str, Any]) -> dict[str, Any]:
        return {**self._base, "request": request, "parameters": dict(parameters)}
