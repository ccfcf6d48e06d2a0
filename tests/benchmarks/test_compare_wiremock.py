"""The benchmark script's own logic (options, stubs, request mixes); no server, no wrk."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from mockserver.exchange import Request
from mockserver.matching.registry import Registry
from mockserver.stubs.parse import parse_stub

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "compare_wiremock.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("compare_wiremock", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


def test_options(bench: ModuleType) -> None:
    """The realistic mix is the default; the old one is selectable; --quick shortens rounds."""
    args = bench.parse_args([])
    assert (args.mix, args.counts, args.connections, args.warmup) == (
        "api-prefix", "1,1000,10000", 50, 15)
    quick = bench.parse_args(["--quick", "--mix", "distinct-prefix", "--warmup", "15"])
    assert (quick.mix, quick.duration, quick.warmup) == ("distinct-prefix", 2, 15)
    with pytest.raises(SystemExit):
        bench.parse_args(["--mix", "nonsense"])


@pytest.mark.parametrize("mix", ["api-prefix", "distinct-prefix"])
def test_each_request_of_a_mix_reaches_its_own_stub(bench: ModuleType, mix: str) -> None:
    """Every request of the mix is answered by exactly the stub it names; the 404 by none."""
    registry = Registry()
    for i in reversed(range(200)):
        registry.add(parse_stub(bench.stub(i, mix)))
    requests = bench.request_mix(200, 20, 7, mix)
    assert len(requests) == 20 and requests[-1].status == 404
    for req in requests:
        found = registry.find(Request(req.method, req.path, headers=list(req.headers),
                                      body=req.body.encode()))
        answer = None if found is None else found.response.body
        assert answer == req.expect_body, (req, answer)
    if mix == "api-prefix":
        assert all(req.path.startswith("/api/v1/") for req in requests)
