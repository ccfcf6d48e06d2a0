"""Admin request parsing and WireMock-shaped responses (pretty JSON, error envelopes).

The only place domain errors become HTTP: `admin_errors` wraps every admin handler (and only
those: a failure while serving a stub is the data plane's, see `DataPlane.failed`).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar

from aiohttp import web
from structlog.contextvars import bind_contextvars

from mockserver.compat import timedregex
from mockserver.errors import (
    AdminError,
    BodyTooLarge,
    DuplicateStubError,
    MockServerError,
    NotRecordingError,
    ReadOnlyStubError,
    StubError,
    UnknownStubError,
    json_pointer,
)
from mockserver.exchange import decode_content
from mockserver.serve.namespaces import HEADER as NAMESPACE_HEADER
from mockserver.serve.scope import Scope
from mockserver.serve.state import STATE, ServerState
from mockserver.stubs import parse_uuid

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
T = TypeVar("T")


def pretty_json(data: Any, level: int = 0) -> str:
    """WireMock's layout (Jackson's pretty printer); `level` indents a nested piece."""
    text = json.dumps(data, indent=2, ensure_ascii=False, separators=(",", " : "))
    return text.replace("\n", "\n" + "  " * level) if level else text


async def stream_json_list(request: web.Request, key: str, items: Sequence[T],
                           render: Callable[[T], Any], tail: Mapping[str, Any],
                           headers: Mapping[str, str] | None = None) -> web.StreamResponse:
    """`{key: [render(item), ...], **tail}` in WireMock's layout (the same bytes as
    `json_response`), written one item at a time: a journal of large bodies never becomes
    one giant string, and the loop serves other requests between items."""
    reply = web.StreamResponse(headers={"Content-Type": "application/json", "Vary": "Origin",
                                        **(headers or {})})
    await reply.prepare(request)
    await reply.write(f'{{\n  {json.dumps(key)} : ['.encode())
    for index, item in enumerate(items):
        piece = pretty_json(render(item), level=2)
        await reply.write((",\n    " if index else "\n    ").encode() + piece.encode("utf-8"))
        await asyncio.sleep(0)  # a fair share of the loop per item, even on a fast socket
    out = "\n  ]" if items else "]"
    for name, value in tail.items():
        out += f",\n  {json.dumps(name)} : {pretty_json(value, level=1)}"
    await reply.write((out + "\n}").encode("utf-8"))
    await reply.write_eof()
    return reply


def json_response(data: Any, status: int = 200) -> web.Response:
    text = pretty_json(data)
    return web.Response(
        status=status, body=text.encode("utf-8"),
        headers={"Content-Type": "application/json", "Vary": "Origin"},
    )


def empty_json() -> web.Response:
    return json_response({})


def empty_ok() -> web.Response:
    return web.Response(status=200, headers={"Vary": "Origin"})


def not_found() -> web.Response:
    return web.Response(status=404)


def error_response(error: AdminError) -> web.Response:
    item: dict[str, Any] = {"code": error.code}
    if error.pointer is not None:
        item["source"] = {"pointer": error.pointer}
    item["title"] = error.title
    if error.detail is not None:
        item["detail"] = error.detail
    return json_response({"errors": [item]}, error.status)


def stub_error(error: StubError, prefix: tuple[str | int, ...] = ()) -> AdminError:
    """A stub validation error as WireMock's 422 envelope, naming the JSON pointer."""
    path = (*prefix, *error.path)
    return AdminError(422, "Error parsing JSON", pointer=json_pointer(path), detail=error.message)


try:  # the request's scope, set by `admin_errors`
    SCOPE: Any = web.RequestKey("mockserver_scope", Scope)
except AttributeError:  # aiohttp < 3.13 has no RequestKey, and takes string keys without a warning
    SCOPE = "mockserver_scope"
NAMESPACE_PARAM = "mockserver_namespace"  # the `{name}` of `/__ns/{name}/__admin/...`


def state_of(request: web.Request) -> Scope:
    """The scope an admin request acts on: its namespace's, else the server's default."""
    scope: Scope | None = request.get(SCOPE)
    return request.app[STATE] if scope is None else scope


def server_of(request: web.Request) -> ServerState:
    """The whole server (namespace listing, shutdown), whatever scope the request is in."""
    return request.app[STATE]


def _reads_journal(path: str) -> bool:
    """Verification and journal listings (and the journal's reset), which with replicas
    must cover every request answered before they were asked."""
    return "/__admin/requests" in path or path.endswith("/__admin/near-misses/request-pattern")


def _select_scope(request: web.Request) -> None:
    """`/__ns/{name}/__admin/...` or `X-Mock-Namespace` picks a namespace (made on first use)."""
    name = request.match_info.get(NAMESPACE_PARAM) or request.headers.get(NAMESPACE_HEADER)
    if name:
        request[SCOPE] = request.app[STATE].namespaces.get(name)


