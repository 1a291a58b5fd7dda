"""Imports point one way: pages → ui → analytics / queries → identity. analytics is pure (no
Streamlit, no database), queries and analytics do not import each other, and nothing below the
pages imports a page, the ui, or the demo data."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
FORBIDDEN = {
    "analytics": {"pages", "ui", "queries", "demo", "app", "serving", "streamlit", "sqlalchemy", "psycopg2"},
    "queries": {"pages", "ui", "analytics", "demo", "app", "serving"},
    "ui": {"pages", "demo", "app"},
    "identity.py": {"pages", "ui", "queries", "analytics", "demo", "app"},
}


def imported(path: Path) -> set[str]:
    """The top-level packages a module imports, wherever in the module (lazy imports count too)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def modules(layer: str) -> list[Path]:
    return [PROJECT / layer] if layer.endswith(".py") else sorted((PROJECT / layer).glob("*.py"))


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_a_layer_imports_nothing_above_it(layer):
    found = {path.relative_to(PROJECT).as_posix(): sorted(imported(path) & FORBIDDEN[layer]) for path in modules(layer)}
    assert {module: names for module, names in found.items() if names} == {}
    assert found  # the layer has modules


def test_the_check_sees_lazy_imports(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from ui.charts import Chart\n    import streamlit as st\n")
    assert imported(module) == {"ui", "streamlit"}
