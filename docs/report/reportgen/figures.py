"""Measured figures: read from the reports of real runs, and the strict placeholder resolver.

Every number the report or the deck prints comes from here as ``{{ dotted.key }}``: an unknown
key, or a key whose measurement is missing (``None``), stops the build with the key named.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path
from typing import Any

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_.\-]+)\s*\}\}")

#: Top-level packages whose coverage is reported one by one (``apps/<name>`` and ``obrail``).
COVERED_ROOTS = ("apps", "obrail")


class ReportError(RuntimeError):
    """The report cannot be built as written: a figure is unknown, missing or inconsistent."""


def lookup(figures: Mapping[str, Any], key: str) -> Any:
    """The value at dotted ``key``; ``ReportError`` naming the key when absent or unmeasured."""
    node: Any = figures
    for part in key.split("."):
        if not isinstance(node, Mapping) or part not in node:
            raise ReportError(f"unknown figure '{key}': the build measured no such value")
        node = node[part]
    if node is None:
        raise ReportError(f"figure '{key}' was not measured by this build")
    if isinstance(node, Mapping | list):
        raise ReportError(f"figure '{key}' is a group, not a value: cite one of its keys")
    return node


def resolve(text: str, figures: Mapping[str, Any], *, source: str) -> str:
    """Replace every ``{{ key }}`` in ``text``; fail listing every bad key with its line."""
    problems: list[str] = []

    def substitute(match: re.Match[str]) -> str:
        try:
            return format_value(lookup(figures, match.group(1)))
        except ReportError as error:
            line = text.count("\n", 0, match.start()) + 1
            problems.append(f"{source}:{line}: {error}")
            return match.group(0)

    resolved = PLACEHOLDER.sub(substitute, text)
    if problems:
        raise ReportError("\n".join(problems))
    return resolved


#: A number with a unit of measure or a counted noun: what only a run may print.
TYPED_FIGURE = re.compile(
    r"(?<![\w.,\-−])[−-]?\d[\d\u202f ]*(?:[.,]\d+)?\s*"
    r"(?:%|(?:ms|s|min|minutes?|h|km|kg|Mo|Go|MB|GB|tests?|trains?|trajets?|pages?|"
    r"violations?|gares|sources|lignes|jours|fichiers|règles|services|paquets|jobs|étapes|"
    r"contrats|paires|instructions|secondes)\b)"
)
_FENCED = re.compile(r"^```.*?^```", re.DOTALL | re.MULTILINE)
_NOT_PROSE = re.compile(r"\{\{[^}]*\}\}|`[^`\n]*`|<https?://[^>\s]*>|\]\([^)\s]*\)|<[a-z][^>]*>")


def typed_figures(text: str, *, source: str) -> list[str]:
    """Figures typed in the prose of a source (outside ``{{ }}``, code and links), with their
    line: a measured number must come from the build."""

    def blank(match: re.Match[str]) -> str:
        return re.sub(r"[^\n]", " ", match.group(0))

    prose = _NOT_PROSE.sub(blank, _FENCED.sub(blank, text))
    return [
        f"{source}:{prose.count(chr(10), 0, match.start()) + 1}: « {match.group(0).strip()} »"
        for match in TYPED_FIGURE.finditer(prose)
    ]


def cited_keys(text: str) -> list[str]:
    """The figure keys a source cites, in order."""
    return [match.group(1) for match in PLACEHOLDER.finditer(text)]


def format_value(value: Any) -> str:
    """French number formatting: decimal comma, thin space between thousands."""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, int):
        return f"{value:,}".replace(",", "\u202f")
    if isinstance(value, float):
        return f"{value:,.1f}".replace(",", "\u202f").replace(".", ",")
    return str(value)


def _date_of(path: Path) -> str:
    stamp = dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC)
    return stamp.strftime("%d/%m/%Y %H:%M UTC")


def read_junit(path: Path) -> dict[str, Any]:
    """Totals of a pytest JUnit XML report (tests, passed, failed, errors, skipped, minutes)."""
    if not path.exists():
        raise ReportError(f"no test report at {path}: run the suite first (make report does)")
    root = ET.parse(path).getroot()  # noqa: S314 - our own pytest output
    suites = [root] if root.tag == "testsuite" else list(root)
    totals = {
        name: sum(int(suite.get(name, 0)) for suite in suites)
        for name in ("tests", "failures", "errors", "skipped")
    }
    seconds = sum(float(suite.get("time", 0.0)) for suite in suites)
    stamps = [suite.get("timestamp") for suite in suites if suite.get("timestamp")]
    date = _date_of(path)
    if stamps:
        stamp = dt.datetime.fromisoformat(min(stamps))
        if stamp.tzinfo is not None:
            stamp = stamp.astimezone(dt.UTC)
        date = stamp.strftime("%d/%m/%Y %H:%M UTC")
    return {
        "total": totals["tests"],
        "passed": totals["tests"] - totals["failures"] - totals["errors"] - totals["skipped"],
        "failed": totals["failures"] + totals["errors"],
        "skipped": totals["skipped"],
        "minutes": round(seconds / 60.0, 1),
        "date": date,
    }


def read_attack(directory: Path) -> dict[str, Any]:
    """Schemathesis' JUnit reports when the attack suite left them (CI), as a sentence."""
    reports = sorted(directory.glob("junit-*.xml"))
    if not reports:
        return {
            "summary": "Cette construction n'a pas trouvé de rapport de la suite d'attaque "
            f"(`{directory.name}/junit-*.xml`) : ses résultats sont ceux du job CI « attack »."
        }
    totals = [read_junit(path) for path in reports]
    total = sum(t["total"] for t in totals)
    failed = sum(t["failed"] for t in totals)
    return {
        "total": total,
        "failed": failed,
        "summary": f"Rapport JUnit de schemathesis ({totals[0]['date']}) : "
        f"{format_value(total)} opérations de l'API éprouvées, {format_value(failed)} en échec.",
    }