async def read_json(request: web.Request, *, allow_empty: bool = False) -> Any:
    raw = await request.read()  # within client_max_size (--max-request-body), as sent
    encoding = request.headers.get("Content-Encoding")
    if raw and encoding:
        try:
            raw = decode_content(raw, encoding, state_of(request).options.max_request_body,
                                 strict=True) or raw
        except BodyTooLarge as exc:
            raise AdminError(413, str(exc)) from None
    if not raw.strip():
        if allow_empty:
            return None
        raise AdminError(422, "Error parsing JSON", detail="the request body is empty")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        from mockserver.stubs.files import strip_json_comments

        try:
            return json.loads(strip_json_comments(raw.decode("utf-8", "replace")))
        except ValueError as exc:
            raise AdminError(422, "Error parsing JSON", detail=f"invalid JSON: {exc}") from exc


def path_uuid(request: web.Request, name: str = "id") -> str:
    raw = request.match_info[name]
    try:
        return parse_uuid(raw, ())
    except StubError as exc:
        raise AdminError(400, f"{raw} is not a valid UUID") from exc


def query_int(request: web.Request, name: str) -> int | None:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
    except ValueError as exc:
        raise AdminError(400, f"{name} must be a whole number, got {raw!r}",
                         pointer=name) from exc
    if value < 0:
        raise AdminError(400, f"{name} must not be negative", pointer=name)
    return value


def error_answer(error: MockServerError) -> web.Response | None:
    """WireMock's answer to a refused admin request, or None for an error that is a bug."""
    if isinstance(error, AdminError):
        return error_response(error)
    if isinstance(error, StubError):
        return error_response(stub_error(error))
    if isinstance(error, DuplicateStubError):
        return error_response(AdminError(422, "Duplicate stub mapping ID", code=109))
    if isinstance(error, UnknownStubError):
        return not_found()
    if isinstance(error, ReadOnlyStubError):
        return error_response(AdminError(409, str(error)))
    if isinstance(error, NotRecordingError):
        return error_response(AdminError(400, str(error), code=30))
    return None


def admin_errors(handler: Handler) -> Handler:
    """`handler` answering every failure as WireMock's JSON error; nothing a client sends
    crashes the server. Each admin request gets a `request_id` on its log events."""

    async def guarded(request: web.Request) -> web.StreamResponse:
        bind_contextvars(request_id=str(uuid.uuid4()))  # aiohttp runs each request in a task
        try:
            _select_scope(request)
            scope = state_of(request)
            shared = scope.shared  # the default scope's or the namespace's replica
            with timedregex.request_budget():  # a verification may meet thousands of matches
                if shared is None:
                    return await handler(request)
                if _reads_journal(request.path):
                    await scope.settle()  # every request answered anywhere before now
                else:
                    await scope.refresh()  # every replica's journal, the newest stubs
                scope.admit()  # a namespace made here that the store refused (its limit)
                response = await handler(request)
                await shared.drain()  # the change is in the store before the client hears
                return response
        except (web.HTTPException, ConnectionResetError):  # the client left: nothing to answer
            raise
        except MockServerError as exc:
            answer = error_answer(exc)
            if answer is not None:
                return answer
            return _internal_error(request, exc)
        except Exception as exc:  # noqa: BLE001 - last line of defence, logged with the trace
            return _internal_error(request, exc)

    return guarded


def _internal_error(request: web.Request, exc: Exception) -> web.Response:
    state_of(request).log.exception("admin_error", path=request.path)
    # the class only: the message may name server-side paths, which the log has
    return error_response(AdminError(500, f"internal error: {exc.__class__.__name__}"))


class AdminRouter:
    """Registers admin routes on the app's router with every handler under `admin_errors`.

    Each `/__admin/...` route is registered a second time under `/__ns/{name}`, so a
    namespace has the whole admin API (its handlers see the namespace's scope through
    `state_of`); `scoped=False` keeps a server-wide route out of namespaces.
    """

    def __init__(self, router: web.UrlDispatcher) -> None:
        self._router = router

    def _add(self, register: Callable[[str, Handler], Any], path: str, handler: Handler,
             scoped: bool) -> None:
        guarded = admin_errors(handler)
        register(path, guarded)
        if scoped:
            register(NAMESPACED + path, guarded)

    def add_route(self, method: str, path: str, handler: Handler, *,
                  scoped: bool = True) -> None:
        self._add(lambda p, h: self._router.add_route(method, p, h), path, handler, scoped)

    def add_get(self, path: str, handler: Handler, *, scoped: bool = True) -> None:
        self._add(self._router.add_get, path, handler, scoped)  # HEAD too, as aiohttp does

    def add_post(self, path: str, handler: Handler, *, scoped: bool = True) -> None:
        self._add(self._router.add_post, path, handler, scoped)

    def add_put(self, path: str, handler: Handler, *, scoped: bool = True) -> None:
        self._add(self._router.add_put, path, handler, scoped)

    def add_patch(self, path: str, handler: Handler, *, scoped: bool = True) -> None:
        self._add(self._router.add_patch, path, handler, scoped)

    def add_delete(self, path: str, handler: Handler, *, scoped: bool = True) -> None:
        self._add(self._router.add_delete, path, handler, scoped)


NAMESPACED = f"/__ns/{{{NAMESPACE_PARAM}}}"
