"""Build the technical report (HTML + PDF) and the deck (PDF) from measured figures.

Steps: collect the figures (test and coverage reports, a sample database loaded by the ETL, the
data-quality report, the benchmarks, screenshots and the axe audit of a running instance, facts
read from the settings and CI files), render the diagrams, resolve every ``{{ key }}`` of the
sources strictly, print the PDFs in Chromium and check them (page counts, pages rasterised).
"""

from __future__ import annotations

import argparse
import ast
import configparser
import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from . import capture, diagrams, figures, render

REPORT_DIR = Path(__file__).resolve().parents[1]
ROOT = REPORT_DIR.parents[1]
DECK_SLIDES = range(15, 21)


def _git(*args: str) -> str:
    result = subprocess.run(  # noqa: S603 - fixed program
        ["git", *args],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.strip() or "inconnu"


def _uncommitted() -> str:
    """`` (+ modifications non validées)`` when the sources differ from the commit."""
    result = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return " (+ modifications non validées)" if result.stdout.strip() else ""


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "obrail.settings")
    import django

    django.setup()


def derived_artefacts() -> list[Any]:
    """The derived artefacts the apps register in ``obrail.derived``, in the order they run."""
    _setup_django()
    from obrail import derived

    return derived.registered()


def settings_facts() -> dict[str, Any]:
    """Security and GDPR settings as the code defines them (defaults of ``.env.example``)."""
    _setup_django()
    from django.conf import settings

    from obrail.views import LOG_RETENTION_DAYS

    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    validators = {
        v["NAME"].rsplit(".", 1)[-1]: v.get("OPTIONS", {})
        for v in settings.AUTH_PASSWORD_VALIDATORS
    }
    return {
        "log_retention_days": LOG_RETENTION_DAYS,
        "throttle_anon": rates["anon"],
        "throttle_user": rates["user"],
        "throttle_compute": rates["compute"],
        "login_failure_limit": settings.AXES_FAILURE_LIMIT,
        "login_lockout_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        "login_lockout_max_minutes": settings.LOGIN_LOCKOUT_MAX_MINUTES,
        "login_backoff_hours": settings.LOGIN_BACKOFF_MEMORY_HOURS,
        "password_min_length": validators["MinimumLengthValidator"]["min_length"],
        "password_validators": len(validators),
        "has_csp": bool(settings.CONTENT_SECURITY_POLICY),
        "referrer_policy": settings.SECURE_REFERRER_POLICY,
        "installed_apps": sum(1 for app in settings.INSTALLED_APPS if app.startswith("apps.")),
        "compute_cpu_seconds": settings.COMPUTE_CPU_SECONDS,
        "compute_wall_ms": settings.COMPUTE_WALL_MS,
        "derived_artefacts": " → ".join(f"`{a.name}`" for a in derived_artefacts()),
    }


def project_facts() -> dict[str, Any]:
    """Counts read from the files: apps, compose services, CI stages and jobs, pins, tests."""
    import yaml

    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    jobs = diagrams.gitlab_jobs(ROOT / ".gitlab-ci.yml")
    stages = diagrams.ci_run_stages(ROOT / ".ci" / "run")
    pins = [
        line
        for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
        if "==" in line
    ]
    dev_pins = [
        line
        for line in (ROOT / "requirements-dev.txt").read_text(encoding="utf-8").splitlines()
        if "==" in line
    ]
    imports = diagrams.app_imports(ROOT)
    mutual = sorted(
        f"`{a}` ↔ `{b}`"
        for a, targets in imports.items()
        for b in targets
        if a < b and a in imports.get(b, set())
    )
    test_files = [p for p in ROOT.glob("**/test_*.py") if ".venv" not in p.parts]
    e2e_files = list((ROOT / "tests" / "e2e").glob("test_*.py"))
    return {
        "apps": len([p for p in (ROOT / "apps").iterdir() if (p / "apps.py").exists()]),
        "services": len(compose["services"]),
        "service_names": ", ".join(f"`{name}`" for name in compose["services"]),
        "volumes": len(compose.get("volumes", {})),
        "gitlab_stages": len(jobs),
        "gitlab_jobs": sum(len(names) for names in jobs.values()),
        "gitlab_stage_names": " → ".join(jobs),
        "ci_run_stages": len(stages),
        "ci_run_stage_list": "\n".join(f"{i}. {s}" for i, s in enumerate(stages, start=1)),
        "runtime_pins": len(pins),
        "dev_pins": len(dev_pins),
        "test_files": len(test_files),
        "e2e_files": len(e2e_files),
        "alert_rules": len(
            re.findall(
                r"^\s*- alert:",
                (ROOT / "deploy/prometheus/rules/obrail.rules.yml").read_text(encoding="utf-8"),
                re.MULTILINE,
            )
        ),
        "independent_packages": ", ".join(
            f"`{name if name == 'obrail' else 'apps.' + name}`"
            for name, targets in sorted(imports.items())
            if not targets
        )
        or "aucun",
        "mutual_imports": ", ".join(mutual) or "aucune",
        "prometheus_retention": _prometheus_retention(compose),
        "loki_retention_days": _loki_retention_days(),
        "django_version": _pinned_version(pins, "Django"),
        "secret_files": _secret_files(),
        **import_contracts(ROOT / ".importlinter"),
    }


