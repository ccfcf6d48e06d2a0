"""The path segments a URL matcher pins down: the key a stub is filed under in the trie.

A key is a run of segments (literal text, or `ANY_SEGMENT` for one segment of any text without
a `/`), and whether anything may follow them. It is a promise: every URL the matcher accepts,
split at `/`, starts with those segments (and, for a closed key, has no more). When a
matcher's shape is not understood with certainty (alternation at the top, inline flags,
`\\Q..\\E`, a leading wildcard), it has no key and its stub stays in the residual list: a key
may be loose, never wrong.

`url` and `urlPattern` match the path and query, the others only the path; literal URLs are
compared undecoded, so keys keep percent-encoding and trailing slashes exactly as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mockserver.matchers.url import UrlKind, UrlMatcher

ANY_SEGMENT = None  # one segment of any text (a template variable, `[0-9]+`, `[^/]+`)

Segment = str | None


@dataclass(frozen=True, slots=True)
class UrlKey:
    segments: tuple[Segment, ...]
    open: bool  # anything may follow the segments (a `.*`, `**` or a segment not understood)
    on_url: bool  # the matcher reads the path and query (`urlPattern`), split the whole URL


_QUANTIFIER = re.compile(r"(?:[?*+]|\{\d+(?:,\d*)?\})[?+]?")
_VARIABLE_SEGMENT = re.compile(r"(?:[^{}]|\{[^{}/]*\})*")
# Java syntax that changes what the rest means: inline flags and groups other than `(?:`,
# quoting. Such patterns are left to the residual list.
_UNSURE = re.compile(r"\(\?(?!:)|\\Q")


def url_key(url: UrlMatcher | None) -> UrlKey | None:
    """The matcher's key, or None when it pins nothing (its stub must be tested always)."""
    if url is None:
        return None
    kind = url.kind
    if kind is UrlKind.URL:
        literal = url.value.partition("?")[0] or "/"
        return UrlKey(tuple(literal.split("/")), open=False, on_url=False)
    if kind is UrlKind.URL_PATH:
        return UrlKey(tuple(url.value.split("/")), open=False, on_url=False)
    if kind is UrlKind.URL_PATH_TEMPLATE:
        return _rooted(_template_segments(url.value), on_url=False)
    return _rooted(regex_segments(url.value), on_url=kind is UrlKind.URL_PATTERN)


def _rooted(found: tuple[tuple[Segment, ...], bool] | None, *, on_url: bool) -> UrlKey | None:
    if found is None or (not found[0] and found[1]):
        return None  # nothing pinned: an open key at the root is the residual list
    return UrlKey(found[0], found[1], on_url)


def _template_segments(template: str) -> tuple[tuple[Segment, ...], bool]:
    """`/users/{id}/files/**`: a variable is one segment, `**` lets anything follow."""
    segments: list[Segment] = []
    for part in template.split("/"):
        if "**" in part:
            return tuple(segments), True
        if "{" in part or "}" in part:
            if not _VARIABLE_SEGMENT.fullmatch(part):
                return tuple(segments), True  # braces that span a `/`: unsure
            segments.append(ANY_SEGMENT)
        else:
            segments.append(part)
    return tuple(segments), False


