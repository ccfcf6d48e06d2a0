"""Java's character classes for the regex translator: sets, POSIX names, Unicode properties.

`\\p{...}` names (POSIX, `java*` methods, general categories, a few binary properties) become
`[...]` contents; general categories are built once, lazily, from `unicodedata`. A set that
a plain `[...]` cannot express (a negated property inside a class, an intersection) renders
with look-aheads.
"""

from __future__ import annotations

import sys
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from mockserver.errors import MockServerError

__all__ = ["ANY", "HORIZONTAL", "VERTICAL", "CharSet", "PatternError", "class_char",
           "property_class"]

ANY = r"[\s\S]"


class PatternError(MockServerError):
    """A reason a Java pattern cannot be translated; the translator wraps it in `ValueError`."""


@dataclass
class CharSet:
    """A set of characters: `simple` is `[...]` content, `complex` one-character regexes."""

    simple: list[str] = field(default_factory=list)
    complex: list[str] = field(default_factory=list)
    negated: bool = False

    def add(self, other: CharSet) -> None:
        if other.negated:
            self.complex.append(other.render())
        else:
            self.simple.extend(other.simple)
            self.complex.extend(other.complex)

    def render(self) -> str:
        """A regex matching exactly one character of the set."""
        simple = "".join(self.simple)
        if not self.complex:
            if not simple:
                return ANY if self.negated else "(?!)"
            return f"[^{simple}]" if self.negated else f"[{simple}]"
        parts = ([f"[{simple}]"] if simple else []) + self.complex
        body = parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"
        return f"(?:(?!{body}){ANY})" if self.negated else body


def class_char(cp: int) -> str:
    """One code point, safe inside `[...]` (escaped so Python never sees set operators)."""
    ch = chr(cp)
    if ch.isascii() and ch.isalnum():
        return ch
    if cp < 0x100:
        return f"\\x{cp:02x}"
    if cp < 0x10000:
        return f"\\u{cp:04x}"
    return f"\\U{cp:08x}"


def _ranges_text(ranges: list[tuple[int, int]]) -> str:
    return "".join(
        class_char(lo) if lo == hi else f"{class_char(lo)}-{class_char(hi)}" for lo, hi in ranges
    )


@lru_cache(maxsize=1)
def _categories() -> dict[str, str]:
    """General category -> `[...]` content, built once from `unicodedata` (~0.2 s)."""
    runs: dict[str, list[tuple[int, int]]] = {}
    # Planes 4-13 hold no assigned characters; skipping them halves the scan.
    for first, last in ((0, 0x3FFFF), (0xE0000, sys.maxunicode)):
        start, current = first, unicodedata.category(chr(first))
        for cp in range(first + 1, last + 2):
            cat = unicodedata.category(chr(cp)) if cp <= last else ""
            if cat != current:
                runs.setdefault(current, []).append((start, cp - 1))
                start, current = cp, cat
    texts = {cat: _ranges_text(r) for cat, r in runs.items()}
    for major in "LMNPSZC":
        texts[major] = "".join(t for cat, t in texts.items() if len(cat) == 2 and cat[0] == major)
    texts["LC"] = texts.get("Lu", "") + texts.get("Ll", "") + texts.get("Lt", "")
    return texts


_POSIX = {
    "lower": "a-z",
    "upper": "A-Z",
    "ascii": "\\x00-\\x7f",
    "alpha": "a-zA-Z",
    "digit": "0-9",
    "alnum": "a-zA-Z0-9",
    "punct": "\\x21-\\x2f\\x3a-\\x40\\x5b-\\x60\\x7b-\\x7e",
    "graph": "\\x21-\\x7e",
    "print": "\\x20-\\x7e",
    "blank": " \\t",
    "cntrl": "\\x00-\\x1f\\x7f",
    "xdigit": "0-9a-fA-F",
    "space": " \\t\\n\\x0b\\f\\r",
}
_WHITE_SPACE = "\\t-\\r\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
_JAVA_WHITESPACE = (
    "\\t-\\r\\x1c-\\x20\\u1680\\u2000-\\u2006\\u2008-\\u200a\\u2028\\u2029\\u205f\\u3000"
)
HORIZONTAL = "\\t\\x20\\xa0\\u1680\\u180e\\u2000-\\u200a\\u202f\\u205f\\u3000"
VERTICAL = "\\n\\x0b\\f\\r\\x85\\u2028\\u2029"
_HEX_DIGIT = "0-9A-Fa-f\\uff10-\\uff19\\uff21-\\uff26\\uff41-\\uff46"
# Binary properties (`\p{IsAlphabetic}`) and `java*` methods, by category approximation.
_DERIVED: dict[str, tuple[str, ...]] = {
    "alphabetic": ("L", "Nl"),
    "letter": ("L",),
    "lowercase": ("Ll",),
    "uppercase": ("Lu",),
    "titlecase": ("Lt",),
    "punctuation": ("P",),
    "control": ("Cc",),
    "digit": ("Nd",),
    "assigned": ("L", "M", "N", "P", "S", "Z", "Cc", "Cf", "Cs", "Co"),
    "javalowercase": ("Ll",),
    "javauppercase": ("Lu",),
    "javatitlecase": ("Lt",),
    "javaletter": ("L",),
    "javadigit": ("Nd",),
    "javaletterordigit": ("L", "Nd"),
    "javaalphabetic": ("L", "Nl"),
    "javaspacechar": ("Z",),
    "javaisocontrol": ("Cc",),
}


def property_class(name: str) -> str:
    """`[...]` content for a Java `\\p{name}`; raises `PatternError` when unsupported."""
    key = name.strip()
    lowered = key.lower()
    for prefix in ("general_category=", "gc="):
        if lowered.startswith(prefix):
            return _category(key[len(prefix) :], name)
    if lowered in _POSIX:
        return _POSIX[lowered]
    if lowered in ("iswhite_space", "iswhitespace"):
        return _WHITE_SPACE
    if lowered in ("ishex_digit", "ishexdigit"):
        return _HEX_DIGIT
    if lowered == "javawhitespace":
        return _JAVA_WHITESPACE
    derived = _DERIVED.get(lowered[2:] if lowered.startswith("is") else lowered)
    if derived is not None and lowered.startswith(("is", "java")):
        return "".join(_categories()[c] for c in derived)
    return _category(key[2:] if key.startswith("Is") else key, name)


def _category(cat: str, name: str) -> str:
    texts = _categories()
    if cat in texts or (len(cat) == 2 and cat[0] in "LMNPSZC"):
        return texts.get(cat, "")
    raise PatternError(f"unsupported Unicode property \\p{{{name}}}")
