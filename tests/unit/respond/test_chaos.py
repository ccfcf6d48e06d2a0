"""Chaos decisions per call: rate limits, first-N failures, failure rates, hangs, pacing."""

from __future__ import annotations

import random

from mockserver.model import Chaos, ChaosFailure, RateLimit, ResponseDefinition, StubMapping
from mockserver.respond.chaos import DEFAULT_FAILURE, RATE_LIMITED, ChaosState


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def stub(chaos: Chaos | None, stub_id: str = "s1") -> StubMapping:
    return StubMapping(id=stub_id, response=ResponseDefinition(chaos=chaos))


def test_no_chaos_is_none() -> None:
    """Stubs without chaos (and no global chaos) cost one check."""
    assert ChaosState().outcome(stub(None), None, random.Random()) is None


def test_fail_first_counts_per_stub() -> None:
    """The first N calls of each stub fail, then it answers normally."""
    state, rng = ChaosState(), random.Random()
    failure = ChaosFailure(500)
    chaos = Chaos(fail_first=2, fail_with=(failure,))
    outcomes = [state.outcome(stub(chaos), None, rng) for _ in range(3)]
    assert [o.failure if o else None for o in outcomes] == [failure, failure, None]
    assert [o.reason if o else None for o in outcomes] == ["failFirst 1/2", "failFirst 2/2", None]
    other = state.outcome(stub(chaos, "s2"), None, rng)
    assert other is not None and other.failure == failure
    state.clear()
    again = state.outcome(stub(chaos), None, rng)
    assert again is not None and again.failure == failure


def test_failure_rate_uses_the_injected_generator() -> None:
    """failureRate draws from the server's generator: same seed, same failures."""
    chaos = Chaos(failure_rate=0.5)

    def run(seed: int) -> list[bool]:
        state, rng = ChaosState(), random.Random(seed)
        return [state.outcome(stub(chaos), None, rng).failure is not None  # type: ignore[union-attr]
                for _ in range(50)]

    assert run(4) == run(4)
    assert 10 < sum(run(4)) < 40
    first = ChaosState().outcome(stub(chaos), None, random.Random(4))
    assert first is not None and first.failure in (None, DEFAULT_FAILURE)


def test_fail_with_list_picks_one() -> None:
    """Several failures: one is picked at random per failed call."""
    options = (ChaosFailure(500), ChaosFailure(502))
    state, rng = ChaosState(), random.Random(1)
    picked = {state.outcome(stub(Chaos(failure_rate=1, fail_with=options)), None, rng)
              .failure for _ in range(30)}  # type: ignore[union-attr]
    assert picked == set(options)


def test_token_bucket_refills_over_time() -> None:
    """rateLimit: `requests` calls, then 429 with the seconds until a token returns."""
    clock = Clock()
    state, rng = ChaosState(clock=clock), random.Random()
    chaos = Chaos(rate_limit=RateLimit(2, 10.0))  # one token every 5 s
    assert [state.outcome(stub(chaos), None, rng).failure for _ in range(2)] == [None, None]  # type: ignore[union-attr]
    limited = state.outcome(stub(chaos), None, rng)
    assert limited is not None and limited.failure == RATE_LIMITED
    assert limited.retry_after == 5 and limited.reason == "rateLimit"
    clock.now += 2.5
    assert state.outcome(stub(chaos), None, rng).retry_after == 3  # type: ignore[union-attr]
    clock.now += 2.5
    assert state.outcome(stub(chaos), None, rng).failure is None  # type: ignore[union-attr]


def test_rate_limited_calls_do_not_count_toward_fail_first() -> None:
    """A 429 is decided before failFirst counts the call."""
    clock = Clock()
    state, rng = ChaosState(clock=clock), random.Random()
    chaos = Chaos(rate_limit=RateLimit(1, 60), fail_first=1)
    assert state.outcome(stub(chaos), None, rng).reason == "failFirst 1/1"  # type: ignore[union-attr]
    assert state.outcome(stub(chaos), None, rng).reason == "rateLimit"  # type: ignore[union-attr]


def test_stub_fields_override_global_ones() -> None:
    """Global chaos fills in what the stub leaves unset; the stub's own fields win."""
    state, rng = ChaosState(), random.Random()
    global_chaos = Chaos(fail_first=1, bytes_per_second=10, headers_delay_ms=50)
    own = state.outcome(stub(Chaos(fail_first=0, bytes_per_second=99)), global_chaos, rng)
    assert own is not None and own.failure is None
    assert (own.bytes_per_second, own.headers_delay_ms) == (99, 50)
    plain = state.outcome(stub(None, "s3"), global_chaos, rng)
    assert plain is not None and plain.failure == DEFAULT_FAILURE and plain.bytes_per_second == 10


def test_hang() -> None:
    """hang holds every call that does not fail."""
    outcome = ChaosState().outcome(stub(Chaos(hang=True)), None, random.Random())
    assert outcome is not None and outcome.hang and outcome.reason == "hang"
