"""`server.on("GET", "/users/1").reply(200, json={...})`: a stub in one line of Python.

The builder only writes the WireMock mapping a YAML file would hold (`mapping()` shows it),
so everything a stub file can say, a test can say, and a stub built here behaves exactly like
one loaded from disk.
"""

from __future__ import annotations

import json as jsonlib
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mockserver.api import MockServer
    from mockserver.api.remote import RemoteMockServer
    from mockserver.api.responder import Responder

__all__ = ["StubBuilder"]

_URL_KEYS = ("url", "urlPath", "urlPattern", "urlPathPattern", "urlPathTemplate")


class StubBuilder:
    """A request to match, waiting for its answer (`reply`, `reply_json`, `reply_with`)."""

    def __init__(
        self,
        server: MockServer | RemoteMockServer,
        method: str,
        path: str,
        *,
        query: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        json: Any = None,
        body: str | None = None,
        url_key: str = "urlPath",
        name: str | None = None,
        priority: int | None = None,
    ) -> None:
        if url_key not in _URL_KEYS:
            raise ValueError(f"url_key must be one of {', '.join(_URL_KEYS)}, got {url_key!r}")
        self._server = server
        request: dict[str, Any] = {"method": method.upper(), url_key: path}
        if query:
            request["queryParameters"] = {k: {"equalTo": v} for k, v in query.items()}
        if headers:
            request["headers"] = {k: {"equalTo": v} for k, v in headers.items()}
        body_patterns: list[dict[str, Any]] = []
        if json is not None:
            body_patterns.append({"equalToJson": json})
        if body is not None:
            body_patterns.append({"equalTo": body})
        if body_patterns:
            request["bodyPatterns"] = body_patterns
        self._mapping: dict[str, Any] = {"request": request}
        if name is not None:
            self._mapping["name"] = name
        if priority is not None:
            self._mapping["priority"] = priority

    def in_scenario(
        self, scenario: str, *, when: str | None = None, then: str | None = None
    ) -> StubBuilder:
        """Only in scenario state `when` (default any); move the scenario to `then` after."""
        self._mapping["scenarioName"] = scenario
        if when is not None:
            self._mapping["requiredScenarioState"] = when
        if then is not None:
            self._mapping["newScenarioState"] = then
        return self

    def mapping(self, response: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The WireMock mapping this builder stands for (with `response` when given)."""
        out: dict[str, Any] = jsonlib.loads(jsonlib.dumps(self._mapping))
        if response is not None:
            out["response"] = dict(response)
        return out

    def reply(
        self,
        status: int = 200,
        *,
        json: Any = None,
        body: str | bytes | None = None,
        headers: Mapping[str, str] | None = None,
        delay_ms: int | None = None,
        template: bool = False,
    ) -> str:
        """Answer with this status, body and headers; returns the new stub's id."""
        response: dict[str, Any] = {"status": status}
        out_headers = dict(headers or {})
        if json is not None:
            response["jsonBody"] = json
            if not any(k.lower() == "content-type" for k in out_headers):
                out_headers["Content-Type"] = "application/json"
        if isinstance(body, bytes):
            import base64

            response["base64Body"] = base64.b64encode(body).decode("ascii")
        elif body is not None:
            response["body"] = body
        if out_headers:
            response["headers"] = out_headers
        if delay_ms is not None:
            response["fixedDelayMilliseconds"] = delay_ms
        if template:
            response["transformers"] = ["response-template"]
        return self._server.stub(self.mapping(response))

    def reply_json(self, json: Any, status: int = 200, **options: Any) -> str:
        """`reply(status, json=json)`, for readers of pytest-httpserver's `respond_with_json`."""
        return self.reply(status, json=json, **options)

    def reply_with(self, responder: Callable[..., Any]) -> str:
        """Answer with whatever `responder(request)` returns (see `MockServer.on`)."""
        answer: Responder = self._server._responder()
        return self._server.stub(answer.mapping_for(self.mapping(), responder))
