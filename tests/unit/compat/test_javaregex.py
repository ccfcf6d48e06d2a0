"""Java regexes (WireMock's dialect) run through Python's `re` with full-match, DOTALL semantics."""

from __future__ import annotations

import re
import sys

import pytest

from mockserver.compat.javaregex import compile_java_regex, translate

NATIVE_POSSESSIVE = sys.version_info >= (3, 11)

CASES = [
    # whole-value match with DOTALL, as WireMock's Matcher.matches()
    ("line1.*", "line1\nline2", True),
    ("abc", "xabc", False),
    ("abc", "abcx", False),
    ("a.c", "a\nc", True),
    ("(?-s)a.c", "a\nc", False),
    ("(?-s)a.c", "abc", True),
    # case-insensitivity, at the start and mid-pattern (scoped to the enclosing group)
    ("(?i)abc", "AbC", True),
    ("abc", "ABC", False),
    ("abc(?i)def", "abcDEF", True),
    ("abc(?i)def", "ABCdef", False),
    ("(a(?i)b)c", "aBc", True),
    ("(a(?i)b)c", "aBC", False),
    ("a(?i)b|c", "C", True),
    ("a(?i)b|c", "aB", True),
    ("a(?i)b|c", "AB", False),
    ("(?i)a(?-i)b", "Ab", True),
    ("(?i)a(?-i)b", "AB", False),
    ("(?i:ab)c", "ABc", True),
    ("(?i:ab)c", "ABC", False),
    ("(?is)a.b", "A\nB", True),
    ("(?i)é", "É", False),
    ("(?iu)é", "É", True),
    # comments mode, applied by the translator (also inside classes, as Java does)
    ("(?x) a b  c # trailing comment", "abc", True),
    ("(?x)[a b]+", "ab", True),
    ("(?x)[a b]+", "a b", False),
    ("(?x)a\\ b", "a b", True),
    ("(?x:a b)c d", "abc d", True),
    # named groups and back-references
    ("(?<year>\\d{4})-(?<month>\\d{2})", "2021-06", True),
    ("(?<w>[a-z]+)-\\k<w>", "ab-ab", True),
    ("(?<w>[a-z]+)-\\k<w>", "ab-cd", False),
    ("(a)\\1", "aa", True),
    ("(a)\\10", "aa0", True),
    ("(?<=a)b|ab", "ab", True),
    ("(?=a)a(?!b)c", "ac", True),
    # \Q...\E quoting, outside and inside classes
    ("\\Q.*+?\\E", ".*+?", True),
    ("\\Q.*+?\\E", "abcd", False),
    ("a\\Q(b)\\E+", "a(b))", True),
    ("\\Qa.b", "a.b", True),
    ("\\Q\\d\\E", "\\d", True),
    ("[\\Q-]\\E]+", "-]-", True),
    # POSIX classes outside and inside brackets
    ("\\p{Lower}+", "abc", True),
    ("\\p{Lower}+", "aBc", False),
    ("\\p{Upper}+", "ABC", True),
    ("\\p{Alpha}+", "abcXYZ", True),
    ("\\p{Alpha}+", "ab1", False),
    ("\\p{Digit}+", "0123456789", True),
    ("\\p{Alnum}+", "a1B2", True),
    ("\\p{Punct}+", "!?.,;:[]{}~", True),
    ("\\p{Punct}", "a", False),
    ("\\p{Space}+", " \t\n\r\f\x0b", True),
    ("\\p{XDigit}+", "09afAF", True),
    ("\\p{XDigit}", "g", False),
    ("\\p{ASCII}+", "abc~", True),
    ("\\p{ASCII}", "é", False),
    ("\\p{Blank}+", " \t", True),
    ("\\p{Blank}", "\n", False),
    ("\\p{Cntrl}", "\x07", True),
    ("\\p{Graph}+", "a!", True),
    ("\\p{Graph}", " ", False),
    ("\\p{Print}+", "a b", True),
    ("[\\p{Lower}\\p{Digit}_]+", "a_1", True),
    ("[\\p{Upper}\\d]+", "A1B2", True),
    # Java-specific and Unicode properties
    ("\\p{javaLowerCase}+", "éa", True),
    ("\\p{javaUpperCase}+", "ÉA", True),
    ("\\p{javaUpperCase}", "é", False),
    ("\\p{L}+", "héllo", True),
    ("\\p{L}+", "h3llo", False),
    ("\\pL+", "abc", True),
    ("\\p{IsAlphabetic}+", "日本語", True),
    ("\\p{IsLetter}+", "Ωmega", True),
    ("\\p{Lu}\\p{Ll}+", "Élan", True),
    ("\\p{IsLu}", "a", False),
    ("\\p{gc=Ll}", "a", True),
    ("\\p{N}+", "1²", True),
    ("\\p{Nd}+", "١٢", True),
    ("\\p{IsWhite_Space}+", " \u3000", True),
    # negated properties, also inside (negated) classes
    ("\\P{Digit}+", "abc", True),
    ("\\P{Digit}+", "a1", False),
    ("[\\P{Digit}]+", "ab", True),
    ("[^\\p{Lower}]+", "ABC", True),
    ("[^\\P{Lower}]+", "abc", True),
    ("[^\\P{Lower}]+", "aB", False),
    ("[a\\P{Alpha}]+", "a1!", True),
    ("[a\\P{Alpha}]+", "ab", False),
    ("\\P{L}", "1", True),
    # Java-only escapes
    ("a\\hb", "a b", True),
    ("a\\hb", "a\u3000b", True),
    ("a\\hb", "a\nb", False),
    ("a\\Hb", "axb", True),
    ("a\\vb", "a\u2028b", True),
    ("a\\Rb", "a\r\nb", True),
    ("a\\Rb", "a\nb", True),
    ("abc\\z", "abc", True),
    ("abc\\Z", "abc", True),
    ("abc\\Z\\n", "abc\n", True),
    ("\\Aabc", "abc", True),
    ("\\e", "\x1b", True),
    ("\\x41\\u0042\\0103", "ABC", True),
    ("\\x{1F600}", "😀", True),
    ("\\uD83D\\uDE00", "😀", True),
    ("\\cA", "\x01", True),
    ("\\t\\n", "\t\n", True),
    ("\\N{LATIN SMALL LETTER E WITH ACUTE}", "é", True),
    ("\\/path\\/\\-\\@", "/path/-@", True),
    # Java's \d \w \s are ASCII-only (without (?U))
    ("\\d+", "١٢", False),
    ("\\w+", "héllo", False),
    ("(?U)\\w+", "héllo", True),
    ("\\s", "\u00a0", False),
    # character-class intersections, unions and set-operator-looking literals
    ("[a-z&&[^aeiou]]+", "bcd", True),
    ("[a-z&&[^aeiou]]+", "bad", False),
    ("[a-z&&[def]]", "e", True),
    ("[a-z&&[def]]", "a", False),
    ("[a-z&&d-f]", "f", True),
    ("[\\w&&[^\\d]]+", "ab_", True),
    ("[\\w&&[^\\d]]+", "a1", False),
    ("[^a-z&&[^x]]", "x", True),
    ("[^a-z&&[^x]]", "1", True),
    ("[^a-z&&[^x]]", "a", False),
    ("[a-c[x-z]]+", "abxz", True),
    ("[a-c[x-z]]+", "d", False),
    ("[a-c[^b]]", "b", True),
    ("[]a]+", "]a", True),
    ("[^]a]", "]", False),
    ("[a-]+", "a-", True),
    ("[-a]+", "-a", True),
    ("[&|~]+", "&|~", True),
    ("[a&b]+", "a&b", True),
    ("[[:alpha:]]+", ":alph", True),
    ("[\\[\\]]+", "[]", True),
    # quantifiers
    ("a{2}", "aa", True),
    ("a{2,}", "aaaa", True),
    ("a{2,3}?b", "aab", True),
    ("a+?", "aaa", True),
    ("/api/{id}", "/api/{id}", True),
    ("a*+a", "aaa", not NATIVE_POSSESSIVE),
    ("a++b", "aab", True),
    ("a?+a", "a", not NATIVE_POSSESSIVE),
    ("a{1,3}+a", "aaa", not NATIVE_POSSESSIVE),
    ("(?>a+)a", "aa", not NATIVE_POSSESSIVE),
    ("(?>a+)b", "aab", True),
    # plain characters that are special only to other dialects
    ("a#b c", "a#b c", True),
    ("a]b}", "a]b}", True),
]


