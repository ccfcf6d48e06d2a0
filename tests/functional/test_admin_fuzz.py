"""Fuzzing the admin API from WireMock's own OpenAPI description finds no server error.

The description is WireMock 3.13.2's `swagger/wiremock-admin-api.json` (Apache-2.0, see
tests/data/wiremock/NOTICE), kept in the repository so that the test needs no network. Every
operation but `shutdown` gets valid and invalid requests from schemathesis (hypothesis
underneath) with a few fixed seeds; any 5xx fails the test, naming the request. The same run
from the command line, against a server you started:

    st run tests/data/wiremock/wiremock-admin-api.json --url http://127.0.0.1:8080 \\
        --checks not_a_server_error --exclude-path /__admin/shutdown -n 20 --seed 1
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")  # the test extra installs it
from hypothesis import HealthCheck, Phase, given, seed, settings  # noqa: E402
from hypothesis.errors import Unsatisfiable  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402

from mockserver.serve.runner import ThreadedRunner  # noqa: E402
from tests.conftest import start_server  # noqa: E402

SPEC = Path(__file__).resolve().parents[1] / "data" / "wiremock" / "wiremock-admin-api.json"
SEEDS = (1, 2, 3)
EXAMPLES = 3  # per operation, mode and seed: 40 operations x 2 modes x 3 seeds x 3 ~ 700
# (generating requests costs far more than serving them: about 10 s of CPU per seed)


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ThreadedRunner]:
    runner = start_server(tmp_path_factory.mktemp("fuzz") / "root")
    try:
        yield runner
    finally:
        runner.stop()


@functools.cache
def strategies() -> list[Any]:
    """Every operation but shutdown, with valid and with invalid inputs (built once)."""
    schema = schemathesis.openapi.from_path(str(SPEC))
    found = [result.ok() for result in schema.get_all_operations()]
    out = []
    for op in found:
        if op.path.endswith("/shutdown"):
            continue
        out.append(op.as_strategy(generation_mode=GenerationMode.POSITIVE))
        if len(op.body) or len(op.query):  # a string path parameter cannot be made invalid
            out.append(op.as_strategy(generation_mode=GenerationMode.NEGATIVE))
    return out


@pytest.mark.parametrize("fuzz_seed", SEEDS)
def test_no_admin_request_from_the_openapi_description_is_a_server_error(
    fuzzed: ThreadedRunner, fuzz_seed: int
) -> None:
    """Generated valid and invalid requests to every admin operation get no 5xx."""
    errors: dict[str, str] = {}
    for strategy in strategies():

        @seed(fuzz_seed)
        @settings(max_examples=EXAMPLES, deadline=None, database=None,
                  phases=[Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=strategy)
        def run(case: Any) -> None:
            response = case.call(base_url=fuzzed.url, timeout=10)
            if response.status_code >= 500:
                key = f"{case.method} {case.path} -> {response.status_code}"
                errors.setdefault(key, f"{case.as_curl_command()}\n{response.text[:300]}")

        try:
            run()
        except Unsatisfiable:  # some bodies have no invalid form (any JSON is allowed)
            pass
    assert not errors, "\n\n".join(f"{k}\n{v}" for k, v in errors.items())
