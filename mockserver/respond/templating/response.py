"""Which parts of a response definition are templates, checking them at load, rendering them.

Templated (as in WireMock): `body`, every header value, the keys and string values inside
`jsonBody` (each rendered on its own, so user data cannot break the JSON), `bodyFileName`
(the name), the body file's content (unless `transformerParameters.disableBodyFileTemplating`)
and `proxyBaseUrl`. Text without `{{`/`{%` is never compiled nor rendered.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mockserver.errors import KeyPath, TemplateError
from mockserver.exchange import Request
from mockserver.model import ResponseDefinition, StubMapping
from mockserver.respond.templating.context import RequestModel
from mockserver.respond.templating.environment import (
    Templating,
    compile_template,
    needs_rendering,
)


def template_fields(response: ResponseDefinition) -> Iterator[tuple[KeyPath, str]]:
    """Every templated string of a response, with its key path inside `response`."""
    if response.body is not None:
        yield ("body",), response.body
    shapes = dict(response.header_shapes)
    seen: dict[str, int] = {}
    for name, value in response.headers:
        index = seen.get(name, 0)
        seen[name] = index + 1
        yield (("headers", name, index) if shapes.get(name) else ("headers", name)), value
    if response.has_json_body:
        yield from _json_strings(response.json_body, ("jsonBody",))
    if response.body_file_name is not None:
        yield ("bodyFileName",), response.body_file_name
    if response.proxy_base_url is not None:
        yield ("proxyBaseUrl",), response.proxy_base_url


def _json_strings(value: Any, path: KeyPath) -> Iterator[tuple[KeyPath, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and needs_rendering(key):
                yield (*path, key), key
            yield from _json_strings(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _json_strings(item, (*path, i))


def check_templates(response: ResponseDefinition) -> tuple[KeyPath, TemplateError] | None:
    """The first template that does not compile (compiling the rest, which caches them)."""
    for path, text in template_fields(response):
        if needs_rendering(text):
            try:
                compile_template(text)
            except TemplateError as problem:
                return path, problem
    return None


class TemplateRun:
    """One response being rendered for one request: the request model is built once."""

    def __init__(self, templating: Templating, stub: StubMapping, request: Request) -> None:
        self._templating = templating
        self._stub = stub
        self._request = request
        self._variables: dict[str, Any] | None = None

    def variables(self) -> dict[str, Any]:
        if self._variables is None:
            url = self._stub.request.url
            named = url.path_parameters(self._request.path) if url is not None else {}
            model = RequestModel(self._request, named)
            self._variables = self._templating.variables(
                model, self._stub.response.transformer_parameters)
        return self._variables

    def text(self, text: str, where: str) -> str:
        """`text` rendered; TemplateError names `where` (e.g. `response.body`)."""
        if not needs_rendering(text):
            return text
        try:
            return compile_template(text).render(self.variables())
        except TemplateError as problem:  # a render failure, or text not checked at load
            raise TemplateError(f"{where}: {problem}") from None

    def json(self, value: Any, where: str = "response.jsonBody") -> Any:
        if isinstance(value, str):
            return self.text(value, where)
        if isinstance(value, dict):
            return {self.text(k, where) if isinstance(k, str) else k: self.json(v, f"{where}.{k}")
                    for k, v in value.items()}
        if isinstance(value, list):
            return [self.json(v, f"{where}[{i}]") for i, v in enumerate(value)]
        return value
