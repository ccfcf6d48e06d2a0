"""Java's `HashSet` iteration order for strings, which WireMock's answers leak.

`possibleStates` in `GET /__admin/scenarios` is a `Collectors.toSet()` of state names: clients
and tests that compare the list see Java's bucket order, not insertion or sorted order.
"""

from __future__ import annotations

from collections.abc import Iterable

_DEFAULT_CAPACITY = 16
_LOAD_FACTOR = 0.75


def string_hash(text: str) -> int:
    """`String.hashCode()`: over UTF-16 code units, as a 32-bit unsigned number."""
    data = text.encode("utf-16-be", errors="surrogatepass")
    h = 0
    for i in range(0, len(data), 2):
        h = (31 * h + ((data[i] << 8) | data[i + 1])) & 0xFFFFFFFF
    return h


def hash_set_order(items: Iterable[str]) -> list[str]:
    """The distinct `items` in the order a `java.util.HashSet` filled with them iterates.

    Buckets are `(h ^ h >>> 16) & (capacity - 1)`; the table doubles whenever the size passes
    three quarters of it; within a bucket, entries keep their insertion order (resizing splits
    a bucket without reordering it). Buckets of 8+ colliding names, which Java turns into
    trees, do not happen with state names.
    """
    distinct = list(dict.fromkeys(items))
    capacity = _DEFAULT_CAPACITY
    while len(distinct) > capacity * _LOAD_FACTOR:
        capacity *= 2
    buckets: dict[int, list[str]] = {}
    for item in distinct:
        h = string_hash(item)
        buckets.setdefault((h ^ (h >> 16)) & (capacity - 1), []).append(item)
    return [item for index in sorted(buckets) for item in buckets[index]]
