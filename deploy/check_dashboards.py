"""Offline checks of the provisioned Grafana dashboards (no Grafana server needed).

Checks, for every ``deploy/grafana/dashboards/*.json``:

- the JSON structure Grafana needs: uid, title, schemaVersion, panels with unique ids and a
  grid position inside the 24-column grid;
- every panel and query uses a datasource provisioned in
  ``deploy/grafana/provisioning/datasources/*.yml``, with a matching type;
- every ``$variable`` is a defined template variable or a Grafana built-in;
- the panels the production issue requires are present (availability, latency p50/p95/p99 per
  endpoint, 4xx and 5xx error rates, request volume, data volumes, ETL freshness, logs);
- every PromQL expression parses, by handing them to ``promtool check rules`` as recording
  rules (Grafana variables replaced by representative values);
- with ``--exposition FILE`` (a /metrics scrape of the app, repeatable), every ``django_*`` and
  ``obrail_*`` metric used by the dashboards and by the alert rules exists in the app;
- with ``--prometheus-url URL`` (a Prometheus scraping the app), every dashboard query runs
  without error there.

Exit status 0 when everything holds, 1 with one line per problem otherwise.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

DEPLOY_DIR = Path(__file__).resolve().parent
GRAFANA_BUILTINS = {"__range", "__rate_interval", "__interval", "__all"}
# Representative values so that expressions using Grafana variables become plain PromQL.
SUBSTITUTIONS = {"__range": "1h", "__rate_interval": "5m", "__interval": "1m", "view": ".*"}
METRIC_NAME = re.compile(r"\b((?:django|obrail)_[a-zA-Z0-9_]+)")
VARIABLE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")
SAMPLE_SUFFIXES = ("", "_total", "_bucket", "_count", "_sum", "_created")
REQUIRED_EXPRESSIONS = {
    "availability": r'up\{job="obrail"\}',
    "latency p50 per endpoint": r"histogram_quantile\(0\.5,.*by \(le, view\)",
    "latency p95 per endpoint": r"histogram_quantile\(0\.95,.*by \(le, view\)",
    "latency p99 per endpoint": r"histogram_quantile\(0\.99,.*by \(le, view\)",
    "4xx error rate": r'status=~"4\.\."',
    "5xx error rate": r'status=~"5\.\."',
    "request volume": r"rate\(django_http_requests_total_by_method_total",
    "data volumes": r"obrail_services|obrail_data_rows",
    "ETL freshness": r"time\(\) - .*obrail_etl_last_success_timestamp_seconds",
}


@dataclass(frozen=True)
class Query:
    """One query of a dashboard panel or template variable."""

    where: str
    datasource_type: str
    expr: str


def load_datasources(directory: Path) -> dict[str, str]:
    """Return the provisioned datasources as ``{uid: type}``."""
    datasources: dict[str, str] = {}
    for path in sorted(directory.glob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        for entry in document.get("datasources", []):
            datasources[entry["uid"]] = entry["type"]
    return datasources


def iter_panels(panels: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Yield every panel, including those nested in collapsed rows."""
    for panel in panels:
        yield panel
        yield from iter_panels(panel.get("panels", []))