@pytest.mark.parametrize(("pattern", "value", "expected"), CASES)
def test_full_match(pattern: str, value: str, expected: bool) -> None:
    """A Java pattern full-matches (DOTALL) exactly the values Java's Matcher.matches() would."""
    assert (compile_java_regex(pattern).fullmatch(value) is not None) is expected


INVALID = [
    ("(abc", "unclosed group"),
    ("abc)", "unmatched closing ')'"),
    ("[abc", "unclosed character class"),
    ("abc\\", "ends with a backslash"),
    ("\\y", "illegal/unsupported escape sequence \\y"),
    ("\\p{IsLatin}", "unsupported Unicode property"),
    ("\\p{Foo}", "unsupported Unicode property"),
    ("\\p{Lower", "unclosed \\p{...}"),
    ("*abc", "nothing to repeat"),
    ("(?<n>a)(?<n>b)", "redefinition"),
    ("[z-a]", "illegal character range"),
    ("[a-\\d]", "illegal character range"),
    ("\\k<missing>", "unknown group name"),
    ("\\k", "group name"),
    ("\\X", "grapheme"),
    ("\\b{g}", "\\b{...}"),
    ("(?<=a+)b", "look-behind"),
    ("\\0", "octal"),
    ("\\x4", "hexadecimal"),
    ("\\x{110000}", "too big"),
    ("\\uZZZZ", "Unicode escape"),
    ("[\\1]", "not allowed in a character class"),
    ("\\N{NO SUCH CHARACTER}", "unknown character name"),
]


