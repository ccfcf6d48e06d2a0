"""The `mockserver` pytest fixture: one real server per session (per xdist worker), reset per test.

Registered through the `pytest11` entry point, so installing mockserver is enough. Nothing is
imported or started until a test asks for the fixture. Stub files are preloaded from
`--mockserver-root-dir` or the ini option `mockserver_root_dir` (relative to the ini file);
a stub file that does not load fails every test that uses the fixture, naming `file:line`.

A test that used `mockserver` fails when a request reached it that no stub matched, showing
the request beside its nearest stub (`@pytest.mark.mockserver_allow_unmatched` for tests that
send such requests on purpose). `@pytest.mark.mockserver_assert_all_used`, or the ini option
`mockserver_assert_all_used = true`, also fails a test that left a stub unused.

With `--mockserver-url URL` (or the variable `MOCKSERVER_URL`) no server is started: every test
gets a fresh namespace on the server at URL (`mockserver.url` ends in `/__ns/{name}`), deleted
after the test, so xdist workers and parallel CI jobs can share one server. The server's own
stub files are then the shared layer beneath each namespace (`--mockserver-root-dir` does not
apply), and the admin lock options are the credentials sent to its locked admin API.

`--mockserver-https` (or `mockserver_https = true`) adds an HTTPS socket with a throwaway CA:
`mockserver.https_url`, and `mockserver.ssl_context()` for clients that must trust it.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from mockserver.api import MockServer, RemoteMockServer

ROOT_DIR_HELP = "folder with mappings/ and __files/ to preload into the mockserver fixture"
URL_VARIABLE = "MOCKSERVER_URL"
HTTPS_HELP = "the mockserver fixture also serves HTTPS (https_url, ssl_context())"


# Locks for the fixture's admin API (for tests that call /__admin over HTTP with credentials);
# the fixture's own methods need none.
LOCKS = {
    "admin_api_basic_auth": "USER:PASSWORD required for the fixture server's /__admin",
    "admin_api_token": "bearer token required for the fixture server's /__admin",
}


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mockserver")
    group.addoption("--mockserver-root-dir", dest="mockserver_root_dir", default=None,
                    metavar="DIR", help=ROOT_DIR_HELP)
    group.addoption("--mockserver-url", dest="mockserver_url", default=None, metavar="URL",
                    help="use the mockserver running at URL, one fresh namespace per test "
                    f"(default: ${URL_VARIABLE}; unset: start one per session)")
    parser.addini("mockserver_root_dir", ROOT_DIR_HELP, default="")
    for name, text in LOCKS.items():
        group.addoption(f"--mockserver-{name.replace('_', '-')}", dest=f"mockserver_{name}",
                        default=None, help=text)
        parser.addini(f"mockserver_{name}", text, default="")
    parser.addini("mockserver_assert_all_used", "fail a test using the mockserver fixture that "
                  "left a stub unmatched by any request", type="bool", default=False)
    group.addoption("--mockserver-https", dest="mockserver_https", action="store_true",
                    default=False, help=HTTPS_HELP)
    parser.addini("mockserver_https", HTTPS_HELP, type="bool", default=False)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "mockserver_allow_unmatched: requests no stub matches do not fail this test")
    config.addinivalue_line(
        "markers", "mockserver_assert_all_used: fail this test when a stub was never matched")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, Any, Any]:
    """After a passing test body, fail it for unmatched requests (and unused stubs, if asked),
    so the failure is the test's own and not an error in teardown."""
    result = yield
    funcargs: dict[str, Any] = getattr(item, "funcargs", {})
    server = funcargs.get("mockserver")
    if server is None:
        return result
    __tracebackhide__ = True
    if item.get_closest_marker("mockserver_allow_unmatched") is None:
        server.assert_no_unmatched()
    if item.get_closest_marker("mockserver_assert_all_used") is not None or bool(
            item.config.getini("mockserver_assert_all_used")):
        server.assert_all_used()
    return result


def locks_of(config: pytest.Config) -> dict[str, Any]:
    """The admin locks asked for on the command line (first) or in the ini file."""
    out: dict[str, Any] = {}
    for name in LOCKS:
        value = config.getoption(f"mockserver_{name}") or config.getini(f"mockserver_{name}")
        if value:
            out[name] = str(value)
    return out


def authorization_of(config: pytest.Config) -> str | None:
    """What a shared server's locked admin API wants, from the same lock options."""
    locks = locks_of(config)
    if "admin_api_token" in locks:
        return f"Bearer {locks['admin_api_token']}"
    if "admin_api_basic_auth" in locks:
        return "Basic " + base64.b64encode(locks["admin_api_basic_auth"].encode()).decode()
    return None


def https_of(config: pytest.Config) -> bool:
    return bool(config.getoption("mockserver_https") or config.getini("mockserver_https"))


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


def external_url_of(config: pytest.Config) -> str | None:
    """The shared server's URL: the option, else `MOCKSERVER_URL`, else None."""
    return config.getoption("mockserver_url") or os.environ.get(URL_VARIABLE) or None


@pytest.fixture(scope="session")
def mockserver_session(pytestconfig: pytest.Config) -> Iterator[MockServer | None]:
    """The session's server, started on first use on a free loopback port (not reset);
    None when the tests share an external server (`--mockserver-url`)."""
    from mockserver.api import MockServer

    if external_url_of(pytestconfig) is not None:
        yield None
        return
    with MockServer(root_dir=root_dir_of(pytestconfig), https=https_of(pytestconfig),
                    **locks_of(pytestconfig)) as server:
        yield server


@pytest.fixture
def mockserver(
    mockserver_session: MockServer | None, pytestconfig: pytest.Config,
) -> Iterator[MockServer | RemoteMockServer]:
    """The session's server reset first (only the preloaded stubs, an empty journal), or a
    fresh namespace of the external server, deleted after the test."""
    if mockserver_session is not None:
        mockserver_session.reset()
        yield mockserver_session
        return
    from mockserver.api import RemoteMockServer

    url = external_url_of(pytestconfig)
    assert url is not None
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    with RemoteMockServer.fresh(url, prefix=f"pytest-{worker}",
                                authorization=authorization_of(pytestconfig)) as remote:
        yield remote