def _pinned_version(pins: list[str], package: str) -> str | None:
    """The version ``requirements.txt`` pins for ``package``."""
    for line in pins:
        name, _, version = line.partition("==")
        if name.strip().lower() == package.lower():
            return version.strip()
    return None


def _secret_files() -> int:
    """How many secret files ``deploy/init_secrets.py`` generates (its ``SECRETS`` table)."""
    tree = ast.parse((ROOT / "deploy" / "init_secrets.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "SECRETS" for t in node.targets)
            and isinstance(node.value, ast.Dict)
        ):
            return len(node.value.keys)
    raise figures.ReportError("deploy/init_secrets.py has no SECRETS table")


def import_contracts(path: Path) -> dict[str, Any]:
    """The import contracts of ``.importlinter`` (enforced by ``lint-imports``): how many, their
    names, and the layers from top to bottom."""
    config = configparser.ConfigParser()
    config.read(path, encoding="utf-8")
    contracts = [name for name in config.sections() if name.startswith("importlinter:contract:")]
    layers = [
        " | ".join(f"`{part.strip()}`" for part in line.split("|"))
        for contract in contracts
        if config[contract].get("type") == "layers"
        for line in config[contract]["layers"].splitlines()
        if line.strip()
    ]
    return {
        "import_contracts": len(contracts),
        "import_contract_list": "\n".join(f"- « {config[c]['name']} »" for c in contracts),
        "import_layers": " → ".join(layers) or None,
    }


def _prometheus_retention(compose: dict) -> str | None:
    """Prometheus' ``--storage.tsdb.retention.time`` in compose.yaml, in French."""
    for flag in compose["services"]["prometheus"].get("command", []):
        if match := re.fullmatch(r"--storage\.tsdb\.retention\.time=(\d+)d", str(flag)):
            return f"{match.group(1)} jours"
    return None


def _loki_retention_days() -> int | None:
    """Loki's ``retention_period`` (hours) in days."""
    text = (ROOT / "deploy" / "loki" / "loki.yml").read_text(encoding="utf-8")
    match = re.search(r"retention_period:\s*(\d+)h", text)
    return int(match.group(1)) // 24 if match else None


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def results_facts() -> dict[str, Any]:
    """What the platform answers on the loaded data: the indicators dashboard's figures (each
    source's typical week, as the page shows them) and the atlas's city pairs."""
    _setup_django()
    from apps.atlas.models import CityPair
    from apps.stats.dashboard import compute_dashboard

    dashboard = compute_dashboard()
    return {
        "period": dashboard.period_label,
        "trains": dashboard.service_count,
        "night_trains": dashboard.night_count,
        "night_share": _rounded(dashboard.night_share_percent),
        "co2_method": dashboard.co2_method_label,
        "co2_compared": dashboard.co2_compared_count,
        "co2_rail_kg": _rounded(dashboard.average_co2_rail_kg),
        "co2_flight_kg": _rounded(dashboard.average_co2_flight_kg),
        "co2_saving": _rounded(dashboard.co2_saving_percent),
        "atlas_pairs": CityPair.objects.count(),
        "atlas_pairs_by_rail": CityPair.objects.filter(
            rail_status=CityPair.RailStatus.FOUND
        ).count(),
    }


def collect(args: argparse.Namespace, out: Path) -> dict[str, Any]:
    """Every figure of this build, with the date and commit they describe."""
    env = {**os.environ, "DEBUG": "true"}
    measured: dict[str, Any] = {
        "build": {
            "date": dt.datetime.now(dt.UTC).strftime("%d/%m/%Y %H:%M UTC"),
            "commit": _git("rev-parse", "--short", "HEAD") + _uncommitted(),
            "commit_date": _git("log", "-1", "--format=%cd", "--date=format:%d/%m/%Y"),
        },
        "tests": figures.read_junit(args.junit),
        "coverage": figures.read_coverage(args.coverage),
        "settings": settings_facts(),
        "project": project_facts(),
        "attack": figures.read_attack(args.junit.parent / "attack"),
    }
    print("report: loading the bundled samples into the report database", flush=True)
    # The same steps as ``make load-samples``: air data, timetables (the ETL ends with the
    # derived data: routing artefact, atlas...), the model.
    capture.manage(ROOT, env, "migrate", "--noinput", "-v0")
    capture.manage(ROOT, env, "load_air_traffic", "--no-recompute")
    capture.manage(ROOT, env, "etl")
    capture.manage(ROOT, env, "train_model", "modal-share", "--promote")
    quality = json.loads(capture.manage(ROOT, env, "quality_report", "--json"))
    measured["quality"] = figures.summarise_quality(quality)
    measured["results"] = results_facts()
    print("report: running the benchmarks (short runs)", flush=True)
    measured["bench"] = capture.run_benchmarks(ROOT, env, out / "bench")
    print("report: screenshots and axe audit of the running pages", flush=True)
    with capture.running_server(ROOT, env) as base:
        pages = capture.capture_pages(base, out / "screenshots")
    measured["axe"] = figures.summarise_axe(
        pages["pages"], pages["version"], pages["known_defects"]
    )
    measured["screens"] = {
        page["slug"]: f"screenshots/{page['slug']}.png" for page in pages["pages"]
    }
    return measured


def build(args: argparse.Namespace) -> dict[str, Any]:
    """Build everything into ``args.out``; return the figures used."""
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    if args.figures:
        measured = json.loads(args.figures.read_text(encoding="utf-8"))
    else:
        measured = collect(args, out)
    (out / "figures.json").write_text(
        json.dumps(measured, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    print("report: diagrams", flush=True)
    diagrams.render_all(
        ROOT, REPORT_DIR / "diagrams", out / "diagrams", measured, derived_artefacts()
    )
    check_typed_figures()
    css = (REPORT_DIR / "style" / "report.css").read_text(encoding="utf-8")
    deck_css = (REPORT_DIR / "style" / "deck.css").read_text(encoding="utf-8")
    text = figures.resolve(
        (REPORT_DIR / "rapport.md").read_text(encoding="utf-8"), measured, source="rapport.md"
    )
    check_cited_tests(text)
    check_sample(text, measured, args.junit if not args.figures else None)
    subtitle = (
        f"Rapport technique — version {measured['build']['commit']} du "
        f"{measured['build']['commit_date']}, chiffres mesurés le {measured['build']['date']}"
    )
    (out / "rapport.html").write_text(
        render.report_html(text, title="Rapport technique", css=css, subtitle=subtitle), "utf-8"
    )
    deck_text = figures.resolve(
        (REPORT_DIR / "soutenance.md").read_text(encoding="utf-8"),
        measured,
        source="soutenance.md",
    )
    slides = render.split_slides(deck_text)
    if len(slides) not in DECK_SLIDES:
        raise figures.ReportError(f"the deck has {len(slides)} slides, not 15 to 20")
    if missing := [slide.title for slide in slides if not slide.notes]:
        raise figures.ReportError(f"slides without speaker notes: {missing}")
    title = "ObRail Europe — soutenance"
    (out / "soutenance.html").write_text(
        render.deck_html(slides, css=deck_css, title=title), "utf-8"
    )
    (out / "soutenance-notes.html").write_text(
        render.notes_html(slides, css=css, title=title), "utf-8"
    )
    for name in ("rapport.html", "soutenance.html"):
        if missing := render.missing_images((out / name).read_text(encoding="utf-8"), out):
            raise figures.ReportError(f"{name} shows images this build did not make: {missing}")
    print("report: PDFs (Chromium)", flush=True)
    a4 = {
        "format": "A4",
        "margin": {"top": "18mm", "bottom": "18mm", "left": "16mm", "right": "16mm"},
        "display_header_footer": True,
        "header_template": "<span></span>",
        "footer_template": '<div style="font-size:8px;width:100%;text-align:center">'
        '<span class="pageNumber"></span> / <span class="totalPages">'
        "</span></div>",
    }
    render.print_pdf(
        [
            (out / "rapport.html", out / "rapport.pdf", a4),
            (
                out / "soutenance.html",
                out / "soutenance.pdf",
                {"width": "1280px", "height": "720px", "prefer_css_page_size": True},
            ),
            (out / "soutenance-notes.html", out / "soutenance-notes.pdf", a4),
        ]
    )
    check(out, len(slides))
    return measured


SOURCES = ("rapport.md", "soutenance.md")


def check_typed_figures(directory: Path = REPORT_DIR) -> None:
    """No source prints a measured figure typed by hand: each one is a ``{{ key }}``."""
    typed = [
        problem
        for name in SOURCES
        for problem in figures.typed_figures(
            (directory / name).read_text(encoding="utf-8"), source=name
        )
    ]
    if typed:
        raise figures.ReportError(
            "figures typed by hand, not produced by the build (use a {{ key }}):\n"
            + "\n".join(typed)
        )


CITED_TEST = re.compile(r"`([\w/.-]+\.py)::(\w+)`")


def check_cited_tests(text: str) -> None:
    """Every ``path::test_name`` the report cites is a test function of that file."""
    missing = [
        f"{path}::{name}"
        for path, name in CITED_TEST.findall(text)
        if not (ROOT / path).is_file()
        or not re.search(rf"^def {name}\(", (ROOT / path).read_text(encoding="utf-8"), re.M)
    ]
    if missing:
        raise figures.ReportError(f"the report cites tests that do not exist: {missing}")


def check_sample(text: str, measured: dict[str, Any], junit: Path | None) -> None:
    """The test figures printed agree with a count of the JUnit file's own test cases."""
    tests = measured["tests"]
    if junit is not None:
        counted = figures.count_testcases(junit)
        quoted = {key: tests[key] for key in counted}
        if counted != quoted:
            raise figures.ReportError(f"JUnit test cases {counted} differ from its totals {quoted}")
    sentence = f"**{figures.format_value(tests['total'])} tests**"
    if sentence not in text:
        raise figures.ReportError(f"the report does not print the measured {sentence}")


def check(out: Path, slide_count: int) -> None:
    """The PDFs open, have the expected pages, and a few pages rasterise to non-blank PNGs."""
    deck_pages = render.pdf_page_count(out / "soutenance.pdf")
    if deck_pages != slide_count:
        raise figures.ReportError(f"soutenance.pdf has {deck_pages} pages for {slide_count} slides")
    report_pages = render.pdf_page_count(out / "rapport.pdf")
    render.rasterise(out / "rapport.pdf", out / "check", [1, 2, report_pages])
    render.rasterise(out / "soutenance.pdf", out / "check", [1, slide_count // 2, slide_count])
    print(f"report: rapport.pdf {report_pages} pages, soutenance.pdf {deck_pages} slides")


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m reportgen.build`` from ``docs/report``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "reports" / "report")
    parser.add_argument("--junit", type=Path, default=ROOT / "reports" / "junit.xml")
    parser.add_argument("--coverage", type=Path, default=ROOT / "reports" / "coverage.json")
    parser.add_argument(
        "--figures", type=Path, help="reuse the figures.json of an earlier build (no runs)"
    )
    args = parser.parse_args(argv)
    try:
        build(args)
    except figures.ReportError as error:
        print(f"report: {error}", file=sys.stderr)
        return 1
    return 0
