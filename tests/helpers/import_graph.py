"""The import graph of a source tree, read with ``ast`` (nothing is imported), and its cycles."""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path


def module_name(root: Path, file: Path) -> str:
    """``root/pkg/sub/mod.py`` -> ``pkg.sub.mod``; a package's ``__init__.py`` is the package."""
    parts = list(file.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _absolute(module: str, is_package: bool, level: int, target: str | None) -> str:
    base = module.split(".") if is_package else module.split(".")[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join([*base, *([target] if target else [])])


def _type_checking_only(tree: ast.Module) -> set[int]:
    """The ids of the nodes inside ``if TYPE_CHECKING:`` blocks (never run, so no import-time dependency)."""
    hidden: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            hidden.update(id(inner) for stmt in node.body for inner in ast.walk(stmt))
    return hidden


def imports_of(root: Path, file: Path) -> set[str]:
    """Every name ``file`` imports at run time, at any depth (not under ``if TYPE_CHECKING:``).

    Relative imports are resolved; ``from m import x`` gives ``m.x``.
    """
    module = module_name(root, file)
    is_package = file.name == "__init__.py"
    found: set[str] = set()
    tree = ast.parse(file.read_text(encoding="utf-8"), str(file))
    hidden = _type_checking_only(tree)
    for node in ast.walk(tree):
        if id(node) in hidden:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            source = _absolute(module, is_package, node.level, node.module) if node.level else (node.module or "")
            found.update(f"{source}.{alias.name}" if alias.name != "*" else source for alias in node.names)
    return found


def graph(root: Path, package: str) -> dict[str, set[str]]:
    """Edges between the modules of ``package`` under ``root`` (imports of other packages are dropped).

    ``from pkg import name`` is an edge to the submodule ``pkg.name`` when it exists, else to ``pkg``
    (its ``__init__``): the dependency Python resolves at import time.
    """
    files = {module_name(root, f): f for f in sorted((root / package).rglob("*.py"))}
    edges: dict[str, set[str]] = {}
    for module, file in files.items():
        targets: set[str] = set()
        for name in imports_of(root, file):
            if name in files:
                targets.add(name)
            elif name.rpartition(".")[0] in files:
                targets.add(name.rpartition(".")[0])
        targets.discard(module)
        edges[module] = targets
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def top_level_imports(root: Path, package: str) -> dict[str, set[str]]:
    """For each module of ``package``: the top-level packages it imports."""
    return {
        module_name(root, f): {name.split(".")[0] for name in imports_of(root, f) if name}
        for f in sorted((root / package).rglob("*.py"))
    }


def offenders(imports: dict[str, set[str]], forbidden: Iterable[str]) -> dict[str, set[str]]:
    """The modules that import any of ``forbidden`` (top-level names), with what they import of it."""
    banned = set(forbidden)
    return {module: names & banned for module, names in imports.items() if names & banned}
