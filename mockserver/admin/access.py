"""Who may use `/__admin`: credentials, HTTPS, and refusing what browsers send for other sites.

The admin API can rewrite every answer, write files and stop the server, so three kinds of
caller are kept out before any handler runs:

* anyone without the configured credentials (`--admin-api-basic-auth user:pass`, or
  `--admin-api-token T` as `Authorization: Bearer T`): 401 with an empty body, as WireMock;
* plain HTTP when `--admin-api-require-https` is set: 403 with WireMock's code-40 error. The
  server itself speaks plain HTTP, so only a TLS terminator on loopback that says
  `X-Forwarded-Proto: https` makes a request count as HTTPS;
* web pages of other sites, which a browser lets send "simple" requests (a `text/plain` POST,
  a form PUT) to any address, the user's loopback included: a request whose `Origin` is not
  this server's, or that the browser marks `Sec-Fetch-Site: cross-site`, is refused (403) unless
  the origin is allowed (`--admin-api-allow-origin`). When the server listens on loopback only,
  a `Host` that is not a loopback name is refused too, which stops DNS rebinding (a hostile
  name resolved to 127.0.0.1 makes the page same-origin with the server).

Clients that are not browsers (curl, WireMock's Java and Python clients, our own API) send no
`Origin` and a loopback `Host`, and are unaffected.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import ipaddress
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from aiohttp import web
from aiohttp.typedefs import Middleware

from mockserver.admin.http import error_response
from mockserver.errors import AdminError
from mockserver.settings import ServerOptions

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

ADMIN_PREFIX = "/__admin"
NAMESPACE_PREFIX = "/__ns/"
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.", "ip6-localhost"})
_ALLOWED_METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS"


@dataclass(frozen=True)
class AdminAccess:
    """The admin API's locks, read once from the options."""

    basic_auth: bytes | None = None  # "user:password" as sent, UTF-8
    token: bytes | None = None
    require_https: bool = False
    allowed_origins: frozenset[str] = frozenset()
    loopback_only: bool = False

    @classmethod
    def from_options(cls, options: ServerOptions) -> AdminAccess:
        return cls(
            basic_auth=options.admin_api_basic_auth.encode()
            if options.admin_api_basic_auth else None,
            token=options.admin_api_token.encode() if options.admin_api_token else None,
            require_https=options.admin_api_require_https,
            allowed_origins=frozenset(o.rstrip("/").lower()
                                      for o in options.admin_api_allowed_origins),
            loopback_only=is_loopback(options.host),
        )

    @property
    def needs_credentials(self) -> bool:
        return self.basic_auth is not None or self.token is not None

    def authorised(self, header: str | None) -> bool:
        """Constant-time comparison of what `Authorization` carries with each secret."""
        if header is None:
            return False
        scheme, _, value = header.strip().partition(" ")
        value = value.strip()
        if scheme.lower() == "basic" and self.basic_auth is not None:
            try:
                given = base64.b64decode(value, validate=True)
            except (binascii.Error, ValueError):
                return False
            return hmac.compare_digest(given, self.basic_auth)
        if scheme.lower() == "bearer" and self.token is not None:
            return hmac.compare_digest(value.encode("utf-8", "replace"), self.token)
        return False


def is_loopback(host: str) -> bool:
    """Whether an address to listen on (or a Host name) is this machine only."""
    name = host.strip().lower().strip("[]")
    if name in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def host_name(host_header: str) -> str:
    """The name in a `Host` header, without its port (`[::1]:8080` -> `::1`)."""
    text = host_header.strip()
    if text.startswith("["):
        return text[1:text.find("]")] if "]" in text else text
    return text.rsplit(":", 1)[0] if text.count(":") == 1 else text


def _origin_of_host(request: web.Request) -> set[str]:
    host = request.headers.get("Host", "").strip().lower()
    return {f"http://{host}", f"https://{host}"}


