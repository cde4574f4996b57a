"""The report build (docs/report/reportgen): figures read from real runs, strict placeholders,
diagrams generated from the project's files, and a deck of 15 to 20 slides with notes."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REPORT_DIR = ROOT / "docs" / "report"
sys.path.insert(0, str(REPORT_DIR))

from reportgen import build, capture, diagrams, figures, render  # noqa: E402

JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites>
 <testsuite name="pytest" tests="7" failures="1" errors="1" skipped="2" time="90.0"
  timestamp="2026-12-06T16:26:23.733441+01:00">
  <testcase name="a"/><testcase name="b"/><testcase name="c"/>
  <testcase name="d"><failure message="x"/></testcase>
  <testcase name="e"><error message="x"/></testcase>
  <testcase name="f"><skipped message="x"/></testcase>
  <testcase name="g"><skipped message="x"/></testcase>
 </testsuite>
 <testsuite name="other" tests="3" failures="0" errors="0" skipped="0" time="30.0">
  <testcase name="h"/><testcase name="i"/><testcase name="j"/>
 </testsuite>
</testsuites>
"""


def _coverage_file(tmp_path: Path, *, branch: bool = True) -> Path:
    def summary(covered: int, statements: int, covered_branches: int, branches: int) -> dict:
        return {
            "summary": {
                "covered_lines": covered,
                "num_statements": statements,
                "covered_branches": covered_branches,
                "num_branches": branches,
            }
        }

    data = {
        "meta": {"branch_coverage": branch},
        "files": {
            "apps/trajets/models.py": summary(80, 100, 30, 40),
            "apps/trajets/etl/load.py": summary(20, 100, 10, 40),
            "apps/trajets/tests/test_models.py": summary(0, 500, 0, 10),
            "apps/trajets/migrations/0001_initial.py": summary(0, 900, 0, 0),
            "obrail/settings.py": summary(9, 10, 0, 0),
        },
    }
    path = tmp_path / "coverage.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_junit_totals_are_those_of_every_suite_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "junit.xml"
    path.write_text(JUNIT, encoding="utf-8")
    totals = figures.read_junit(path)
    assert totals["total"] == 10
    assert totals["failed"] == 2
    assert totals["skipped"] == 2
    assert totals["passed"] == 6
    assert totals["minutes"] == 2.0
    assert totals["date"] == "06/12/2026 15:26 UTC"


def test_the_sample_check_counts_test_cases_and_finds_the_printed_total(tmp_path: Path) -> None:
    path = tmp_path / "junit.xml"
    path.write_text(JUNIT, encoding="utf-8")
    assert figures.count_testcases(path) == {"total": 10, "failed": 2, "skipped": 2}
    measured = {"tests": figures.read_junit(path)}
    build.check_sample("La suite compte **10 tests** :", measured, path)
    with pytest.raises(figures.ReportError, match="does not print"):
        build.check_sample("La suite compte **9 tests** :", measured, path)
    path.write_text(JUNIT.replace('tests="3"', 'tests="4"'), encoding="utf-8")
    with pytest.raises(figures.ReportError, match="differ"):
        build.check_sample("**11 tests**", {"tests": figures.read_junit(path)}, path)


def test_attack_results_are_read_when_the_suite_left_them(tmp_path: Path) -> None:
    assert "pas trouvé" in figures.read_attack(tmp_path)["summary"]
    (tmp_path / "junit-1.xml").write_text(JUNIT, encoding="utf-8")
    attack = figures.read_attack(tmp_path)
    assert (attack["total"], attack["failed"]) == (10, 2)


def test_missing_test_report_stops_the_build(tmp_path: Path) -> None:
    with pytest.raises(figures.ReportError, match="no test report"):
        figures.read_junit(tmp_path / "junit.xml")