def regex_segments(pattern: str) -> tuple[tuple[Segment, ...], bool] | None:
    """Segments of a Java regex matched in full; None when the pattern may start anywhere.

    Literal text before a `/` is a literal segment; a segment made only of atoms that cannot
    match `/` (classes such as `[0-9]+` or `[^/]+`, `\\d`, small literal alternations) is
    `ANY_SEGMENT`; the first atom that could span a `/` (`.`, anything unusual) ends the key
    as open at the start of its segment.
    """
    if _UNSURE.search(pattern) or _top_level_alternation(pattern):
        return None
    if pattern.startswith("^"):
        pattern = pattern[1:]
    segments: list[Segment] = []
    literal: list[str] = []
    wild = False
    i, end = 0, len(pattern)
    while i < end:
        ch = pattern[i]
        step = 1 if ch == "/" else 2 if pattern.startswith("\\/", i) else 0
        if step:
            if _QUANTIFIER.match(pattern, i + step):
                return tuple(segments), True  # an optional or repeated `/`
            segments.append(ANY_SEGMENT if wild else "".join(literal))
            literal, wild = [], False
            i += step
            continue
        if ch == "$" and i == end - 1:
            break
        size, text = _atom(pattern, i)
        if size == 0:
            return tuple(segments), True
        i += size
        quantifier = _QUANTIFIER.match(pattern, i)
        if quantifier:
            i = quantifier.end()
            wild = True
        elif pattern.startswith("{", i):
            return tuple(segments), True
        elif text is None:
            wild = True
        else:
            literal.append(text)
    segments.append(ANY_SEGMENT if wild else "".join(literal))
    return tuple(segments), False


def _atom(pattern: str, i: int) -> tuple[int, str | None]:
    """(length, literal text or None for a segment-local atom); length 0 for anything else."""
    ch = pattern[i]
    if ch not in ".^$*+?{}[]()|\\":
        return 1, ch
    if ch == "\\":
        nxt = pattern[i + 1 : i + 2]
        if nxt in ("d", "w", "s"):
            return 2, None
        if nxt and not nxt.isalnum() and nxt != "/" and nxt.isascii():
            return 2, nxt
        return 0, None
    if ch == "[":
        close = _class_end(pattern, i)
        if close > 0 and _class_excludes_slash(pattern[i + 1 : close]):
            return close + 1 - i, None
        return 0, None
    if ch == "(":
        close = pattern.find(")", i)
        start = i + 3 if pattern.startswith("(?:", i) else i + 1
        if close > 0 and _local_alternatives(pattern[start:close]):
            return close + 1 - i, None
    return 0, None


def _class_end(pattern: str, i: int) -> int:
    """Index of the `]` closing the class opened at `i`, or -1 (nested or unterminated)."""
    j = i + 1
    if pattern.startswith("^", j):
        j += 1
    if pattern.startswith("]", j):
        return -1
    while j < len(pattern):
        ch = pattern[j]
        if ch == "\\":
            j += 2
            continue
        if ch == "[":
            return -1
        if ch == "]":
            return j
        j += 1
    return -1


def _class_excludes_slash(body: str) -> bool:
    if "&&" in body:
        return False
    if body.startswith("^"):
        return "/" in body  # `[^/]`, `[^/?#]`, `[^\/]`: a negated set naming the slash
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\":
            nxt = body[i + 1 : i + 2]
            if not (nxt in ("d", "w", "s") or (nxt and not nxt.isalnum() and nxt != "/")):
                return False
            i += 2
            continue
        if ch == "/":
            return False
        if body.startswith("-", i + 1) and i + 2 < len(body):
            # a range: alphanumeric ends cannot span `/` (0x2F sorts below `0`)
            if not (ch.isascii() and ch.isalnum() and body[i + 2].isascii()
                    and body[i + 2].isalnum()):
                return False
            i += 3
            continue
        i += 1
    return True


def _local_alternatives(body: str) -> bool:
    """A group body like `users|orders` or `v[12]`: atoms that never match `/`."""
    i = 0
    while i < len(body):
        if body[i] == "|":
            i += 1
            continue
        if body[i] == "/":
            return False
        size, _ = _atom(body, i)
        if size == 0 or body[i] == "(":
            return False
        i += size
        quantifier = _QUANTIFIER.match(body, i)
        if quantifier:
            i = quantifier.end()
    return True


def _top_level_alternation(pattern: str) -> bool:
    """A `|` outside every group and class; True as well when the nesting cannot be read."""
    depth = 0
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "[":
            close = _class_end(pattern, i)
            if close < 0:
                return True
            i = close + 1
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                return True
        elif ch == "|" and depth == 0:
            return True
        i += 1
    return depth != 0