def _cross_site_origin(request: web.Request, access: AdminAccess) -> str | None:
    """The foreign origin of a browser request from another site, or None when it is fine."""
    origin = request.headers.get("Origin")
    if origin is not None:
        normal = origin.strip().rstrip("/").lower()
        if normal in access.allowed_origins:
            return None
        if normal in _origin_of_host(request):
            return None
        split = urlsplit(normal)
        if split.scheme in ("http", "https") and split.port is None and split.hostname:
            # browsers omit a default port: http://localhost is Host localhost:80
            default = 80 if split.scheme == "http" else 443
            if f"{split.hostname}:{default}" == request.headers.get("Host", "").lower():
                return None
        return origin
    if request.headers.get("Sec-Fetch-Site", "").lower() == "cross-site":
        return "a cross-site page"
    return None


def _allowed_cors_origin(request: web.Request, access: AdminAccess) -> str | None:
    origin = request.headers.get("Origin")
    if origin is not None and origin.strip().rstrip("/").lower() in access.allowed_origins:
        return origin
    return None


def _forbidden(title: str, code: int = 10) -> web.Response:
    return error_response(AdminError(403, title, code=code))


def _secure(request: web.Request) -> bool:
    if request.secure:
        return True
    peer = request.remote or ""
    forwarded = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
    return forwarded == "https" and is_loopback(peer)


def is_admin_path(path: str) -> bool:
    """`/__admin`, anything under it, and the same under a namespace's `/__ns/{name}`."""
    if path.startswith(NAMESPACE_PREFIX):
        path = "/" + path[len(NAMESPACE_PREFIX):].partition("/")[2]
    return path.startswith(ADMIN_PREFIX) and (
        len(path) == len(ADMIN_PREFIX) or path[len(ADMIN_PREFIX)] == "/")


def admin_access(access: AdminAccess) -> Middleware:
    """The middleware that applies `access` to every request under `/__admin` (a namespace's
    admin API included)."""

    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        path = request.path
        if not is_admin_path(path):
            return await handler(request)
        if "\x00" in path:  # no file, stub or scenario is named with a NUL
            return error_response(AdminError(400, "the path contains a NUL character"))
        host = request.headers.get("Host")  # (aiohttp's request.host guesses when absent)
        if access.loopback_only and host and not is_loopback(host_name(host)):
            return _forbidden(f"Host {host!r} is not a name of this loopback-only "
                              "server (refused against DNS rebinding)")
        foreign = _cross_site_origin(request, access)
        if foreign is not None:
            return _forbidden(f"cross-site requests from {foreign} to the admin API are "
                              "refused (allow the origin with --admin-api-allow-origin)")
        cors = _allowed_cors_origin(request, access)
        if cors is not None and request.method == "OPTIONS":
            return _preflight(request, cors)
        if access.require_https and not _secure(request):
            return _forbidden("HTTPS is required for accessing the admin API", code=40)
        if access.needs_credentials and not access.authorised(
                request.headers.get("Authorization")):
            return web.Response(status=401, headers={"Vary": "Origin"})
        response = await handler(request)
        if cors is not None:
            response.headers["Access-Control-Allow-Origin"] = cors
            response.headers["Access-Control-Allow-Credentials"] = "true"
        return response

    return guard


def _preflight(request: web.Request, origin: str) -> web.Response:
    """A CORS preflight from an allowed origin (before credentials: browsers send none)."""
    headers = {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Credentials": "true",
        "Access-Control-Allow-Methods": _ALLOWED_METHODS,
        "Access-Control-Max-Age": "600",
        "Vary": "Origin",
    }
    asked = request.headers.get("Access-Control-Request-Headers")
    if asked:
        headers["Access-Control-Allow-Headers"] = asked
    return web.Response(status=200, headers=headers)


__all__ = ["ADMIN_PREFIX", "AdminAccess", "admin_access", "host_name", "is_loopback"]