def check_dashboard(path: Path, datasources: dict[str, str], problems: list[str]) -> list[Query]:
    """Check one dashboard file; append problems and return its queries."""
    name = path.name
    dashboard = json.loads(path.read_text(encoding="utf-8"))
    for key in ("uid", "title", "schemaVersion", "panels"):
        if key not in dashboard:
            problems.append(f"{name}: missing top-level key {key!r}")
    variables = {v["name"] for v in dashboard.get("templating", {}).get("list", [])}
    queries: list[Query] = []
    seen_ids: set[int] = set()
    panel_types: list[tuple[str, str]] = []
    for panel in iter_panels(dashboard.get("panels", [])):
        label = f"{name}: panel {panel.get('id')} {panel.get('title')!r}"
        panel_id = panel.get("id")
        if not isinstance(panel_id, int) or panel_id in seen_ids:
            problems.append(f"{label}: panel id must be a unique integer")
        seen_ids.add(panel_id)
        grid = panel.get("gridPos", {})
        if not all(isinstance(grid.get(k), int) for k in ("h", "w", "x", "y")):
            problems.append(f"{label}: gridPos needs integer h, w, x, y")
        elif grid["x"] < 0 or grid["w"] < 1 or grid["x"] + grid["w"] > 24:
            problems.append(f"{label}: gridPos outside the 24-column grid")
        if panel.get("type") == "row":
            continue
        panel_types.append((panel.get("type", ""), panel.get("datasource", {}).get("uid", "")))
        if not panel.get("title"):
            problems.append(f"{label}: panel without a title")
        targets = panel.get("targets", [])
        if not targets:
            problems.append(f"{label}: panel without queries")
        ref_ids = [t.get("refId") for t in targets]
        if len(set(ref_ids)) != len(ref_ids) or None in ref_ids:
            problems.append(f"{label}: every query needs a distinct refId")
        for target in targets:
            uid = (target.get("datasource") or panel.get("datasource") or {}).get("uid")
            if uid not in datasources:
                problems.append(f"{label}: datasource uid {uid!r} is not provisioned")
                continue
            expr = target.get("expr", "")
            if not expr.strip():
                problems.append(f"{label}: query {target.get('refId')} has no expression")
            queries.append(Query(label, datasources[uid], expr))
    for variable in dashboard.get("templating", {}).get("list", []):
        if variable.get("type") == "query":
            uid = variable.get("datasource", {}).get("uid")
            if uid not in datasources:
                problems.append(f"{name}: variable {variable['name']}: unknown datasource {uid!r}")
                continue
            query = variable.get("query")
            text = query.get("query", "") if isinstance(query, dict) else str(query)
            match = re.fullmatch(r"label_values\((.*),\s*[A-Za-z_]+\)", text)
            if not match:
                problems.append(f"{name}: variable {variable['name']}: expected label_values()")
            else:
                queries.append(
                    Query(f"{name}: variable {variable['name']}", datasources[uid], match[1])
                )
    for query in queries:
        for used in VARIABLE.findall(query.expr):
            if used not in variables and used not in GRAFANA_BUILTINS:
                problems.append(f"{query.where}: undefined variable ${used}")
    prometheus_exprs = [q.expr for q in queries if q.datasource_type == "prometheus"]
    for requirement, pattern in REQUIRED_EXPRESSIONS.items():
        if not any(re.search(pattern, expr) for expr in prometheus_exprs):
            problems.append(f"{name}: no panel shows {requirement} (expected /{pattern}/)")
    if not any(kind == "logs" and datasources.get(uid) == "loki" for kind, uid in panel_types):
        problems.append(f"{name}: no logs panel on a Loki datasource")
    for query in queries:
        if query.datasource_type == "loki" and not re.match(r"\s*\{[^}]+\}", query.expr):
            problems.append(f"{query.where}: LogQL must start with a stream selector")
    return queries


def substitute(expr: str) -> str:
    """Replace Grafana variables by representative values."""

    def replace(match: re.Match[str]) -> str:
        return SUBSTITUTIONS.get(match[1], "x")

    return re.sub(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?", replace, expr)


def check_promql(queries: list[Query], promtool: str, problems: list[str]) -> None:
    """Parse every PromQL expression with ``promtool check rules``."""
    prometheus = [q for q in queries if q.datasource_type == "prometheus"]
    rules = [
        {"record": f"dashboard:query_{index}", "expr": substitute(q.expr)}
        for index, q in enumerate(prometheus)
    ]
    with tempfile.TemporaryDirectory() as directory:
        rule_file = Path(directory) / "dashboard-queries.yml"
        rule_file.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}))
        result = subprocess.run(  # noqa: S603
            [promtool, "check", "rules", str(rule_file)],
            capture_output=True,
            text=True,
            check=False,
        )
    if result.returncode != 0:
        problems.append(f"promtool rejected a dashboard query:\n{result.stdout}{result.stderr}")


