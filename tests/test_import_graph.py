"""
The import graph of ``elmo_core``: no cycle, imports inside functions included, and a model core
that stands on its own.

The graph is read from the source with ``ast`` (nothing is imported). An edge goes to the module
named: ``import a.b.c`` and ``from a.b import c`` (``c`` a module) point to ``a.b.c``;
``from a.b import name`` points to ``a/b/__init__``. A package's ``__init__`` importing its own
submodules is not counted as a cycle (it is how a package re-exports).
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = "elmo_core"
ROOT = Path(__file__).resolve().parent.parent
# Layers the model core must never reach: data readers, corpora, training, tasks, bulk jobs, UI.
CORE_FORBIDDEN = ("elmo_core.datasets", "elmo_core.corpus", "elmo_core.training", "elmo_core.tasks",
                  "elmo_core.bulk", "elmo_explorer_ui", "streamlit")


def module_files(root: Path, package: str) -> dict[str, Path]:
    """Dotted module name -> file, for every ``.py`` file of ``package`` under ``root``."""
    modules = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


def _absolute(module: str, is_package: bool, level: int, name: str | None) -> str:
    """The dotted name of a relative import ``from .name`` seen in ``module``."""
    if level == 0:
        return name or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([name] if name else []))


def imported_modules(module: str, path: Path, known: set[str]) -> set[str]:
    """The modules (within ``known``, plus outside names as written) that ``module`` imports,
    anywhere in its file (functions included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    targets: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(module, is_package, node.level, node.module)
            for alias in node.names:
                child = f"{base}.{alias.name}"
                targets.add(child if child in known else base)
    return targets


def import_graph(root: Path = ROOT, package: str = PACKAGE) -> dict[str, set[str]]:
    """Module -> the modules it imports (every import, outside modules included)."""
    files = module_files(root, package)
    known = set(files)
    graph = {}
    for module, path in files.items():
        edges = imported_modules(module, path, known)
        if path.name == "__init__.py":  # a package re-exporting its own submodules is no cycle
            edges = {e for e in edges if not e.startswith(module + ".")}
        graph[module] = edges - {module}
    return graph


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in graph:
                continue
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


def reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    """Every module ``start`` imports, directly or through others (outside names included)."""
    seen: set[str] = set()
    todo = [start]
    while todo:
        module = todo.pop()
        for target in graph.get(module, ()):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def test_elmo_core_has_no_import_cycle():
    cycles = find_cycles(import_graph())
    assert not cycles, "import cycles in elmo_core:\n" + "\n".join(" <-> ".join(c) for c in cycles)


def test_model_core_imports_no_data_training_task_or_ui_code():
    core = reachable(import_graph(), "elmo_core.bilm")
    bad = sorted(m for m in core if m.startswith(CORE_FORBIDDEN))
    assert not bad, f"elmo_core.bilm reaches {bad}"


# The checker itself, on small packages written here: it must see what the tests above rely on.

def write_package(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_a_cycle_through_an_import_inside_a_function_is_found(tmp_path):
    write_package(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/a.py": "from pkg.b import helper\n",
        "pkg/b.py": "def helper():\n    from pkg import a\n    return a\n",
    })
    assert find_cycles(import_graph(tmp_path, "pkg")) == [["pkg.a", "pkg.b"]]


def test_relative_imports_and_package_names_point_where_the_rule_says(tmp_path):
    write_package(tmp_path, {
        "pkg/__init__.py": "from .sub import thing\n",
        "pkg/sub/__init__.py": "thing = 1\n",
        "pkg/sub/leaf.py": "from . import other\nfrom .. import top\nfrom pkg.sub import thing\n",
        "pkg/sub/other.py": "",
        "pkg/top.py": "",
    })
    graph = import_graph(tmp_path, "pkg")
    assert graph["pkg.sub.leaf"] == {"pkg.sub.other", "pkg.top", "pkg.sub"}
    assert graph["pkg"] == set()  # the package's own submodule: not an edge
    # ``from pkg.sub import thing`` points to pkg/sub/__init__; were that __init__ to import leaf, a cycle
    write_package(tmp_path, {"pkg/sub/__init__.py": "thing = 1\nfrom pkg.sub import leaf\n"})
    assert find_cycles(import_graph(tmp_path, "pkg")) == []  # own submodule from __init__: allowed
    write_package(tmp_path, {"pkg/sub/other.py": "import pkg.sub.leaf\n"})
    assert find_cycles(import_graph(tmp_path, "pkg")) == [["pkg.sub.leaf", "pkg.sub.other"]]


@pytest.mark.parametrize("module", ["elmo_core.bilm", "elmo_core.weights", "elmo_core.char_cnn"])
def test_the_graph_reads_the_real_model_core(module):
    assert module in import_graph()
