"""Java regular expressions, run by Python's `re` with WireMock's semantics.

WireMock compiles patterns with `Pattern.DOTALL` and matches the whole value. Stub files are
written in Java's dialect, so the constructs Python spells differently are rewritten by a small
scanner (stdlib only) rather than by regex substitution, which cannot see `\\Q...\\E` quoting,
escapes or character-class nesting:

* `(?<name>...)` and `\\k<name>` become `(?P<name>...)` and `(?P=name)`; numeric back-references
  follow Java's rule (drop digits until the group exists);
* `\\Q...\\E`, `\\e`, `\\cX`, `\\0oct`, `\\x{h..h}` and surrogate pairs (`\\uD83D\\uDE00`)
  become literals;
* `\\p{...}` / `\\P{...}` (POSIX, `java*`, general categories, a few binary properties), `\\h`,
  `\\v`, `\\R`, `\\z`, `\\Z` are expanded; categories are built from `unicodedata` once, lazily;
* inline flags in mid-pattern (`abc(?i)def`) become scoped groups up to the end of the enclosing
  group, closed and reopened around `|` so alternation keeps its meaning;
* character-class unions, intersections (`[a-z&&[^aeiou]]`) and negated properties inside
  classes are rendered with look-aheads when a plain `[...]` cannot express them;
* possessive quantifiers and atomic groups are kept on Python >= 3.11 and degrade to greedy
  quantifiers and non-atomic groups before that;
* `(?x)` comments mode is applied by the scanner itself (Java also ignores whitespace inside
  classes, Python does not).

Java's `\\d \\w \\s \\b` and `(?i)` are ASCII-only unless `(?u)`/`(?U)` is used anywhere, so a
translation using them is wrapped in a scoped `(?a:...)`. Flags are always scoped, never global,
so a translation can be embedded in a larger Python pattern.

Unsupported (rejected with `ValueError`): scripts and blocks (`\\p{IsLatin}`, `\\p{InGreek}`),
`\\X`, `\\b{g}`; variable-width look-behind is rejected by `re` itself.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

_NATIVE_POSSESSIVE = sys.version_info >= (3, 11)
_JAVA_SPACE = " \t\n\x0b\f\r"
_ANY = r"[\s\S]"


class _PatternError(Exception):
    """A reason the Java pattern cannot be translated; wrapped into `ValueError`."""


@lru_cache(maxsize=4096)
def compile_java_regex(pattern: str) -> re.Pattern[str]:
    """Compile a Java regex for `fullmatch` (DOTALL); raises `ValueError` naming the problem."""
    python = translate(pattern)
    try:
        return re.compile(python, re.DOTALL)
    except re.error as exc:
        raise ValueError(f"invalid regular expression {pattern!r}: {exc}") from exc


def translate(pattern: str) -> str:
    """Rewrite Java syntax into an equivalent Python pattern; ValueError when invalid.

    The result is self-contained (flags scoped) but without DOTALL, which WireMock adds.
    """
    try:
        return _Translator(pattern).run()
    except _PatternError as exc:
        raise ValueError(f"invalid regular expression {pattern!r}: {exc}") from None


# --- character sets -----------------------------------------------------------------------


@dataclass
class _CharSet:
    """A set of characters: `simple` is `[...]` content, `complex` one-character regexes."""

    simple: list[str] = field(default_factory=list)
    complex: list[str] = field(default_factory=list)
    negated: bool = False

    def add(self, other: _CharSet) -> None:
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
                return _ANY if self.negated else "(?!)"
            return f"[^{simple}]" if self.negated else f"[{simple}]"
        parts = ([f"[{simple}]"] if simple else []) + self.complex
        body = parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"
        return f"(?:(?!{body}){_ANY})" if self.negated else body


def _class_char(cp: int) -> str:
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
        _class_char(lo) if lo == hi else f"{_class_char(lo)}-{_class_char(hi)}" for lo, hi in ranges
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
_HORIZONTAL = "\\t\\x20\\xa0\\u1680\\u180e\\u2000-\\u200a\\u202f\\u205f\\u3000"
_VERTICAL = "\\n\\x0b\\f\\r\\x85\\u2028\\u2029"
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


def _property(name: str) -> str:
    """`[...]` content for a Java `\\p{name}`; raises `_PatternError` when unsupported."""
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
    raise _PatternError(f"unsupported Unicode property \\p{{{name}}}")


# --- the scanner --------------------------------------------------------------------------


@dataclass
class _Frame:
    """One open group: its comments-mode state and the scoped flag groups opened inside it."""

    comments: bool
    pending: list[str] = field(default_factory=list)


_QUANTIFIER = re.compile(r"\{(\d+)(?:,(\d*))?\}")
_FLAGS = re.compile(r"\(\?([idmsuxU]*)(?:-([idmsuxU]*))?([:)])")
_GROUP_NAME = re.compile(r"\(\?<([A-Za-z][A-Za-z0-9]*)>")


class _Translator:
    """Single pass over a Java pattern producing the equivalent Python pattern."""

    def __init__(self, pattern: str) -> None:
        self.p = pattern
        self.i = 0
        self.out: list[str] = []
        self.groups = 0
        self.unicode = False
        self.ascii_sensitive = False
        self.frames = [_Frame(comments=False)]

    def run(self) -> str:
        p = self.p
        while self.i < len(p):
            c = p[self.i]
            if self._skip_comment():
                continue
            if c == "\\":
                self._escape()
            elif c == "[":
                self.i += 1
                self.out.append(self._char_class().render())
            elif c == "(":
                self._open_group()
            elif c == ")":
                self._close_group()
            elif c == "|":
                frame = self.frames[-1]
                self.out.append(")" * len(frame.pending) + "|")
                self.out.extend(f"(?{flags}:" for flags in frame.pending)
                self.i += 1
            elif c in "*+?":
                self.i += 1
                self._quantifier(c)
            elif c == "{":
                m = _QUANTIFIER.match(p, self.i)
                if m is None:
                    self.out.append("\\{")
                    self.i += 1
                else:
                    self.i = m.end()
                    self._quantifier(m.group())
            else:
                self.out.append(c)
                self.i += 1
        if len(self.frames) > 1:
            raise _PatternError("missing ')' (unclosed group)")
        body = "".join(self.out) + ")" * len(self.frames[0].pending)
        return f"(?a:{body})" if self.ascii_sensitive and not self.unicode else body

    # comments mode --------------------------------------------------------------------

    def _skip_comment(self) -> bool:
        """In `(?x)` mode, consume whitespace or a `#` comment; True when something was skipped."""
        if not self.frames[-1].comments or self.i >= len(self.p):
            return False
        c = self.p[self.i]
        if c in _JAVA_SPACE:
            self.i += 1
            return True
        if c == "#":
            end = self.p.find("\n", self.i)
            self.i = len(self.p) if end < 0 else end + 1
            return True
        return False

    def _peek(self) -> str:
        while self._skip_comment():
            pass
        return self.p[self.i] if self.i < len(self.p) else ""

    # quantifiers and groups -----------------------------------------------------------

    def _quantifier(self, text: str) -> None:
        self.out.append(text)
        nxt = self._peek()
        if nxt == "?":
            self.out.append("?")
            self.i += 1
        elif nxt == "+":
            if _NATIVE_POSSESSIVE:
                self.out.append("+")
            self.i += 1

    def _open_group(self) -> None:
        p, i = self.p, self.i
        comments = self.frames[-1].comments
        if p.startswith("(?", i):
            named = _GROUP_NAME.match(p, i)
            flags = _FLAGS.match(p, i)
            if named is not None:
                self.groups += 1
                self._push(f"(?P<{named.group(1)}>", named.end(), comments)
            elif p.startswith("(?>", i):
                self._push("(?>" if _NATIVE_POSSESSIVE else "(?:", i + 3, comments)
            elif flags is not None and (flags.group(1) or flags.group(2) is not None):
                self.i = flags.end()
                self._flags(flags.group(1), flags.group(2) or "", flags.group(3) == ":")
            elif p.startswith(("(?<=", "(?<!"), i):
                self._push(p[i : i + 4], i + 4, comments)
            elif p.startswith(("(?:", "(?=", "(?!"), i):
                self._push(p[i : i + 3], i + 3, comments)
            else:
                # Not Java syntax (e.g. Python's `(?P...)`): let `re` judge it.
                self._push("(?", i + 2, comments)
        else:
            self.groups += 1
            self._push("(", i + 1, comments)

    def _push(self, text: str, end: int, comments: bool) -> None:
        self.out.append(text)
        self.i = end
        self.frames.append(_Frame(comments=comments))

    def _close_group(self) -> None:
        if len(self.frames) == 1:
            raise _PatternError(f"unmatched closing ')' at index {self.i}")
        frame = self.frames.pop()
        self.out.append(")" * len(frame.pending) + ")")
        self.i += 1

    def _flags(self, on: str, off: str, scoped: bool) -> None:
        """Apply Java inline flags, scoped to the enclosing group's end (or their own group)."""
        if any(f in on for f in "uU"):
            self.unicode = True
        if "i" in on:
            self.ascii_sensitive = True
        frame = self.frames[-1]
        py_on = "".join(f for f in "ims" if f in on)
        py_off = "".join(f for f in "ims" if f in off)
        flags = py_on + (f"-{py_off}" if py_off else "")
        if scoped:
            comments = ("x" in on) or (frame.comments and "x" not in off)
            self._push(f"(?{flags}:", self.i, comments)
            return
        if "x" in on:
            frame.comments = True
        elif "x" in off:
            frame.comments = False
        if not flags:
            return
        frame.pending.append(flags)
        self.out.append(f"(?{flags}:")

    # escapes outside classes ----------------------------------------------------------

    def _escape(self) -> None:
        p = self.p
        if self.i + 1 >= len(p):
            raise _PatternError("pattern ends with a backslash")
        c = p[self.i + 1]
        self.i += 2
        if c in "123456789":
            self._backref(c)
        elif c == "k":
            m = re.compile(r"<([A-Za-z][A-Za-z0-9]*)>").match(p, self.i)
            if m is None:
                raise _PatternError("\\k must be followed by a group name in <...>")
            self.i = m.end()
            self.out.append(f"(?P={m.group(1)})")
        elif c == "Q":
            self.out.extend(re.escape(ch) for ch in self._quoted())
        elif c == "E":
            pass  # a stray \E ends nothing
        elif c in "dDwWsSbBA":
            if c == "b" and p.startswith("{", self.i):
                raise _PatternError("unsupported construct \\b{...}")
            self.ascii_sensitive = self.ascii_sensitive or c != "A"
            self.out.append("\\" + c)
        elif c == "z":
            self.out.append("\\Z")
        elif c == "Z":
            self.out.append("(?=\\n?\\Z)")
        elif c == "G":
            self.out.append("\\A")  # one match from the start: \G is the start
        elif c == "R":
            self.out.append(f"(?:\\r\\n|[{_VERTICAL}])")
        elif c == "X":
            raise _PatternError("unsupported construct \\X (grapheme cluster)")
        else:
            self.out.append(self._escaped_set_or_char(c))

    def _backref(self, first: str) -> None:
        digits = first
        while self.i < len(self.p) and self.p[self.i].isdigit():
            if int(digits + self.p[self.i]) > self.groups:
                break
            digits += self.p[self.i]
            self.i += 1
        self.out.append(f"(?:\\{digits})")

    def _quoted(self) -> str:
        """The literal text after `\\Q`, up to `\\E` or the end of the pattern."""
        end = self.p.find("\\E", self.i)
        if end < 0:
            text, self.i = self.p[self.i :], len(self.p)
        else:
            text, self.i = self.p[self.i : end], end + 2
        return text

    def _escaped_set_or_char(self, c: str) -> str:
        """`\\p`, `\\h`, `\\v` sets or a single escaped character (Python syntax)."""
        cs = self._escaped_set(c)
        if cs is not None:
            return cs.render()
        return re.escape(chr(self._escaped_char(c)))

    def _escaped_set(self, c: str) -> _CharSet | None:
        if c in "pP":
            return _CharSet(simple=[_property(self._property_name())], negated=c == "P")
        if c in "hH":
            return _CharSet(simple=[_HORIZONTAL], negated=c == "H")
        if c in "vV":
            return _CharSet(simple=[_VERTICAL], negated=c == "V")
        return None

    def _property_name(self) -> str:
        p = self.p
        if p.startswith("{", self.i):
            end = p.find("}", self.i)
            if end < 0:
                raise _PatternError("unclosed \\p{...}")
            name, self.i = p[self.i + 1 : end], end + 1
            return name
        if self.i >= len(p):
            raise _PatternError("\\p needs a property name")
        self.i += 1
        return p[self.i - 1]

    def _escaped_char(self, c: str) -> int:
        """The code point an escape denotes (after the backslash and `c` were consumed)."""
        simple = {"t": 9, "n": 10, "r": 13, "f": 12, "a": 7, "e": 27}
        if c in simple:
            return simple[c]
        p = self.p
        if c == "0":
            m = re.compile(r"[0-3][0-7]{2}|[0-7]{1,2}").match(p, self.i)
            if m is None:
                raise _PatternError("illegal octal escape sequence")
            self.i = m.end()
            return int(m.group(), 8)
        if c == "x":
            m = re.compile(r"\{([0-9a-fA-F]{1,6})\}|[0-9a-fA-F]{2}").match(p, self.i)
            if m is None:
                raise _PatternError("illegal hexadecimal escape sequence")
            self.i = m.end()
            cp = int(m.group(1) or m.group(), 16)
            if cp > sys.maxunicode:
                raise _PatternError("hexadecimal code point is too big")
            return cp
        if c == "u":
            return self._unicode_escape()
        if c == "c":
            if self.i >= len(p):
                raise _PatternError("illegal control escape sequence")
            self.i += 1
            return ord(p[self.i - 1]) ^ 64
        if c == "N":
            m = re.compile(r"\{([^}]*)\}").match(p, self.i)
            if m is None:
                raise _PatternError("\\N must be followed by {name}")
            self.i = m.end()
            try:
                return ord(unicodedata.lookup(m.group(1)))
            except KeyError:
                raise _PatternError(f"unknown character name {m.group(1)!r}") from None
        if c.isascii() and c.isalnum():
            raise _PatternError(f"illegal/unsupported escape sequence \\{c}")
        return ord(c)

    def _unicode_escape(self) -> int:
        p = self.p
        hex4 = re.compile(r"[0-9a-fA-F]{4}")
        m = hex4.match(p, self.i)
        if m is None:
            raise _PatternError("illegal Unicode escape sequence")
        self.i = m.end()
        cp = int(m.group(), 16)
        if 0xD800 <= cp <= 0xDBFF and p.startswith("\\u", self.i):
            low = hex4.match(p, self.i + 2)
            if low is not None and 0xDC00 <= int(low.group(), 16) <= 0xDFFF:
                self.i = low.end()
                return 0x10000 + ((cp - 0xD800) << 10) + (int(low.group(), 16) - 0xDC00)
        return cp

    # character classes ----------------------------------------------------------------

    def _char_class(self) -> _CharSet:
        """Parse a class after its `[`, up to and including the matching `]`."""
        p = self.p
        negated = p.startswith("^", self.i)
        if negated:
            self.i += 1
        operands: list[_CharSet] = [_CharSet()]
        empty = True  # a `]` before any member is a literal (as in Java and Python)
        while True:
            if self._skip_comment():
                continue
            if self.i >= len(p):
                raise _PatternError("unclosed character class")
            c = p[self.i]
            current = operands[-1]
            if c == "]" and not empty:
                self.i += 1
                break
            if c == "[":
                self.i += 1
                current.add(self._char_class())
            elif p.startswith("&&", self.i):
                self.i += 2
                operands.append(_CharSet())
                empty = False
                continue
            elif c == "\\" and p.startswith("\\Q", self.i):
                self.i += 2
                current.simple.extend(_class_char(ord(ch)) for ch in self._quoted())
            elif c == "\\":
                self._class_escape(current)
            else:
                self.i += 1
                self._class_member(current, ord(c))
            empty = False
        operands = [op for op in operands if op.simple or op.complex]
        if not operands:
            raise _PatternError("empty character class")
        if len(operands) == 1:
            operands[0].negated = negated
            return operands[0]
        parts = [op.render() for op in operands]
        body = "(?:" + "".join(f"(?={part})" for part in parts[:-1]) + parts[-1] + ")"
        return _CharSet(complex=[body], negated=negated)

    def _class_escape(self, current: _CharSet) -> None:
        if self.i + 1 >= len(self.p):
            raise _PatternError("pattern ends with a backslash")
        c = self.p[self.i + 1]
        self.i += 2
        if c in "dDwWsS":
            self.ascii_sensitive = True
            current.simple.append("\\" + c)
            return
        if c in "123456789bBAzZGRXkE":
            raise _PatternError(f"\\{c} is not allowed in a character class")
        cs = self._escaped_set(c)
        if cs is not None:
            current.add(cs)
            return
        self._class_member(current, self._escaped_char(c))

    def _class_member(self, current: _CharSet, lo: int) -> None:
        """A literal member, or the start of a range `lo-hi`."""
        p = self.p
        if p.startswith("-", self.i) and self.i + 1 < len(p) and p[self.i + 1] not in "][":
            self.i += 1
            if p[self.i] == "\\":
                c = p[self.i + 1] if self.i + 1 < len(p) else ""
                self.i += 2
                if not c or c in "dDwWsSpPhHvVQ":
                    raise _PatternError("illegal character range")
                hi = self._escaped_char(c)
            else:
                hi = ord(p[self.i])
                self.i += 1
            if hi < lo:
                raise _PatternError(f"illegal character range {chr(lo)}-{chr(hi)}")
            current.simple.append(f"{_class_char(lo)}-{_class_char(hi)}")
        else:
            current.simple.append(_class_char(lo))
