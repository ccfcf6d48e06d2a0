"""The WireMock-compatible admin API under `/__admin`, one module per resource."""

from __future__ import annotations

from aiohttp import web

from mockserver.admin import (
    certs,
    dashboard,
    mappings,
    namespaces,
    recordings,
    requests,
    scenarios,
    system,
)
from mockserver.admin.access import AdminAccess, admin_access
from mockserver.admin.http import AdminRouter
from mockserver.serve.state import STATE


async def unknown_admin_route(request: web.Request) -> web.Response:
    """WireMock answers an unknown admin path or method with an empty 404."""
    return web.Response(status=404)


def add_admin_routes(app: web.Application) -> None:
    router = AdminRouter(app.router)
    system.add_routes(router)
    mappings.add_routes(router)
    requests.add_routes(router)
    scenarios.add_routes(router)
    recordings.add_routes(router)
    dashboard.add_routes(router)
    namespaces.add_routes(router)
    certs.add_routes(router)
    router.add_route("*", "/__admin/{tail:.*}", unknown_admin_route)
    # the locks run before any admin handler: nothing of /__admin, its errors and unknown
    # routes included, reaches an outsider (requests outside /__admin pass straight through)
    app.middlewares.append(admin_access(AdminAccess.from_options(app[STATE].options)))


__all__ = ["add_admin_routes"]
