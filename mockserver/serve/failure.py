"""A bug while serving a stub: logged with its traceback as `stub_error`, answered as text.

The data plane answers in the stub's world, not in the admin API's: a plain-text 500 naming
the error, never WireMock's admin JSON envelope. The stub route's handler is wrapped (as each
admin handler is, by `admin.http.admin_errors`), so neither side's policy reaches the other.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from mockserver.serve.state import STATE

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def stub_failures(handler: Handler) -> Handler:
    """`handler`, with an unexpected failure logged and answered as a plain-text 500."""

    async def guarded(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except web.HTTPException:
            raise
        except Exception as exc:  # noqa: BLE001 - last line of defence, logged with the trace
            request.app[STATE].log.exception("stub_error", method=request.method,
                                             path=request.path)
            return web.Response(status=500, text=f"{exc.__class__.__name__}: {exc}",
                                content_type="text/plain")

    return guarded
