"""How long to wait, and how to pace a body: WireMock's delay semantics (compat §3.3) as numbers.

Pure: the random source is injected and nothing sleeps here; the server does the waiting with
`asyncio.sleep`, so a delayed response never holds up any other request.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator

from mockserver.model import ChunkedDribbleDelay, DelayDistribution, StubMapping
from mockserver.settings import GlobalSettings

BANDWIDTH_TICK = 0.05  # seconds between the slices of a bandwidth-limited body
# A paced body: the pause before each slice (seconds) and the slices' [start, end) bounds.
Slices = tuple[float, list[tuple[int, int]]]


def sample_delay(dist: DelayDistribution | None, rng: random.Random) -> float:
    """One draw in milliseconds. Lognormal: `round(exp(N(0,1)·sigma)·median)`, redrawn up to
    10 times while above `maxValue`, then clamped; uniform: both ends included."""
    if dist is None:
        return 0.0
    if dist.type == "fixed":
        return float(dist.milliseconds)
    if dist.type == "uniform":
        return float(rng.randint(dist.lower, dist.upper))
    value = round(math.exp(rng.gauss(0.0, 1.0) * dist.sigma) * dist.median)
    if dist.max_value is not None:
        for _ in range(10):
            if value <= dist.max_value:
                break
            value = round(math.exp(rng.gauss(0.0, 1.0) * dist.sigma) * dist.median)
        return float(min(value, dist.max_value))
    return float(value)


def added_delay(stub: StubMapping, settings: GlobalSettings, rng: random.Random) -> float:
    """Stub delays replace the global ones of the same kind; fixed and random delays add up."""
    response = stub.response
    fixed = response.fixed_delay_milliseconds
    if fixed is None:
        fixed = settings.fixed_delay or 0
    dist = response.delay_distribution or settings.delay_distribution
    return float(fixed) + sample_delay(dist, rng)


def dribble_slices(size: int, dribble: ChunkedDribbleDelay) -> Slices:
    """`chunkedDribbleDelay`: the pause before each slice (seconds) and the slices' bounds.

    The body is cut into `numberOfChunks` near-equal slices (never more slices than bytes), each
    sent after `totalDuration / chunks`, so the last byte leaves at about `totalDuration`.
    """
    chunks = max(1, min(dribble.number_of_chunks, size))
    interval = dribble.total_duration / 1000 / chunks
    return interval, _slices(size, -(-size // chunks))


def bandwidth_slices(size: int, bytes_per_second: int) -> Slices:
    """A body sent at `bytes_per_second`: a slice every `BANDWIDTH_TICK` seconds (bigger ticks
    when the rate is under 20 bytes/s, so no slice is empty)."""
    per_tick = bytes_per_second * BANDWIDTH_TICK
    if per_tick >= 1:
        return BANDWIDTH_TICK, _slices(size, int(per_tick))
    return 1 / bytes_per_second, _slices(size, 1)


def _slices(size: int, step: int) -> list[tuple[int, int]]:
    return list(_ranges(size, max(1, step)))


def _ranges(size: int, step: int) -> Iterator[tuple[int, int]]:
    for start in range(0, size, step):
        yield start, min(size, start + step)
