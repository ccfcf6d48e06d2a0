"""The `mockserver` fixture against an external server: a fresh namespace per test, under xdist."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from mockserver.serve.runner import ThreadedRunner
from tests.conftest import Client, start_server

pytest_plugins = ["pytester"]

# Both files stub the same URL with their own body and check that only their own stubs and
# requests are seen: on one shared server they would trample each other without namespaces.
TEST_FILE = """
import urllib.error
import urllib.request

import pytest


def fetch(url):
    try:
        with urllib.request.urlopen(url) as reply:
            return reply.status, reply.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


@pytest.mark.parametrize("n", range(4))
def test_isolated_{tag}(mockserver, n):
    assert "/__ns/pytest-" in mockserver.url
    assert mockserver.requests() == [] and mockserver.stub_ids() == []
    mockserver.on("GET", "/who").reply(200, body="{tag}-" + str(n))
    assert fetch(mockserver.url + "/who") == (200, "{tag}-" + str(n))
    assert fetch(mockserver.url + "/shared") == (200, "from the server's files")
    mockserver.verify({{"urlPath": "/who"}}, count=1)
    assert [r.url for r in mockserver.requests()] == ["/who", "/shared"]
"""


@pytest.fixture
def shared(tmp_path: Path) -> Iterator[ThreadedRunner]:
    root = tmp_path / "shared"
    (root / "mappings").mkdir(parents=True)
    (root / "mappings" / "shared.json").write_text(json.dumps(
        {"request": {"url": "/shared"}, "response": {"body": "from the server's files"}}))
    runner = start_server(root)
    try:
        yield runner
    finally:
        runner.stop()


def test_two_files_under_xdist_share_one_server_safely(
        pytester: pytest.Pytester, shared: ThreadedRunner) -> None:
    """Two test files run with -n 2 against one server pass, and leave no namespace behind."""
    pytester.makepyfile(test_one=TEST_FILE.format(tag="one"), test_two=TEST_FILE.format(tag="two"))
    result = pytester.runpytest_subprocess("-n", "2", "-p", "no:cacheprovider",
                                           "--mockserver-url", shared.url)
    result.assert_outcomes(passed=8)
    client = Client(shared.port)
    assert client.get("/__admin/namespaces").json()["namespaces"] == []
    assert client.get("/__admin/requests").json()["requests"] == []  # nothing reached the default


def test_the_url_can_come_from_the_environment(
        pytester: pytest.Pytester, shared: ThreadedRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """MOCKSERVER_URL selects the external server as the option does."""
    monkeypatch.setenv("MOCKSERVER_URL", shared.url)
    pytester.makepyfile(test_env=TEST_FILE.format(tag="env"))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=4)


def test_an_unmatched_request_fails_the_test_with_the_report(
        pytester: pytest.Pytester, shared: ThreadedRunner) -> None:
    """A request no stub matched in the test's namespace fails it, as with a local server."""
    pytester.makepyfile("""
        import urllib.error, urllib.request

        def test_stray(mockserver):
            mockserver.on("GET", "/users/1").reply(200, body="one")
            try:
                urllib.request.urlopen(mockserver.url + "/users/2")
            except urllib.error.HTTPError:
                pass
    """)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider",
                                           "--mockserver-url", shared.url)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*1 request matched no stub*", "*GET /users/2*"])
