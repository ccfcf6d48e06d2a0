"""Numbers printed as Java's `Double.toString` prints them."""

from __future__ import annotations

import pytest

from mockserver.compat.javanumber import java_double


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1.5, "1.5"),
        (2.0, "2.0"),
        (0.0, "0.0"),
        (-0.0, "-0.0"),
        (0.001, "0.001"),
        (9999999.0, "9999999.0"),
        (1e7, "1.0E7"),
        (1e20, "1.0E20"),
        (1.25e-4, "1.25E-4"),
        (-3.5e10, "-3.5E10"),
        (float("nan"), "NaN"),
        (float("inf"), "Infinity"),
        (float("-inf"), "-Infinity"),
    ],
)
def test_java_double(value: float, text: str) -> None:
    """Plain notation from 10^-3 to 10^7, scientific outside it, Java's names otherwise."""
    assert java_double(value) == text
