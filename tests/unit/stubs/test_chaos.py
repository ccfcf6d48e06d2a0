"""The `chaos` object into the model, with errors at the field."""

from __future__ import annotations

from typing import Any

import pytest

from mockserver.errors import StubError
from mockserver.model import Chaos, ChaosFailure, Fault, RateLimit
from mockserver.stubs.chaos import parse_chaos
from mockserver.stubs.parse import parse_stub


def test_full_object() -> None:
    """Every field, with failWith as a list."""
    chaos = parse_chaos({
        "failureRate": 0.2, "failFirst": 3, "hang": False, "bytesPerSecond": 512,
        "headersDelayMilliseconds": 150, "rateLimit": {"requests": 10, "perSeconds": 2},
        "failWith": [{"status": 500, "body": "x", "headers": {"A": ["1", "2"]}},
                     {"fault": "EMPTY_RESPONSE"}]})
    assert chaos == Chaos(
        failure_rate=0.2, fail_first=3, hang=False, bytes_per_second=512, headers_delay_ms=150,
        rate_limit=RateLimit(10, 2.0),
        fail_with=(ChaosFailure(500, "x", (("A", "1"), ("A", "2"))),
                   ChaosFailure(fault=Fault.EMPTY_RESPONSE)))


def test_defaults() -> None:
    """Absent is None; failWith defaults to 503; perSeconds to 1."""
    assert parse_chaos(None) is None
    chaos = parse_chaos({"failWith": {}, "rateLimit": {"requests": 1}})
    assert chaos is not None and chaos.fail_with == (ChaosFailure(503),)
    assert chaos.rate_limit == RateLimit(1, 1.0) and chaos.failure_rate is None


@pytest.mark.parametrize(("value", "path", "message"), [
    ({"often": 1}, ("chaos", "often"), "unknown field 'often'"),
    ({"failureRate": 1.5}, ("chaos", "failureRate"), "between 0 and 1"),
    ({"failureRate": True}, ("chaos", "failureRate"), "expected a number"),
    ({"failFirst": 1.5}, ("chaos", "failFirst"), "whole number"),
    ({"bytesPerSecond": 0}, ("chaos", "bytesPerSecond"), "at least 1"),
    ({"hang": 1}, ("chaos", "hang"), "true or false"),
    ({"failWith": []}, ("chaos", "failWith"), "at least one"),
    ({"failWith": [{"status": 42}]}, ("chaos", "failWith", 0, "status"), "between 100 and 999"),
    ({"failWith": {"fault": "BOOM"}}, ("chaos", "failWith", "fault"), "unknown fault"),
    ({"failWith": {"body": 1}}, ("chaos", "failWith", "body"), "expected a string"),
    ({"rateLimit": {}}, ("chaos", "rateLimit", "requests"), "missing"),
    ({"rateLimit": {"requests": 1, "perSeconds": 0}}, ("chaos", "rateLimit", "perSeconds"),
     "at least"),
    ("fast", ("chaos",), "expected an object"),
])
def test_errors_name_the_field(value: Any, path: tuple[Any, ...], message: str) -> None:
    """Each mistake is reported at its key path."""
    with pytest.raises(StubError, match=message) as info:
        parse_chaos(value)
    assert info.value.path == path


def test_stub_response_carries_chaos_and_keeps_its_json() -> None:
    """`response.chaos` is accepted by the loader and kept as written for the admin API."""
    stub = parse_stub({"request": {"url": "/x"},
                       "response": {"status": 200, "chaos": {"failFirst": 1}}})
    assert stub.response.chaos == Chaos(fail_first=1)
    assert stub.response.source_json["chaos"] == {"failFirst": 1}
    with pytest.raises(StubError) as info:
        parse_stub({"response": {"chaos": {"failFirst": -1}}})
    assert info.value.path == ("response", "chaos", "failFirst")
