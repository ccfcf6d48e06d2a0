"""`mockserver drift`, `mockserver openapi import` and `validate --openapi`: the contract
commands, kept apart from serving so their imports (openapi-core) load only when asked for."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

from mockserver.cli.wiremock import root_dir

HEADERS_VARIABLE = "MOCKSERVER_DRIFT_HEADERS"


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    drift = sub.add_parser(
        "drift", help="replay recorded stubs against the live API and report what changed",
        description="Replays the request of each stub under --root-dir (GET and HEAD only, "
        "unless --unsafe-methods) against --target and compares the live answer with the "
        "stub's: the status, the content type, and JSON bodies by shape (a missing key or a "
        "changed type is drift; an added key is a warning). Exit 0: nothing drifted; 1: "
        "something did; 2: the target cannot be reached or the arguments are wrong.",
        epilog=f"Credentials: --header 'Authorization: Bearer ${{API_TOKEN}}' expands "
        f"environment variables, so secrets stay out of shell history; {HEADERS_VARIABLE} "
        "holds more headers, one 'Name: value' per line.")
    drift.add_argument("--root-dir", type=root_dir, default=Path("stubs"),
                       help="folder holding mappings/ and __files/ (default: stubs)")
    drift.add_argument("--target", required=True, metavar="URL",
                       help="base URL of the live API, e.g. https://api.example.com")
    drift.add_argument("--header", action="append", default=[], metavar="'NAME: VALUE'",
                       help="send this header with every replayed request (repeatable; "
                       "$VARIABLES are expanded)")
    drift.add_argument("--unsafe-methods", action="store_true",
                       help="also replay POST, PUT, PATCH and DELETE stubs")
    drift.add_argument("--values", action="store_true",
                       help="compare JSON values too, not only keys and types")
    drift.add_argument("--update", action="store_true",
                       help="rewrite drifted stubs with the live answer (secrets masked as "
                       "`mockserver record` masks them)")
    drift.add_argument("--report-json", type=Path, metavar="FILE",
                       help="also write the report as JSON")
    drift.add_argument("--junit", type=Path, metavar="FILE",
                       help="also write a JUnit XML report (one testcase per stub)")
    drift.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS",
                       help="per-request timeout (default 30)")
    drift.add_argument("--verbose", action="store_true",
                       help="list unchanged and skipped stubs too")

    openapi = sub.add_parser("openapi", help="work with an OpenAPI description")
    actions = openapi.add_subparsers(dest="openapi_command", required=True)
    imported = actions.add_parser(
        "import", help="write one stub per operation into ROOT/mappings",
        description="Writes one stub file per operation of SPEC (OpenAPI 3.0 or 3.1, YAML or "
        "JSON) into ROOT/mappings, answering the first 2xx response with its example or a "
        "value generated from its schema. Importing again updates those stubs in place.")
    imported.add_argument("spec", type=Path, metavar="SPEC")
    imported.add_argument("--root-dir", type=root_dir, default=Path("stubs"))


def parse_headers(values: list[str], environ: dict[str, str]) -> dict[str, str] | str:
    """`Name: value` strings (variables expanded) as a dict, or the first bad one's message."""
    lines = [os.path.expandvars(v) for v in values]
    lines += [line for line in environ.get(HEADERS_VARIABLE, "").splitlines() if line.strip()]
    headers: dict[str, str] = {}
    for line in lines:
        name, colon, value = line.partition(":")
        if not colon or not name.strip():
            return f"--header needs 'Name: value', got {line.split(':')[0]!r}..."
        headers[name.strip()] = value.strip()
    return headers


def drift(args: argparse.Namespace) -> int:
    from mockserver.contracts import report
    from mockserver.contracts.drift import TargetUnreachable, check

    if not args.target.startswith(("http://", "https://")):
        print(f"mockserver drift: --target needs an http(s) URL, got {args.target!r}",
              file=sys.stderr)
        return 2
    if not (args.root_dir / "mappings").is_dir():
        print(f"mockserver drift: {args.root_dir / 'mappings'}: no such folder", file=sys.stderr)
        return 2
    headers = parse_headers(args.header, dict(os.environ))
    if isinstance(headers, str):
        print(f"mockserver drift: {headers}", file=sys.stderr)
        return 2
    try:
        result = asyncio.run(check(args.root_dir, args.target, headers=headers,
                                   unsafe_methods=args.unsafe_methods, values=args.values,
                                   timeout=args.timeout))
    except TargetUnreachable as exc:
        print(f"mockserver drift: cannot reach the target: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(report.text(result, verbose=args.verbose))
    if args.report_json:
        import json

        args.report_json.write_text(json.dumps(result.to_json(), indent=2) + "\n")
    if args.junit:
        args.junit.write_text(report.junit(result))
    if args.update and result.drifted:
        from mockserver.contracts.update import update_files
        from mockserver.record.redaction import RedactionPolicy

        for path in update_files(result.results, args.root_dir, RedactionPolicy()):
            print(f"updated {path}")
    return 1 if result.drifted else 0


def openapi(args: argparse.Namespace) -> int:
    from mockserver.contracts.importer import import_spec
    from mockserver.contracts.openapi import Contract, SpecError

    try:
        contract = Contract.load(args.spec)
    except SpecError as exc:
        print(f"mockserver openapi: {exc}", file=sys.stderr)
        return 2
    result = import_spec(contract.document, args.root_dir, contract.base_path)
    for path in result.created:
        print(f"created {path}")
    for path in dict.fromkeys(result.updated):
        print(f"updated {path}")
    print(f"{result.operations} operations imported into {args.root_dir / 'mappings'}",
          file=sys.stderr)
    return 0


def validate_against(root_dir: Path, spec: Path) -> int:
    """Problems of stubs against `spec`, printed as `file:line: key.path: message`."""
    from mockserver.contracts.openapi import Contract, SpecError
    from mockserver.contracts.spec_check import check_stubs

    try:
        contract = Contract.load(spec)
    except SpecError as exc:
        print(f"mockserver validate: {exc}", file=sys.stderr)
        return 2
    problems = check_stubs(root_dir, contract)
    for problem in problems:
        print(problem)
    count = len(problems)
    print(f"{count} {'stub disagrees' if count == 1 else 'stubs disagree'} with {spec}"
          if count else f"every checked stub agrees with {spec}", file=sys.stderr)
    return 1 if problems else 0
