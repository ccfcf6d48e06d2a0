"""`mockserver serve` and `mockserver validate`."""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
import sys
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any, TypeVar

from mockserver.cli.startup import plural, serve_until_stopped
from mockserver.cli.wiremock import (
    add_transport_options,
    add_wiremock_flags,
    check_wiremock_only,
    root_dir,
    tls_options,
    with_serve_default,
)
from mockserver.envvars import apply_env_defaults
from mockserver.errors import RedactionError, StubError, TlsError
from mockserver.settings import (
    DEFAULT_JOURNAL_BYTES,
    DEFAULT_JOURNAL_SIZE,
    DEFAULT_MAX_REQUEST_BODY,
    ServerOptions,
    byte_size,
)
from mockserver.version import __version__

T = TypeVar("T")


def port(text: str) -> int:
    """1-65535, or 0 for any free port (a larger number would wrap around under uvloop)."""
    port = int(text)  # ValueError: argparse says "invalid port value"
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(
            f"{port} is not a port: use 1-65535, or 0 for any free port")
    return port


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mockserver",
        description="WireMock-compatible HTTP mock server: stubs in YAML or JSON, "
        "an admin API under /__admin, request verification.",
    )
    parser.add_argument("--version", action="version", version=f"mockserver {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser(
        "serve", help="run the server",
        epilog="Every option can also be set through an environment variable named after it: "
        "--root-dir as MOCKSERVER_ROOT_DIR, --watch as MOCKSERVER_WATCH=true, and so on. "
        "A flag on the command line wins.")
    serve.add_argument("--host", "--bind-address", default="127.0.0.1",
                       help="address to listen on (default 127.0.0.1: this machine only; "
                       "0.0.0.0 for every interface, as the Docker image does)")
    serve.add_argument("--port", type=port, default=8080,
                       help="port (default 8080; 0 = any free)")
    serve.add_argument("--root-dir", type=root_dir, default=None,
                       help="folder holding mappings/ and __files/ (default: stubs, which may "
                       "be missing; a folder named here must exist); "
                       f"DIR{os.pathsep}DIR... uses the first that holds mappings/")
    serve.add_argument("--strict", action="store_true",
                       help="exit with status 1 when any stub file has a problem, instead of "
                       "serving without the broken stubs")
    serve.add_argument("--log-format", choices=("json", "console"), default=None,
                       help="log format (default: json unless stdout is a terminal)")
    serve.add_argument("--verbose", action="store_true",
                       help="log debug events too, each stub request and response in full")
    serve.add_argument("--event-loop", choices=("auto", "uvloop", "asyncio"), default="auto",
                       help="auto (default): uvloop where installed, else asyncio's own")
    serve.add_argument("--max-request-journal-entries", type=int, default=DEFAULT_JOURNAL_SIZE,
                       metavar="N", help=f"journal size bound (default {DEFAULT_JOURNAL_SIZE})")
    serve.add_argument("--max-request-journal-bytes", type=byte_size,
                       default=DEFAULT_JOURNAL_BYTES, metavar="SIZE",
                       help="bound on the bodies the journal keeps, all entries together "
                       "(default 256MiB; e.g. 64MiB, 1GiB; bodies past an entry's share are "
                       "kept truncated)")
    serve.add_argument("--max-request-body", type=byte_size, default=DEFAULT_MAX_REQUEST_BODY,
                       metavar="SIZE", help="largest request body, as sent and once inflated; "
                       "larger ones are answered 413 (default 50MiB)")
    serve.add_argument("--no-request-journal", action="store_true",
                       help="do not record requests (verification endpoints then report -1)")
    serve.add_argument("--disable-request-logging", action="store_true",
                       help="no log event per served request (for load tests; startup, "
                       "admin and error events are still logged)")
    serve.add_argument("--watch", action="store_true",
                       help="reload changed stub files while serving (a broken file keeps its "
                       "old stubs)")
    serve.add_argument("--watch-poll", type=float, default=None, metavar="SECONDS",
                       help="with --watch: poll every SECONDS instead of using file events "
                       "(for mounts whose events do not arrive)")
    serve.add_argument("--proxy-all", metavar="URL", default=None,
                       help="send every request no stub matches to URL (a catch-all proxy stub, "
                       "priority 10)")
    serve.add_argument("--preserve-host-header", action="store_true",
                       help="proxied requests keep the client's Host header")
    serve.add_argument("--global-response-templating", action="store_true",
                       help="render every stub's response as a template, not only those with "
                       "transformers: [response-template]")
    serve.add_argument("--seed", type=int, default=None, metavar="N",
                       help="seed every random choice (template helpers, delay distributions, "
                       "chaos) so a run can be repeated")
    serve.add_argument("--webhook-threadpool-size", type=int, default=10, metavar="N",
                       help="webhook callbacks sent at once; more wait their turn (default 10)")
    serve.add_argument("--openapi", type=Path, default=None, metavar="SPEC",
                       help="check requests under the paths an OpenAPI description covers; "
                       "violations are recorded in the journal (see --openapi-validation)")
    serve.add_argument("--openapi-validation", choices=("soft", "strict"), default="soft",
                       help="soft (default): serve as usual and journal the violations; "
                       "strict: answer a violating request 400 with a problem document")
    serve.add_argument("--namespace-ttl", type=float, default=3600.0, metavar="SECONDS",
                       help="drop a namespace (/__ns/{name}) idle for this long (default 3600)")
    serve.add_argument("--max-namespaces", type=int, default=1000, metavar="N",
                       help="namespaces that may exist at once (default 1000)")
    serve.add_argument("--store", metavar="URL", default=None,
                       help="share stubs, journal, scenario states and settings with other "
                       "replicas through Redis: redis://HOST:PORT/DB[?prefix=NAME] (default: "
                       "this process's memory); needs mockserver[redis]")
    serve.add_argument("--workers", type=int, default=1, metavar="N",
                       help="N processes on one port (SO_REUSEPORT), sharing state through "
                       "--store (default 1)")
    _add_redaction_options(serve)
    _add_admin_options(serve)
    add_transport_options(serve)
    add_wiremock_flags(serve)

    record = sub.add_parser(
        "record", help="record a real API through a proxy into replayable YAML stubs",
        description="Proxy every request to --target and, on Ctrl-C or SIGTERM, write what "
        "was recorded to ROOT/mappings (one YAML file per endpoint and method; recording "
        "again updates those files). Secrets are masked unless --no-redact is given.")
    record.add_argument("--target", required=True, metavar="URL",
                        help="base URL of the API to record, e.g. https://api.example.com")
    record.add_argument("--root-dir", type=root_dir, default=Path("stubs"),
                        help="where mappings/ and __files/ are written (default: stubs)")
    record.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1)")
    record.add_argument("--port", type=port, default=8080,
                        help="port (default 8080; 0 = any free)")
    record.add_argument("--capture-header", action="append", default=[], metavar="NAME",
                        help="also match recorded requests on this header (repeatable)")
    record.add_argument("--no-scenarios", action="store_true",
                        help="keep only the first answer to a repeated request instead of "
                        "a scenario")
    record.add_argument("--preserve-host-header", action="store_true",
                        help="send the client's Host header to the target")
    record.add_argument("--log-format", choices=("json", "console"), default=None,
                        help="log format (default: json unless stdout is a terminal)")
    record.add_argument("--verbose", action="store_true", help="log debug events too")
    _add_redaction_options(record)

    validate = sub.add_parser("validate", help="check every stub file and list the problems",
                              description="List every problem of every stub file (not only "
                              "the first of each stub), with a suggestion where one is likely, "
                              "and flag suspicious values. Exits 1 when anything is listed.")
    validate.add_argument("--root-dir", type=root_dir, default=Path("stubs"))
    validate.add_argument("--openapi", type=Path, metavar="SPEC",
                          help="also check that every stub is an operation of SPEC and answers "
                          "as its response schemas say")

    from mockserver.cli.contracts import add_parsers

    add_parsers(sub)
    return parser


