"""No import cycles between feedsim's modules at module import time.

Every ``import`` and ``from ... import`` that runs when a module is imported
counts: at module level, in a class body, under ``try`` or ``if``. Imports inside
a function, or under ``if TYPE_CHECKING``, run later (or never) and are left out,
as STYLE.md says ("when you need a Protocol only to dodge an import, import
inside the function instead"). Package ``__init__`` files are left out (they only
re-export their submodules).
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

import feedsim

PACKAGE_ROOT = Path(feedsim.__file__).resolve().parent


def module_files(root: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every ``.py`` file under the package ``root``."""
    files = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        files[".".join(parts)] = path
    return files


def _imported_names(node: ast.AST, package: str) -> list[tuple[str, list[str]]]:
    """(module, names imported from it) for one import statement; absolute module names."""
    if isinstance(node, ast.Import):
        return [(alias.name, []) for alias in node.names]
    assert isinstance(node, ast.ImportFrom)
    if node.level:
        base = package.split(".")
        base = base[: len(base) - (node.level - 1)]
        module = ".".join(base + ([node.module] if node.module else []))
    else:
        module = node.module or ""
    return [(module, [alias.name for alias in node.names])]


def _import_time_imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """The import statements that run when the module is imported (not in functions or TYPE_CHECKING)."""
    found, stack = [], [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        elif isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            stack.extend(node.orelse)
            continue
        stack.extend(ast.iter_child_nodes(node))
    return found


def import_graph(files: dict[str, Path]) -> nx.DiGraph:
    """Edges module -> module it imports (a name that is a submodule counts as that submodule)."""
    graph = nx.DiGraph()
    graph.add_nodes_from(files)
    for module, path in files.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for node in _import_time_imports(ast.parse(path.read_text(), str(path))):
            for target, names in _imported_names(node, package):
                targets = [f"{target}.{n}" if f"{target}.{n}" in files else target for n in names] or [target]
                graph.add_edges_from((module, t) for t in targets if t in files and t != module)
    return graph


def import_cycles(root: Path) -> list[list[str]]:
    """One cycle for each group of modules that import each other (package ``__init__`` files left out)."""
    files = module_files(root)
    graph = import_graph(files)
    graph.remove_nodes_from([m for m, p in files.items() if p.name == "__init__.py"])
    cycles = []
    for group in nx.strongly_connected_components(graph):
        if len(group) > 1:
            cycle = [a for a, _ in nx.find_cycle(graph.subgraph(group), source=min(group))]
            cycles.append(cycle)
    return sorted(cycles)


def test_the_analysis_sees_every_kind_of_import(tmp_path):
    pkg = tmp_path / "feedsim"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("from .a import x\n")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .b import B\n")
    (pkg / "b.py").write_text("def f():\n    from feedsim import a\n")  # function level, absolute
    (pkg / "c.py").write_text("from .sub import d\n")
    (pkg / "sub" / "d.py").write_text("import feedsim.c\n")
    (pkg / "e.py").write_text("from . import a\n")  # into a cycle, but not part of one
    (pkg / "f.py").write_text("try:\n    from . import g\nexcept ImportError:\n    pass\n")
    (pkg / "g.py").write_text("class G:\n    from . import f\n")
    # a <-> b only at type-checking or call time: not a cycle at import time
    assert import_cycles(pkg) == [["feedsim.c", "feedsim.sub.d"], ["feedsim.f", "feedsim.g"]]


def test_no_import_cycles():
    graph = import_graph(module_files(PACKAGE_ROOT))
    assert graph.has_edge("feedsim.engine.simulation", "feedsim.engine.platform")  # the analysis sees feedsim
    cycles = import_cycles(PACKAGE_ROOT)
    assert cycles == [], "import cycles:\n" + "\n".join(" -> ".join(c + c[:1]) for c in cycles)
