"""Chaos beyond WireMock, decided per call: fail (first N, or with a probability), hang, throttle.

`ChaosState` is the live part (per-stub call counters and token buckets); it hangs off the
server state and is cleared by `/__admin/reset`. The random source and the clock are
injected, so `--seed` makes the failures of a run repeatable.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mockserver.model import Chaos, ChaosFailure, StubMapping

RATE_LIMITED = ChaosFailure(429, "Too many requests: the stub's rate limit is exceeded\n",
                            (("Content-Type", "text/plain"),))
DEFAULT_FAILURE = ChaosFailure(503, "Service unavailable (chaos)\n",
                               (("Content-Type", "text/plain"),))


@dataclass(frozen=True, slots=True)
class ChaosOutcome:
    """What chaos does to one call: replace the answer, never answer, or pace it."""

    failure: ChaosFailure | None = None
    hang: bool = False
    reason: str | None = None  # for the journal and the log: "failFirst 1/3", "rateLimit", ...
    retry_after: int | None = None  # seconds, with a rate-limit 429
    bytes_per_second: int | None = None
    headers_delay_ms: int = 0


@dataclass
class _Bucket:
    tokens: float
    updated: float


@dataclass
class ChaosState:
    clock: Callable[[], float] = time.monotonic
    _calls: dict[str, int] = field(default_factory=dict)
    _buckets: dict[str, _Bucket] = field(default_factory=dict)

    def clear(self) -> None:
        self._calls.clear()
        self._buckets.clear()

    def outcome(
        self, stub: StubMapping, global_chaos: Chaos | None, rng: random.Random
    ) -> ChaosOutcome | None:
        """None when no chaos applies to this stub (the common, cheap case)."""
        own = stub.response.chaos
        if own is None and global_chaos is None:
            return None
        chaos = own.over(global_chaos) if own is not None else global_chaos
        assert chaos is not None
        pace: dict[str, Any] = {"bytes_per_second": chaos.bytes_per_second,
                "headers_delay_ms": chaos.headers_delay_ms or 0}
        if chaos.rate_limit is not None:
            wait = self._take(stub.id, chaos.rate_limit.requests, chaos.rate_limit.per_seconds)
            if wait is not None:
                return ChaosOutcome(RATE_LIMITED, reason="rateLimit", retry_after=wait, **pace)
        calls = self._calls[stub.id] = self._calls.get(stub.id, 0) + 1
        if chaos.fail_first and calls <= chaos.fail_first:
            return ChaosOutcome(self._failure(chaos, rng),
                                reason=f"failFirst {calls}/{chaos.fail_first}", **pace)
        if chaos.failure_rate and rng.random() < chaos.failure_rate:
            return ChaosOutcome(self._failure(chaos, rng),
                                reason=f"failureRate {chaos.failure_rate:g}", **pace)
        if chaos.hang:
            return ChaosOutcome(hang=True, reason="hang", **pace)
        return ChaosOutcome(**pace)

    @staticmethod
    def _failure(chaos: Chaos, rng: random.Random) -> ChaosFailure:
        if not chaos.fail_with:
            return DEFAULT_FAILURE
        if len(chaos.fail_with) == 1:
            return chaos.fail_with[0]
        return rng.choice(chaos.fail_with)

    def _take(self, stub_id: str, capacity: int, per_seconds: float) -> int | None:
        """Take a token; None if one was free, else the whole seconds until one will be."""
        now = self.clock()
        rate = capacity / per_seconds
        bucket = self._buckets.get(stub_id)
        if bucket is None:
            bucket = self._buckets[stub_id] = _Bucket(float(capacity), now)
        bucket.tokens = min(float(capacity), bucket.tokens + (now - bucket.updated) * rate)
        bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return None
        return max(1, math.ceil((1 - bucket.tokens) / rate))