def _add_admin_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--admin-api-basic-auth", metavar="USER:PASSWORD", default=None,
                        help="require these HTTP Basic credentials for everything under "
                        "/__admin (prefer MOCKSERVER_ADMIN_API_BASIC_AUTH: the command line "
                        "is visible to other users)")
    parser.add_argument("--admin-api-token", metavar="TOKEN", default=None,
                        help="require 'Authorization: Bearer TOKEN' for /__admin (or the basic "
                        "credentials when both are set; prefer MOCKSERVER_ADMIN_API_TOKEN)")
    parser.add_argument("--admin-api-require-https", action="store_true",
                        help="refuse /__admin over plain HTTP (403); counts as HTTPS only "
                        "behind a TLS terminator on loopback sending X-Forwarded-Proto: https")
    parser.add_argument("--admin-api-allow-origin", action="append", default=[],
                        metavar="ORIGIN", help="let web pages from ORIGIN (e.g. "
                        "http://localhost:3000) call /__admin through CORS (repeatable)")


def _admin_fields(args: argparse.Namespace) -> dict[str, Any]:
    auth = args.admin_api_basic_auth
    if auth is not None and ":" not in auth:
        raise ValueError("--admin-api-basic-auth needs USER:PASSWORD")
    return {"admin_api_basic_auth": auth or None, "admin_api_token": args.admin_api_token or None,
            "admin_api_require_https": args.admin_api_require_https,
            "admin_api_allowed_origins": _names(args.admin_api_allow_origin)}


