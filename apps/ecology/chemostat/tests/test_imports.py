"""The solver package imports nothing but the standard library, numpy and scipy."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
ALLOWED_THIRD_PARTY = {"numpy", "scipy"}


def _imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_package_modules_import_only_stdlib_numpy_scipy_and_relative_modules() -> None:
    offenders = {}
    for path in PACKAGE.rglob("*.py"):
        if "tests" in path.relative_to(PACKAGE).parts:
            continue
        bad = {
            root
            for root in _imported_roots(path)
            if root not in ALLOWED_THIRD_PARTY and root not in sys.stdlib_module_names
        }
        if bad:
            offenders[str(path.relative_to(PACKAGE))] = sorted(bad)
    assert offenders == {}


def test_import_walker_flags_django_and_project_code(tmp_path: Path) -> None:
    module = tmp_path / "bad.py"
    module.write_text("import django.db\nfrom apps.trajets import models\nfrom . import laws\n")
    assert _imported_roots(module) == {"django", "apps"}
