"""WireMock's command line on `mockserver serve`: the flags it shares, and the ones it lacks.

A WireMock user's start script should run unchanged or fail saying why: flags with an
equivalent work (`--https-port`, `--bind-address`, `--enable-stub-cors`, `--record-mappings`),
Jetty and JVM tuning that one event loop has no use for is accepted with a warning, and a flag
whose absence would change what the server does (extensions, browser proxying, proxy target
lists) stops start-up with a message that names it as WireMock's and says what to use.

`java -jar wiremock.jar --port 8080` starts the server; so does `mockserver --port 8080`, and
`WIREMOCK_OPTIONS` (the official image's variable) or `MOCKSERVER_OPTIONS` add flags, as in
WireMock's Docker image.
"""

from __future__ import annotations

import argparse
import os
import shlex
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from mockserver.settings import TlsOptions

OPTIONS_VARIABLES = ("WIREMOCK_OPTIONS", "MOCKSERVER_OPTIONS")
SUBCOMMAND_FREE = ("-h", "--help", "--version")
IGNORED, REFUSED = "ignored", "refused"
_NO_TUNING = "mockserver needs no tuning here (one asyncio event loop serves every connection)"

# WireMock 3.13.2's flags with no mockserver equivalent: (takes a value, what happens, advice).
WIREMOCK_ONLY: dict[str, tuple[bool, str, str]] = {
    "--container-threads": (True, IGNORED, _NO_TUNING),
    "--jetty-acceptor-threads": (True, IGNORED, _NO_TUNING),
    "--jetty-accept-queue-size": (True, IGNORED, _NO_TUNING),
    "--jetty-header-buffer-size": (True, IGNORED, "request headers may be up to 64 KiB"),
    "--jetty-header-request-size": (True, IGNORED, "request headers may be up to 64 KiB"),
    "--jetty-header-response-size": (True, IGNORED, "response headers are not limited"),
    "--jetty-idle-timeout": (True, IGNORED, _NO_TUNING),
    "--jetty-stop-timeout": (True, IGNORED, "shutdown waits at most one second"),
    "--async-response-enabled": (True, IGNORED, ("every delayed response is already "
                                 "asynchronous; delays never hold a thread")),
    "--async-response-threads": (True, IGNORED, "delays never hold a thread"),
    "--max-template-cache-entries": (True, IGNORED, "compiled templates are kept per stub"),
    "--disable-http2-plain": (False, IGNORED, "mockserver speaks HTTP/1.1 only"),
    "--disable-http2-tls": (False, IGNORED, "mockserver speaks HTTP/1.1 only"),
    "--use-chunked-encoding": (True, IGNORED, "stub responses carry Content-Length"),
    "--max-http-client-connections": (True, IGNORED, ("the proxy's connection pool is not "
                                      "limited")),
    "--disable-connection-reuse": (True, IGNORED, "the proxy keeps connections alive"),
    "--disable-optimize-xml-factories-loading": (False, IGNORED, "not a concern in Python"),
    "--disable-strict-http-headers": (False, IGNORED, "not a concern here"),
    "--disable-extensions-scanning": (False, IGNORED, "there is no classpath to scan"),
    "--timeout": (True, IGNORED, "proxied requests time out after 300 s"),
    "--proxy-timeout": (True, IGNORED, "proxied requests time out after 300 s"),
    "--supported-proxy-encodings": (True, IGNORED, ("the client's Accept-Encoding is forwarded "
                                    "as sent")),
    "--proxy-pass-through": (True, IGNORED, ("only used by browser proxying, which mockserver "
                             "does not do")),
    "--logged-response-body-size-limit": (True, IGNORED, ("the journal keeps whole bodies; "
                                          "bound it with --max-request-journal-entries")),
    "--permitted-system-keys": (True, IGNORED, ("the systemValue helper reads no system "
                                "properties")),
    "--preserve-user-agent-proxy-header": (False, IGNORED, ("proxied requests always keep the "
                                           "client's User-Agent")),
    "--extensions": (True, REFUSED, ("Java extensions cannot load; response templating and "
                     "webhooks are built in, anything else needs a change to mockserver")),
    "--load-resources-from-classpath": (True, REFUSED, "there is no classpath: use --root-dir"),
    "--disable-response-templating": (False, REFUSED, ("templating cannot be turned off; stubs "
                                      "are rendered only with transformers: "
                                      "[response-template] (or --global-response-templating)")),
    "--filename-template": (True, REFUSED, ("recorded files are named after the endpoint "
                            "(e.g. mappings/get-users-id.yaml); see docs/recording.md")),
    "--enable-browser-proxying": (False, REFUSED, ("forward (browser) proxying is not "
                                  "supported: use proxyBaseUrl stubs or --proxy-all")),
    "--ca-keystore": (True, REFUSED, "only used by browser proxying, which is not supported"),
    "--ca-keystore-password": (True, REFUSED, ("only used by browser proxying, which is not "
                               "supported")),
    "--ca-keystore-type": (True, REFUSED, ("only used by browser proxying, which is not "
                           "supported")),
    "--trust-all-proxy-targets": (False, REFUSED, ("proxied HTTPS upstreams are verified "
                                  "against the system's CAs; there is no switch yet")),
    "--trust-proxy-target": (True, REFUSED, ("proxied HTTPS upstreams are verified against the "
                             "system's CAs; there is no switch yet")),
    "--proxy-via": (True, REFUSED, "an outbound proxy for proxied requests is not supported"),
    "--allow-proxy-targets": (True, REFUSED, ("proxy target lists are not supported: ignoring "
                              "one would open what it closes")),
    "--deny-proxy-targets": (True, REFUSED, ("proxy target lists are not supported: ignoring "
                             "one would open what it closes")),
}


