"""The `chaos` extension object (in a stub's `response`, or in `/__admin/settings`) into the model.

    chaos:
      failureRate: 0.2            # 20% of calls fail ...
      failFirst: 2                # ... and so do the first 2
      failWith: {status: 503}     # how they fail: status/body/headers, or {fault: ...};
                                  # a list means one picked at random per failure
      hang: true                  # never answer
      bytesPerSecond: 2048        # body bandwidth
      headersDelayMilliseconds: 300
      rateLimit: {requests: 10, perSeconds: 1}   # beyond it: 429 + Retry-After
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mockserver.errors import KeyPath, StubError
from mockserver.model import Chaos, ChaosFailure, Fault, RateLimit

CHAOS_KEYS = ("failureRate", "failFirst", "failWith", "hang", "bytesPerSecond",
              "headersDelayMilliseconds", "rateLimit")
FAILURE_KEYS = ("status", "body", "headers", "fault")
RATE_LIMIT_KEYS = ("requests", "perSeconds")


def _object(value: Any, path: KeyPath) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise StubError(path, f"expected an object, got {type(value).__name__}")
    return value


def _check(obj: Mapping[str, Any], allowed: tuple[str, ...], path: KeyPath) -> None:
    for key in obj:
        if key not in allowed:
            raise StubError((*path, key), f"unknown field {key!r} "
                            f"(expected one of: {', '.join(sorted(allowed))})")


def _number(value: Any, path: KeyPath, *, low: float, high: float | None = None,
            whole: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise StubError(path, f"expected a number, got {value!r}")
    if whole and not float(value).is_integer():
        raise StubError(path, f"expected a whole number, got {value!r}")
    if value < low or (high is not None and value > high):
        bound = f"between {low:g} and {high:g}" if high is not None else f"at least {low:g}"
        raise StubError(path, f"must be {bound}, got {value!r}")
    return float(value)


def _failure(value: Any, path: KeyPath) -> ChaosFailure:
    obj = _object(value, path)
    _check(obj, FAILURE_KEYS, path)
    fault = None
    if obj.get("fault") is not None:
        try:
            fault = Fault(obj["fault"])
        except ValueError as exc:
            raise StubError((*path, "fault"), f"unknown fault {obj['fault']!r} (expected one "
                            f"of: {', '.join(f.value for f in Fault)})") from exc
    status = 503 if obj.get("status") is None else int(
        _number(obj["status"], (*path, "status"), low=100, high=999, whole=True))
    body = obj.get("body")
    if body is not None and not isinstance(body, str):
        raise StubError((*path, "body"), "expected a string")
    headers: list[tuple[str, str]] = []
    for name, item in _object(obj.get("headers") or {}, (*path, "headers")).items():
        for v in item if isinstance(item, list) else [item]:
            headers.append((str(name), str(v)))
    return ChaosFailure(status, body, tuple(headers), fault)


def parse_chaos(value: Any, path: KeyPath = ("chaos",)) -> Chaos | None:
    if value is None:
        return None
    obj = _object(value, path)
    _check(obj, CHAOS_KEYS, path)

    def get(key: str, **bounds: Any) -> float | None:
        return None if obj.get(key) is None else _number(obj[key], (*path, key), **bounds)

    fail_with = None
    if obj.get("failWith") is not None:
        raw = obj["failWith"]
        items = raw if isinstance(raw, list) else [raw]
        if not items:
            raise StubError((*path, "failWith"), "expected at least one failure")
        where = (lambda i: (*path, "failWith", i)) if isinstance(raw, list) else (
            lambda i: (*path, "failWith"))
        fail_with = tuple(_failure(item, where(i)) for i, item in enumerate(items))
    hang = obj.get("hang")
    if hang is not None and not isinstance(hang, bool):
        raise StubError((*path, "hang"), f"expected true or false, got {hang!r}")
    rate_limit = None
    if obj.get("rateLimit") is not None:
        rl_path = (*path, "rateLimit")
        rl = _object(obj["rateLimit"], rl_path)
        _check(rl, RATE_LIMIT_KEYS, rl_path)
        if rl.get("requests") is None:
            raise StubError((*rl_path, "requests"), "missing: how many calls are allowed")
        requests = int(_number(rl["requests"], (*rl_path, "requests"), low=1, whole=True))
        per = 1.0 if rl.get("perSeconds") is None else _number(
            rl["perSeconds"], (*rl_path, "perSeconds"), low=0.001)
        rate_limit = RateLimit(requests, per)
    fail_first = get("failFirst", low=0, whole=True)
    bandwidth = get("bytesPerSecond", low=1, whole=True)
    headers_delay = get("headersDelayMilliseconds", low=0, whole=True)
    return Chaos(
        failure_rate=get("failureRate", low=0, high=1),
        fail_first=None if fail_first is None else int(fail_first),
        fail_with=fail_with,
        hang=hang,
        bytes_per_second=None if bandwidth is None else int(bandwidth),
        headers_delay_ms=None if headers_delay is None else int(headers_delay),
        rate_limit=rate_limit,
    )
