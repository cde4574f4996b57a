"""The brute force shares no code with the planner or the ETL: standard library only."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]


def _imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_the_brute_force_imports_the_standard_library_only():
    modules = list(PACKAGE.glob("*.py"))
    assert PACKAGE / "raw_gtfs.py" in modules
    offenders = {
        path.name: sorted(_imported_roots(path) - sys.stdlib_module_names) for path in modules
    }
    assert {name: bad for name, bad in offenders.items() if bad} == {}
