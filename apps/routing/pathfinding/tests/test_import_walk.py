"""The solver package imports only the standard library, numpy, scipy and itself."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
ALLOWED_THIRD_PARTY = {"numpy", "scipy"}
#: The benchmark compares against networkx; nothing else may import it.
EXTRA_ALLOWED = {"bench.py": {"networkx"}}


def _imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def _package_modules() -> list[Path]:
    return [
        path for path in PACKAGE.rglob("*.py") if "tests" not in path.relative_to(PACKAGE).parts
    ]


def test_walk_finds_the_solver_modules() -> None:
    names = {path.name for path in _package_modules()}
    assert {"dijkstra.py", "label_correcting.py", "csa.py", "artifact.py"} <= names


def test_solver_modules_import_no_django_and_no_project_code() -> None:
    offenders = {}
    for path in _package_modules():
        allowed = (
            sys.stdlib_module_names | ALLOWED_THIRD_PARTY | EXTRA_ALLOWED.get(path.name, set())
        )
        bad = _imported_roots(path) - allowed
        if bad:
            offenders[path.name] = sorted(bad)
    assert offenders == {}


def test_the_walk_would_catch_a_django_import(tmp_path: Path) -> None:
    module = tmp_path / "leaky.py"
    module.write_text("from django.db import models\nimport apps.trajets\n")
    assert _imported_roots(module) == {"django", "apps"}
