"""`/__admin` system routes: reset, settings, health, version, shutdown, and `__files`."""

from __future__ import annotations

import asyncio
import base64
import os
from datetime import datetime, timezone
from typing import Any

from aiohttp import web

from mockserver.admin.http import (
    AdminRouter,
    empty_json,
    empty_ok,
    json_response,
    read_json,
    server_of,
    state_of,
)
from mockserver.errors import AdminError
from mockserver.respond.rendering import RenderError, resolve_body_file
from mockserver.stubs.persistence import atomic_write
from mockserver.stubs.settings import parse_settings
from mockserver.version import __version__


async def reset_all(request: web.Request) -> web.Response:
    state_of(request).reset()
    return empty_ok()


async def get_settings(request: web.Request) -> web.Response:
    return json_response({"settings": state_of(request).settings.to_json()})


async def put_settings(request: web.Request) -> web.Response:
    state_of(request).update_settings(parse_settings(await read_json(request)))
    return empty_ok()


async def patch_extended_settings(request: web.Request) -> web.Response:
    data = await read_json(request)
    extended = data.get("extended") if isinstance(data, dict) else None
    for key in data if isinstance(data, dict) else ():  # as WireMock's wrapper model
        if key != "extended":
            raise AdminError(422, "Error parsing JSON", pointer=f"/{key}",
                             detail=f"unknown field {key!r} (expected: extended)")
    if not isinstance(extended, dict):
        raise AdminError(422, "Error parsing JSON", pointer="/extended",
                         detail="expected {\"extended\": {...}}")
    state = state_of(request)
    settings = state.settings
    settings.extended = {**(settings.extended or {}), **extended}
    state.update_settings(settings)
    return empty_json()


async def health(request: web.Request) -> web.Response:
    state = server_of(request)
    now = datetime.now(timezone.utc)
    response = json_response({
        "status": "healthy",
        "message": "Wiremock is ok",
        "version": __version__,
        "uptimeInSeconds": int(now.timestamp() - state.runtime.started_at),
        "timestamp": now.isoformat().replace("+00:00", "Z"),
    })
    if state.shared is not None:  # WireMock's body stays as it is: strict clients parse it
        available = "available" if state.shared.available else "unavailable"
        response.headers[STORE_HEADER] = f"redis; {available}"
    return response


STORE_HEADER = "X-Mockserver-Store"


async def store_status(request: web.Request) -> web.Response:
    """mockserver's own: the shared store as this replica sees it (`memory` without one)."""
    shared = server_of(request).shared
    if shared is None:
        return json_response({"type": "memory", "available": True})
    return json_response(shared.status())


async def version(request: web.Request) -> web.Response:
    if "text/plain" in request.headers.get("Accept", ""):
        return web.Response(text=__version__, content_type="text/plain")
    return json_response({"version": __version__})


async def shutdown(request: web.Request) -> web.Response:
    if state_of(request).namespace is not None:
        raise AdminError(403, "a namespace cannot shut down the server it shares",
                         detail="POST /__admin/shutdown without a namespace stops the server")
    shutdown = server_of(request).runtime.shutdown
    if shutdown is not None:
        asyncio.get_running_loop().call_later(0.05, shutdown.set)
    return empty_ok()


async def redirect_root(request: web.Request) -> web.Response:
    raise web.HTTPFound("/__admin/")


def _file_path(request: web.Request) -> Any:
    """The file under `__files` the path names; never the folder itself nor outside it."""
    name = request.match_info["path"]
    try:
        path = resolve_body_file(state_of(request).options.files_dir, name)
    except RenderError as exc:
        raise AdminError(400, f"{name} is outside the __files folder") from exc
    if path.is_dir():
        raise AdminError(400, f"{name} is a folder, not a file")
    return path


async def list_files(request: web.Request) -> web.Response:
    root = state_of(request).options.files_dir
    found: list[str] = []
    if root.is_dir():
        for dirpath, _, filenames in os.walk(root):
            for name in filenames:
                relative = os.path.relpath(os.path.join(dirpath, name), root)
                found.append(relative.replace(os.sep, "/"))
    return json_response(sorted(found))


async def get_file(request: web.Request) -> web.Response:
    path = _file_path(request)
    if not path.is_file():
        return web.Response(status=404)
    return web.Response(body=path.read_bytes())


async def put_file(request: web.Request) -> web.Response:
    path = _file_path(request)
    data = await request.read()
    atomic_write(path, data)
    return json_response(base64.b64encode(data).decode("ascii"))


async def delete_file(request: web.Request) -> web.Response:
    path = _file_path(request)
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    return empty_ok()


def add_routes(router: AdminRouter) -> None:
    a = "/__admin"
    router.add_get(a, redirect_root)
    router.add_post(f"{a}/reset", reset_all)
    router.add_get(f"{a}/settings", get_settings)
    router.add_post(f"{a}/settings", put_settings)
    router.add_put(f"{a}/settings", put_settings)
    router.add_patch(f"{a}/settings/extended", patch_extended_settings)
    router.add_get(f"{a}/health", health)
    router.add_get(f"{a}/store", store_status)
    router.add_get(f"{a}/version", version)
    router.add_post(f"{a}/shutdown", shutdown)
    router.add_get(f"{a}/files", list_files)
    router.add_get(f"{a}/files/{{path:.+}}", get_file)
    router.add_put(f"{a}/files/{{path:.+}}", put_file)
    router.add_delete(f"{a}/files/{{path:.+}}", delete_file)
