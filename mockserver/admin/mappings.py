"""`/__admin/mappings`: create, read, edit, delete, import, save, metadata search."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from mockserver.admin.http import (
    AdminRouter,
    empty_json,
    empty_ok,
    json_response,
    not_found,
    path_uuid,
    query_int,
    read_json,
    state_of,
)
from mockserver.errors import AdminError
from mockserver.matchers import parse_string_matcher
from mockserver.model import StubMapping
from mockserver.serve.scope import Scope
from mockserver.stubs import parse_stub, request_pattern_json, stub_to_json


def _listing(stubs: list[StubMapping], total: int | None = None) -> dict[str, Any]:
    return {"mappings": [stub_to_json(s) for s in stubs],
            "meta": {"total": len(stubs) if total is None else total}}


async def list_mappings(request: web.Request) -> web.Response:
    stubs = state_of(request).registry.all()
    offset = query_int(request, "offset") or 0
    limit = query_int(request, "limit")
    page = stubs[offset:] if limit is None else stubs[offset : offset + limit]
    return json_response(_listing(page, len(stubs)))


async def create_mapping(request: web.Request) -> web.Response:
    stub = parse_stub(await read_json(request))
    stub = state_of(request).stubs.add(stub)
    return json_response(stub_to_json(stub), 201)


async def get_mapping(request: web.Request) -> web.Response:
    stub = state_of(request).registry.get(path_uuid(request))
    return not_found() if stub is None else json_response(stub_to_json(stub))


async def edit_mapping(request: web.Request) -> web.Response:
    stub_id = path_uuid(request)
    state = state_of(request)
    if stub_id not in state.registry:
        return not_found()
    data = await read_json(request)
    if isinstance(data, dict):
        data = {k: v for k, v in data.items() if k not in ("id", "uuid")}
    stub = parse_stub(data).with_changes(id=stub_id)
    return json_response(stub_to_json(state.stubs.edit(stub)))


async def legacy_edit_mapping(request: web.Request) -> web.Response:
    """WireMock 2's `POST /__admin/mappings/edit`: the id travels in the body."""
    stub = parse_stub(await read_json(request))
    state = state_of(request)
    if stub.id not in state.registry:
        return not_found()
    state.stubs.edit(stub)
    return web.Response(status=204)


async def delete_mapping(request: web.Request) -> web.Response:
    removed = state_of(request).stubs.remove(path_uuid(request))
    return not_found() if removed is None else empty_json()


async def delete_all_mappings(request: web.Request) -> web.Response:
    state_of(request).stubs.remove_all()
    return empty_json()


async def reset_mappings(request: web.Request) -> web.Response:
    state_of(request).reset()
    return empty_ok()


async def save_mappings(request: web.Request) -> web.Response:
    state_of(request).stubs.save_all()
    return empty_ok()


async def import_mappings(request: web.Request) -> web.Response:
    data = await read_json(request)
    if not isinstance(data, dict) or not isinstance(data.get("mappings"), list):
        raise AdminError(422, "Error parsing JSON", pointer="/mappings",
                         detail="expected {\"mappings\": [...]}")
    options = data.get("importOptions") or {}
    if not isinstance(options, dict):
        raise AdminError(422, "Error parsing JSON", pointer="/importOptions",
                         detail="expected an object")
    for key in options:  # WireMock's import options refuse what they do not know
        if key not in ("duplicatePolicy", "deleteAllNotInImport"):
            raise AdminError(422, "Error parsing JSON", pointer=f"/importOptions/{key}",
                             detail=f"unknown field {key!r} (expected one of: "
                             "deleteAllNotInImport, duplicatePolicy)")
    policy = str(options.get("duplicatePolicy") or "OVERWRITE").upper()
    if policy not in ("OVERWRITE", "IGNORE"):
        raise AdminError(422, "Error parsing JSON", pointer="/importOptions/duplicatePolicy",
                         detail="expected OVERWRITE or IGNORE")
    stubs = [parse_stub(item, path=("mappings", i)) for i, item in enumerate(data["mappings"])]
    state = state_of(request)
    for stub in reversed(stubs):  # the first of the list ends up with the highest precedence
        if stub.id in state.registry:
            if policy == "OVERWRITE":
                state.stubs.edit(stub)
        else:
            state.stubs.add(stub)
    if options.get("deleteAllNotInImport"):
        keep = {stub.id for stub in stubs}
        for stub in state.registry.all():
            if stub.id not in keep:
                state.stubs.remove(stub.id)
    return empty_ok()


def _metadata_text(stub: StubMapping) -> str:
    return "null" if stub.metadata is None else json.dumps(stub.metadata)


def stubs_by_metadata(state: Scope, data: Any) -> list[StubMapping]:
    matcher = parse_string_matcher(data)
    return [s for s in state.registry.all() if matcher.match(_metadata_text(s)).matched]


async def find_by_metadata(request: web.Request) -> web.Response:
    found = stubs_by_metadata(state_of(request), await read_json(request))
    return json_response(_listing(found))


async def remove_by_metadata(request: web.Request) -> web.Response:
    state = state_of(request)
    for stub in stubs_by_metadata(state, await read_json(request)):
        state.stubs.remove(stub.id)
    return empty_json()


async def remove_mappings(request: web.Request) -> web.Response:
    """Remove by id when the body names a known id, else every stub with an equal pattern."""
    data = await read_json(request)
    state = state_of(request)
    stub = parse_stub(data)
    named = isinstance(data, dict) and (data.get("id") or data.get("uuid"))
    if named and stub.id in state.registry:
        state.stubs.remove(stub.id)
        return empty_ok()
    pattern = request_pattern_json(stub.request)
    for existing in state.registry.all():
        if request_pattern_json(existing.request) == pattern:
            state.stubs.remove(existing.id)
    return empty_ok()


def _unmatched_stubs(state: Scope) -> list[StubMapping]:
    served = {e.stub.id for e in state.journal.oldest_first() if e.stub is not None}
    return [s for s in state.registry.all() if s.id not in served]


async def list_unmatched_mappings(request: web.Request) -> web.Response:
    return json_response(_listing(_unmatched_stubs(state_of(request))))


async def delete_unmatched_mappings(request: web.Request) -> web.Response:
    state = state_of(request)
    for stub in _unmatched_stubs(state):
        state.stubs.remove(stub.id)
    return empty_json()


def add_routes(router: AdminRouter) -> None:
    a = "/__admin"
    router.add_get(f"{a}/", list_mappings)
    router.add_get(f"{a}/mappings", list_mappings)
    router.add_post(f"{a}/mappings", create_mapping)
    router.add_post(f"{a}/mappings/new", create_mapping)
    router.add_delete(f"{a}/mappings", delete_all_mappings)
    router.add_post(f"{a}/mappings/edit", legacy_edit_mapping)
    router.add_post(f"{a}/mappings/save", save_mappings)
    router.add_post(f"{a}/mappings/reset", reset_mappings)
    router.add_post(f"{a}/mappings/import", import_mappings)
    router.add_post(f"{a}/mappings/remove", remove_mappings)
    router.add_post(f"{a}/mappings/find-by-metadata", find_by_metadata)
    router.add_post(f"{a}/mappings/remove-by-metadata", remove_by_metadata)
    router.add_get(f"{a}/mappings/unmatched", list_unmatched_mappings)
    router.add_delete(f"{a}/mappings/unmatched", delete_unmatched_mappings)
    router.add_get(f"{a}/mappings/{{id}}", get_mapping)
    router.add_put(f"{a}/mappings/{{id}}", edit_mapping)
    router.add_delete(f"{a}/mappings/{{id}}", delete_mapping)
