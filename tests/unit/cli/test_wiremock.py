"""WireMock's command-line conventions: flags first mean serve, option variables, root lists."""

from __future__ import annotations

import io
import os
from pathlib import Path

from mockserver.cli import build_parser
from mockserver.cli.wiremock import (
    IGNORED,
    REFUSED,
    WIREMOCK_ONLY,
    _dest,
    check_wiremock_only,
    root_dir,
    with_serve_default,
)


def test_flags_first_are_serve_and_subcommands_stay() -> None:
    """`--port 1` and no arguments at all start `serve`; `validate`, `--help` and `--version`
    keep their meaning."""
    assert with_serve_default(["--port", "1"], {}) == ["serve", "--port", "1"]
    assert with_serve_default([], {}) == ["serve"]
    assert with_serve_default(["validate"], {}) == ["validate"]
    assert with_serve_default(["--help"], {}) == ["--help"]
    assert with_serve_default(["--version"], {}) == ["--version"]


def test_options_variables_are_appended_to_serve_only() -> None:
    """WIREMOCK_OPTIONS then MOCKSERVER_OPTIONS follow serve's own flags (shell-quoted)."""
    environ = {"WIREMOCK_OPTIONS": "--verbose --root-dir 'a b'", "MOCKSERVER_OPTIONS": "--watch"}
    assert with_serve_default(["--port", "1"], environ) == [
        "serve", "--port", "1", "--verbose", "--root-dir", "a b", "--watch"]
    assert with_serve_default(["validate"], environ) == ["validate"]


def test_root_dir_list_picks_the_first_with_mappings(tmp_path: Path) -> None:
    """Of `A:B`, the first folder holding mappings/ wins; with none, the last."""
    first, second = tmp_path / "wiremock", tmp_path / "mockserver"
    (second / "mappings").mkdir(parents=True)
    assert root_dir(f"{first}{os.pathsep}{second}") == second
    (first / "mappings").mkdir(parents=True)
    assert root_dir(f"{first}{os.pathsep}{second}") == first
    assert root_dir(f"{tmp_path / 'x'}{os.pathsep}{tmp_path / 'y'}") == tmp_path / "y"
    assert root_dir("stubs") == Path("stubs")


def test_every_wiremock_only_flag_parses_and_is_reported() -> None:
    """Each WireMock-only flag parses (with or without a value) and is warned about or
    refused by name (unless mockserver has since got an option of that name)."""
    parser = build_parser()
    for flag, (takes_value, kind, _) in WIREMOCK_ONLY.items():
        argv = ["serve", flag, "1"] if takes_value else ["serve", flag]
        args = parser.parse_args(argv)
        if _dest(flag) not in vars(args):
            continue  # an option of mockserver's own now
        err = io.StringIO()
        ok = check_wiremock_only(args, err)
        assert ok is (kind == IGNORED), flag
        assert flag in err.getvalue() and "WireMock flag" in err.getvalue()
    assert {kind for _, kind, _ in WIREMOCK_ONLY.values()} == {IGNORED, REFUSED}


def test_plain_serve_reports_nothing() -> None:
    """Without WireMock-only flags nothing is printed."""
    err = io.StringIO()
    assert check_wiremock_only(build_parser().parse_args(["serve"]), err)
    assert err.getvalue() == ""
