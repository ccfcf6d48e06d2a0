"""Normalised Levenshtein distance, the grade of near misses between two strings."""

from __future__ import annotations

import random
import string

import pytest

from mockserver.matchers.distance import MAX_COMPARED, levenshtein, normalised_distance


def reference_levenshtein(a: str, b: str) -> int:
    """Textbook full-matrix edit distance, to check the space-saving version against."""
    rows = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        rows[i][0] = i
    for j in range(len(b) + 1):
        rows[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            rows[i][j] = min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost)
    return rows[-1][-1]


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        ("", "", 0),
        ("a", "", 1),
        ("", "abc", 3),
        ("abc", "abc", 0),
        ("abc", "abd", 1),
        ("kitten", "sitting", 3),
        ("flaw", "lawn", 2),
        ("ab", "ba", 2),
        ("café", "cafe", 1),
        ("/users/1", "/users/12", 1),
        ("intention", "execution", 5),
    ],
)
def test_levenshtein(a: str, b: str, distance: int) -> None:
    """Edit distance counts single-character insertions, deletions and substitutions."""
    assert levenshtein(a, b) == distance
    assert levenshtein(b, a) == distance


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        ("", "", 0.0),
        ("abc", "abc", 0.0),
        ("abc", "", 1.0),
        ("", "abc", 1.0),
        ("abc", "xyz", 1.0),
        ("abc", "abd", 1 / 3),
        ("abc", "abcd", 1 / 4),
        ("kitten", "sitting", 3 / 7),
        ("a", "aaaaaaaaaa", 9 / 10),
    ],
)
def test_normalised_distance(a: str, b: str, distance: float) -> None:
    """Normalised distance is the edit distance over the longer length, 0 same, 1 nothing shared."""
    assert normalised_distance(a, b) == pytest.approx(distance)
    assert normalised_distance(b, a) == pytest.approx(distance)


def test_matches_reference_on_random_strings() -> None:
    """The bit-vector implementation agrees with the full-matrix one on random inputs."""
    rng = random.Random(1234)
    for _ in range(300):
        a = "".join(rng.choices("abc/", k=rng.randint(0, 12)))
        b = "".join(rng.choices("abc/", k=rng.randint(0, 12)))
        expected = reference_levenshtein(a, b)
        assert levenshtein(a, b) == expected
        longest = max(len(a), len(b))
        assert normalised_distance(a, b) == pytest.approx(expected / longest if longest else 0.0)


def test_metric_properties_on_random_strings() -> None:
    """Distance is symmetric, bounded by the lengths and obeys the triangle inequality."""
    rng = random.Random(99)
    alphabet = string.ascii_lowercase[:5]
    for _ in range(200):
        a, b, c = ("".join(rng.choices(alphabet, k=rng.randint(0, 10))) for _ in range(3))
        ab = levenshtein(a, b)
        assert ab == levenshtein(b, a)
        assert abs(len(a) - len(b)) <= ab <= max(len(a), len(b))
        assert ab <= levenshtein(a, c) + levenshtein(c, b)
        assert 0.0 <= normalised_distance(a, b) <= 1.0


def test_only_the_first_characters_are_compared() -> None:
    """Inputs are cut at MAX_COMPARED characters so huge bodies cannot stall matching."""
    head = "x" * MAX_COMPARED
    assert normalised_distance(head + "a" * 10, head + "b" * 10) == 0.0
    assert normalised_distance("a" + head, "b" + head) == pytest.approx(1 / MAX_COMPARED)


def test_huge_inputs_are_graded() -> None:
    """Megabyte-long strings are graded (on their prefixes) without quadratic cost."""
    a = "a" * 1_000_000
    b = "b" * 1_000_000
    assert normalised_distance(a, b) == 1.0


def test_equal_strings_short_circuit() -> None:
    """Identical strings of any length are at distance 0."""
    text = "same" * 100_000
    assert normalised_distance(text, text) == 0.0


def test_bit_vector_agrees_with_the_matrix_on_long_strings() -> None:
    """Strings longer than a machine word (up to the cap) get the exact edit distance."""
    rng = random.Random(7)
    for _ in range(20):
        a = "".join(rng.choice("abcdé") for _ in range(rng.randint(60, MAX_COMPARED)))
        b = "".join(rng.choice("abcdé") for _ in range(rng.randint(60, MAX_COMPARED)))
        assert levenshtein(a, b) == reference_levenshtein(a, b)
