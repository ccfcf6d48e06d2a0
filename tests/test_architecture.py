"""The package's layers: every module imports only from its own layer or the ones below.

Data flows one way (loading -> model -> matching -> rendering -> server); this test reads the
imports of every module with `ast`, function-level (lazy) imports included, and fails when
one reaches up a layer. `if TYPE_CHECKING:` imports are for annotations and do not count.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "mockserver"

# Lowest first. A module may import from its own layer and any layer below it.
LAYERS: list[set[str]] = [
    {"mockserver", "errors", "exchange", "multipart", "log", "envvars", "redaction"},
    {"matchers"},
    {"model"},
    {"settings", "loader", "matching", "scenarios", "chaos", "faults", "delays", "journal",
     "templating"},
    {"registry", "persistence", "rendering", "reload"},
    {"nearmiss", "proxy", "recorder", "stubfiles", "diff"},
    {"recording", "report", "state"},
    {"server", "admin", "watch"},
    {"runner"},
    {"api", "capture", "cli", "pytest_plugin", "__main__"},
]
LAYER_OF = {name: index for index, names in enumerate(LAYERS) for name in names}


def unit_of(module: str) -> str:
    """`mockserver.matchers.json` -> `matchers`: the first name below the package."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def runtime_imports(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, module) of every `mockserver` import outside `if TYPE_CHECKING:` blocks."""
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "mockserver":  # `from mockserver import proxy, faults`
                for alias in node.names:
                    found.append((node.lineno, f"mockserver.{alias.name}"))
            elif node.module.startswith("mockserver."):
                found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("mockserver"):
                    found.append((node.lineno, alias.name))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


MODULES = sorted(PACKAGE.rglob("*.py"))


def test_every_module_has_a_layer() -> None:
    """A new module is placed in LAYERS deliberately, not by accident."""
    units = {unit_of(module_name(path)) for path in MODULES}
    assert units - LAYER_OF.keys() == set()


# The package root is the public surface: it re-exports `MockServer` (lazily) from the top
# layer, while modules that import the root itself only want `__version__`.
IMPORTERS = [path for path in MODULES if module_name(path) != "mockserver"]


@pytest.mark.parametrize("path", IMPORTERS, ids=lambda p: module_name(p))
def test_imports_only_go_down(path: Path) -> None:
    """No module imports from a layer above its own."""
    own = unit_of(module_name(path))
    upward = []
    for line, target in runtime_imports(ast.parse(path.read_text(encoding="utf-8"))):
        other = unit_of(target)
        if other in LAYER_OF and LAYER_OF[other] > LAYER_OF[own]:
            upward.append(f"line {line}: {target} (layer {LAYER_OF[other]} > {LAYER_OF[own]})")
    assert upward == [], f"{module_name(path)} imports upward: {upward}"
