"""Normalised edit distance, the grade of near misses between two strings."""

from __future__ import annotations

# Longer inputs are cut: an exact edit distance over megabyte bodies would stall the server,
# and beyond a few hundred characters the ranking it gives no longer changes.
MAX_COMPARED = 256


def normalised_distance(expected: str, actual: str) -> float:
    """Levenshtein distance divided by the longer length: 0 identical, 1 nothing in common."""
    if expected == actual:
        return 0.0
    a = expected[:MAX_COMPARED]
    b = actual[:MAX_COMPARED]
    longest = max(len(a), len(b))
    if longest == 0:
        return 0.0
    return min(1.0, levenshtein(a, b) / longest)


def levenshtein(a: str, b: str) -> int:
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        append = current.append
        for j, cb in enumerate(b, 1):
            append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            )
        previous = current
    return previous[-1]