def test_coverage_is_summed_per_app_without_tests_and_migrations(tmp_path: Path) -> None:
    coverage = figures.read_coverage(_coverage_file(tmp_path))
    trajets = coverage["by_package"]["trajets"]
    assert (trajets["lines"], trajets["line"], trajets["branch"]) == (200, 50.0, 50.0)
    assert coverage["by_package"]["obrail"]["branch"] is None
    assert coverage["statements"] == 210
    assert coverage["line"] == round(100 * 109 / 210, 1)
    assert coverage["branch"] == 50.0
    assert "| `apps.trajets` | 200 | 50,0 % | 50,0 % |" in coverage["table"]


def test_coverage_without_branches_is_refused(tmp_path: Path) -> None:
    with pytest.raises(figures.ReportError, match="--cov-branch"):
        figures.read_coverage(_coverage_file(tmp_path, branch=False))


def test_placeholders_are_replaced_by_french_formatted_figures() -> None:
    measured = {"tests": {"total": 1234, "ok": True}, "coverage": {"line": 87.25}}
    text = "{{ tests.total }} tests, {{coverage.line}} %, {{ tests.ok }}"
    assert figures.resolve(text, measured, source="t.md") == "1\u202f234 tests, 87,2 %, oui"


def test_an_unknown_figure_fails_naming_the_key_and_its_line() -> None:
    with pytest.raises(figures.ReportError) as error:
        figures.resolve("a\nb {{ tests.flaky }}", {"tests": {"total": 1}}, source="r.md")
    assert "r.md:2" in str(error.value)
    assert "tests.flaky" in str(error.value)


def test_an_unmeasured_figure_fails() -> None:
    with pytest.raises(figures.ReportError, match="not measured"):
        figures.resolve("{{ axe.violations }}", {"axe": {"violations": None}}, source="r.md")


def test_a_group_of_figures_cannot_be_cited_as_one_value() -> None:
    with pytest.raises(figures.ReportError, match="group"):
        figures.resolve("{{ coverage }}", {"coverage": {"line": 1.0}}, source="r.md")


@pytest.mark.django_db
def test_every_figure_the_sources_cite_is_one_the_build_collects(tmp_path: Path) -> None:
    """Each key cited by the report, the deck and the diagrams exists in what ``collect`` makes
    (the results read from an empty warehouse: their unmeasured averages stand in as 0)."""
    junit = tmp_path / "junit.xml"
    junit.write_text(JUNIT, encoding="utf-8")
    quality = figures.summarise_quality(
        {
            "sources": [
                {
                    "source": "s",
                    "licence": "l",
                    "rows_read": 3,
                    "rows_rejected": 1,
                    "trajets": 2,
                    "night_trajets": 1,
                    "stations": 2,
                }
            ],
            "services_merged_across_sources": 0,
            "stations_shared_by_sources": 0,
        }
    )
    bench = {
        name: {"seconds": 1.0, "args": "", "output": "x"} for name in capture.bench_commands(ROOT)
    }
    measured = {
        "build": {"date": "d", "commit": "c", "commit_date": "d"},
        "tests": figures.read_junit(junit),
        "coverage": figures.read_coverage(_coverage_file(tmp_path)),
        "settings": build.settings_facts(),
        "project": build.project_facts(),
        "attack": figures.read_attack(tmp_path / "attack"),
        "quality": quality,
        "bench": bench,
        "axe": figures.summarise_axe([], "4", ["la carte"]),
        "results": {
            key: 0 if value is None else value for key, value in build.results_facts().items()
        },
    }
    for name in ("rapport.md", "soutenance.md"):
        text = (REPORT_DIR / name).read_text(encoding="utf-8")
        assert figures.cited_keys(text), f"{name} cites no measured figure"
        figures.resolve(text, measured, source=name)
    for path in (REPORT_DIR / "diagrams").glob("*.dot"):
        figures.resolve(path.read_text(encoding="utf-8"), measured, source=path.name)


