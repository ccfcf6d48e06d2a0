"""The syntax of Handlebars mustaches: a template's text and `{{...}}` tags, and what is inside
a tag (a path, a helper call with parameters and `key=value` options, sub-expressions).

Only reading happens here; `handlebars` decides what a template means and writes Jinja2.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from mockserver.errors import TemplateError


class HandlebarsError(TemplateError):
    """A template that the translator cannot read; `line` is 1-based within the template."""


# --- tokens --------------------------------------------------------------------------------


@dataclass
class Text:
    text: str


@dataclass
class Tag:
    kind: str  # expr, open, inverse, close, else, comment
    body: str
    line: int
    strip_before: bool = False
    strip_after: bool = False
    triple: bool = False


Token = Text | Tag


def _line_of(source: str, index: int) -> int:
    return source.count("\n", 0, index) + 1


def _find_close(source: str, start: int, closer: str) -> int:
    """Index of `closer` after `start`, skipping quoted strings inside the mustache."""
    i, n, quote = start, len(source), ""
    while i < n:
        c = source[i]
        if quote:
            if c == "\\":
                i += 2
                continue
            if c == quote:
                quote = ""
        elif c in "'\"":
            quote = c
        elif source.startswith(closer, i):
            return i
        i += 1
    return -1


def tokenize(source: str) -> list[Token]:
    tokens: list[Token] = []
    pos, n = 0, len(source)
    while pos < n:
        start = source.find("{{", pos)
        if start < 0:
            tokens.append(Text(source[pos:]))
            break
        if start > 0 and source[start - 1] == "\\":  # `\{{` prints a literal mustache
            if start - 1 > pos:
                tokens.append(Text(source[pos : start - 1]))
            tokens.append(Text("{{"))
            pos = start + 2
            continue
        if start > pos:
            tokens.append(Text(source[pos:start]))
        line = _line_of(source, start)
        j = start + 2
        triple = source.startswith("{", j)
        j += triple
        strip_before = source.startswith("~", j)
        j += strip_before
        if source.startswith("!--", j):
            end = source.find("--", j + 3)
            while end >= 0 and not re.match(r"--~?}}", source[end:]):
                end = source.find("--", end + 1)
            if end < 0:
                raise HandlebarsError("unclosed comment {{!-- ... --}}", line)
            strip_after = source.startswith("--~", end)
            tokens.append(Tag("comment", "", line, strip_before, strip_after))
            pos = source.index("}}", end) + 2
            continue
        closer = "}}}" if triple else "}}"
        end = _find_close(source, j, closer)
        if end < 0:
            raise HandlebarsError(f"unclosed mustache (expected {closer!r})", line)
        body = source[j:end]
        strip_after = body.endswith("~")
        if strip_after:
            body = body[:-1]
        pos = end + len(closer)
        tokens.append(_classify(body, line, strip_before, strip_after, triple))
    return tokens


def _classify(body: str, line: int, before: bool, after: bool, triple: bool) -> Tag:
    text = body.strip()
    if triple:
        return Tag("expr", text, line, before, after, triple=True)
    if text.startswith("!"):
        return Tag("comment", "", line, before, after)
    if text.startswith(("#>", ">", "#*")):
        raise HandlebarsError("partials are not supported", line)
    if text.startswith("#"):
        return Tag("open", text[1:].strip(), line, before, after)
    if text.startswith("^"):
        rest = text[1:].strip()
        return Tag("inverse" if rest else "else", rest, line, before, after)
    if text.startswith("/"):
        return Tag("close", text[1:].strip(), line, before, after)
    if text == "else" or text.startswith("else "):
        return Tag("else", text[4:].strip(), line, before, after)
    if text.startswith("&"):
        text = text[1:].strip()
    return Tag("expr", text, line, before, after)


# --- expressions ---------------------------------------------------------------------------

_ID = r"[^\s!\"#%-,\.\/;->@\[-\^`\{-~]+"
_ID_RE = re.compile(_ID)
_HASH_KEY = re.compile(rf"({_ID})=(?!=)")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?=[\s)]|$)")
_KEYWORD = re.compile(r"(true|false|null|undefined)(?=[\s)]|$)")
_BLOCK_PARAMS = re.compile(r"as\s+\|([^|]*)\|")
_STRING = re.compile(r"'((?:\\.|[^'\\])*)'|\"((?:\\.|[^\"\\])*)\"", re.DOTALL)


@dataclass
class Literal:
    value: object


@dataclass
class Path:
    segments: list[str]
    depth: int = 0  # how many `../`
    this: bool = False  # written as `this...` or `./...`
    data: bool = False  # `@index`, `@key`, ...
    features: bool = False  # uses syntax Jinja does not have


@dataclass
class Call:
    name: str
    params: list[Expr] = field(default_factory=list)
    hash: list[tuple[str, Expr]] = field(default_factory=list)


Expr = Literal | Path | Call


@dataclass
class Mustache:
    """The inside of one `{{...}}`: a head, its parameters, hash arguments, block params."""

    head: Expr
    params: list[Expr]
    hash: list[tuple[str, Expr]]
    block_params: list[str]


class _Parser:
    def __init__(self, text: str, line: int) -> None:
        self.text = text
        self.pos = 0
        self.line = line

    def error(self, message: str) -> HandlebarsError:
        return HandlebarsError(f"{message} in {{{{{self.text}}}}}", self.line)

    def skip(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def at_end(self) -> bool:
        self.skip()
        return self.pos >= len(self.text)

    def mustache(self) -> Mustache:
        terms: list[Expr] = []
        hash_args: list[tuple[str, Expr]] = []
        block_params: list[str] = []
        while not self.at_end():
            if m := _BLOCK_PARAMS.match(self.text, self.pos):
                block_params = m.group(1).split()
                self.pos = m.end()
                if not self.at_end():
                    raise self.error("block parameters must come last")
                break
            if m := _HASH_KEY.match(self.text, self.pos):
                self.pos = m.end()
                hash_args.append((m.group(1), self.term()))
                continue
            if hash_args:
                raise self.error("positional arguments must come before key=value ones")
            terms.append(self.term())
        if not terms:
            raise self.error("empty expression")
        return Mustache(terms[0], terms[1:], hash_args, block_params)

    def term(self) -> Expr:
        self.skip()
        text, pos = self.text, self.pos
        if pos >= len(text):
            raise self.error("missing value")
        if text[pos] == "(":
            self.pos += 1
            inner = self.mustache_until_paren()
            return _as_call(inner, self)
        if m := _STRING.match(text, pos):
            self.pos = m.end()
            raw = m.group(1) if m.group(1) is not None else m.group(2)
            quote = "'" if m.group(1) is not None else '"'
            return Literal(raw.replace("\\" + quote, quote))
        if m := _NUMBER.match(text, pos):
            self.pos = m.end()
            return Literal(float(m.group(0)) if "." in m.group(0) else int(m.group(0)))
        if m := _KEYWORD.match(text, pos):
            self.pos = m.end()
            return Literal({"true": True, "false": False}.get(m.group(1)))
        return self.path()

    def mustache_until_paren(self) -> Mustache:
        depth, i, quote = 1, self.pos, ""
        while i < len(self.text):
            c = self.text[i]
            if quote:
                if c == "\\":
                    i += 1
                elif c == quote:
                    quote = ""
            elif c in "'\"":
                quote = c
            elif c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
                if depth == 0:
                    break
            i += 1
        else:
            raise self.error("unclosed '('")
        inner = _Parser(self.text[self.pos : i], self.line)
        self.pos = i + 1
        return inner.mustache()

    def path(self) -> Path:
        text, start = self.text, self.pos
        p = Path([])
        if text.startswith("@", self.pos):
            p.data = p.features = True
            self.pos += 1
        while True:
            if text.startswith("../", self.pos):
                p.depth += 1
                p.features = True
                self.pos += 3
            elif text.startswith("./", self.pos):
                p.this = p.features = True
                self.pos += 2
            else:
                break
        first = True
        while True:
            if text.startswith("[", self.pos):
                end = text.find("]", self.pos)
                if end < 0:
                    raise self.error("unclosed '['")
                p.segments.append(text[self.pos + 1 : end])
                p.features = p.features or not first  # a leading `[` may be a Jinja list
                self.pos = end + 1
            elif m := _ID_RE.match(text, self.pos):
                segment = m.group(0)
                self.pos = m.end()
                if first and segment == "this":
                    p.this = p.features = True
                else:
                    if "-" in segment or not first and not re.fullmatch(r"\w+", segment):
                        p.features = True
                    p.segments.append(segment)
            elif first and text.startswith(".", self.pos) and not text.startswith("..", self.pos):
                p.this = True  # `{{.}}`
                self.pos += 1
            else:
                if self.pos == start:
                    raise self.error(f"unexpected {text[self.pos]!r}")
                break
            first = False
            if self.pos < len(text) and text[self.pos] == "." and self.pos + 1 < len(text) and (
                text[self.pos + 1] == "[" or _ID_RE.match(text, self.pos + 1)
            ):
                self.pos += 1
                continue
            break
        if self.pos < len(text) and not text[self.pos].isspace() and text[self.pos] != ")":
            raise self.error(f"unexpected {text[self.pos]!r}")
        return p


def _as_call(m: Mustache, parser: _Parser) -> Expr:
    if not m.params and not m.hash:
        if isinstance(m.head, Path) and helper_name(m.head) is None:
            return m.head  # `(path)`: just the value
        if not isinstance(m.head, Path):
            return m.head
    name = helper_name(m.head)
    if name is None:
        raise parser.error("a helper name must come first")
    return Call(name, m.params, m.hash)


def helper_name(head: Expr) -> str | None:
    if isinstance(head, Path) and len(head.segments) == 1 and not (head.this or head.data
                                                                   or head.depth):
        return head.segments[0]
    return None


def parse_mustache(text: str, line: int = 1) -> Mustache:
    return _Parser(text, line).mustache()
