"""Diagrams as Graphviz text: three generated from the project's files, the rest kept by hand.

Generated at build time, so they stay true: the apps and their imports (read with ``ast``),
the compose services and their dependencies (``compose.yaml``), the CI pipeline (``.ci/run``
stages and ``.gitlab-ci.yml`` jobs). Hand-written ones live in ``docs/report/diagrams/*.dot``.
"""

from __future__ import annotations

import ast
import re
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from .figures import resolve

HEADER = (
    'graph [fontname="DejaVu Sans", fontsize=11, rankdir=LR, nodesep=0.3, ranksep=0.5];\n'
    'node [fontname="DejaVu Sans", fontsize=10, shape=box, style="rounded,filled", '
    'fillcolor="#eef3fb", color="#1f4e8c"];\n'
    'edge [fontname="DejaVu Sans", fontsize=9, color="#555555"];\n'
)


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _label(*lines: str) -> str:
    """A quoted multi-line Graphviz label."""
    return '"' + "\\n".join(line.replace('"', '\\"') for line in lines) + '"'


def _module_package(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] == "apps" and len(parts) > 1:
        return parts[1]
    if parts[0] == "obrail":
        return "obrail"
    return None


def app_imports(root: Path) -> dict[str, set[str]]:
    """Which project package (``apps/<name>`` or ``obrail``) imports which, tests excluded."""
    edges: dict[str, set[str]] = {}
    sources = [*sorted((root / "apps").glob("*/**/*.py")), *sorted((root / "obrail").rglob("*.py"))]
    for path in sources:
        relative = path.relative_to(root)
        if "tests" in relative.parts or "migrations" in relative.parts:
            continue
        package = _module_package(".".join(relative.with_suffix("").parts))
        if package is None:
            continue
        edges.setdefault(package, set())
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                target = _module_package(name)
                if target and target != package:
                    edges[package].add(target)
    return edges


def apps_dot(root: Path) -> str:
    """The apps and ``obrail`` with an arrow for each package another imports."""
    edges = app_imports(root)
    lines = ["digraph apps {", HEADER, "rankdir=TB;"]
    for package in sorted(edges):
        label = package if package == "obrail" else f"apps.{package}"
        lines.append(f"{_quote(package)} [label={_quote(label)}];")
    for package, targets in sorted(edges.items()):
        for target in sorted(targets):
            lines.append(f"{_quote(package)} -> {_quote(target)};")
    lines.append("}")
    return "\n".join(lines)


def _depends_on(service: dict) -> list[str]:
    depends = service.get("depends_on") or []
    return list(depends) if isinstance(depends, list | dict) else []


def compose_dot(compose_file: Path) -> str:
    """The compose services, their published ports and ``depends_on`` arrows."""
    compose = yaml.safe_load(compose_file.read_text(encoding="utf-8"))
    lines = ["digraph services {", HEADER, "rankdir=BT;"]
    for name, service in compose["services"].items():
        image = re.sub(r"\$\{[^}:]*:-([^}]*)\}", r"\1", str(service.get("image", "")))
        image = image.rsplit("/", 1)[-1]
        ports = [re.sub(r"\$\{[^}:]*:-([^}]*)\}", r"\1", str(p)) for p in service.get("ports", [])]
        label = _label(name, image, *ports)
        one_shot = service.get("restart") == "no"
        style = ', style="rounded,dashed"' if one_shot else ""
        lines.append(f"{_quote(name)} [label={label}{style}];")
    for name, service in compose["services"].items():
        for target in _depends_on(service):
            lines.append(f"{_quote(name)} -> {_quote(target)};")
    lines.append('label="compose.yaml : flèche = depends_on ; pointillés = tâche ponctuelle";')
    lines.append("}")
    return "\n".join(lines)


def ci_run_stages(ci_run: Path) -> list[str]:
    """The stage names of ``.ci/run``, in order."""
    return re.findall(r'^\s*stage "([^"]+)"', ci_run.read_text(encoding="utf-8"), re.MULTILINE)


def gitlab_jobs(gitlab_ci: Path) -> dict[str, list[str]]:
    """The jobs of each GitLab stage, in the stages' order."""
    config = yaml.safe_load(gitlab_ci.read_text(encoding="utf-8"))
    jobs: dict[str, list[str]] = {stage: [] for stage in config["stages"]}
    for name, job in config.items():
        if isinstance(job, dict) and "stage" in job and not name.startswith("."):
            jobs.setdefault(job["stage"], []).append(name)
    for name, job in config.items():
        if isinstance(job, dict) and not name.startswith(".") and "extends" in job:
            base = config.get(job["extends"]) if isinstance(job["extends"], str) else None
            if isinstance(base, dict) and "stage" in base and "stage" not in job:
                jobs.setdefault(base["stage"], []).append(name)
    return jobs


def ci_dot(root: Path) -> str:
    """GitLab stages with their jobs, above the stages of ``.ci/run``."""
    jobs = gitlab_jobs(root / ".gitlab-ci.yml")
    lines = ["digraph ci {", HEADER, "compound=true;"]
    previous = None
    for index, (stage, names) in enumerate(jobs.items()):
        lines.append(f'subgraph cluster_gl{index} {{ label={_quote(stage)}; color="#1f4e8c";')
        for name in names:
            lines.append(f"{_quote('gl_' + name)} [label={_quote(name)}];")
        lines.append("}")
        if previous and names:
            lines.append(
                f"{_quote('gl_' + previous[1][0])} -> {_quote('gl_' + names[0])} "
                f"[ltail=cluster_gl{previous[0]}, lhead=cluster_gl{index}];"
            )
        if names:
            previous = (index, names)
    stages = ci_run_stages(root / ".ci" / "run")
    lines.append('subgraph cluster_run { label=".ci/run"; color="#777777";')
    for index, stage in enumerate(stages):
        short = re.sub(r"\s*\(.*", "", stage)
        lines.append(f'"run{index}" [label={_quote(short)}, fillcolor="#f4f4f4"];')
    lines.append("}")
    for index in range(len(stages) - 1):
        lines.append(f'"run{index}" -> "run{index + 1}";')
    lines.append('label="en haut : .ci/run (étapes, dans l\'ordre) ; en bas : .gitlab-ci.yml";')
    lines.append("}")
    return "\n".join(lines)


def render(dot_source: str, target: Path) -> Path:
    """Render Graphviz text to SVG with ``dot``; the error names the diagram."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.with_suffix(".dot").write_text(dot_source, encoding="utf-8")
    result = subprocess.run(  # noqa: S603 - fixed program, our own input
        ["dot", "-Tsvg", "-o", str(target)],  # noqa: S607 - Debian's graphviz
        input=dot_source,
        text=True,
        capture_output=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"dot failed on {target.stem}: {result.stderr.strip()}")
    return target


def render_all(
    root: Path, diagrams_dir: Path, out_dir: Path, measured: Mapping[str, Any]
) -> list[Path]:
    """Render the generated diagrams and every ``*.dot`` kept in ``diagrams_dir``, whose
    ``{{ key }}`` placeholders are resolved from the measured figures."""
    sources = {
        "apps": apps_dot(root),
        "services": compose_dot(root / "compose.yaml"),
        "ci": ci_dot(root),
    }
    for path in sorted(diagrams_dir.glob("*.dot")):
        sources[path.stem] = resolve(path.read_text(encoding="utf-8"), measured, source=path.name)
    return [render(text, out_dir / f"{name}.svg") for name, text in sources.items()]
