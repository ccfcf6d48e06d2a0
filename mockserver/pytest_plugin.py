"""The `mockserver` pytest fixture: one real server per session (per xdist worker), reset per test.

Registered through the `pytest11` entry point, so installing mockserver is enough. Nothing is
imported or started until a test asks for the fixture. Stub files are preloaded from
`--mockserver-root-dir` or the ini option `mockserver_root_dir` (relative to the ini file).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from mockserver.api import MockServer

ROOT_DIR_HELP = "folder with mappings/ and __files/ to preload into the mockserver fixture"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mockserver")
    group.addoption("--mockserver-root-dir", dest="mockserver_root_dir", default=None,
                    metavar="DIR", help=ROOT_DIR_HELP)
    parser.addini("mockserver_root_dir", ROOT_DIR_HELP, default="")


def root_dir_of(config: pytest.Config) -> Path | None:
    """The command-line option (relative to the working folder) wins over the ini value."""
    option = config.getoption("mockserver_root_dir")
    if option:
        return Path(option).resolve()
    value = str(config.getini("mockserver_root_dir") or "")
    if not value:
        return None
    base = config.inipath.parent if config.inipath is not None else config.rootpath
    return (base / value).resolve()


@pytest.fixture(scope="session")
def mockserver_session(pytestconfig: pytest.Config) -> Iterator[MockServer]:
    """The session's server, started on first use on a free loopback port (not reset)."""
    from mockserver.api import MockServer

    with MockServer(root_dir=root_dir_of(pytestconfig)) as server:
        yield server


@pytest.fixture
def mockserver(mockserver_session: MockServer) -> MockServer:
    """The session's server, reset first: only the preloaded stubs, an empty journal."""
    mockserver_session.reset()
    return mockserver_session
