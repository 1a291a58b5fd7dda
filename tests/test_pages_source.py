"""The page scripts as source: what .streamlit/config.toml's settings require of them."""
from __future__ import annotations

import ast
import tomllib
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
SCRIPTS = [PROJECT / "app.py", *sorted((PROJECT / "pages").glob("*.py"))]


def _docstrings(tree: ast.AST) -> set[int]:
    return {id(node.body[0]) for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
            and node.body and isinstance(node.body[0], ast.Expr)}


def bare_expressions(source: str) -> list[int]:
    """Lines of statements that magic would write to the page: expressions that are neither calls
    nor docstrings (a call's value is not written either when magic is off, and is rarely meant)."""
    tree = ast.parse(source)
    docstrings = _docstrings(tree)
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Expr) and id(node) not in docstrings
            and not isinstance(node.value, (ast.Call, ast.Await, ast.Yield, ast.YieldFrom))]


def test_magic_is_off():
    config = tomllib.loads((PROJECT / ".streamlit" / "config.toml").read_text())
    assert config["runner"]["magicEnabled"] is False


def test_no_page_relies_on_magic():
    found = {script.name: lines for script in SCRIPTS if (lines := bare_expressions(script.read_text()))}
    assert found == {}


def test_the_check_finds_what_magic_would_write():
    source = '"""Doc."""\nimport streamlit as st\nst.title("x")\n"a string"\nframe\nx = 1\n'
    assert bare_expressions(source) == [4, 5]
