#!/usr/bin/env python3
"""Print the module import graph of ksql_magic and its cycles.

Function-level imports (inside a def or class body) hide the real dependency
graph: a cycle can exist only because an import was pushed into a function.
This tool reads every module with ``ast`` (nothing is imported), records each
intra-package import edge as *top-level* or *function-level*, and prints the
strongly connected components of more than one module -- the import cycles.

Usage:
    python scripts/import_graph.py                  # cycles over all edges
    python scripts/import_graph.py --top-level-only # only module-level imports
    python scripts/import_graph.py --edges          # also list every edge
    python scripts/import_graph.py --function-imports  # count per module

Exit status is 1 when a cycle is found, so the command can guard CI.
"""
from __future__ import annotations

import argparse
import ast
import sys
from collections import defaultdict
from pathlib import Path

PACKAGE = "ksql_magic"
TOP, FUNC = "top", "function"


def module_name(path: Path, root: Path) -> str:
    """Dotted module name of a source file below the package's parent directory."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def resolve(current: str, is_package: bool, level: int, target: str | None) -> str:
    """Absolute dotted name of a (possibly relative) ``from ... import`` target."""
    if level == 0:
        return target or ""
    base = current.split(".")
    if not is_package:
        base = base[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join(base + ([target] if target else []))


def nearest_module(name: str, modules: set[str]) -> str | None:
    """The longest known module that ``name`` is or lies inside (names may be attributes)."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


class ImportVisitor(ast.NodeVisitor):
    """Collects (imported name, kind) pairs, kind being top-level or function-level."""

    def __init__(self, current: str, is_package: bool):
        self.current, self.is_package = current, is_package
        self.depth = 0
        self.found: list[tuple[str, str]] = []

    def _scoped(self, node):
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _scoped

    def visit_If(self, node):
        # `if TYPE_CHECKING:` imports never run, so they are not edges.
        test = node.test
        name = getattr(test, "id", None) or getattr(test, "attr", None)
        if name == "TYPE_CHECKING":
            for child in node.orelse:
                self.visit(child)
            return
        self.generic_visit(node)

    def _kind(self) -> str:
        return FUNC if self.depth else TOP

    def visit_Import(self, node):
        for alias in node.names:
            self.found.append((alias.name, self._kind()))

    def visit_ImportFrom(self, node):
        base = resolve(self.current, self.is_package, node.level, node.module)
        for alias in node.names:
            # `from pkg import sub` may name a submodule; try it first.
            self.found.append((f"{base}.{alias.name}", self._kind()))


def build_graph(src_root: Path):
    """Map module -> {imported module: set of kinds} for intra-package edges."""
    files = sorted((src_root / PACKAGE).rglob("*.py"))
    names = {module_name(f, src_root): f for f in files}
    modules = set(names)
    graph: dict[str, dict[str, set[str]]] = {m: defaultdict(set) for m in modules}
    for mod, path in names.items():
        visitor = ImportVisitor(mod, path.name == "__init__.py")
        visitor.visit(ast.parse(path.read_text(encoding="utf-8"), str(path)))
        for name, kind in visitor.found:
            target = nearest_module(name, modules)
            if target and target != mod and target != PACKAGE:
                graph[mod][target].add(kind)
    return graph


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative so deep graphs do not hit the recursion limit."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    result: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    result.append(sorted(component))
    return sorted(result, key=lambda c: (-len(c), c))


def select(graph, top_level_only: bool) -> dict[str, set[str]]:
    """Plain adjacency sets, optionally keeping only module-level edges."""
    return {
        mod: {t for t, kinds in targets.items() if not top_level_only or TOP in kinds}
        for mod, targets in graph.items()
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=str(Path(__file__).resolve().parent.parent),
                        help="directory that contains the ksql_magic package")
    parser.add_argument("--top-level-only", action="store_true",
                        help="ignore imports made inside functions")
    parser.add_argument("--edges", action="store_true", help="list every edge with its kind")
    parser.add_argument("--function-imports", action="store_true",
                        help="count function-level import edges per module")
    args = parser.parse_args(argv)
    graph = build_graph(Path(args.root))
    if args.edges:
        for mod in sorted(graph):
            for target in sorted(graph[mod]):
                print(f"{mod} -> {target} [{','.join(sorted(graph[mod][target]))}]")
    if args.function_imports:
        total = 0
        for mod in sorted(graph):
            n = sum(1 for kinds in graph[mod].values() if kinds == {FUNC})
            if n:
                total += n
                print(f"{n:4d} {mod}")
        print(f"{total:4d} function-only edges in all")
    cycles = strongly_connected(select(graph, args.top_level_only))
    scope = "top-level imports" if args.top_level_only else "all imports"
    print(f"{len(cycles)} import cycle(s) over {scope}")
    for component in cycles:
        print(f"  [{len(component)}] " + " <-> ".join(component))
    return 1 if cycles else 0


if __name__ == "__main__":
    sys.exit(main())