def exposed_names(paths: Iterable[Path]) -> set[str]:
    """Return every metric and sample name found in Prometheus text expositions."""
    names: set[str] = set()
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith(("# TYPE ", "# HELP ")):
                family = line.split()[2]
                names.update(family + suffix for suffix in SAMPLE_SUFFIXES)
            elif line and not line.startswith("#"):
                names.add(re.split(r"[{ ]", line, maxsplit=1)[0])
    return names


def rule_expressions(rules_dir: Path) -> list[Query]:
    """Return the expressions of every alert and recording rule."""
    queries = []
    for path in sorted(rules_dir.glob("*.yml")):
        for group in yaml.safe_load(path.read_text(encoding="utf-8"))["groups"]:
            for rule in group["rules"]:
                name = rule.get("alert") or rule.get("record")
                queries.append(Query(f"{path.name}: {name}", "prometheus", rule["expr"]))
    return queries


def check_metric_names(queries: list[Query], names: set[str], problems: list[str]) -> None:
    """Report every django_* / obrail_* metric that the app does not expose."""
    for query in queries:
        if query.datasource_type != "prometheus":
            continue
        for metric in METRIC_NAME.findall(query.expr):
            if metric not in names:
                problems.append(f"{query.where}: metric {metric} is not exposed by the app")


def check_live_queries(queries: list[Query], base_url: str, problems: list[str]) -> None:
    """Run every dashboard PromQL query on a live Prometheus and report the failures."""
    for query in queries:
        if query.datasource_type != "prometheus":
            continue
        url = f"{base_url.rstrip('/')}/api/v1/query?" + urllib.parse.urlencode(
            {"query": substitute(query.expr)}
        )
        try:
            with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310
                answer = json.load(response)
        except (OSError, ValueError) as error:
            problems.append(f"{query.where}: query failed on {base_url}: {error}")
            continue
        if answer.get("status") != "success":
            problems.append(f"{query.where}: Prometheus answered {answer}")


def main(argv: list[str] | None = None) -> int:
    """Run every check and print the problems found."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dashboards", type=Path, default=DEPLOY_DIR / "grafana/dashboards")
    parser.add_argument(
        "--datasources",
        type=Path,
        default=DEPLOY_DIR / "grafana/provisioning/datasources",
    )
    parser.add_argument("--rules", type=Path, default=DEPLOY_DIR / "prometheus/rules")
    parser.add_argument("--promtool", default="promtool")
    parser.add_argument("--exposition", type=Path, action="append", default=[])
    parser.add_argument("--prometheus-url", default="")
    args = parser.parse_args(argv)

    problems: list[str] = []
    datasources = load_datasources(args.datasources)
    if not datasources:
        problems.append(f"no datasource provisioned in {args.datasources}")
    dashboards = sorted(args.dashboards.glob("*.json"))
    if not dashboards:
        problems.append(f"no dashboard in {args.dashboards}")
    queries: list[Query] = []
    for path in dashboards:
        queries.extend(check_dashboard(path, datasources, problems))
    check_promql(queries, args.promtool, problems)
    if args.exposition:
        names = exposed_names(args.exposition)
        check_metric_names(queries + rule_expressions(args.rules), names, problems)
    if args.prometheus_url:
        check_live_queries(queries, args.prometheus_url, problems)

    for problem in problems:
        print(f"FAIL {problem}")
    checked = len([q for q in queries if q.datasource_type == "prometheus"])
    print(
        f"{len(dashboards)} dashboard(s), {checked} PromQL queries checked"
        + (", metric names checked against the app" if args.exposition else "")
        + (", queries run on Prometheus" if args.prometheus_url else "")
        + f": {'FAILED' if problems else 'OK'}"
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
