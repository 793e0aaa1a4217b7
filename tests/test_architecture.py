"""The library's import rules: nothing in ``detector/`` imports ``training/``, and no cycles."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

DETECTOR = Path(__file__).resolve().parents[1] / "detector"


def _module_name(path: Path) -> str:
    parts = path.relative_to(DETECTOR.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports at run time, at any depth (``if TYPE_CHECKING`` excluded)."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    return _imports_in(path.read_text("utf-8"), package)


def _imports_in(source: str, package: str) -> set[str]:
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for other in child.orelse:
                    visit(other)
                continue
            if isinstance(child, ast.Import):
                found.update(alias.name for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package.split(".")[: len(package.split(".")) - child.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                found.add(base)
                found.update(f"{base}.{alias.name}" for alias in child.names)
            visit(child)

    visit(ast.parse(source))
    return found


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in DETECTOR.rglob("*.py")}
    return {
        name: {m for m in _imports(path) if m in modules and m != name}
        for name, path in modules.items()
    }


def test_detector_never_imports_training():
    offenders = sorted(
        f"{_module_name(path)} imports {name}"
        for path in DETECTOR.rglob("*.py")
        for name in _imports(path)
        if name == "training" or name.startswith("training.")
    )
    assert offenders == []


def test_detector_has_no_import_cycle():
    graph = _graph()
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    cycles: list[list[str]] = []

    def walk(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            # A package's __init__ is imported with each of its submodules: not an edge back.
            if node.startswith(nxt + "."):
                continue
            if state.get(nxt) == 1:
                cycles.append([*path[path.index(nxt) :], nxt])
            elif nxt not in state:
                walk(nxt, [*path, nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            walk(name, [name])
    assert cycles == [], " ; ".join(" -> ".join(c) for c in cycles)


@pytest.mark.parametrize("path", sorted(DETECTOR.rglob("*.py")), ids=lambda p: p.name)
def test_each_module_states_its_job_in_a_docstring(path):
    docstring = ast.get_docstring(ast.parse(path.read_text("utf-8")))
    assert docstring, f"{path.name} has no module docstring"
    assert docstring.splitlines()[0].strip(), f"{path.name}: the first line should state its job"


def test_the_import_walker_sees_lazy_and_relative_imports_but_not_type_checking_ones():
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    import training.hidden\n"
        "def f():\n    from training.spinner import Spinner\n"
        "from .report import Span\n"
    )
    found = _imports_in(source, "detector")
    assert {"training.spinner", "detector.report", "detector.report.Span"} <= found
    assert "training.hidden" not in found


def test_the_graph_holds_the_registry_edges():
    graph = _graph()
    assert "detector.baseline_model" in graph["detector.models"]
    assert "detector.models" not in graph["detector.baseline_model"]
