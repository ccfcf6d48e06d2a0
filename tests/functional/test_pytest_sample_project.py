"""The sample project under sample_project/, run as a user's suite, with and without xdist."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

SAMPLE = Path(__file__).parent / "sample_project"
FAILING = 3


def copy_sample(pytester: pytest.Pytester) -> None:
    shutil.copytree(SAMPLE, pytester.path, dirs_exist_ok=True)


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_sample_project_passes_and_fails_as_a_user_expects(
    pytester: pytest.Pytester, workers: list[str]
) -> None:
    """Builder, files, journal, scenarios, callables and logs pass; unmatched requests, unused
    stubs and a count mismatch fail their tests with the cause in the failure."""
    copy_sample(pytester)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-rf", *workers)
    outcomes = result.parseoutcomes()
    failed = sorted(line.split("::")[1].split(" ")[0] for line in result.stdout.lines
                    if line.startswith("FAILED"))
    assert failed == ["test_fails_on_an_unmatched_request",
                      "test_fails_verify_with_too_many_requests",
                      "test_fails_when_a_stub_was_never_used"], result.stdout.str()
    assert outcomes["failed"] == FAILING
    assert outcomes["passed"] == 9
    out = result.stdout.str()
    # an unmatched request, with the stub it came closest to
    assert "1 request matched no stub" in out and "GET /users/2" in out
    assert "Closest stub" in out and "URL does not match" in out
    # the unused stub, by name
    assert "1 stub never matched a request" in out and "never deleted" in out
    # too many: the matching requests, no near-miss tables, no API source in the traceback
    assert "expected exactly 2 requests matching" in out and "but 3 matched" in out
    assert "Nearest request" not in out
    assert "def verify(" not in out


def test_a_broken_stub_file_fails_the_tests_naming_its_line(pytester: pytest.Pytester) -> None:
    """A stub file that does not load errors every test using the fixture, with file:line."""
    mappings = pytester.path / "stubs" / "mappings"
    mappings.mkdir(parents=True)
    (mappings / "ok.yaml").write_text("request: {url: /ok}\nresponse: {status: 200}\n")
    (mappings / "bad.yaml").write_text("request:\n  url: /bad\n  queryParams: {a: b}\n"
                                       "response: {status: 200}\n")
    pytester.makeini("[pytest]\nmockserver_root_dir = stubs\n")
    pytester.makepyfile("def test_uses_it(mockserver):\n    pass\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([(
        "*StubLoadError*bad.yaml:3: request.queryParams: unknown field 'queryParams' "
        "(did you mean 'queryParameters'?)*")])