def count_testcases(path: Path) -> dict[str, int]:
    """Count the ``<testcase>`` elements themselves: a check on the suites' own totals."""
    root = ET.parse(path).getroot()  # noqa: S314 - our own pytest output
    cases = list(root.iter("testcase"))
    outcome = {"failed": 0, "skipped": 0}
    for case in cases:
        tags = {child.tag for child in case}
        if tags & {"failure", "error"}:
            outcome["failed"] += 1
        elif "skipped" in tags:
            outcome["skipped"] += 1
    return {"total": len(cases), **outcome}


def _package_of(filename: str) -> str | None:
    parts = Path(filename).parts
    if parts and parts[0] == "obrail":
        return "obrail"
    if len(parts) > 2 and parts[0] == "apps":
        return f"apps.{parts[1]}"
    return None


def _percent(covered: int, total: int) -> float | None:
    return round(100.0 * covered / total, 1) if total else None


def read_coverage(path: Path) -> dict[str, Any]:
    """Line and branch coverage per app from coverage.py's JSON report (tests excluded)."""
    if not path.exists():
        raise ReportError(f"no coverage report at {path}: run the suite with --cov first")
    data = json.loads(path.read_text(encoding="utf-8"))
    if not data.get("meta", {}).get("branch_coverage"):
        raise ReportError(f"{path} has no branch coverage: run pytest with --cov-branch")
    sums: dict[str, list[int]] = {}
    for filename, entry in data["files"].items():
        package = _package_of(filename)
        if package is None or "/tests/" in f"/{filename}" or "/migrations/" in filename:
            continue
        summary = entry["summary"]
        row = sums.setdefault(package, [0, 0, 0, 0])
        row[0] += summary["covered_lines"]
        row[1] += summary["num_statements"]
        row[2] += summary["covered_branches"]
        row[3] += summary["num_branches"]
    if not sums:
        raise ReportError(f"{path} covers no file under apps/ or obrail/")
    packages = {
        name: {
            "lines": row[1],
            "line": _percent(row[0], row[1]),
            "branch": _percent(row[2], row[3]),
        }
        for name, row in sorted(sums.items())
    }
    total = [sum(row[i] for row in sums.values()) for i in range(4)]
    table = [
        "| paquet | instructions | lignes couvertes | branches couvertes |",
        "|---|--:|--:|--:|",
    ]
    for name, row in packages.items():
        branch = "—" if row["branch"] is None else f"{format_value(row['branch'])} %"
        table.append(
            f"| `{name}` | {format_value(row['lines'])} | {format_value(row['line'])} % "
            f"| {branch} |"
        )
    return {
        "line": _percent(total[0], total[1]),
        "branch": _percent(total[2], total[3]),
        "statements": total[1],
        "packages": len(packages),
        "date": _date_of(path),
        "by_package": {name.replace("apps.", ""): row for name, row in packages.items()},
        "table": "\n".join(table),
    }


def summarise_quality(report: Mapping[str, Any]) -> dict[str, Any]:
    """The figures of ``manage.py quality_report --json`` the report cites, and a table."""
    sources = report["sources"]
    table = [
        "| source | licence | lues | rejetées | trajets | dont nuit | gares |",
        "|---|---|--:|--:|--:|--:|--:|",
    ]
    for source in sources:
        table.append(
            f"| {source['source']} | {source['licence']} | {format_value(source['rows_read'])} "
            f"| {format_value(source['rows_rejected'])} | {format_value(source['trajets'])} "
            f"| {format_value(source['night_trajets'])} | {format_value(source['stations'])} |"
        )
    return {
        "sources": len(sources),
        "rows_read": sum(s["rows_read"] for s in sources),
        "rows_rejected": sum(s["rows_rejected"] for s in sources),
        "trajets": sum(s["trajets"] for s in sources),
        "night_trajets": sum(s["night_trajets"] for s in sources),
        "merged_services": report["services_merged_across_sources"],
        "shared_stations": report["stations_shared_by_sources"],
        "table": "\n".join(table),
    }


def summarise_axe(
    pages: list[dict[str, Any]], version: str, known_defects: list[str] | None = None
) -> dict[str, Any]:
    """Totals and a page-by-page table of the axe-core audit."""
    table = [
        "| page | chemin | violations à 1280 px | violations à 320 px | règles en défaut |",
        "|---|---|--:|--:|---|",
    ]
    for page in pages:
        rules = sorted({v["id"] for width in ("wide", "narrow") for v in page[width]})
        table.append(
            f"| {page['title']} | `{page['path']}` | {len(page['wide'])} | {len(page['narrow'])} "
            f"| {', '.join(rules) or 'aucune'} |"
        )
    violations = sum(len(page["wide"]) + len(page["narrow"]) for page in pages)
    return {
        "version": version,
        "pages": len(pages),
        "checks": 2 * len(pages),
        "violations": violations,
        "clean_pages": sum(1 for page in pages if not page["wide"] and not page["narrow"]),
        "table": "\n".join(table),
        "known_defects": "\n".join(f"- {item}" for item in known_defects)
        if known_defects
        else None,
    }
