"""Stub files on disk: `ROOT/mappings/**/*.{yaml,yml,json}` into stubs, errors located by line.

One bad file (or one bad stub inside a file) never stops the others from loading.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mockserver.errors import KeyPath, StubError, StubFileError, format_key_path
from mockserver.model import StubMapping, StubSource
from mockserver.stubs.parse import parse_stub

try:  # libyaml is many times faster; fall back to the pure-Python loader
    _Base: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _Base = yaml.SafeLoader


MAX_ALIAS_EXPANSION = 100_000  # nodes that aliases may add to a document, all told


class _Loader(_Base):  # type: ignore[misc]
    """Safe loading with YAML 1.2's JSON-like scalars: `yes`, `off`, `1_000`, `12:30` and
    dates stay text, since stubs are JSON documents and `equalTo: yes` means the text.

    Aliases are counted before anything is built: a few hundred bytes of nested aliases
    ("billion laughs") expand to gigabytes once a stub is walked, so a document whose aliases
    add more than `MAX_ALIAS_EXPANSION` nodes is refused."""

    def get_single_data(self) -> Any:
        node = self.get_single_node()
        if node is None:
            return None
        _check_expansion(node)
        return self.construct_document(node)


def _too_big(node: yaml.Node, problem: str) -> yaml.YAMLError:
    """PyYAML's own error for a document it will not build, reported like a syntax error."""
    return yaml.constructor.ConstructorError(None, None, problem, node.start_mark)


def _check_expansion(root: yaml.Node) -> None:
    """Count the nodes of the document as it would be built, each alias expanded, and stop
    as soon as that exceeds the distinct nodes written by `MAX_ALIAS_EXPANSION`."""
    sizes: dict[int, int] = {}  # expanded size of each distinct node seen
    open_nodes: set[int] = set()
    order: list[tuple[yaml.Node, bool]] = [(root, False)]
    while order:  # iterative post-order: deep documents must not exhaust the stack
        node, children_done = order.pop()
        if id(node) in sizes:
            continue
        if not children_done and id(node) in open_nodes:
            raise _too_big(node, "an alias refers to a node that contains it (recursion)")
        if isinstance(node, yaml.ScalarNode):
            sizes[id(node)] = 1
            continue
        children: list[yaml.Node] = (
            [n for pair in node.value for n in pair] if isinstance(node, yaml.MappingNode)
            else list(node.value))
        if not children_done:
            open_nodes.add(id(node))
            order.append((node, True))
            order.extend((child, False) for child in children if id(child) not in sizes)
            continue
        open_nodes.discard(id(node))
        sizes[id(node)] = 1 + sum(sizes.get(id(child), 0) for child in children)
        if sizes[id(node)] - len(sizes) > MAX_ALIAS_EXPANSION:
            raise _too_big(node, f"aliases expand this document to more than "
                             f"{sizes[id(node)]} nodes (at most {MAX_ALIAS_EXPANSION} more "
                             "than are written)")


_YAML12 = {
    "tag:yaml.org,2002:bool": re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    "tag:yaml.org,2002:int": re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"),
    "tag:yaml.org,2002:float": re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)(?:[eE][-+]?[0-9]+)?|[-+]?[0-9]+[eE][-+]?[0-9]+"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
}
_Loader.yaml_implicit_resolvers = {}
for _first, _resolvers in _Base.yaml_implicit_resolvers.items():
    for _tag, _regexp in _resolvers:
        if _tag == "tag:yaml.org,2002:timestamp":
            continue
        _Loader.yaml_implicit_resolvers.setdefault(_first, []).append(
            (_tag, _YAML12.get(_tag, _regexp)))

STUB_SUFFIXES = (".json", ".yaml", ".yml")
_FILE_IDS = uuid.UUID("5f0b6a52-8d1e-4c4e-9a57-6d6f636b7376")


@dataclass
class LoadResult:
    stubs: list[StubMapping] = field(default_factory=list)
    errors: list[StubFileError] = field(default_factory=list)
    files: int = 0


def mapping_files(mappings_dir: Path) -> list[Path]:
    """Every stub file below `mappings/`, in a stable order (hidden files skipped)."""
    if not mappings_dir.is_dir():
        return []
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(mappings_dir):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith(".") or not name.lower().endswith(STUB_SUFFIXES):
                continue
            found.append(Path(dirpath) / name)
    return found


def load_directory(mappings_dir: Path) -> LoadResult:
    result = LoadResult()
    cwd = os.getcwd() + os.sep
    for path in mapping_files(mappings_dir):
        result.files += 1
        text = str(path)
        stubs, errors = load_file(
            path,
            display=text[len(cwd):] if text.startswith(cwd) else text,
            id_key=stub_id_key(mappings_dir, path),
        )
        result.stubs.extend(stubs)
        result.errors.extend(errors)
    return result


def display_name(path: Path) -> str:
    """How errors name a file: relative to the working directory when it is below it."""
    text, cwd = str(path), os.getcwd() + os.sep
    return text[len(cwd):] if text.startswith(cwd) else text


def stub_id_key(mappings_dir: Path, path: Path) -> str:
    """The file's place below `mappings/`: what its stubs' stable ids are derived from, so
    they stay the same whatever the working directory or where the root dir is mounted."""
    return os.path.relpath(path, mappings_dir).replace(os.sep, "/")