@pytest.mark.parametrize(("pattern", "reason"), INVALID)
def test_invalid_pattern(pattern: str, reason: str) -> None:
    """An invalid or unsupported pattern raises ValueError naming the pattern and the reason."""
    with pytest.raises(ValueError) as info:
        compile_java_regex(pattern)
    message = str(info.value)
    assert message.startswith(f"invalid regular expression {pattern!r}: ")
    assert reason in message


TRANSLATIONS = [
    ("abc", "abc"),
    ("(?<year>x)\\k<year>", "(?P<year>x)(?P=year)"),
    ("abc\\z", "abc\\Z"),
    ("abc\\Z", "abc(?=\\n?\\Z)"),
    ("abc(?i)def", "(?a:abc(?i:def))"),
    ("a(?i)b|c", "(?a:a(?i:b)|(?i:c))"),
    ("(?s)a", "(?s:a)"),
    ("\\Q.\\E", "\\."),
    ("\\d", "(?a:\\d)"),
    ("(?U)\\d", "\\d"),
    ("\\p{Lower}", "[a-z]"),
    ("\\P{Digit}", "[^0-9]"),
    ("(?<=x)(?<!y)(?=z)(?!w)(?:v)", "(?<=x)(?<!y)(?=z)(?!w)(?:v)"),
]


@pytest.mark.parametrize(("pattern", "python"), TRANSLATIONS)
def test_translate(pattern: str, python: str) -> None:
    """Java-only syntax is rewritten into Python's; everything else passes through unchanged."""
    assert translate(pattern) == python


def test_translation_embeds_in_a_larger_pattern() -> None:
    """A translation has no global flags, so it can sit in the middle of another pattern."""
    embedded = re.compile(r"\A(?:x" + translate("(?i)abc") + r")\Z")
    assert embedded.match("xABC") is not None


def test_translate_raises_value_error() -> None:
    """translate() reports invalid Java patterns with ValueError too."""
    with pytest.raises(ValueError, match="unclosed character class"):
        translate("[a")


def test_compiled_patterns_are_cached() -> None:
    """Compiling the same pattern twice returns the cached object."""
    assert compile_java_regex("cached-[a-z]+") is compile_java_regex("cached-[a-z]+")


def test_set_operator_lookalikes_never_warn() -> None:
    """Class members are escaped, so Python never warns about nested sets or set operations."""
    pattern = compile_java_regex("[[a]~~||&&[a-c]]")  # {a, ~, |} intersected with {a, b, c}
    assert pattern.fullmatch("a") is not None
    assert pattern.fullmatch("~") is None
