"""`/__admin/namespaces`: the namespaces a shared server holds, and removing one."""

from __future__ import annotations

from aiohttp import web

from mockserver.admin.http import AdminRouter, empty_json, json_response, server_of
from mockserver.errors import AdminError
from mockserver.serve.namespaces import check_name


async def list_namespaces(request: web.Request) -> web.Response:
    namespaces = server_of(request).namespaces
    found = await namespaces.summaries()
    return json_response({"namespaces": found,
                          "meta": {"total": len(found), "limit": namespaces.limit,
                                   "ttlSeconds": namespaces.ttl}})


async def delete_namespace(request: web.Request) -> web.Response:
    name = check_name(request.match_info["name"])
    if not await server_of(request).namespaces.delete(name):
        raise AdminError(404, f"no namespace named {name}", code=404)
    return empty_json()


def add_routes(router: AdminRouter) -> None:
    router.add_get("/__admin/namespaces", list_namespaces, scoped=False)
    router.add_delete("/__admin/namespaces/{name}", delete_namespace, scoped=False)
