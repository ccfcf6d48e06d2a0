"""Delay sampling and body pacing as numbers (WireMock §3.3 semantics)."""

from __future__ import annotations

import math
import random

import pytest

from mockserver.model import ChunkedDribbleDelay, DelayDistribution, ResponseDefinition, StubMapping
from mockserver.respond.delays import (
    BANDWIDTH_TICK,
    added_delay,
    bandwidth_slices,
    dribble_slices,
    sample_delay,
)
from mockserver.settings import GlobalSettings


def stub(**response: object) -> StubMapping:
    return StubMapping(id="s", response=ResponseDefinition(**response))  # type: ignore[arg-type]


def test_no_distribution_is_no_delay() -> None:
    """Nothing configured, nothing added."""
    assert sample_delay(None, random.Random()) == 0.0


def test_fixed_and_uniform() -> None:
    """`fixed` is exact; uniform covers both ends and nothing outside."""
    rng = random.Random(1)
    assert sample_delay(DelayDistribution("fixed", milliseconds=70), rng) == 70
    draws = {sample_delay(DelayDistribution("uniform", lower=3, upper=5), rng) for _ in range(200)}
    assert draws == {3.0, 4.0, 5.0}


def test_lognormal_matches_wiremock_formula() -> None:
    """round(exp(N(0,1)·sigma)·median), with the same generator draws."""
    dist = DelayDistribution("lognormal", median=100, sigma=0.5)
    expected_rng = random.Random(5)
    expected = round(math.exp(expected_rng.gauss(0.0, 1.0) * 0.5) * 100)
    assert sample_delay(dist, random.Random(5)) == expected


def test_lognormal_max_value_clamps() -> None:
    """Above maxValue: redrawn, then clamped, never above the cap."""
    dist = DelayDistribution("lognormal", median=1000, sigma=0.01, max_value=10)
    assert all(sample_delay(dist, random.Random(i)) == 10 for i in range(20))


def test_same_seed_same_delays() -> None:
    """Delays follow the injected generator."""
    dist = DelayDistribution("lognormal", median=100, sigma=1.0)
    a, b = random.Random(3), random.Random(3)
    assert [sample_delay(dist, a) for _ in range(5)] == [sample_delay(dist, b) for _ in range(5)]


def test_stub_delays_replace_global_ones_of_the_same_kind() -> None:
    """A stub's fixed delay replaces the global fixed delay; the kinds add up."""
    settings = GlobalSettings(fixed_delay=400,
                              delay_distribution=DelayDistribution("fixed", milliseconds=30))
    rng = random.Random()
    assert added_delay(stub(), settings, rng) == 430
    assert added_delay(stub(fixed_delay_milliseconds=500), settings, rng) == 530
    own = stub(delay_distribution=DelayDistribution("fixed", milliseconds=5))
    assert added_delay(own, settings, rng) == 405
    assert added_delay(stub(), GlobalSettings(), rng) == 0


def test_dribble_slices() -> None:
    """N near-equal slices, never more slices than bytes, spread over the total duration."""
    interval, slices = dribble_slices(20, ChunkedDribbleDelay(4, 400))
    assert interval == pytest.approx(0.1)
    assert slices == [(0, 5), (5, 10), (10, 15), (15, 20)]
    interval, slices = dribble_slices(3, ChunkedDribbleDelay(10, 300))
    assert (interval, len(slices)) == (pytest.approx(0.1), 3)
    _, slices = dribble_slices(10, ChunkedDribbleDelay(3, 0))
    assert slices == [(0, 4), (4, 8), (8, 10)]


def test_bandwidth_slices() -> None:
    """One slice per tick at the given rate; under one byte per tick, one byte per 1/rate s."""
    interval, slices = bandwidth_slices(1000, 2000)
    assert interval == BANDWIDTH_TICK
    assert slices[0] == (0, 100) and slices[-1] == (900, 1000) and len(slices) == 10
    interval, slices = bandwidth_slices(3, 4)
    assert interval == pytest.approx(0.25) and slices == [(0, 1), (1, 2), (2, 3)]