def test_axe_summary_counts_violations_at_both_widths() -> None:
    pages = [
        {"title": "Accueil", "path": "/", "wide": [], "narrow": []},
        {
            "title": "Trajets",
            "path": "/trajets/",
            "wide": [{"id": "color-contrast"}],
            "narrow": [{"id": "color-contrast"}, {"id": "label"}],
        },
    ]
    summary = figures.summarise_axe(pages, "4.14.1")
    assert (summary["pages"], summary["checks"], summary["violations"]) == (2, 4, 3)
    assert summary["clean_pages"] == 1
    assert "| Trajets | `/trajets/` | 1 | 2 | color-contrast, label |" in summary["table"]


def test_the_deck_has_15_to_20_slides_each_with_speaker_notes() -> None:
    slides = render.split_slides((REPORT_DIR / "soutenance.md").read_text(encoding="utf-8"))
    assert len(slides) in build.DECK_SLIDES
    assert all(slide.notes and slide.title for slide in slides)


def test_the_report_has_every_chapter_of_the_specification() -> None:
    text = (REPORT_DIR / "rapport.md").read_text(encoding="utf-8")
    chapters = {line.removeprefix("## ").strip() for line in text.splitlines() if line[:3] == "## "}
    assert {
        "Architecture globale",
        "Choix techniques argumentés",
        "Pipeline CI/CD",
        "Résultats des tests et couverture",
        "Supervision",
        "Installation et exécution",
        "Conformité RGPD",
        "Sécurité",
        "Accessibilité",
        "Stratégie de maintenance",
    } <= chapters


def test_the_apps_diagram_follows_real_imports(tmp_path: Path) -> None:
    for package, source in {
        "apps/alpha/services.py": "from apps.beta import models\nimport obrail.errors\n",
        "apps/alpha/tests/test_x.py": "from apps.gamma import x\n",
        "apps/beta/models.py": "from . import helpers\n",
        "obrail/views.py": "import os\n",
    }.items():
        path = tmp_path / package
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
    edges = diagrams.app_imports(tmp_path)
    assert edges == {"alpha": {"beta", "obrail"}, "beta": set(), "obrail": set()}
    assert '"alpha" -> "beta";' in diagrams.apps_dot(tmp_path)


def test_the_services_diagram_draws_every_compose_service_and_dependency() -> None:
    dot = diagrams.compose_dot(ROOT / "compose.yaml")
    for service in ("app", "postgres", "proxy", "prometheus", "grafana", "loki"):
        assert f'"{service}" [label="{service}\\n' in dot
    assert '"proxy" -> "app";' in dot


def test_the_ci_diagram_has_every_stage_of_ci_run_including_the_report() -> None:
    stages = diagrams.ci_run_stages(ROOT / ".ci" / "run")
    assert any(stage.startswith("report") for stage in stages)
    for dot in (diagrams.ci_dot(ROOT), diagrams.ci_dot(ROOT, is_wide=True)):
        assert all(f'[label="{stage.split(" (")[0]}"' in dot for stage in stages)
    assert "report" in diagrams.gitlab_jobs(ROOT / ".gitlab-ci.yml")["report"]


def test_images_the_build_did_not_make_are_found(tmp_path: Path) -> None:
    (tmp_path / "a.svg").write_text("<svg/>", encoding="utf-8")
    page = '<img src="a.svg" alt="a"><img alt="b" src="screenshots/missing.png">'
    assert render.missing_images(page, tmp_path) == ["screenshots/missing.png"]


def test_the_report_cites_only_tests_that_exist() -> None:
    build.check_cited_tests((REPORT_DIR / "rapport.md").read_text(encoding="utf-8"))
    with pytest.raises(figures.ReportError, match="test_that_was_never_written"):
        build.check_cited_tests("`tests/test_report.py::test_that_was_never_written`")


def test_the_architecture_doc_draws_the_real_imports() -> None:
    """docs/architecture.md's apps graph is the code's (`make architecture-diagram` redraws it)."""
    root = REPORT_DIR.parent.parent
    document = (root / "docs" / "architecture.md").read_text(encoding="utf-8")
    assert diagrams.with_apps_mermaid(document, root) == document, (
        "docs/architecture.md draws other imports than the code's: run make architecture-diagram"
    )


