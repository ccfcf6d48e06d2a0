"""`--enable-stub-cors`: the CORS answers of the Jetty filter WireMock puts before its stubs.

A preflight (OPTIONS with `Origin` and `Access-Control-Request-Method`) is answered 200 before
matching and never journalled; every other answer to a request with `Origin`, 404s included,
allows that origin with credentials. Shapes were checked against WireMock 3.13.2.

One departure: when a stub sets its own `Access-Control-Allow-Origin`, WireMock sends the header
twice (its filter's and the stub's), which browsers reject; here the stub's value wins alone.
"""

from __future__ import annotations

from collections.abc import Callable

ALLOWED_METHODS = ("OPTIONS", "GET", "POST", "PUT", "PATCH", "DELETE")
MAX_AGE_SECONDS = "1800"

Header = Callable[[str], "str | None"]  # a case-insensitive request header lookup


def preflight(method: str, header: Header) -> list[tuple[str, str]] | None:
    """The answer's headers when the request is a CORS preflight, else None (serve it)."""
    if method != "OPTIONS":
        return None
    origin = header("Origin")
    requested = header("Access-Control-Request-Method")
    if origin is None or requested is None:
        return None
    if requested.strip().upper() not in ALLOWED_METHODS:  # Jetty: a plain 200, nothing allowed
        return [("Vary", "Origin"), ("Content-Length", "0")]
    asked = header("Access-Control-Request-Headers") or ""
    names = ",".join(n.strip() for n in asked.split(",") if n.strip())
    return [
        ("Vary", "Origin"),
        ("Access-Control-Allow-Origin", origin),
        ("Access-Control-Allow-Credentials", "true"),
        ("Access-Control-Max-Age", MAX_AGE_SECONDS),
        ("Access-Control-Allow-Methods", ",".join(ALLOWED_METHODS)),
        ("Access-Control-Allow-Headers", names),
        ("Content-Length", "0"),
    ]


def with_cors(origin: str | None, headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """`headers` of an answer with the filter's `Vary: Origin` and, for a cross-origin request,
    the allowed origin and credentials in front, unless the stub allows an origin itself."""
    out: list[tuple[str, str]] = []
    names = {name.lower() for name, _ in headers}
    if "vary" not in names:
        out.append(("Vary", "Origin"))
    if origin is not None and "access-control-allow-origin" not in names:
        out.append(("Access-Control-Allow-Origin", origin))
        if "access-control-allow-credentials" not in names:
            out.append(("Access-Control-Allow-Credentials", "true"))
    for name, value in headers:
        if name.lower() == "vary" and "origin" not in value.lower() and value.strip() != "*":
            value = f"{value}, Origin"
        out.append((name, value))
    return out
