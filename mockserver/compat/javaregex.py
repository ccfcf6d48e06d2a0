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

from mockserver.compat import timedregex
from mockserver.compat.javaclasses import (
    HORIZONTAL,
    VERTICAL,
    CharSet,
    PatternError,
    class_char,
    property_class,
)
from mockserver.compat.timedregex import TimedPattern, compile_timed

_NATIVE_POSSESSIVE = sys.version_info >= (3, 11)
_JAVA_SPACE = " \t\n\x0b\f\r"


@lru_cache(maxsize=4096)
def compile_java_regex(pattern: str) -> TimedPattern:
    """Compile a Java regex for `fullmatch` (DOTALL), every match time-limited (see
    `timedregex`); raises `ValueError` naming the problem."""
    python = translate(pattern)
    # The `regex` engine scopes `(?a:...)` for classes but not for case folding; the
    # translator's ASCII wrap always spans the whole pattern, so it is a global flag there.
    flags = timedregex.DOTALL | (timedregex.ASCII if python.startswith("(?a:") else 0)
    try:
        re.compile(python, re.DOTALL)  # `re`'s checks stay the reference for what is invalid
        return compile_timed(python, pattern, flags)
    except (re.error, timedregex.error, OverflowError, RecursionError) as exc:  # `a{9999..}`
        raise ValueError(f"invalid regular expression {pattern!r}: {exc}") from exc