def with_serve_default(argv: Sequence[str], environ: Mapping[str, str]) -> list[str]:
    """`mockserver --port 8080` is `mockserver serve --port 8080`, as `java -jar wiremock.jar
    --port 8080` is; `serve` gets the flags of WIREMOCK_OPTIONS and MOCKSERVER_OPTIONS after
    its own (as the WireMock image appends WIREMOCK_OPTIONS)."""
    args = list(argv)
    if not args or (args[0].startswith("-") and args[0] not in SUBCOMMAND_FREE):
        args.insert(0, "serve")
    if args[0] == "serve":
        for name in OPTIONS_VARIABLES:
            args += shlex.split(environ.get(name, ""))
    return args


def root_dir(value: str) -> Path:
    """`--root-dir`; a list (`/home/wiremock:/home/mockserver` in the image) names the first
    folder that holds mappings/, else the last, so WireMock's image's mount point works too."""
    candidates = [Path(part) for part in value.split(os.pathsep) if part]
    if not candidates:
        return Path(value)
    for candidate in candidates:
        if (candidate / "mappings").is_dir():
            return candidate
    return candidates[-1]


def add_transport_options(serve: argparse.ArgumentParser) -> None:
    """HTTPS, CORS and gzip, under WireMock's flag names."""
    tls = serve.add_argument_group("HTTPS (WireMock's flags)")
    tls.add_argument("--https-port", type=int, default=None, metavar="PORT",
                     help="also serve HTTPS on PORT (0 = any free); the admin API too")
    tls.add_argument("--https-keystore", type=Path, default=None, metavar="FILE",
                     help="PKCS12 keystore with the server's key and certificate (a JKS one "
                     "is refused with the keytool command converting it); without a keystore "
                     "or --https-cert a certificate is made at start, its CA at "
                     "/__admin/certs/ca.pem")
    tls.add_argument("--keystore-type", default="JKS", metavar="TYPE",
                     help="PKCS12 (WireMock's default JKS is accepted for PKCS12 files)")
    tls.add_argument("--keystore-password", default="password", metavar="PASSWORD",
                     help="keystore password (default: password, as WireMock)")
    tls.add_argument("--key-manager-password", default="password", metavar="PASSWORD",
                     help="the key entry's password when it differs (default: password)")
    tls.add_argument("--https-cert", type=Path, default=None, metavar="PEM",
                     help="PEM certificate (chain) instead of a keystore")
    tls.add_argument("--https-key", type=Path, default=None, metavar="PEM",
                     help="unencrypted PEM private key for --https-cert")
    tls.add_argument("--https-require-client-cert", action="store_true",
                     help="refuse TLS connections without a client certificate the "
                     "truststore vouches for")
    tls.add_argument("--https-truststore", type=Path, default=None, metavar="FILE",
                     help="PKCS12 (or PEM) certificates client certificates are checked "
                     "against; every certificate in it is trusted")
    tls.add_argument("--truststore-type", default="JKS", metavar="TYPE",
                     help="PKCS12 (as for --keystore-type)")
    tls.add_argument("--truststore-password", default="password", metavar="PASSWORD",
                     help="truststore password (default: password)")
    tls.add_argument("--disable-http", action="store_true",
                     help="listen for HTTPS only")
    serve.add_argument("--enable-stub-cors", action="store_true",
                       help="answer CORS preflights (OPTIONS with Origin) before matching and "
                       "add Access-Control-Allow-Origin to stub responses")
    serve.add_argument("--disable-gzip", action="store_true",
                       help="do not gzip responses for clients sending Accept-Encoding: gzip")


