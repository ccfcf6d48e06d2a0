"""`mockserver serve` and `mockserver validate`."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from mockserver import __version__
from mockserver.envvars import apply_env_defaults
from mockserver.settings import DEFAULT_JOURNAL_SIZE, ServerOptions


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
    serve.add_argument("--host", default="0.0.0.0", help="address to listen on (default 0.0.0.0)")
    serve.add_argument("--port", type=int, default=8080, help="port (default 8080; 0 = any free)")
    serve.add_argument("--root-dir", type=Path, default=Path("stubs"),
                       help="folder holding mappings/ and __files/ (default: stubs)")
    serve.add_argument("--log-format", choices=("json", "console"), default=None,
                       help="log format (default: json unless stdout is a terminal)")
    serve.add_argument("--verbose", action="store_true", help="log debug events too")
    serve.add_argument("--max-request-journal-entries", type=int, default=DEFAULT_JOURNAL_SIZE,
                       metavar="N", help=f"journal size bound (default {DEFAULT_JOURNAL_SIZE})")
    serve.add_argument("--no-request-journal", action="store_true",
                       help="do not record requests (verification endpoints then report -1)")
    serve.add_argument("--watch", action="store_true",
                       help="reload changed stub files while serving (a broken file keeps its "
                       "old stubs)")
    serve.add_argument("--watch-poll", type=float, default=None, metavar="SECONDS",
                       help="with --watch: poll every SECONDS instead of using file events "
                       "(for mounts whose events do not arrive)")
    serve.add_argument("--global-response-templating", action="store_true",
                       help="render every stub's response as a template, not only those with "
                       "transformers: [response-template]")
    serve.add_argument("--seed", type=int, default=None, metavar="N",
                       help="seed every random choice (template helpers, delay distributions, "
                       "chaos) so a run can be repeated")

    validate = sub.add_parser("validate", help="check every stub file and list the problems")
    validate.add_argument("--root-dir", type=Path, default=Path("stubs"))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    apply_env_defaults(parser, os.environ)
    args = parser.parse_args(argv)
    if args.command == "validate":
        return validate(args.root_dir)
    return serve(args)


def serve(args: argparse.Namespace) -> int:
    from mockserver.log import configure
    from mockserver.runner import Runner

    configure(args.log_format, verbose=args.verbose)
    if args.max_request_journal_entries is not None and args.max_request_journal_entries < 1:
        print("mockserver: --max-request-journal-entries must be at least 1", file=sys.stderr)
        return 2
    options = ServerOptions(
        host=args.host,
        port=args.port,
        root_dir=args.root_dir,
        max_request_journal_entries=args.max_request_journal_entries,
        request_journal=not args.no_request_journal,
        log_format=args.log_format or "json",
        verbose=args.verbose,
        watch=args.watch or args.watch_poll is not None,
        watch_poll_interval=args.watch_poll,
        global_response_templating=args.global_response_templating,
        seed=args.seed,
    )
    try:
        asyncio.run(Runner(options).serve_forever())
    except OSError as exc:
        print(f"mockserver: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # pragma: no cover - signal handlers normally catch it
        pass
    return 0


def validate(root_dir: Path) -> int:
    from mockserver.loader import load_directory

    mappings = root_dir / "mappings"
    if not mappings.is_dir():
        print(f"{mappings}: no such folder", file=sys.stderr)
        return 2
    result = load_directory(mappings)
    for error in result.errors:
        print(error)
    print(f"{result.files} files, {len(result.stubs)} stubs, {len(result.errors)} problems",
          file=sys.stderr)
    return 1 if result.errors else 0