def test_the_architecture_block_is_redrawn_from_the_imports(tmp_path: Path) -> None:
    (tmp_path / "apps" / "alpha").mkdir(parents=True)
    (tmp_path / "obrail").mkdir()
    (tmp_path / "apps" / "alpha" / "services.py").write_text("import obrail.errors\n")
    (tmp_path / "obrail" / "views.py").write_text("import os\n")
    stale = f"intro\n{diagrams.APPS_MERMAID_BEGIN}\nold\n{diagrams.APPS_MERMAID_END}\noutro\n"
    redrawn = diagrams.with_apps_mermaid(stale, tmp_path)
    assert redrawn.startswith("intro\n")
    assert redrawn.endswith("\noutro\n")
    assert "  alpha --> obrail" in redrawn
    assert "old" not in redrawn


def test_the_report_prints_every_benchmark_the_build_runs() -> None:
    """Each ``bench_*`` command (run by ``capture.run_benchmarks``) has its output in the report."""
    text = (REPORT_DIR / "rapport.md").read_text(encoding="utf-8")
    commands = capture.bench_commands(ROOT)
    assert {"bench_api", "bench_atlas", "bench_chemostat", "bench_etl", "bench_routing"} <= set(
        commands
    )
    missing = [name for name in commands if f"{{{{ bench.{name}.output }}}}" not in text]
    assert not missing, f"rapport.md prints no output of {missing}"


def test_a_figure_typed_by_hand_stops_the_build(tmp_path: Path) -> None:
    build.check_typed_figures()  # the sources as committed type no figure
    typed = figures.typed_figures(
        "Le tableau de bord :\n−78 % sur 104 trains, en 12 ms.\n"
        "`250 km` en code, {{ results.co2_saving }} %, Django 5.2, erreur 422, 1280 px.\n"
        "```\n3 tests en 2 s\n```\n",
        source="r.md",
    )
    assert typed == ["r.md:2: « −78 % »", "r.md:2: « 104 trains »", "r.md:2: « 12 ms »"]
    for name in build.SOURCES:
        (tmp_path / name).write_text("Rien.\n", encoding="utf-8")
    (tmp_path / "soutenance.md").write_text("## Tests\n\n- 1 234 tests réussis\n", "utf-8")
    with pytest.raises(figures.ReportError, match=r"soutenance.md:3: « 1 234 tests »"):
        build.check_typed_figures(tmp_path)


def test_the_derived_diagram_draws_the_registered_pipeline() -> None:
    from obrail import derived

    artefacts = derived.registered()
    dot = diagrams.derived_dot(artefacts)
    for index, artefact in enumerate(artefacts, start=1):
        assert f'"{artefact.name}" [label="{index}. {artefact.name}"' in dot
        for source in artefact.after:
            assert f'"{source}" -> "{artefact.name}";' in dot
    assert {"routing-artefact", "atlas"} <= {a.name for a in artefacts}
    assert '"routing-artefact" -> "atlas";' in dot


def test_the_import_contracts_are_read_from_the_importlinter_file(tmp_path: Path) -> None:
    path = tmp_path / ".importlinter"
    path.write_text(
        "[importlinter]\nroot_packages =\n    apps\n\n"
        "[importlinter:contract:layers]\nname = One way\ntype = layers\n"
        "layers =\n    apps.top\n    apps.a | apps.b\n    obrail\n\n"
        "[importlinter:contract:alone]\nname = Alone\ntype = forbidden\n"
        "source_modules =\n    apps.a\nforbidden_modules =\n    apps.b\n",
        encoding="utf-8",
    )
    contracts = build.import_contracts(path)
    assert contracts == {
        "import_contracts": 2,
        "import_contract_list": "- « One way »\n- « Alone »",
        "import_layers": "`apps.top` → `apps.a` | `apps.b` → `obrail`",
    }
    real = build.import_contracts(ROOT / ".importlinter")
    assert real["import_layers"].startswith("`apps.mlregistry`")
    assert real["import_layers"].endswith("`obrail`")
