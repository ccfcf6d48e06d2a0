"""URL matchers: `url`, `urlPattern`, `urlPath`, `urlPathPattern`, `urlPathTemplate`.

Each knows the literal path prefix it requires (when it has one) so the registry can index
stubs by path instead of testing every stub against every request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum

from mockserver.compat.javaregex import compile_java_regex
from mockserver.compat.timedregex import TimedPattern
from mockserver.matchers.base import EXACT, MatchResult, no_match
from mockserver.matchers.distance import normalised_distance


class UrlKind(Enum):
    URL = "url"
    URL_PATTERN = "urlPattern"
    URL_PATH = "urlPath"
    URL_PATH_PATTERN = "urlPathPattern"
    URL_PATH_TEMPLATE = "urlPathTemplate"

    @property
    def includes_query(self) -> bool:
        return self in (UrlKind.URL, UrlKind.URL_PATTERN)

    @property
    def report_label(self) -> str:
        """How WireMock's near-miss report prefixes the expected URL."""
        return {
            UrlKind.URL: "",
            UrlKind.URL_PATTERN: "[regex] ",
            UrlKind.URL_PATH: "[path] ",
            UrlKind.URL_PATH_PATTERN: "[path regex] ",
            UrlKind.URL_PATH_TEMPLATE: "[path template] ",
        }[self]


# WireMock's precedence when a stub names several URL fields.
URL_KEYS = tuple(kind.value for kind in UrlKind)

_META = set(".^$*+?{}[]()|\\")


@dataclass(frozen=True, slots=True)
class PathTemplate:
    """`/users/{id}/files/**`: variables match one segment, `**` matches anything (lazy)."""

    template: str
    regex: re.Pattern[str]
    names: tuple[str, ...]
    blanked: str  # variables replaced by `_`, what near-miss distances compare against

    @classmethod
    def parse(cls, template: str) -> PathTemplate:
        names: list[str] = []
        out = []
        blanked = []
        pos = 0
        for m in re.finditer(r"\{([^{}]*)\}|\*\*", template):
            literal = template[pos : m.start()]
            out.append(re.escape(literal))
            blanked.append(literal)
            if m.group(0) == "**":
                out.append("(.*?)")
                blanked.append("_")
            else:
                name = re.sub(r"[.;*]", "", m.group(1))
                if not name:
                    raise ValueError(f"empty variable name in path template {template!r}")
                if name in names:
                    raise ValueError(f"variable {name!r} appears twice in {template!r}")
                names.append(name)
                out.append("([^/]+)")
                blanked.append("_")
            pos = m.end()
        out.append(re.escape(template[pos:]))
        blanked.append(template[pos:])
        return cls(template, re.compile("".join(out), re.DOTALL), tuple(names), "".join(blanked))

    def parameters(self, path: str) -> dict[str, str] | None:
        m = self.regex.fullmatch(path)
        if m is None:
            return None
        return self._named(m)

    def _named(self, m: re.Match[str]) -> dict[str, str]:
        # With `**` wildcards interleaved, groups follow template order; pick the variables.
        values: dict[str, str] = {}
        groups = iter(m.groups())
        for token in re.finditer(r"\{([^{}]*)\}|\*\*", self.template):
            value = next(groups)
            if token.group(0) != "**":
                values[re.sub(r"[.;*]", "", token.group(1))] = value
        return values


@dataclass(frozen=True, slots=True)
class UrlMatcher:
    kind: UrlKind
    value: str
    regex: TimedPattern | None = None  # urlPattern, urlPathPattern: time-limited matches
    template: PathTemplate | None = None
    index_prefix: str | None = field(default=None)

    @classmethod
    def parse(cls, kind: UrlKind, value: str) -> UrlMatcher:
        """Compile once; raises ValueError for a bad regex or template."""
        if kind in (UrlKind.URL_PATTERN, UrlKind.URL_PATH_PATTERN):
            return cls(kind, value, regex=compile_java_regex(value),
                       index_prefix=_first_segment(_literal_prefix(value)))
        if kind is UrlKind.URL_PATH_TEMPLATE:
            template = PathTemplate.parse(value)
            literal = value.split("{", 1)[0].split("**", 1)[0]
            return cls(kind, value, template=template, index_prefix=_first_segment(literal))
        return cls(kind, value)

    @property
    def literal_path(self) -> str | None:
        """The exact path this matcher requires, if it requires one (url / urlPath)."""
        if self.kind is UrlKind.URL:
            return self.value.partition("?")[0] or "/"
        if self.kind is UrlKind.URL_PATH:
            return self.value
        return None

    def test(self, url: str, path: str) -> bool:
        """The yes/no of `match` without grading a miss (the hot path needs no distance)."""
        kind = self.kind
        if kind is UrlKind.URL:
            return url == self.value
        if kind is UrlKind.URL_PATH:
            return path == self.value
        if kind is UrlKind.URL_PATH_TEMPLATE:
            assert self.template is not None
            return self.template.regex.fullmatch(path) is not None
        assert self.regex is not None
        return self.regex.fullmatch(url if kind is UrlKind.URL_PATTERN else path) is not None

    def match(self, url: str, path: str) -> MatchResult:
        kind = self.kind
        if kind is UrlKind.URL:
            return EXACT if url == self.value else no_match(
                "", normalised_distance(self.value, url))
        if kind is UrlKind.URL_PATH:
            return EXACT if path == self.value else no_match(
                "", normalised_distance(self.value, path))
        if kind is UrlKind.URL_PATH_TEMPLATE:
            assert self.template is not None
            if self.template.regex.fullmatch(path):
                return EXACT
            return no_match("", normalised_distance(self.template.blanked, path))
        assert self.regex is not None
        subject = url if kind is UrlKind.URL_PATTERN else path
        matched, timed_out = self.regex.verdict(subject)
        return EXACT if matched else no_match(timed_out)

    def path_parameters(self, path: str) -> dict[str, str]:
        if self.template is None:
            return {}
        return self.template.parameters(path) or {}

    def to_json(self) -> dict[str, str]:
        return {self.kind.value: self.value}


def _literal_prefix(pattern: str) -> str:
    """The literal text every match must start with; empty when unsure (alternation, flags)."""
    if "|" in pattern or pattern.startswith(("(?", "^(")):
        return ""
    if pattern.startswith("^"):
        pattern = pattern[1:]
    prefix: list[str] = []
    for ch in pattern:
        if ch in _META:
            if ch in "*?{" and prefix:
                prefix.pop()  # the previous character is optional or repeated
            elif ch == "+" and prefix:
                pass
            break
        prefix.append(ch)
    return "".join(prefix)


def _first_segment(literal: str) -> str | None:
    """`/users/` from `/users/12`: the first path segment, if the literal pins it down."""
    if not literal.startswith("/"):
        return None
    end = literal.find("/", 1)
    if end < 0:
        return None
    return literal[: end + 1]


def request_first_segment(path: str) -> str | None:
    end = path.find("/", 1)
    return path[: end + 1] if end > 0 else None
