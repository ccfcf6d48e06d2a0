"""WireMock's Handlebars templates, translated into Jinja2 so one sandboxed engine renders both.

Real WireMock stub files are written in Handlebars: `{{request.path.[0]}}`,
`{{jsonPath request.body '$.id'}}`, `{{#if ...}}{{else}}{{/if}}`, `{{now offset='3 days'}}`.
`is_handlebars` says whether a template uses syntax only Handlebars has; `translate` rewrites
the supported subset into Jinja2 source:

- paths (`a.b`, `a.[0]`, `a.X-Foo`, `this`, `../x`, `@index`/`@key`/`@first`/`@last`)
  become subscripts (`a['b'][0]`), so a key never reaches a Python attribute;
- helper calls and sub-expressions (`name arg key=value`, `(eq a b)`) become `_hb.name(...)`;
- blocks `#if`/`else if`/`#unless`/`#each` (with `as |item i|`)/`#with`, conditional helpers
  as blocks (`#eq`, `#contains`, ...), `#assign`, mustache sections `{{#list}}`/`{{^list}}`;
- assigning helpers (`parseJson x 'v'`, `regexExtract x 're' 'parts'`, `formData x 'f'`,
  `val x assign='v'`) become `{% set %}`;
- `~` whitespace control and the standalone-line rule; `{{! comments }}`; `\\{{` escapes.

Inside `#each`/`#with` a bare name is looked up in the current item first, then in the
enclosing scopes, as Handlebars.java does. Partials and inline partials are refused.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass, field

from mockserver.respond.templating.helpers import CONDITIONS, HANDLEBARS_HELPERS
from mockserver.respond.templating.mustache import (
    Call,
    Expr,
    HandlebarsError,
    Literal,
    Mustache,
    Path,
    Tag,
    Text,
    Token,
    helper_name,
    parse_mustache,
    tokenize,
)

__all__ = ["HandlebarsError", "has_jinja_blocks", "is_handlebars", "jinja_name", "translate"]


# --- deciding the language -----------------------------------------------------------------

_JINJA_WORDS = frozenset({"if", "else", "and", "or", "not", "in", "is", "for", "recursive"})
_JINJA_BLOCK = re.compile(r"\{%|(?<!\{)\{#")


def has_jinja_blocks(source: str) -> bool:
    """`{% ... %}` or `{# ... #}`: written for Jinja2, whatever else it contains."""
    return _JINJA_BLOCK.search(source) is not None


def is_handlebars(source: str) -> bool:
    """True when the template uses syntax only Handlebars has (so Jinja2 would misread it)."""
    if has_jinja_blocks(source):
        return False
    if "\\{{" in source:
        return True  # an escaped mustache
    try:
        tokens = tokenize(source)
    except HandlebarsError:
        return False
    for token in tokens:
        if isinstance(token, Text):
            continue
        if token.kind != "expr" or token.triple:
            return True
        try:
            m = parse_mustache(token.body, token.line)
        except HandlebarsError:
            continue  # not Handlebars; perhaps Jinja (`x | upper`, `f(1)`)
        if _handlebars_only(m):
            return True
    return False


def _handlebars_only(m: Mustache) -> bool:
    if any(isinstance(t, Path) and not t.this and t.segments and t.segments[0] in _JINJA_WORDS
           for t in m.params):
        return False  # `a if b else c`, `x or y`: Jinja
    if m.hash or m.block_params:
        return True
    if helper_name(m.head) in HANDLEBARS_HELPERS:
        return True  # `{{now}}`, `{{jsonPath request.body '$.x'}}`
    if m.params:
        return False  # `{{ a - 1 }}`: Jinja operators, not an unknown helper
    return _features(m.head)


def _features(e: Expr) -> bool:
    if isinstance(e, Path):
        return e.features
    if isinstance(e, Call):
        return True
    return False


# --- translation ---------------------------------------------------------------------------


@dataclass
class _Scope:
    this: str | None = None  # the Jinja variable holding the context object
    key: str | None = None
    names: dict[str, str] = field(default_factory=dict)  # block params
    loop: bool = False


@dataclass
class _Block:
    tag: Tag
    program: list[_Node]
    branches: list[tuple[Tag, list[_Node]]]  # each `{{else ...}}` and what follows it
    close: Tag


_Node = Text | Tag | _Block

# Helpers that assign a variable instead of printing (WireMock's two-argument forms).
_ASSIGNING = {"parseJson": 2, "regexExtract": 3, "formData": 2}


def jinja_name(name: str) -> str:
    """A Handlebars variable name as a safe Jinja2 identifier (mangled when it is not one)."""
    if name.isidentifier() and not keyword.iskeyword(name) and not name.startswith("_") and (
        name not in {"true", "false", "none", "loop", "self", "caller", "varargs", "kwargs"}
    ):
        return name
    return "_v_" + name.encode("utf-8").hex()


def _subscripts(expr: str, segments: list[str]) -> str:
    """`expr['a'][0]`; a negative index goes through `_hb.at` (WireMock counts it its way)."""
    for segment in segments:
        if re.fullmatch(r"-\d+", segment):
            expr = f"_hb.at({expr}, {int(segment)})"
        elif re.fullmatch(r"\d+", segment):
            expr += f"[{int(segment)}]"
        else:
            expr += f"[{segment!r}]"
    return expr


def _standalone(tokens: list[Token]) -> None:
    """Handlebars' rule: a block tag alone on its line takes the line's whitespace with it."""
    cuts: dict[int, list[int]] = {}  # text token index -> [start, end] of what is kept
    for i, token in enumerate(tokens):
        if not isinstance(token, Tag) or token.kind == "expr":
            continue
        before = tokens[i - 1] if i > 0 else None
        after = tokens[i + 1] if i + 1 < len(tokens) else None
        if not isinstance(before, (Text, type(None))) or not isinstance(after, (Text, type(None))):
            continue
        left = before.text if before is not None else ""
        nl = left.rfind("\n")
        if left[nl + 1 :].strip(" \t") or (nl < 0 and i - 1 > 0):
            continue
        right = after.text if after is not None else ""
        nr = right.find("\n")
        if (right if nr < 0 else right[:nr]).strip(" \t\r") or (nr < 0 and i + 2 < len(tokens)):
            continue
        if before is not None:
            cuts.setdefault(i - 1, [0, len(left)])[1] = nl + 1
        if after is not None:
            cuts.setdefault(i + 1, [0, len(right)])[0] = nr + 1 if nr >= 0 else len(right)
    for index, (lo, hi) in cuts.items():
        text = tokens[index]
        assert isinstance(text, Text)
        text.text = text.text[lo:hi] if lo < hi else ""


class _Translator:
    def __init__(self, source: str) -> None:
        self.source = source
        self.counter = 0
        self.scopes: list[_Scope] = [_Scope()]

    # -- structure --------------------------------------------------------------------------
    def build(self, tokens: list[Token]) -> list[_Node]:
        self.tokens = tokens
        self.index = 0
        nodes, end = self._program()
        if end is not None:
            what = "{{else}}" if end.kind == "else" else f"{{{{/{end.body}}}}}"
            raise HandlebarsError(f"{what} without a matching block", end.line)
        return nodes

    def _program(self) -> tuple[list[_Node], Tag | None]:
        nodes: list[_Node] = []
        while self.index < len(self.tokens):
            token = self.tokens[self.index]
            self.index += 1
            if isinstance(token, Text) or token.kind in ("expr", "comment"):
                nodes.append(token)
            elif token.kind in ("open", "inverse"):
                nodes.append(self._block(token))
            else:
                return nodes, token
        return nodes, None

    def _block(self, tag: Tag) -> _Block:
        program, end = self._program()
        branches: list[tuple[Tag, list[_Node]]] = []
        while end is not None and end.kind == "else":
            body, next_end = self._program()
            branches.append((end, body))
            end = next_end
        name = tag.body.split()[0] if tag.body.split() else ""
        if end is None:
            raise HandlebarsError(f"{{{{#{name}}}}} is never closed (expected {{{{/{name}}}}})",
                                  tag.line)
        if end.body != name:
            raise HandlebarsError(f"{{{{/{end.body}}}}} does not close {{{{#{name}}}}}", end.line)
        return _Block(tag, program, branches, end)

    # -- output -----------------------------------------------------------------------------
    def fresh(self) -> int:
        self.counter += 1
        return self.counter

    def emit(self, nodes: list[_Node]) -> str:
        return "".join(self._node(n) for n in nodes)

    def _node(self, node: _Node) -> str:
        if isinstance(node, Text):
            return re.sub(r"\{(?=[{%#])", "{{ '{' }}", node.text)
        if isinstance(node, _Block):
            return self._emit_block(node)
        if node.kind == "comment":
            if not (node.strip_before or node.strip_after):
                return ""
            return f"{{#{'-' if node.strip_before else ''} {'-' if node.strip_after else ''}#}}"
        return self._output(node)

    @staticmethod
    def _wrap(code: str, tag: Tag | None, *, left: bool = True, right: bool = True,
              statement: bool = True) -> str:
        lo, hi = ("{%", "%}") if statement else ("{{", "}}")
        lm = "-" if tag is not None and left and tag.strip_before else ""
        rm = "-" if tag is not None and right and tag.strip_after else ""
        return f"{lo}{lm} {code} {rm}{hi}"

    def _output(self, tag: Tag) -> str:
        try:
            m = parse_mustache(tag.body, tag.line)
        except HandlebarsError:  # a Jinja2 expression (`x | upper`) mixed in: keep it as is
            return self._wrap(tag.body, tag, statement=False)
        name = helper_name(m.head)
        target = self._assign_target(m, name, tag)
        if target is not None:
            call_name, args, var = target
            expr = self._call(Call(call_name, args, [(k, v) for k, v in m.hash if k != "assign"]),
                              tag)
            return self._wrap(f"set {jinja_name(var)} = {expr}", tag)
        if m.params or m.hash:
            if name is None:
                raise HandlebarsError(f"{{{{{tag.body}}}}}: a helper name must come first",
                                      tag.line)
            expr = self._call(Call(name, m.params, m.hash), tag)
        elif name in HANDLEBARS_HELPERS and not self._is_block_param(name):
            expr = self._call(Call(name), tag)
        else:
            expr = self.value(m.head, tag)
        return self._wrap(f"_hb.show({expr})", tag, statement=False)

    def _assign_target(self, m: Mustache, name: str | None,
                       tag: Tag) -> tuple[str, list[Expr], str] | None:
        if name is None:
            return None
        for key, value in m.hash:
            if key == "assign" and name == "val":
                return "val", m.params, self._literal_name(value, tag)
        arity = _ASSIGNING.get(name)
        if arity is None or len(m.params) != arity:
            return None
        call = "regexGroups" if name == "regexExtract" else name
        return call, m.params[:-1], self._literal_name(m.params[-1], tag)

    @staticmethod
    def _literal_name(expr: Expr, tag: Tag) -> str:
        if isinstance(expr, Literal) and isinstance(expr.value, str) and expr.value:
            return expr.value
        raise HandlebarsError("the variable name to assign must be a quoted string", tag.line)

    def _is_block_param(self, name: str) -> bool:
        return any(name in s.names for s in self.scopes)

    def _call(self, call: Call, tag: Tag) -> str:
        if call.name not in HANDLEBARS_HELPERS:
            raise HandlebarsError(f"unknown helper {call.name!r}", tag.line)
        args = [self.value(p, tag) for p in call.params]
        for key, value in call.hash:
            if not key.isidentifier() or keyword.iskeyword(key):
                raise HandlebarsError(f"unsupported option name {key!r}", tag.line)
            args.append(f"{key}={self.value(value, tag)}")
        return f"_hb.{call.name}({', '.join(args)})"

    def value(self, expr: Expr, tag: Tag) -> str:
        if isinstance(expr, Literal):
            v = expr.value
            if v is None:
                return "none"
            if isinstance(v, bool):
                return "true" if v else "false"
            return repr(v)
        if isinstance(expr, Call):
            return self._call(expr, tag)
        return self._path(expr, tag)

    def _path(self, p: Path, tag: Tag) -> str:
        if p.data:
            return self._data(p, tag)
        level = max(0, len(self.scopes) - 1 - p.depth)
        segments = list(p.segments)
        if p.this or not segments:
            base = self.scopes[level].this or "_hb_root"
            if base == "_hb_root":
                if not segments:
                    return "none"
                return _subscripts(self._bare(segments[0], 0), segments[1:])
            return _subscripts(base, segments)
        return _subscripts(self._bare(segments[0], level), segments[1:])

    def _bare(self, head: str, level: int) -> str:
        for scope in reversed(self.scopes[: level + 1]):
            if head in scope.names:
                return scope.names[head]
        expr = jinja_name(head)
        for scope in self.scopes[1 : level + 1]:
            if scope.this is not None:
                expr = f"_hb.scope({scope.this}, {head!r}, {expr})"
        return expr

    def _data(self, p: Path, tag: Tag) -> str:
        name = p.segments[0] if p.segments else ""
        if name == "root":
            if len(p.segments) < 2:
                return "none"
            return _subscripts(self._bare(p.segments[1], 0), p.segments[2:])
        loop_scope = next((s for s in reversed(self.scopes) if s.loop), None)
        if loop_scope is None:
            raise HandlebarsError(f"@{name} is only defined inside {{{{#each}}}}", tag.line)
        if name == "index":
            return "loop.index0"
        if name == "key":
            return loop_scope.key or "loop.index0"
        if name in ("first", "last"):
            return f"loop.{name}"
        raise HandlebarsError(f"unknown data variable @{name}", tag.line)

    # -- blocks -----------------------------------------------------------------------------
    def _emit_block(self, block: _Block) -> str:
        tag = block.tag
        m = parse_mustache(tag.body, tag.line)
        name = helper_name(m.head)
        if tag.kind == "inverse":
            cond = f"not _hb.truthy({self.value(m.head, tag)})"
            return self._conditional(block, cond)
        if name == "if" or name == "unless":
            if len(m.params) != 1:
                raise HandlebarsError(f"#{name} takes one value", tag.line)
            cond = f"_hb.truthy({self.value(m.params[0], tag)})"
            return self._conditional(block, cond if name == "if" else f"not {cond}")
        if name in CONDITIONS and (m.params or m.hash):
            return self._conditional(block, self._call(Call(name, m.params, m.hash), tag))
        if name == "each":
            return self._each(block, m)
        if name == "with":
            return self._with(block, m)
        if name == "assign":
            if len(m.params) != 1:
                raise HandlebarsError("#assign takes the variable name", tag.line)
            var = jinja_name(self._literal_name(m.params[0], tag))
            body = self.emit(block.program)
            return self._wrap(f"set {var}", tag) + body + self._wrap("endset", block.close)
        if name in HANDLEBARS_HELPERS:
            return self._helper_block(block, m, name)
        if m.params or m.hash:
            raise HandlebarsError(f"unknown block helper {name!r}", tag.line)
        return self._section(block, m)

    def _conditional(self, block: _Block, cond: str) -> str:
        out = [self._wrap(f"if {cond}", block.tag), self.emit(block.program)]
        for else_tag, body in block.branches:
            if else_tag.body:
                m = parse_mustache(else_tag.body, else_tag.line)
                name = helper_name(m.head)
                if name == "if" and len(m.params) == 1:
                    code = f"elif _hb.truthy({self.value(m.params[0], else_tag)})"
                elif name == "unless" and len(m.params) == 1:
                    code = f"elif not _hb.truthy({self.value(m.params[0], else_tag)})"
                elif name in CONDITIONS:
                    code = "elif " + self._call(Call(name, m.params, m.hash), else_tag)
                else:
                    raise HandlebarsError(f"unsupported {{{{else {else_tag.body}}}}}",
                                          else_tag.line)
                out.append(self._wrap(code, else_tag))
            else:
                out.append(self._wrap("else", else_tag))
            out.append(self.emit(body))
        out.append(self._wrap("endif", block.close))
        return "".join(out)

    def _inverse(self, block: _Block) -> str:
        out = []
        for else_tag, body in block.branches:
            if else_tag.body:
                raise HandlebarsError(f"unsupported {{{{else {else_tag.body}}}}} here",
                                      else_tag.line)
            out.append(self._wrap("else", else_tag))
            out.append(self.emit(body))
        return "".join(out)

    def _each(self, block: _Block, m: Mustache) -> str:
        tag = block.tag
        if len(m.params) != 1:
            raise HandlebarsError("#each takes one list or map", tag.line)
        source = self.value(m.params[0], tag)
        n = self.fresh()
        item, key = f"_t{n}", f"_k{n}"
        names = {}
        if m.block_params:
            names[m.block_params[0]] = item
            if len(m.block_params) > 1:
                names[m.block_params[1]] = key
        self.scopes.append(_Scope(item, key, names, loop=True))
        try:
            body = self.emit(block.program)
        finally:
            self.scopes.pop()
        return (self._wrap(f"for {key}, {item} in _hb.each({source})", tag) + body
                + self._inverse(block) + self._wrap("endfor", block.close))

    def _with(self, block: _Block, m: Mustache) -> str:
        tag = block.tag
        if len(m.params) != 1:
            raise HandlebarsError("#with takes one value", tag.line)
        source = self.value(m.params[0], tag)
        n = self.fresh()
        item = f"_t{n}"
        names = {m.block_params[0]: item} if m.block_params else {}
        self.scopes.append(_Scope(item, None, names))
        try:
            body = self.emit(block.program)
        finally:
            self.scopes.pop()
        return (self._wrap(f"with {item} = {source}", tag, right=False)
                + self._wrap(f"if _hb.truthy({item})", tag, left=False) + body
                + self._inverse(block) + self._wrap("endif", block.close, right=False)
                + self._wrap("endwith", block.close, left=False))

    def _section(self, block: _Block, m: Mustache) -> str:
        tag = block.tag
        source = self.value(m.head, tag)
        n = self.fresh()
        item = f"_t{n}"
        self.scopes.append(_Scope(item, None, {}, loop=True))
        try:
            body = self.emit(block.program)
        finally:
            self.scopes.pop()
        return (self._wrap(f"for {item} in _hb.section({source})", tag) + body
                + self._inverse(block) + self._wrap("endfor", block.close))

    def _helper_block(self, block: _Block, m: Mustache, name: str) -> str:
        """`{{#trim}}...{{/trim}}`, `{{#parseJson 'v'}}...{{/parseJson}}`: the body is the input."""
        tag = block.tag
        n = self.fresh()
        var = f"_b{n}"
        body = self.emit(block.program)
        captured = self._wrap(f"set {var}", tag) + body + self._wrap("endset", block.close)
        if name == "parseJson" and len(m.params) == 1:
            target = jinja_name(self._literal_name(m.params[0], tag))
            return captured + self._wrap(f"set {target} = _hb.parseJson({var})", block.close)
        args = [var, *(self.value(p, tag) for p in m.params)]
        args += [f"{k}={self.value(v, tag)}" for k, v in m.hash]
        if name not in HANDLEBARS_HELPERS:
            raise HandlebarsError(f"unknown helper {name!r}", tag.line)
        return captured + self._wrap(f"_hb.show(_hb.{name}({', '.join(args)}))", block.close,
                                     statement=False)


def translate(source: str) -> str:
    """Jinja2 source that renders `source` as WireMock's Handlebars would; HandlebarsError if
    the template is malformed or uses something unsupported (partials, unknown helpers)."""
    tokens = tokenize(source)
    _standalone(tokens)
    translator = _Translator(source)
    return translator.emit(translator.build(tokens))
