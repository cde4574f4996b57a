"""The import contracts (``.importlinter``) hold on the code, and ``lint-imports`` breaks on a
deliberate violation of each one, written into a copy of the packages."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
CONTRACTS = BASE_DIR / ".importlinter"
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(root: Path, *contracts: str) -> subprocess.CompletedProcess[str]:
    """Run the checker on the packages under ``root`` with the repository's contracts."""
    arguments = [str(LINT_IMPORTS), str(CONTRACTS), "--no-cache", "--no-logo"]
    for contract in contracts:
        arguments += ["--contract", contract]
    return subprocess.run(
        arguments,
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_code_keeps_every_import_contract():
    result = lint_imports(BASE_DIR)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " 0 broken." in result.stdout


def _not_source(folder: str, names: list[str]) -> list[str]:
    """What ``copytree`` leaves out: data files and bytecode."""
    return [
        name
        for name in names
        if name == "__pycache__" or not (name.endswith(".py") or (Path(folder) / name).is_dir())
    ]


@pytest.fixture(scope="module")
def package_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Python files of ``apps`` and ``obrail``, copied; the copy keeps every contract."""
    root = tmp_path_factory.mktemp("packages")
    for package in ("apps", "obrail"):
        shutil.copytree(BASE_DIR / package, root / package, ignore=_not_source)
    kept = lint_imports(root)
    assert kept.returncode == 0, kept.stdout + kept.stderr
    return root


# (contract, module written into, the violating line)
VIOLATIONS = [
    ("layers", "obrail/caching.py", "from apps.trajets.models import ImportRun"),
    ("layers", "apps/trajets/filters.py", "from apps.stats.services import compute_volumes"),
    ("layers", "apps/places/names.py", "import apps.trajets.models"),
    ("layers", "apps/routing/forms.py", "from apps.atlas import models"),
    ("ecology-imports-no-app", "apps/ecology/services.py", "import apps.trajets.models"),
    ("no-app-imports-ecology", "apps/stats/services.py", "from apps.ecology import models"),
    # Another app's internals, whatever the spelling: the ETL's loader (through
    # apps.trajets.loading), a FilterSet (apps.trajets.web), a submodule of a services package,
    # a places module (apps.places.services), a solver package's submodule.
    ("public-surfaces", "apps/atlas/loading.py", "from apps.trajets.etl.loader import etl_lock"),
    ("public-surfaces", "apps/stats/views.py", "from apps.trajets.filters import TrajetFilterSet"),
    ("public-surfaces", "apps/atlas/services.py", "from apps.routing.services import answers"),
    ("public-surfaces", "apps/routing/presentation.py", "import apps.places.names"),
    ("public-surfaces", "apps/trajets/station_search.py", "from apps.places.geo import grid"),
    (
        "public-surfaces",
        "apps/atlas/rail.py",
        "from apps.routing.pathfinding.static import METHODS",
    ),
    ("public-surfaces", "apps/mlregistry/potential.py", "from apps.atlas import policy"),
    ("solvers-without-django", "apps/routing/pathfinding/__init__.py", "import django.db"),
    (
        "solvers-without-django",
        "apps/ecology/chemostat/__init__.py",
        "from apps.ecology import models",
    ),
]


@pytest.mark.parametrize(("contract", "module", "line"), VIOLATIONS)
def test_a_deliberate_violation_breaks_its_contract(package_copy, contract, module, line):
    path = package_copy / module
    original = path.read_text()
    path.write_text(f"{original}\n{line}\n")
    try:
        result = lint_imports(package_copy, contract)
    finally:
        path.write_text(original)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "BROKEN" in result.stdout
    assert module.removesuffix(".py").removesuffix("/__init__").replace("/", ".") in result.stdout


# (module written into, an import the contract "public-surfaces" allows)
ALLOWED = [
    ("apps/atlas/rail.py", "from apps.trajets.services import validity_of"),
    ("apps/atlas/rail.py", "from apps.trajets import models"),
    ("apps/atlas/filters.py", "from apps.trajets.web import CountryFilter"),
    ("apps/atlas/loading.py", "from apps.trajets.loading import etl_lock"),
    ("apps/mlregistry/derived.py", "from apps.routing.derived import ARTEFACT"),
    ("apps/atlas/services.py", "from apps.routing.pathfinding import shortest_path"),
    # A test may drive another app's internals.
    ("apps/atlas/tests/conftest.py", "from apps.trajets.etl.loader import etl_lock"),
    ("obrail/tests/test_health.py", "from apps.trajets.etl import loader"),
]


@pytest.mark.parametrize(("module", "line"), ALLOWED)
def test_a_public_module_or_a_test_keeps_the_public_surfaces(package_copy, module, line):
    path = package_copy / module
    original = path.read_text()
    path.write_text(f"{original}\n{line}\n")
    try:
        result = lint_imports(package_copy, "public-surfaces")
    finally:
        path.write_text(original)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "KEPT" in result.stdout
