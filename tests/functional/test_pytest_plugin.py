"""The `mockserver` pytest fixture, run inside pytester sessions as a user's suite would run it."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

STUB_FILE = """\
request: {method: GET, urlPath: /preloaded}
response: {status: 200, body: from a file}
"""

TWO_TESTS = """
import urllib.request

import pytest

PORTS = []


def fetch(url):
    with urllib.request.urlopen(url) as reply:
        return reply.status, reply.read().decode()


def test_first(mockserver):
    stub_id = mockserver.stub({"request": {"url": "/ping"}, "response": {"body": "pong"}})
    assert len(stub_id) == 36
    assert fetch(mockserver.url + "/ping") == (200, "pong")
    mockserver.verify({"url": "/ping"}, count=1)
    PORTS.append(mockserver.port)


@pytest.mark.mockserver_allow_unmatched
def test_second_sees_a_reset_server(mockserver):
    assert mockserver.requests() == []
    try:
        fetch(mockserver.url + "/ping")
    except urllib.error.HTTPError as exc:
        assert exc.code == 404
    else:
        raise AssertionError("the first test's stub survived the reset")
    assert PORTS == [mockserver.port]  # one server for the session
"""


def test_fixture_serves_stubs_and_is_reset_between_tests(pytester: pytest.Pytester) -> None:
    """Two tests share one session server; the second sees no stub or request of the first."""
    pytester.makepyfile(TWO_TESTS)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_failed_verify_shows_the_nearest_requests(pytester: pytest.Pytester) -> None:
    """A failing `verify` fails the test with the near misses and what differed."""
    pytester.makepyfile(
        """
        import urllib.request

        def test_payment_posted(mockserver):
            mockserver.stub({"request": {"urlPathPattern": "/.*"}, "response": {"status": 202}})
            body = b'{"amount": 10}'
            request = urllib.request.Request(mockserver.url + "/payment", data=body,
                                             method="POST")
            urllib.request.urlopen(request).close()
            mockserver.verify({"method": "POST", "url": "/payments",
                               "bodyPatterns": [{"equalToJson": {"amount": 10}}]})
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*AssertionError: expected at least one request matching*/payments*, but 0 matched",
        "*the nearest requests received, beside the pattern:",
        "*Nearest request 1 of 1*",
        "*| Expected*| Request*",
        "*/payments*/payment*<<<<< URL does not match",
    ])


