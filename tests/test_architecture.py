"""The package's shape: layers that only import down, no import cycles anywhere, and modules
that import alone.

Data flows one way (loading -> model -> matching -> responding -> serving -> journal). These
tests read the imports of every module with `ast`, function-level (lazy) imports included;
`if TYPE_CHECKING:` imports are for annotations and do not count.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "mockserver"

# Lowest first. A unit (a top-level module or subpackage) may import from its own layer and
# any layer below it; inside a layer, and inside a unit, the cycle test keeps order.
LAYERS: list[set[str]] = [
    {"version", "errors", "exchange", "log", "envvars", "compat"},
    {"matchers"},  # below the model: a parsed stub holds its compiled matchers
    {"model", "settings"},
    {"respond"},  # below loading: stub files are checked by compiling their templates
    {"matching", "stubs", "journal"},
    {"record", "contracts", "store"},  # store: state shared between replicas (Redis)
    {"serve", "admin"},
    {"mockserver", "api", "cli", "pytest_plugin", "__main__"},
]
LAYER_OF = {name: index for index, names in enumerate(LAYERS) for name in names}


def unit_of(module: str) -> str:
    """`mockserver.matchers.json` -> `matchers`: the first name below the package."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = sorted(PACKAGE.rglob("*.py"))
NAMES = {module_name(path) for path in MODULES}


def resolve(base: str, name: str | None) -> str:
    """`from base import name`: the module `base.name` when it is one, else `base`."""
    if name and f"{base}.{name}" in NAMES:
        return f"{base}.{name}"
    return base


def runtime_imports(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, module) of every `mockserver` import outside `if TYPE_CHECKING:` blocks."""
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "mockserver" or node.module.startswith("mockserver."):
                for alias in node.names:
                    found.append((node.lineno, resolve(node.module, alias.name)))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("mockserver"):
                    found.append((node.lineno, alias.name))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


GRAPH: dict[str, set[str]] = {
    module_name(path): {
        target
        for _, target in runtime_imports(ast.parse(path.read_text(encoding="utf-8")))
        if target != module_name(path)
    }
    for path in MODULES
}


def test_every_module_has_a_layer() -> None:
    """A new module is placed in LAYERS deliberately, not by accident."""
    units = {unit_of(module_name(path)) for path in MODULES}
    assert units - LAYER_OF.keys() == set()


@pytest.mark.parametrize("path", MODULES, ids=lambda p: module_name(p))
def test_imports_only_go_down(path: Path) -> None:
    """No module imports from a layer above its own."""
    own = unit_of(module_name(path))
    upward = []
    for line, target in runtime_imports(ast.parse(path.read_text(encoding="utf-8"))):
        other = unit_of(target)
        if other in LAYER_OF and LAYER_OF[other] > LAYER_OF[own]:
            upward.append(f"line {line}: {target} (layer {LAYER_OF[other]} > {LAYER_OF[own]})")
    assert upward == [], f"{module_name(path)} imports upward: {upward}"


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle in `graph`, as the modules along it, or None (iterative DFS)."""
    WHITE, GREY, BLACK = 0, 1, 2
    colour = dict.fromkeys(graph, WHITE)
    for root in sorted(graph):
        if colour[root] != WHITE:
            continue
        stack: list[tuple[str, list[str]]] = [(root, sorted(graph[root]))]
        colour[root] = GREY
        path = [root]
        while stack:
            node, pending = stack[-1]
            if not pending:
                colour[node] = BLACK
                stack.pop()
                path.pop()
                continue
            nxt = pending.pop()
            if nxt not in graph:
                continue
            if colour[nxt] == GREY:
                return path[path.index(nxt):] + [nxt]
            if colour[nxt] == WHITE:
                colour[nxt] = GREY
                stack.append((nxt, sorted(graph[nxt])))
                path.append(nxt)
    return None


def test_find_cycle_sees_a_lazy_loop() -> None:
    """The cycle finder itself reports a loop (so the next test can fail)."""
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycles() -> None:
    """No module reaches itself through imports, lazy ones and same-layer ones included."""
    assert find_cycle(GRAPH) is None


@pytest.mark.timeout(300)  # ~100 fresh re-imports of the package: slow on a busy machine
def test_every_module_imports_alone() -> None:
    """Each module imports first in a fresh interpreter, as aiohttp's circular-import test does."""
    script = (
        "import importlib, sys\n"
        "bad = []\n"
        "for name in sys.argv[1:]:\n"
        "    for key in [k for k in sys.modules if k.split('.')[0] == 'mockserver']:\n"
        "        del sys.modules[key]\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except Exception as exc:\n"
        "        bad.append(f'{name}: {exc!r}')\n"
        "print('\\n'.join(bad))\n"
        "sys.exit(1 if bad else 0)\n"
    )
    names = sorted(NAMES - {"mockserver.__main__"})
    result = subprocess.run(
        [sys.executable, "-c", script, *names], capture_output=True, text=True, timeout=280
    )
    assert result.returncode == 0, result.stdout + result.stderr
