"""The packages show the architecture and keep it: no import cycle, no upward import, every module an ``__all__``,
and a small public API.

Every ``import`` and ``from … import`` of every module is read from its syntax tree — at the top, inside functions
and under ``if TYPE_CHECKING:`` alike, relative or absolute — so an import moved into a function to hide a cycle
is still seen. A module may import from its own package and from the packages below it (:data:`LAYERS`); report and
check are siblings, neither imports the other.
"""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import fzanalysis

ROOT = Path(fzanalysis.__file__).resolve().parent.parent
PACKAGE = "fzanalysis"
LAYERS = {  # package under fzanalysis → layer; a module may import only its own package or a lower layer
    "core": 1,
    "ingest": 2,
    "store": 3,
    "analysis": 4,
    "report": 5,
    "check": 5,
    "loop": 6,
    "": 7,  # the top: fzanalysis/__init__.py (the lazy public API), runner.py, commands.py, cli.py
}
PUBLIC_API = ["__version__", "charts", "diagnostics", "load", "load_years", "open_year", "open_years", "scorecard",
              "sections", "setup_display", "status", "trends"]


def modules(root: Path, package: str = PACKAGE) -> dict[str, Path]:
    """Dotted module name → file, for every .py of the package under ``root``."""
    found = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path], package: str = PACKAGE) -> list[tuple[str, int]]:
    """(module imported, line) for every import of the package's modules in ``path``, wherever it stands."""
    here = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(a.name, node.lineno) for a in node.names if a.name.split(".")[0] == package]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(here[:len(here) - node.level + 1] + ([node.module] if node.module else []))
            elif node.module and node.module.split(".")[0] == package:
                base = node.module
            else:
                continue
            subs = [f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in known]
            out += [(m, node.lineno) for m in subs] or [(base, node.lineno)]
    return out


def import_graph(root: Path, package: str = PACKAGE) -> dict[str, list[tuple[str, int]]]:
    known = modules(root, package)
    return {name: [(m, line) for m, line in imports(name, path, known, package) if m != name]
            for name, path in known.items()}


def layer_of(module: str, package: str = PACKAGE) -> tuple[str, int]:
    """(its package under the top one, '' for a module of the top; its layer)."""
    parts = module.split(".")
    first = parts[1] if len(parts) > 1 and parts[1] in LAYERS else ""
    return first, LAYERS[first]


def upward_imports(graph: dict[str, list[tuple[str, int]]], package: str = PACKAGE) -> list[str]:
    bad = []
    for source, targets in graph.items():
        home, level = layer_of(source, package)
        for target, line in targets:
            there, other = layer_of(target, package)
            if there != home and other >= level:
                bad.append(f"{source}:{line} imports {target} (layer {other} ≥ {level}, another package)")
    return bad


def cycles(graph: dict[str, list[tuple[str, int]]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w, _ in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def has_all(path: Path) -> bool:
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
            return True
    return False


# ------------------------------------------------------------------------------ the package
GRAPH = import_graph(ROOT)


def test_every_module_has_a_layer_and_the_graph_is_not_empty():
    assert len(GRAPH) > 40 and sum(len(t) for t in GRAPH.values()) > 150
    assert {layer_of(m)[0] for m in GRAPH} == set(LAYERS)
    assert {m for m in GRAPH if not layer_of(m)[0]} == {"fzanalysis", "fzanalysis.cli", "fzanalysis.commands",
                                                     "fzanalysis.runner"}


def test_no_import_cycle_counting_imports_inside_functions():
    assert cycles(GRAPH) == []


def test_no_upward_import():
    assert upward_imports(GRAPH) == []


def test_every_module_defines_all():
    assert [m for m, path in modules(ROOT).items() if not has_all(path)] == []


def test_dir_shows_the_analysts_api_only():
    assert dir(fzanalysis) == PUBLIC_API
    assert fzanalysis.__all__ == [n for n in PUBLIC_API if n != "__version__"]
    for name in fzanalysis.__all__:
        assert getattr(fzanalysis, name) is not None, name
    with pytest.raises(AttributeError):
        fzanalysis.not_a_name  # noqa: B018


def test_star_import_binds_the_api_without_loading_the_namespaces():
    code = ("import sys\nfrom fzanalysis import *\n"
            "print(sorted(n for n in ('matplotlib', 'openpyxl', 'jinja2', 'papermill') if n in sys.modules))\n"
            "print(callable(load), charts.yoy_bars.__name__, 'matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["[]", "True yoy_bars True"]  # charts loaded on its first attribute only


# ------------------------------------------------------------------------------ the checks can fail
def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = tmp_path / PACKAGE / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def test_a_planted_upward_import_and_a_cycle_hidden_in_functions_are_found(tmp_path):
    root = _package(tmp_path, {
        "__init__.py": "__all__ = []\n",
        "core/__init__.py": "__all__ = []\n",
        "core/numbers.py": "def f():\n    from ..analysis import charts  # upward, inside a function\n",
        "core/catalog.py": "from .text import g\n",
        "core/text.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from fzanalysis.core.catalog import C\n",
        "analysis/__init__.py": "__all__ = []\n",
        "analysis/charts.py": "from ..core import numbers\n",
        "report/__init__.py": "",
        "report/draft.py": "from ..check.find import x  # a sibling\n",
        "check/__init__.py": "__all__ = []\n",
        "check/find.py": "import fzanalysis.core.text\n",
    })
    graph = import_graph(root)
    assert graph["fzanalysis.check.find"] == [("fzanalysis.core.text", 1)]
    assert cycles(graph) == [["fzanalysis.analysis.charts", "fzanalysis.core.numbers"],
                             ["fzanalysis.core.catalog", "fzanalysis.core.text"]]
    assert upward_imports(graph) == [
        "fzanalysis.core.numbers:2 imports fzanalysis.analysis.charts (layer 4 ≥ 1, another package)",
        "fzanalysis.report.draft:1 imports fzanalysis.check.find (layer 5 ≥ 5, another package)"]
    assert sorted(m for m, path in modules(root).items() if not has_all(path)) == [
        "fzanalysis.analysis.charts", "fzanalysis.check.find", "fzanalysis.core.catalog", "fzanalysis.core.numbers",
        "fzanalysis.core.text", "fzanalysis.report", "fzanalysis.report.draft"]
