"""No import cycle between claude_tui's modules, read from the source (nothing is imported).

A cycle makes the order modules load in matter, and ties layers that should point one way
(the UI uses the core and start-up, never the reverse). Imports under ``if TYPE_CHECKING:`` are
left out (they never run); imports inside a function count in the second check only: they run
late, so they cannot fail at import time, but they are dependencies all the same.
"""

from __future__ import annotations

import ast
from collections import deque
from pathlib import Path

PACKAGE = Path(__file__).parents[1] / "claude_tui"

Graph = dict[str, set[str]]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imported(tree: ast.Module, name: str, is_package: bool, modules: set[str],
             *, in_functions: bool) -> set[str]:
    """The claude_tui modules ``name`` imports (with the packages each import also runs)."""
    found: set[str] = set()

    def add(module: str) -> None:
        while module:
            if module in modules:
                found.add(module)
            module = module.rpartition(".")[0]  # importing a.b.c runs a and a.b first

    def visit(statements: list[ast.stmt]) -> None:
        for node in statements:
            if isinstance(node, ast.If) and is_type_checking(node.test):
                visit(node.orelse)
                continue
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                if in_functions:
                    visit(node.body)
                continue
            if isinstance(node, ast.Import):
                for alias in node.names:
                    add(alias.name)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    package = name.split(".") if is_package else name.split(".")[:-1]
                    package = package[: len(package) - node.level + 1]
                    base = ".".join([*package, *([node.module] if node.module else [])])
                for alias in node.names:
                    submodule = f"{base}.{alias.name}"
                    add(submodule if submodule in modules else base)
            for field in ("body", "orelse", "finalbody"):  # if, try, with, for, class, …
                visit(getattr(node, field, []))
            for clause in [*getattr(node, "handlers", []), *getattr(node, "cases", [])]:
                visit(clause.body)  # except and case clauses

    visit(tree.body)
    found.discard(name)
    return found


def import_graph(*, in_functions: bool) -> Graph:
    paths = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    modules = set(paths)
    return {
        name: imported(ast.parse(path.read_text("utf-8")), name, path.name == "__init__.py",
                       modules, in_functions=in_functions)
        for name, path in paths.items()
    }


def tangles(graph: Graph) -> list[frozenset[str]]:
    """The groups of modules that import each other, directly or not (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[frozenset[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph[node]):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(frozenset(group))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


def one_cycle(graph: Graph, group: frozenset[str]) -> str:
    """A shortest cycle through the group's first module, as ``a -> b -> a``."""
    start = min(group)
    came_from: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for target in sorted(graph[node] & group):
            if target == start:
                path = [node]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return " -> ".join([start, *reversed(path[:-1]), start])
            if target not in came_from:
                came_from[target] = node
                queue.append(target)
    raise AssertionError(f"no cycle in {sorted(group)}")


def cycles(*, in_functions: bool) -> dict[frozenset[str], str]:
    graph = import_graph(in_functions=in_functions)
    return {group: one_cycle(graph, group) for group in tangles(graph)}


def test_the_graph_sees_the_imports() -> None:
    graph = import_graph(in_functions=True)
    assert "claude_tui.config" in graph["claude_tui.cli"]  # module level
    assert "claude_tui.ui.app" in graph["claude_tui.cli"]  # inside main()
    assert "claude_tui.ui.app" not in import_graph(in_functions=False)["claude_tui.cli"]
    assert tangles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [
        frozenset({"a", "b", "c"})]
    assert one_cycle({"a": {"b"}, "b": {"a"}}, frozenset({"a", "b"})) == "a -> b -> a"


def test_no_import_cycle_at_module_level() -> None:
    assert list(cycles(in_functions=False).values()) == []


def test_no_import_cycle_counting_imports_inside_functions() -> None:
    assert list(cycles(in_functions=True).values()) == []
