"""Java character classes: property names become set contents, unknown ones fail clearly."""

from __future__ import annotations

import re

import pytest

from mockserver.compat.javaclasses import CharSet, PatternError, property_class
from mockserver.errors import MockServerError


@pytest.mark.parametrize(
    ("name", "inside", "outside"),
    [("Lower", "a", "A"), ("IsUppercase", "Ä", "ä"), ("javaDigit", "٣", "x"), ("gc=Lu", "Q", "q")],
)
def test_property_class_selects_its_characters(name: str, inside: str, outside: str) -> None:
    """`\\p{name}` contents accept the property's characters and nothing else."""
    pattern = re.compile(f"[{property_class(name)}]")
    assert pattern.fullmatch(inside)
    assert not pattern.fullmatch(outside)


def test_unknown_property_is_a_mockserver_error() -> None:
    """An unsupported property raises the package's own error, naming the property."""
    with pytest.raises(PatternError, match="IsLatin") as caught:
        property_class("IsLatin")
    assert isinstance(caught.value, MockServerError)


def test_negated_set_renders_one_character_of_the_complement() -> None:
    """A negated set with a look-ahead part still matches exactly one other character."""
    charset = CharSet(simple=["a-c"], complex=["x"], negated=True)
    pattern = re.compile(charset.render())
    assert pattern.fullmatch("d")
    assert not pattern.fullmatch("b")
    assert not pattern.fullmatch("x")