def test_the_fixture_waits_for_webhooks(pytester: pytest.Pytester) -> None:
    """`mockserver.wait_for_webhooks()` returns the callback a stub sent to a real receiver,
    and fails readably when none arrives."""
    pytester.makepyfile(
        """
        import threading
        import urllib.request
        from http.server import BaseHTTPRequestHandler, HTTPServer

        class Receiver(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers["Content-Length"]))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        def test_callback_arrives(mockserver):
            receiver = HTTPServer(("127.0.0.1", 0), Receiver)
            threading.Thread(target=receiver.serve_forever, daemon=True).start()
            try:
                mockserver.stub({
                    "request": {"urlPath": "/pay"}, "response": {"status": 202},
                    "serveEventListeners": [{"name": "webhook", "parameters": {
                        "method": "POST", "body": "{{originalRequest.path}}",
                        "url": f"http://127.0.0.1:{receiver.server_port}/done"}}]})
                urllib.request.urlopen(mockserver.url + "/pay").close()
                (delivery,) = mockserver.wait_for_webhooks(count=1, timeout=10)
                assert delivery.response["status"] == 204
                assert delivery.request["body"] == "/pay"
            finally:
                receiver.shutdown()
                receiver.server_close()

        def test_no_callback(mockserver):
            mockserver.wait_for_webhooks(count=1, timeout=0.1)
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([
        "*AssertionError: expected 1 webhook callback within 0.1s, 0 finished*0 still pending",
    ])


def test_root_dir_option_and_ini_preload_stub_files(pytester: pytest.Pytester) -> None:
    """`mockserver_root_dir` in the ini file preloads stubs; `--mockserver-root-dir` wins."""
    for name, body in (("from_ini", "ini"), ("from_option", "option")):
        mappings = pytester.path / name / "mappings"
        mappings.mkdir(parents=True)
        (mappings / "stub.yaml").write_text(STUB_FILE.replace("from a file", body))
    pytester.makeini("[pytest]\nmockserver_root_dir = from_ini\n")
    pytester.makepyfile(
        """
        import sys
        import urllib.request

        def test_preloaded(mockserver):
            with urllib.request.urlopen(mockserver.url + "/preloaded") as reply:
                sys.stdout.write("BODY=" + reply.read().decode() + "\\n")
            assert mockserver.root_dir.name.startswith("from_")
        """
    )
    from_ini = pytester.runpytest("-p", "no:cacheprovider", "-s")
    from_ini.assert_outcomes(passed=1)
    from_ini.stdout.fnmatch_lines(["*BODY=ini*"])
    from_option = pytester.runpytest("-p", "no:cacheprovider", "-s",
                                     "--mockserver-root-dir", "from_option")
    from_option.assert_outcomes(passed=1)
    from_option.stdout.fnmatch_lines(["*BODY=option*"])


def test_plugin_is_registered_by_entry_point_and_lazy(pytester: pytest.Pytester) -> None:
    """An installed mockserver adds the fixture to every suite, but starts and imports nothing
    until a test asks for it."""
    pytester.makepyfile(
        """
        import sys
        import threading

        def test_nothing_started(request):
            assert request.config.pluginmanager.has_plugin("mockserver")
            assert "mockserver.api" not in sys.modules
            assert "aiohttp" not in sys.modules
            assert not [t for t in threading.enumerate() if t.name == "mockserver"]
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    help_text = pytester.runpytest_subprocess("--help")
    help_text.stdout.fnmatch_lines(["*--mockserver-root-dir=DIR*", "*mockserver_root_dir*"])


def test_each_xdist_worker_has_its_own_server(pytester: pytest.Pytester) -> None:
    """Under pytest-xdist each worker process runs its own server on its own port."""
    record = pytester.path / "ports.txt"
    pytester.makepyfile(
        f"""
        import os
        import urllib.request

        import pytest

        @pytest.mark.parametrize("n", range(8))
        def test_worker(mockserver, n):
            mockserver.stub({{"request": {{"url": "/n"}}, "response": {{"body": str(n)}}}})
            with urllib.request.urlopen(mockserver.url + "/n") as reply:
                assert reply.read().decode() == str(n)
            mockserver.verify({{"url": "/n"}}, count=1)
            with open({str(record)!r}, "a") as out:
                out.write(f"{{os.getpid()}} {{mockserver.port}}\\n")
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2")
    result.assert_outcomes(passed=8)
    pairs = {tuple(line.split()) for line in record.read_text().splitlines()}
    pids = {pid for pid, _ in pairs}
    ports = {port for _, port in pairs}
    assert len(pairs) == len(pids) == len(ports)  # one port per worker, none shared
    assert len(pids) == 2


def test_the_fixture_server_can_lock_its_admin_api(pytester: pytest.Pytester) -> None:
    """`mockserver_admin_api_token` in the ini file locks /__admin over HTTP; the fixture's
    own methods keep working."""
    pytester.makeini("[pytest]\nmockserver_admin_api_token = fixture-token\n")
    pytester.makepyfile(
        """
        import urllib.error, urllib.request

        def test_locked(mockserver):
            mockserver.stub({"request": {"url": "/a"}, "response": {"body": "a"}})
            assert urllib.request.urlopen(mockserver.url + "/a").read() == b"a"
            try:
                urllib.request.urlopen(mockserver.url + "/__admin/mappings")
            except urllib.error.HTTPError as exc:
                assert exc.code == 401
            else:
                raise AssertionError("the admin API answered without the token")
            request = urllib.request.Request(mockserver.url + "/__admin/mappings",
                                             headers={"Authorization": "Bearer fixture-token"})
            assert urllib.request.urlopen(request).status == 200
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_fixture_serves_https_trusted_through_ssl_context(pytester: pytest.Pytester) -> None:
    """With `mockserver_https = true` the fixture has an HTTPS URL its ssl_context() trusts,
    and an unconfigured client refuses the throwaway certificate."""
    pytester.makeini("[pytest]\nmockserver_https = true\n")
    pytester.makepyfile(
        """
        import ssl
        import urllib.error
        import urllib.request

        import pytest

        def test_https(mockserver):
            mockserver.stub({"request": {"url": "/secure"}, "response": {"body": "tls"}})
            assert mockserver.https_url.startswith("https://127.0.0.1:")
            context = mockserver.ssl_context()
            with urllib.request.urlopen(mockserver.https_url + "/secure", context=context) as r:
                assert r.read() == b"tls"
            with pytest.raises(urllib.error.URLError):
                urllib.request.urlopen(mockserver.https_url + "/secure",
                                       context=ssl.create_default_context())
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