def _add_redaction_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--redact-header", action="append", default=[], metavar="NAME",
                        help="mask this header in recordings too (besides Authorization, "
                        "Proxy-Authorization, Cookie, X-Api-Key, X-Auth-Token, Set-Cookie)")
    parser.add_argument("--redact-query", action="append", default=[], metavar="NAME",
                        help="mask this query parameter too (besides api_key, token, "
                        "password, ...)")
    parser.add_argument("--redact-json-path", action="append", default=[], metavar="JSONPATH",
                        help="mask what this JSONPath selects in JSON bodies, e.g. "
                        "'$.access_token'")
    parser.add_argument("--no-redact", action="store_true",
                        help="record secrets as they are (logged as a warning)")


def _names(value: list[str] | str, *, split: bool = True) -> tuple[str, ...]:
    """Repeated options (a MOCKSERVER_* variable gives one string; names may use commas)."""
    items = [value] if isinstance(value, str) else value
    if not split:
        return tuple(item for item in items if item.strip())
    return tuple(n.strip() for item in items for n in item.split(",") if n.strip())


def _redaction_fields(args: argparse.Namespace) -> dict[str, Any]:
    return {"redact": not args.no_redact, "redact_headers": _names(args.redact_header),
            "redact_query": _names(args.redact_query),
            "redact_json_paths": _names(args.redact_json_path, split=False),
            "preserve_host_header": args.preserve_host_header}


def run_loop(main: Coroutine[Any, Any, T], event_loop: str = "auto") -> T:
    """Run on uvloop where it is installed (CPython off Windows), else on asyncio's own loop;
    `event_loop` "asyncio" insists on asyncio's, "uvloop" on uvloop.

    The server runs outside the `except ImportError` block: inside it, every traceback logged
    while serving would carry "ModuleNotFoundError: uvloop" as its context."""
    run: Callable[[Coroutine[Any, Any, T]], T] = asyncio.run
    if event_loop != "asyncio":
        try:
            import uvloop
        except ImportError:
            pass  # "uvloop" without it was refused before the server was made
        else:
            run = uvloop.run
    return run(main)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    apply_env_defaults(parser, os.environ)
    args = parser.parse_args(with_serve_default(sys.argv[1:] if argv is None else argv,
                                                os.environ))
    if args.command == "validate":
        status = validate(args.root_dir)
        if args.openapi is not None and status != 2:
            from mockserver.cli.contracts import validate_against

            status = max(status, validate_against(args.root_dir, args.openapi))
        return status
    if args.command == "drift":
        from mockserver.cli.contracts import drift

        return drift(args)
    if args.command == "openapi":
        from mockserver.cli.contracts import openapi

        return openapi(args)
    if args.command == "record":
        return record(args)
    return serve(args)


