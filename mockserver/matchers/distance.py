"""Normalised edit distance, the grade of near misses between two strings.

Only grading asks for it (near misses, verification); the hot path asks a matcher a yes/no.
"""

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
    """Exact edit distance by Myers' bit-vector algorithm (Hyyrö's form for whole strings).

    One column of the dynamic-programming table is held in two integers used as bit vectors,
    so the work is one handful of integer operations per character of `b`, not per cell.
    """
    if len(a) < len(b):
        a, b = b, a
    m = len(b)
    if m == 0:
        return len(a)
    positions: dict[str, int] = {}
    for i, c in enumerate(b):
        positions[c] = positions.get(c, 0) | (1 << i)
    full = (1 << m) - 1
    top = 1 << (m - 1)
    plus, minus, score = full, 0, m
    for c in a:
        eq = positions.get(c, 0)
        xv = eq | minus
        xh = (((eq & plus) + plus) ^ plus) | eq
        hp = minus | (~(xh | plus) & full)
        hm = plus & xh
        if hp & top:
            score += 1
        elif hm & top:
            score -= 1
        hp = ((hp << 1) | 1) & full
        hm = (hm << 1) & full
        plus = hm | (~(xv | hp) & full)
        minus = hp & xv
    return score
