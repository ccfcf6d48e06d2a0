"""Java's HashSet iteration order for strings (checked against a real JVM)."""

from __future__ import annotations

from mockserver.compat.javaset import hash_set_order, string_hash


def test_string_hash_is_javas() -> None:
    """`String.hashCode()` over UTF-16 code units, unsigned: "hello" and a surrogate pair."""
    assert string_hash("hello") == 99162322
    assert string_hash("") == 0
    assert string_hash("𝄞") == (0xD834 * 31 + 0xDD1E)


def test_order_matches_a_jvm_hash_set() -> None:
    """The order a JVM printed for these names, including a resize past 12 entries."""
    names = [f"s{i}" for i in range(20)] + ["Started", "ü€𝄞"]
    assert hash_set_order(names) == (
        "s3,s4,s5,Started,s6,s7,s8,s9,s11,ü€𝄞,s10,s13,s12,s15,s14,s17,s16,s19,s18,s0,s1,s2"
    ).split(",")


def test_duplicates_appear_once() -> None:
    """A set: every name once, whatever the repeats."""
    assert hash_set_order(["b", "a", "b", "a"]) == ["a", "b"]
