"""The import direction of the code, read from every module's imports (module level and inside
functions alike), so that a change that breaks it fails ``make test``.

The rules are docs/architecture.md's table "Layers": each package of ``ekslab`` may import only the
packages listed for it; nothing outside ``ekslab.cli`` imports click or rich; only the CDK layer
imports aws_cdk; and no two modules of ``ekslab`` import each other, directly or round a circle.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "ekslab"

ALLOWED: dict[str, frozenset[str]] = {
    name: frozenset(allowed)
    for name, allowed in {
        "errors": (),
        "files": ("errors",),
        "jsondoc": ("errors", "files"),
        "network": ("errors",),
        "aws": ("errors",),
        "config": ("errors", "files", "network"),
        "limits": ("errors", "files", "aws"),
        "cni": ("errors", "files", "network", "config", "limits"),
        "capacity": ("errors", "network", "config", "limits", "cni"),
        "lab": ("errors", "files", "network", "config", "limits", "cni", "capacity"),
        "ipamd": ("errors", "jsondoc", "network", "config"),
        "sources": ("errors", "files", "jsondoc", "network", "config", "ipamd", "aws"),
        "verify": ("errors", "files", "network", "config", "limits", "cni", "capacity", "ipamd", "sources"),
        "views": ("errors", "files", "network", "config", "ipamd", "sources", "verify"),
        "ledger": ("errors", "network", "config", "limits", "capacity", "ipamd", "sources"),
        "report": ("errors", "files", "network", "ipamd", "sources", "verify", "ledger"),
        "workshop": ("errors", "files"),
        "teardown": ("errors", "config", "aws"),
        "preflight": ("errors", "files", "config", "cni", "aws", "sources"),
        "sandbox": ("errors", "files"),
        "cli": ("*",),
        "__main__": ("cli",),
        "__init__": (),
    }.items()
}
"""Package (the name after ``ekslab.``) -> the ekslab packages it may import (``*``: any)."""

TERMINAL_LIBRARIES = frozenset({"click", "rich"})
CDK_LIBRARIES = frozenset({"aws_cdk", "cdk_nag"})
CDK_LAYER = ("ekslab_constructs", "stacks", "app.py")


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> Iterator[tuple[int, str]]:
    """(line, imported module) of every import statement in a file, wherever it stands."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                # ``from ekslab.x import y`` names the module ekslab.x.y when there is one.
                candidate = f"{base}.{alias.name}"
                yield node.lineno, candidate if _is_module(candidate) else base


def _is_module(name: str) -> bool:
    if not name.startswith("ekslab"):
        return False
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _layer(module: str) -> str:
    """``ekslab.config.model`` -> ``config``; ``ekslab.errors`` -> ``errors``; ``ekslab`` -> ``__init__``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in _modules():
        module = _module_name(path)
        graph[module] = {
            name for _, name in _imports(path) if name.split(".")[0] == "ekslab" and name != module
        }
    return graph


def test_every_package_of_ekslab_has_a_rule() -> None:
    # GIVEN the packages and top-level modules under ekslab/
    layers = {_layer(_module_name(path)) for path in _modules()}
    # THEN each has its line in ALLOWED (a new package must say what it may import)
    assert layers - set(ALLOWED) == set()


@pytest.mark.parametrize("path", _modules(), ids=lambda path: str(path.relative_to(ROOT)))
def test_module_imports_only_what_its_layer_allows(path: Path) -> None:
    # GIVEN one module and the rule of its package
    layer = _layer(_module_name(path))
    allowed = ALLOWED.get(layer, frozenset())
    # WHEN its imports are read  THEN every ekslab import is of its own package or an allowed one
    wrong = [
        f"line {line}: {name}"
        for line, name in _imports(path)
        if name.split(".")[0] == "ekslab"
        and _layer(name) != layer
        and "*" not in allowed
        and _layer(name) not in allowed
    ]
    assert wrong == [], f"{layer} may import only {sorted(allowed)}"


@pytest.mark.parametrize("path", _modules(), ids=lambda path: str(path.relative_to(ROOT)))
def test_only_the_cli_touches_the_terminal_and_only_the_cdk_layer_imports_cdk(path: Path) -> None:
    # GIVEN one module of ekslab
    layer = _layer(_module_name(path))
    roots = {name.split(".")[0] for _, name in _imports(path)}
    # THEN click and rich appear only under ekslab/cli/, aws_cdk and cdk_nag nowhere in ekslab
    assert roots & CDK_LIBRARIES == set()
    if layer != "cli":
        assert roots & TERMINAL_LIBRARIES == set()


def test_the_cdk_layer_is_where_aws_cdk_is_imported() -> None:
    # GIVEN every Python file of the repository outside tests/ and benchmarks/
    importers = set()
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in (".venv", "node_modules", "cdk.out", "tests", "benchmarks"):
            continue
        if any(name.split(".")[0] in CDK_LIBRARIES for _, name in _imports(path)):
            importers.add(relative.parts[0])
    # THEN only constructs, stacks and the app import the CDK
    assert importers <= set(CDK_LAYER)
    assert "ekslab" not in importers


def test_no_import_circle_among_ekslab_modules() -> None:
    # GIVEN the module graph of ekslab (module-level and function-level imports alike)
    graph = _graph()
    # WHEN its strongly connected components are found (Tarjan)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in graph.get(module, ()):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    # THEN there is none
    assert circles == []