def serve(args: argparse.Namespace) -> int:
    from mockserver.log import configure
    from mockserver.serve.runner import Runner

    if args.webhook_threadpool_size < 1:  # before logging is set up: nothing else changes
        print("mockserver: --webhook-threadpool-size must be at least 1", file=sys.stderr)
        return 2
    if not check_wiremock_only(args, sys.stderr):
        return 2
    configure(args.log_format, verbose=args.verbose)
    if args.event_loop == "uvloop" and importlib.util.find_spec("uvloop") is None:
        print("mockserver: --event-loop uvloop, but uvloop is not installed", file=sys.stderr)
        return 2
    if args.max_request_journal_entries is not None and args.max_request_journal_entries < 1:
        print("mockserver: --max-request-journal-entries must be at least 1", file=sys.stderr)
        return 2
    if args.namespace_ttl <= 0 or args.max_namespaces < 0:
        print("mockserver: --namespace-ttl must be positive, --max-namespaces at least 0",
              file=sys.stderr)
        return 2
    root_dir = args.root_dir if args.root_dir is not None else Path("stubs")
    if args.root_dir is not None and not root_dir.is_dir():
        print(f"mockserver: --root-dir {root_dir}: no such folder", file=sys.stderr)
        return 2
    try:
        admin = _admin_fields(args)
    except ValueError as exc:
        print(f"mockserver: {exc}", file=sys.stderr)
        return 2
    options = ServerOptions(
        host=args.host,
        port=args.port,
        root_dir=root_dir,
        max_request_journal_entries=args.max_request_journal_entries,
        max_request_journal_bytes=args.max_request_journal_bytes,
        max_request_body=args.max_request_body,
        request_journal=not args.no_request_journal,
        request_logging=not args.disable_request_logging,
        log_format=args.log_format or "json",
        verbose=args.verbose,
        watch=args.watch or args.watch_poll is not None,
        watch_poll_interval=args.watch_poll,
        proxy_all=args.proxy_all,
        global_response_templating=args.global_response_templating,
        seed=args.seed,
        webhook_threadpool_size=args.webhook_threadpool_size,
        openapi=args.openapi,
        openapi_strict=args.openapi_validation == "strict",
        namespace_ttl=args.namespace_ttl,
        max_namespaces=args.max_namespaces,
        https_port=args.https_port,
        tls=tls_options(args),
        disable_http=args.disable_http,
        stub_cors=args.enable_stub_cors,
        gzip=not args.disable_gzip,
        print_all_network_traffic=args.print_all_network_traffic,
        record_mappings=args.record_mappings,
        match_headers=_names(args.match_headers),
        store=args.store or None,
        **_redaction_fields(args),
        **admin,
    )
    if args.workers < 1:
        print("mockserver: --workers must be at least 1", file=sys.stderr)
        return 2
    if args.workers > 1 and options.store is None:
        from mockserver.cli.workers import NEEDS_STORE

        print(NEEDS_STORE.format(n=args.workers), file=sys.stderr)
        return 2
    if options.store is not None:
        problem = _store_problem(options.store)
        if problem is not None:
            print(f"mockserver: --store {options.store}: {problem}", file=sys.stderr)
            return 2
    if options.disable_http and options.https_port is None:
        print("mockserver: --disable-http needs --https-port (nothing would listen)",
              file=sys.stderr)
        return 2
    if (args.workers > 1 and options.https_port is not None and options.tls.keystore is None
            and options.tls.cert is None):
        print("mockserver: --https-port with --workers needs --https-keystore or --https-cert "
              "(each worker would make a certificate of its own)", file=sys.stderr)
        return 2
    if options.proxy_all and not options.proxy_all.startswith(("http://", "https://")):
        print(f"mockserver: --proxy-all needs an http(s) URL, got {options.proxy_all!r}",
              file=sys.stderr)
        return 2
    if options.openapi is not None:
        from mockserver.contracts.openapi import Contract, SpecError

        try:
            Contract.load(options.openapi)  # a bad description fails now, naming the file
        except SpecError as exc:
            print(f"mockserver: --openapi: {exc}", file=sys.stderr)
            return 2
    try:
        from mockserver.record.session import default_redaction

        redaction = default_redaction(options)  # a bad --redact-json-path fails now
    except RedactionError as exc:
        print(f"mockserver: {exc}", file=sys.stderr)
        return 2
    from mockserver.cli.record import mask_logged_urls

    mask_logged_urls(redaction)  # request logs must not print ?token=... either
    if args.workers > 1:
        from mockserver.cli.workers import run_workers

        try:
            return run_workers(options, args.workers,
                               lambda o: run_loop(serve_until_stopped(Runner(o),
                                                                      strict=args.strict),
                                                  args.event_loop))
        except OSError as exc:
            print(f"mockserver: cannot listen on {args.host}:{args.port}: {exc}",
                  file=sys.stderr)
            return 1
    try:
        return run_loop(serve_until_stopped(Runner(options), strict=args.strict),
                        args.event_loop)
    except TlsError as exc:
        print(f"mockserver: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        ports = f"{args.port}" + (f" / {args.https_port}" if args.https_port is not None else "")
        print(f"mockserver: cannot listen on {args.host}:{ports}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # pragma: no cover - signal handlers normally catch it
        pass
    return 0


def _store_problem(url: str) -> str | None:
    """Why `url` cannot name a shared store, or None."""
    if not url.startswith(("redis://", "rediss://", "unix://")):
        return "expected redis://HOST:PORT/DB (or rediss://, unix://)"
    try:
        import redis  # noqa: F401 - only checking that the extra is installed
    except ImportError:
        return "the redis client is not installed: pip install 'mockserver[redis]'"
    return None


def record(args: argparse.Namespace) -> int:
    """`mockserver record`: proxy to --target until Ctrl-C/SIGTERM, write stubs, summarise."""
    from mockserver.cli.record import capture, mask_logged_urls, summary
    from mockserver.log import configure
    from mockserver.record import parse_record_spec
    from mockserver.record.session import default_redaction

    configure(args.log_format, verbose=args.verbose)
    options = ServerOptions(
        host=args.host, port=args.port, root_dir=args.root_dir,
        max_request_journal_entries=None,  # every request until the end is needed
        max_request_journal_bytes=None,  # ... with its bodies whole
        # on a terminal the live count stands for the request logs, which would break its line
        request_logging=not sys.stderr.isatty(),
        log_format=args.log_format or "json", verbose=args.verbose, **_redaction_fields(args),
    )
    try:
        spec = parse_record_spec(
            {"targetBaseUrl": args.target, "repeatsAsScenarios": not args.no_scenarios,
             "captureHeaders": {name: {} for name in _names(args.capture_header)}},
            redaction=default_redaction(options))
    except (StubError, RedactionError) as exc:
        message = str(exc).replace("targetBaseUrl:", "--target:", 1)
        print(f"mockserver record: {message}", file=sys.stderr)
        return 2
    mask_logged_urls(spec.redaction)
    try:
        outcome = asyncio.run(capture(options, spec, err=sys.stderr))
    except OSError as exc:
        print(f"mockserver: cannot record: {exc}", file=sys.stderr)
        return 1
    if sys.stderr.isatty():
        print(file=sys.stderr)  # end the live-count line
    print(summary(outcome, spec.target_base_url, args.root_dir), flush=True)
    return 0


def validate(root_dir: Path) -> int:
    from mockserver.stubs.validation import describe, validate_directory

    mappings = root_dir / "mappings"
    if not mappings.is_dir():
        print(f"{mappings}: no such folder", file=sys.stderr)
        return 2
    report = validate_directory(mappings)
    for problem in report.problems:
        print(describe(problem))
    print(f"{plural(report.files, 'file')}, {plural(report.stubs, 'stub')}, "
          f"{plural(len(report.problems), 'problem')}", file=sys.stderr)
    return 1 if report.problems else 0