def load_file(
    path: Path, *, display: str | None = None, id_key: str | None = None
) -> tuple[list[StubMapping], list[StubFileError]]:
    display = display or str(path)
    try:
        with open(path, encoding="utf-8-sig") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        return [], [StubFileError(display, None, (), f"cannot read file: {exc}")]
    return load_text(text, path=str(path), display=display,
                     is_json=str(path).lower().endswith(".json"), id_key=id_key)


def name_based_id(text: str) -> str:
    """`uuid.uuid5(_FILE_IDS, text)` as a string, without building UUID objects."""
    digest = bytearray(hashlib.sha1(_FILE_IDS.bytes + text.encode("utf-8")).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50
    digest[8] = (digest[8] & 0x3F) | 0x80
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def load_text(
    text: str, *, path: str, display: str, is_json: bool, id_key: str | None = None
) -> tuple[list[StubMapping], list[StubFileError]]:
    """Stubs in one file's text: a mapping, a list of mappings, or `{mappings: [...]}`."""
    try:
        data = decode(text, display=display, is_json=is_json)
    except StubFileError as exc:
        return [], [exc]
    if data is None:
        return [], []  # an empty file holds no stubs
    entries: list[tuple[KeyPath, Any]]
    multi = False
    if isinstance(data, dict) and "mappings" in data and isinstance(data["mappings"], list):
        entries = [(("mappings", i), item) for i, item in enumerate(data["mappings"])]
        multi = True
    elif isinstance(data, list):
        entries = [((i,), item) for i, item in enumerate(data)]
        multi = True
    else:
        entries = [((), data)]
    stubs: list[StubMapping] = []
    errors: list[StubFileError] = []
    source = StubSource(path, multi)
    for key_path, item in entries:
        # A stub file without ids gets the same ids on every load (stable across restarts).
        default_id = name_based_id(f"{id_key or display}#{format_key_path(key_path)}")
        try:
            stubs.append(parse_stub(item, source=source, path=key_path, default_id=default_id))
        except StubError as exc:
            errors.append(
                StubFileError(display, locate_line(text, is_json, exc.path), exc.path, exc.message)
            )
    return stubs, errors


def decode(text: str, *, display: str = "<text>", is_json: bool = False) -> Any:
    """One document's data, read as stub files are (YAML dates stay text, JSON comments go).

    Raises `StubFileError` naming `display` and the line of a syntax error.
    """
    if is_json:
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            error = exc
            stripped = strip_json_comments(text)
            if stripped != text:
                try:
                    return json.loads(stripped)
                except json.JSONDecodeError as stripped_exc:
                    error = stripped_exc  # comments keep their lines, so this line is right
            requoted = _double_quote(stripped)
            if requoted != stripped:  # WireMock's parser also takes single-quoted strings
                try:
                    return json.loads(requoted)
                except json.JSONDecodeError:
                    pass
            message = f"invalid JSON: {error.msg} (column {error.colno})"
            raise StubFileError(display, error.lineno, (), message) from error
        except RecursionError as exc:
            raise StubFileError(display, None, (), "invalid JSON: nested too deeply") from exc
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise StubFileError(display, mark.line + 1 if mark else None, (),
                            f"invalid YAML: {problem}") from exc
    except RecursionError as exc:
        raise StubFileError(display, None, (), "invalid YAML: nested too deeply") from exc


_COMMENT_RE = re.compile(r'"(?:\\.|[^"\\])*"|//[^\n]*|/\*.*?\*/', re.DOTALL)


_QUOTED_RE = re.compile(r'"(?:\\.|[^"\\])*"|\'((?:\\.|[^\'\\])*)\'', re.DOTALL)


def _double_quote(text: str) -> str:
    """JSON text with `'single-quoted'` strings rewritten as standard double-quoted ones."""

    def requote(m: re.Match[str]) -> str:
        if m.group(0).startswith('"'):
            return m.group(0)
        inner = m.group(1).replace("\\'", "'")
        return '"' + inner.replace('"', '\\"') + '"'

    return _QUOTED_RE.sub(requote, text)


def strip_json_comments(text: str) -> str:
    """WireMock accepts `//` and `/* */` comments in JSON stub files."""
    return _COMMENT_RE.sub(
        lambda m: m.group(0) if m.group(0).startswith('"') else "\n" * m.group(0).count("\n"),
        text,
    )


def locate_line(text: str, is_json: bool, key_path: KeyPath) -> int | None:
    """The line of the deepest node along `key_path` that exists in the file's text."""
    try:
        node = yaml.compose(strip_json_comments(text) if is_json else text, Loader=_Loader)
    except (yaml.YAMLError, RecursionError):
        return None
    if node is None:
        return None
    line = node.start_mark.line + 1
    last = len(key_path) - 1
    for position, part in enumerate(key_path):
        child = None
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if key_node.value == str(part):
                    child = key_node if position == last else value_node
                    line = key_node.start_mark.line + 1
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part < len(node.value):
                child = node.value[part]
                line = child.start_mark.line + 1
        if child is None:
            break
        node = child
    return line


def iter_errors(root: Path) -> Iterator[StubFileError]:
    yield from load_directory(root / "mappings").errors
