"""`/__admin/certs`: the CA of the certificate generated at start, for clients to trust.

Only a certificate made here has a CA to hand out; with the user's own keystore or PEM files
(or without HTTPS) the answer is a 404 that says so. The CA's private key is never kept.
"""

from __future__ import annotations

from aiohttp import web

from mockserver.admin.http import AdminRouter, server_of
from mockserver.errors import AdminError


async def ca_pem(request: web.Request) -> web.Response:
    state = server_of(request)
    if state.ca_pem is None:
        reason = ("HTTPS is off (start with --https-port)" if not state.https_enabled
                  else "the HTTPS certificate came from --https-keystore or --https-cert")
        raise AdminError(404, f"no generated CA: {reason}", code=404)
    return web.Response(body=state.ca_pem, content_type="application/x-pem-file")


def add_routes(router: AdminRouter) -> None:
    router.add_get("/__admin/certs/ca.pem", ca_pem)
    router.add_get("/__admin/certs/wiremock-ca.crt", ca_pem)  # the path WireMock serves its CA on