def add_wiremock_flags(serve: argparse.ArgumentParser) -> None:
    """WireMock's remaining flags: the ones with a meaning here, then the ones without."""
    serve.add_argument("--local-response-templating", action="store_true",
                       help="accepted for WireMock: templating per stub is the default")
    serve.add_argument("--disable-banner", action="store_true",
                       help="accepted for WireMock: mockserver prints no banner")
    serve.add_argument("--print-all-network-traffic", action="store_true",
                       help="log every stub request and response in full")
    serve.add_argument("--record-mappings", action="store_true",
                       help="write every proxied exchange as a stub under ROOT/mappings while "
                       "serving (secrets masked as by `mockserver record`)")
    serve.add_argument("--match-headers", action="append", default=[], metavar="NAMES",
                       help="with --record-mappings: request headers the stubs match on "
                       "(comma-separated, repeatable)")
    taken = serve._option_string_actions  # noqa: SLF001 - a flag defined elsewhere wins
    for flag, (takes_value, _, _) in WIREMOCK_ONLY.items():
        if flag in taken:
            continue
        serve.add_argument(flag, nargs="?" if takes_value else 0, action=_WireMockOnly,
                           dest=_dest(flag), default=argparse.SUPPRESS, help=argparse.SUPPRESS)


def _dest(flag: str) -> str:
    """Apart from any option's own name: a flag mockserver gains later is its own option."""
    return "wiremock_only_" + flag.lstrip("-").replace("-", "_")


class _WireMockOnly(argparse.Action):
    """Notes a WireMock-only flag; `check_wiremock_only` decides what it means."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        setattr(namespace, self.dest, values if values != [] else True)


def check_wiremock_only(args: argparse.Namespace, err: IO[str]) -> bool:
    """Warn about ignored WireMock flags; False (after saying why) when one is refused."""
    ok = True
    given = vars(args)
    for flag, (_, kind, advice) in WIREMOCK_ONLY.items():
        if _dest(flag) not in given:
            continue
        if kind == IGNORED:
            print(f"mockserver: warning: {flag} is a WireMock flag that is ignored: {advice}",
                  file=err)
        else:
            print(f"mockserver serve: {flag} is a WireMock flag that mockserver does not "
                  f"support: {advice}", file=err)
            ok = False
    return ok


def tls_options(args: argparse.Namespace) -> TlsOptions:
    return TlsOptions(
        keystore=args.https_keystore, keystore_type=args.keystore_type,
        keystore_password=args.keystore_password,
        key_manager_password=args.key_manager_password,
        cert=args.https_cert, key=args.https_key,
        require_client_cert=args.https_require_client_cert,
        truststore=args.https_truststore, truststore_type=args.truststore_type,
        truststore_password=args.truststore_password)
