"""The test suite's own layout rules, so that each shared thing keeps one owner.

- No module of tests/ imports a test module or a conftest: shared helpers live in `helpers.py` (or another
  plain module) and fixtures in the conftest.py of the folder that shares them.
- Doctests run once, from tests/test_doctests.py: no other test module calls doctest.
"""
from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _imported_modules(tree: ast.AST) -> set[str]:
    found = set()
    for node in ast.walk(tree):  # also the imports inside functions
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _is_test_module(name: str) -> bool:
    last = name.rsplit(".", 1)[-1]
    return name.startswith("tests.") and (last.startswith("test_") or last == "conftest")


def test_no_module_of_the_suite_imports_a_test_module_or_a_conftest():
    offenders = {}
    for path in sorted(TESTS.rglob("*.py")):
        bad = sorted(m for m in _imported_modules(ast.parse(path.read_text(encoding="utf-8"))) if _is_test_module(m))
        if bad:
            offenders[str(path.relative_to(TESTS.parent))] = bad
    assert offenders == {}


def test_doctests_run_only_from_test_doctests():
    callers = []
    for path in sorted(TESTS.rglob("test_*.py")):
        if path.name != "test_doctests.py" and "doctest" in _imported_modules(ast.parse(path.read_text("utf-8"))):
            callers.append(str(path.relative_to(TESTS.parent)))
    assert callers == []
