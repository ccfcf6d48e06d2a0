"""`RemoteMockServer`: the `MockServer` methods for a server running elsewhere, over its
admin API, usually inside a namespace of its own.

    with MockServer.connect("http://mocks:8080", namespace="run-42") as server:
        server.on("GET", "/ping").reply(200, body="pong")
        urllib.request.urlopen(f"{server.url}/ping")     # http://mocks:8080/__ns/run-42/ping
        server.verify({"url": "/ping"}, count=1)

Writes are admin calls; reads fetch the namespace's stubs and journal and rebuild them here
(`Request`, `ServeEvent`, `StubMapping`), so verification, unmatched reports and
`JournalledRequest` are the very code the in-process `MockServer` runs. Leaving the `with`
block deletes the namespace. `reply_with` (a Python callable as the response) needs the
server in this process, so it is refused here.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Mapping
from types import TracebackType
from typing import Any

from mockserver.api.builder import StubBuilder
from mockserver.api.inputs import Pattern, parse_pattern, parse_stubs
from mockserver.api.journalled import JournalledRequest
from mockserver.api.verification import (
    UnmatchedRequestError,
    failure_text,
    unmatched_text,
    unused_text,
)
from mockserver.errors import MockServerError, StubError
from mockserver.exchange import Request
from mockserver.journal import Journal, ServeEvent
from mockserver.model import StubMapping
from mockserver.stubs import parse_stub, stub_to_json

TIMEOUT = 30.0


class RemoteAdminError(MockServerError):
    """The remote server refused an admin call; the message carries its answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class RemoteMockServer:
    """A namespace (or, with `namespace=None`, the default scope) of a running server."""

    def __init__(self, url: str, namespace: str | None = None, *, owned: bool = False,
                 authorization: str | None = None) -> None:
        self.server_url = url.rstrip("/")
        self.namespace = namespace
        self._owned = owned  # made for this object: deleted by close()
        self._authorization = authorization  # the `Authorization` a locked admin API wants

    @classmethod
    def fresh(cls, url: str, prefix: str = "test", *,
              authorization: str | None = None) -> RemoteMockServer:
        """A new, uniquely named namespace on the server at `url`, deleted by `close()`."""
        return cls(url, f"{prefix}-{uuid.uuid4().hex[:16]}", owned=True,
                   authorization=authorization)

    # -- where it is --------------------------------------------------------------------
    @property
    def url(self) -> str:
        """Where stub traffic goes: the server's URL plus `/__ns/{namespace}`."""
        if self.namespace is None:
            return self.server_url
        return f"{self.server_url}/__ns/{self.namespace}"

    def close(self) -> None:
        """Delete the namespace if this object made it (a test's own leaves nothing behind)."""
        if self._owned and self.namespace is not None:
            try:
                self._admin("DELETE", f"/__admin/namespaces/{self.namespace}", scoped=False)
            except RemoteAdminError as exc:
                if exc.status != 404:  # already expired or deleted: nothing to do
                    raise

    def __enter__(self) -> RemoteMockServer:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def _admin(self, method: str, path: str, body: Any = None, *, scoped: bool = True) -> Any:
        base = self.url if scoped else self.server_url
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(base + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if self._authorization is not None:
            request.add_header("Authorization", self._authorization)
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            text = exc.read().decode("utf-8", "replace")
            raise RemoteAdminError(exc.code, f"{method} {base + path}: {exc.code} {text}"
                                   ) from exc
        return json.loads(raw) if raw.strip() else None

    # -- stubs ------------------------------------------------------------------------
    def stub(self, mapping: Pattern) -> str:
        """Add one stub (a WireMock-schema dict, or its YAML/JSON text); returns its id."""
        stubs = parse_stubs(mapping)
        if len(stubs) != 1:
            raise StubError((), f"expected one stub mapping, got {len(stubs)}: use stubs() "
                                "to add several at once")
        return self._add(stubs[0])

    def stubs(self, mappings: str | list[Mapping[str, Any]]) -> list[str]:
        """Add several stubs (YAML/JSON text of a stub file, or a list of dicts); their ids."""
        parsed = [s for m in mappings for s in parse_stubs(m)] if isinstance(
            mappings, list) else parse_stubs(mappings)
        return [self._add(stub) for stub in parsed]

    def _add(self, stub: StubMapping) -> str:
        added = self._admin("POST", "/__admin/mappings", stub_to_json(stub))
        return str(added["id"])

    def on(
        self, method: str, path: str, *, query: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None, json: Any = None, body: str | None = None,
        url_key: str = "urlPath", name: str | None = None, priority: int | None = None,
    ) -> StubBuilder:
        """Start a stub, as `MockServer.on` does."""
        return StubBuilder(self, method, path, query=query, headers=headers, json=json,
                           body=body, url_key=url_key, name=name, priority=priority)

    def _responder(self) -> Any:
        raise RuntimeError("reply_with needs the server in this process: use MockServer() "
                           "rather than MockServer.connect()")

    def remove(self, stub_id: str) -> None:
        """Remove one stub; `KeyError` when there is no stub with that id."""
        try:
            self._admin("DELETE", f"/__admin/mappings/{urllib.parse.quote(stub_id)}")
        except RemoteAdminError as exc:
            if exc.status == 404:
                raise KeyError(f"no stub with id {stub_id}") from exc
            raise

    def _mappings(self) -> list[StubMapping]:
        return [_stub(item) for item in self._admin("GET", "/__admin/mappings")["mappings"]]

    def stub_ids(self) -> list[str]:
        """Ids of the namespace's own stubs, in matching order (not the shared default ones)."""
        return [str(item["id"]) for item in self._admin("GET", "/__admin/mappings")["mappings"]]

    # -- scenarios ----------------------------------------------------------------------
    def scenario_state(self, name: str) -> str | None:
        """The scenario's current state as this namespace sees it, or None when unknown."""
        for item in self._admin("GET", "/__admin/scenarios")["scenarios"]:
            if item["name"] == name:
                return str(item["state"])
        return None

    def set_scenario_state(self, name: str, state: str) -> None:
        if self.scenario_state(name) is None:
            raise KeyError(f"no scenario named {name!r}")
        self._admin("PUT", f"/__admin/scenarios/{urllib.parse.quote(name)}/state",
                    {"state": state})

    def reset_scenarios(self, name: str | None = None) -> None:
        if name is None:
            self._admin("POST", "/__admin/scenarios/reset")
        else:
            self._admin("POST", f"/__admin/scenarios/{urllib.parse.quote(name)}/reset")

    # -- journal and verification -------------------------------------------------------
    def _journal(self) -> Journal:
        """The namespace's journal, rebuilt here oldest first."""
        journal = Journal(None)
        for item in reversed(self._admin("GET", "/__admin/requests")["requests"]):
            journal.add(_event(item))
        return journal

    def requests(self, pattern: Pattern | None = None) -> list[JournalledRequest]:
        """Journalled requests, oldest first; only those matching `pattern` when given."""
        journal = self._journal()
        if pattern is None:
            return [JournalledRequest(e) for e in journal.oldest_first()]
        return [JournalledRequest(e) for e in journal.matching(parse_pattern(pattern))]

    def calls(self, stub_id: str) -> list[JournalledRequest]:
        return [r for r in self.requests() if r.stub_id == stub_id]

    def unmatched(self) -> list[JournalledRequest]:
        return [r for r in self.requests() if not r.matched]

    def unused_stubs(self) -> list[StubMapping]:
        """The namespace's stubs that no journalled request matched."""
        used = {e.stub.id for e in self._journal().oldest_first() if e.stub is not None}
        return [s for s in self._mappings() if s.id not in used]

    def assert_no_unmatched(self) -> None:
        __tracebackhide__ = True
        text = unmatched_text(self._journal())
        if text:
            raise UnmatchedRequestError(text)

    def assert_all_used(self) -> None:
        __tracebackhide__ = True
        unused = self.unused_stubs()
        if unused:
            raise AssertionError(unused_text(unused))

    def verify(self, pattern: Pattern, count: int | None = None) -> int:
        """As `MockServer.verify`: the count found, or `AssertionError` saying what differed."""
        __tracebackhide__ = True
        compiled = parse_pattern(pattern)
        journal = self._journal()
        text = failure_text(journal, pattern, compiled, count)
        if text is None:
            return len(journal.matching(compiled))
        raise AssertionError(text)

    def reset(self) -> None:
        """WireMock's reset of this namespace: its stubs, journal and scenario states."""
        self._admin("POST", "/__admin/reset")


def _stub(item: dict[str, Any]) -> StubMapping:
    return parse_stub(item)


def _headers(raw: dict[str, Any]) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for name, value in raw.items():
        for one in value if isinstance(value, list) else [value]:
            pairs.append((name, str(one)))
    return pairs


def _event(item: dict[str, Any]) -> ServeEvent:
    """A journal entry of `GET /__admin/requests` as the `ServeEvent` it was made from."""
    logged = item["request"]
    request = Request(
        method=logged["method"], url=logged["url"], headers=_headers(logged.get("headers", {})),
        body=base64.b64decode(logged.get("bodyAsBase64") or ""),
        client_ip=logged.get("clientIp", ""), scheme=logged.get("scheme", "http"),
        host=logged.get("host", ""), port=int(logged.get("port") or 0),
        logged_date=logged.get("loggedDate", 0) / 1000,
    )
    request.__dict__["id"] = item["id"]
    stub = None
    if item.get("wasMatched") and isinstance(item.get("stubMapping"), dict):
        try:
            stub = _stub(item["stubMapping"])
        except StubError:  # a stub this client cannot compile still has an id and a name
            stub = None
    response = item.get("response", {})
    return ServeEvent(request, stub, int(response.get("status", 0)),
                      _headers(response.get("headers") or {}),
                      sub_events=list(item.get("subEvents") or []))