def translate(pattern: str) -> str:
    """Rewrite Java syntax into an equivalent Python pattern; ValueError when invalid.

    The result is self-contained (flags scoped) but without DOTALL, which WireMock adds.
    """
    try:
        return _Translator(pattern).run()
    except PatternError as exc:
        raise ValueError(f"invalid regular expression {pattern!r}: {exc}") from None


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
            raise PatternError("missing ')' (unclosed group)")
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
            raise PatternError(f"unmatched closing ')' at index {self.i}")
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
            raise PatternError("pattern ends with a backslash")
        c = p[self.i + 1]
        self.i += 2
        if c in "123456789":
            self._backref(c)
        elif c == "k":
            m = re.compile(r"<([A-Za-z][A-Za-z0-9]*)>").match(p, self.i)
            if m is None:
                raise PatternError("\\k must be followed by a group name in <...>")
            self.i = m.end()
            self.out.append(f"(?P={m.group(1)})")
        elif c == "Q":
            self.out.extend(re.escape(ch) for ch in self._quoted())
        elif c == "E":
            pass  # a stray \E ends nothing
        elif c in "dDwWsSbBA":
            if c == "b" and p.startswith("{", self.i):
                raise PatternError("unsupported construct \\b{...}")
            self.ascii_sensitive = self.ascii_sensitive or c != "A"
            self.out.append("\\" + c)
        elif c == "z":
            self.out.append("\\Z")
        elif c == "Z":
            self.out.append("(?=\\n?\\Z)")
        elif c == "G":
            self.out.append("\\A")  # one match from the start: \G is the start
        elif c == "R":
            self.out.append(f"(?:\\r\\n|[{VERTICAL}])")
        elif c == "X":
            raise PatternError("unsupported construct \\X (grapheme cluster)")
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

    def _escaped_set(self, c: str) -> CharSet | None:
        if c in "pP":
            return CharSet(simple=[property_class(self._property_name())], negated=c == "P")
        if c in "hH":
            return CharSet(simple=[HORIZONTAL], negated=c == "H")
        if c in "vV":
            return CharSet(simple=[VERTICAL], negated=c == "V")
        return None

    def _property_name(self) -> str:
        p = self.p
        if p.startswith("{", self.i):
            end = p.find("}", self.i)
            if end < 0:
                raise PatternError("unclosed \\p{...}")
            name, self.i = p[self.i + 1 : end], end + 1
            return name
        if self.i >= len(p):
            raise PatternError("\\p needs a property name")
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
                raise PatternError("illegal octal escape sequence")
            self.i = m.end()
            return int(m.group(), 8)
        if c == "x":
            m = re.compile(r"\{([0-9a-fA-F]{1,6})\}|[0-9a-fA-F]{2}").match(p, self.i)
            if m is None:
                raise PatternError("illegal hexadecimal escape sequence")
            self.i = m.end()
            cp = int(m.group(1) or m.group(), 16)
            if cp > sys.maxunicode:
                raise PatternError("hexadecimal code point is too big")
            return cp
        if c == "u":
            return self._unicode_escape()
        if c == "c":
            if self.i >= len(p):
                raise PatternError("illegal control escape sequence")
            self.i += 1
            return ord(p[self.i - 1]) ^ 64
        if c == "N":
            m = re.compile(r"\{([^}]*)\}").match(p, self.i)
            if m is None:
                raise PatternError("\\N must be followed by {name}")
            self.i = m.end()
            try:
                return ord(unicodedata.lookup(m.group(1)))
            except KeyError:
                raise PatternError(f"unknown character name {m.group(1)!r}") from None
        if c.isascii() and c.isalnum():
            raise PatternError(f"illegal/unsupported escape sequence \\{c}")
        return ord(c)

    def _unicode_escape(self) -> int:
        p = self.p
        hex4 = re.compile(r"[0-9a-fA-F]{4}")
        m = hex4.match(p, self.i)
        if m is None:
            raise PatternError("illegal Unicode escape sequence")
        self.i = m.end()
        cp = int(m.group(), 16)
        if 0xD800 <= cp <= 0xDBFF and p.startswith("\\u", self.i):
            low = hex4.match(p, self.i + 2)
            if low is not None and 0xDC00 <= int(low.group(), 16) <= 0xDFFF:
                self.i = low.end()
                return 0x10000 + ((cp - 0xD800) << 10) + (int(low.group(), 16) - 0xDC00)
        return cp

    # character classes ----------------------------------------------------------------

    def _char_class(self) -> CharSet:
        """Parse a class after its `[`, up to and including the matching `]`."""
        p = self.p
        negated = p.startswith("^", self.i)
        if negated:
            self.i += 1
        operands: list[CharSet] = [CharSet()]
        empty = True  # a `]` before any member is a literal (as in Java and Python)
        while True:
            if self._skip_comment():
                continue
            if self.i >= len(p):
                raise PatternError("unclosed character class")
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
                operands.append(CharSet())
                empty = False
                continue
            elif c == "\\" and p.startswith("\\Q", self.i):
                self.i += 2
                current.simple.extend(class_char(ord(ch)) for ch in self._quoted())
            elif c == "\\":
                self._class_escape(current)
            else:
                self.i += 1
                self._class_member(current, ord(c))
            empty = False
        operands = [op for op in operands if op.simple or op.complex]
        if not operands:
            raise PatternError("empty character class")
        if len(operands) == 1:
            operands[0].negated = negated
            return operands[0]
        parts = [op.render() for op in operands]
        body = "(?:" + "".join(f"(?={part})" for part in parts[:-1]) + parts[-1] + ")"
        return CharSet(complex=[body], negated=negated)

    def _class_escape(self, current: CharSet) -> None:
        if self.i + 1 >= len(self.p):
            raise PatternError("pattern ends with a backslash")
        c = self.p[self.i + 1]
        self.i += 2
        if c in "dDwWsS":
            self.ascii_sensitive = True
            current.simple.append("\\" + c)
            return
        if c in "123456789bBAzZGRXkE":
            raise PatternError(f"\\{c} is not allowed in a character class")
        cs = self._escaped_set(c)
        if cs is not None:
            current.add(cs)
            return
        self._class_member(current, self._escaped_char(c))

    def _class_member(self, current: CharSet, lo: int) -> None:
        """A literal member, or the start of a range `lo-hi`."""
        p = self.p
        if p.startswith("-", self.i) and self.i + 1 < len(p) and p[self.i + 1] not in "][":
            self.i += 1
            if p[self.i] == "\\":
                c = p[self.i + 1] if self.i + 1 < len(p) else ""
                self.i += 2
                if not c or c in "dDwWsSpPhHvVQ":
                    raise PatternError("illegal character range")
                hi = self._escaped_char(c)
            else:
                hi = ord(p[self.i])
                self.i += 1
            if hi < lo:
                raise PatternError(f"illegal character range {chr(lo)}-{chr(hi)}")
            current.simple.append(f"{class_char(lo)}-{class_char(hi)}")
        else:
            current.simple.append(class_char(lo))
