"""MOCKSERVER_* environment variables set CLI defaults; flags on the command line win."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from mockserver.cli import build_parser
from mockserver.envvars import apply_env_defaults, variable_name


def parse(argv: list[str], environ: dict[str, str]) -> object:
    parser = build_parser()
    apply_env_defaults(parser, environ)
    return parser.parse_args(argv)


def test_variable_names_follow_the_long_option() -> None:
    """`--root-dir` is `MOCKSERVER_ROOT_DIR`."""
    assert variable_name("--root-dir") == "MOCKSERVER_ROOT_DIR"
    assert variable_name("--max-request-journal-entries") == (
        "MOCKSERVER_MAX_REQUEST_JOURNAL_ENTRIES")


def test_variables_give_typed_defaults() -> None:
    """Values are converted as the flag's own would be (int, Path, choices, switches)."""
    args = parse(["serve"], {"MOCKSERVER_PORT": "9090", "MOCKSERVER_ROOT_DIR": "/srv/stubs",
                             "MOCKSERVER_LOG_FORMAT": "json", "MOCKSERVER_WATCH": "yes",
                             "MOCKSERVER_NO_REQUEST_JOURNAL": "0"})
    assert args.port == 9090 and args.root_dir == Path("/srv/stubs")  # type: ignore[attr-defined]
    assert args.log_format == "json" and args.watch is True  # type: ignore[attr-defined]
    assert args.no_request_journal is False  # type: ignore[attr-defined]


def test_flags_win_over_variables() -> None:
    """A flag given on the command line beats the environment."""
    args = parse(["serve", "--port", "7070", "--root-dir", "here"],
                 {"MOCKSERVER_PORT": "9090", "MOCKSERVER_ROOT_DIR": "/srv/stubs"})
    assert args.port == 7070 and args.root_dir == Path("here")  # type: ignore[attr-defined]


def test_other_subcommands_read_them_too() -> None:
    """`mockserver validate` finds the same root dir as `serve` in a container."""
    args = parse(["validate"], {"MOCKSERVER_ROOT_DIR": "/home/mockserver"})
    assert args.root_dir == Path("/home/mockserver")  # type: ignore[attr-defined]


@pytest.mark.parametrize(("name", "value", "message"), [
    ("MOCKSERVER_PORT", "eighty", "MOCKSERVER_PORT='eighty': invalid port value"),
    ("MOCKSERVER_PORT", "99999", "MOCKSERVER_PORT='99999': 99999 is not a port: use 1-65535"),
    ("MOCKSERVER_LOG_FORMAT", "xml", "MOCKSERVER_LOG_FORMAT='xml': invalid choice"),
    ("MOCKSERVER_WATCH", "maybe", "MOCKSERVER_WATCH='maybe': expected true or false"),
])
def test_bad_values_name_the_variable(
    name: str, value: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A value that does not convert is a usage error naming the variable (exit 2)."""
    with pytest.raises(SystemExit) as caught:
        parse(["serve"], {name: value})
    assert caught.value.code == 2
    assert message in capsys.readouterr().err


def test_repeatable_and_required_options() -> None:
    """A repeatable option reads a comma-separated list (flags add to it); a required option
    given by the environment is no longer required on the command line."""
    parser = argparse.ArgumentParser(prog="demo")
    parser.add_argument("--capture-header", action="append", default=[])
    parser.add_argument("--target", required=True)
    apply_env_defaults(parser, {"MOCKSERVER_CAPTURE_HEADER": "X-One, X-Two",
                                "MOCKSERVER_TARGET": "http://127.0.0.1:1"})
    args = parser.parse_args(["--capture-header", "X-Three"])
    assert args.capture_header == ["X-One", "X-Two", "X-Three"]
    assert args.target == "http://127.0.0.1:1"


def test_webhook_pool_size_has_wiremocks_flag_and_a_variable() -> None:
    """`--webhook-threadpool-size` defaults to 10 (WireMock's), and its variable sets it."""
    assert parse(["serve"], {}).webhook_threadpool_size == 10  # type: ignore[attr-defined]
    args = parse(["serve"], {"MOCKSERVER_WEBHOOK_THREADPOOL_SIZE": "3"})
    assert args.webhook_threadpool_size == 3  # type: ignore[attr-defined]


def test_a_webhook_pool_of_zero_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    """A pool that could send nothing is a usage error (exit 2) naming the flag."""
    from mockserver.cli import main

    assert main(["serve", "--webhook-threadpool-size", "0"]) == 2
    assert "--webhook-threadpool-size must be at least 1" in capsys.readouterr().err


def test_size_limits_from_variables_and_flags() -> None:
    """Body and journal byte limits take sizes with units, from a variable or a flag."""
    args = parse(["serve", "--max-request-body", "1MiB"], {
        "MOCKSERVER_MAX_REQUEST_BODY": "2MiB", "MOCKSERVER_MAX_REQUEST_JOURNAL_BYTES": "1GiB"})
    assert args.max_request_body == 1024 * 1024  # type: ignore[attr-defined]
    assert args.max_request_journal_bytes == 1024**3  # type: ignore[attr-defined]
    defaults = parse(["serve"], {})
    assert defaults.max_request_body == 50 * 1024 * 1024  # type: ignore[attr-defined]
    assert defaults.max_request_journal_bytes == 256 * 1024 * 1024  # type: ignore[attr-defined]
