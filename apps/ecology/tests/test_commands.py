"""The chemostat and bench_chemostat management commands."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = StringIO()
    call_command("chemostat", *args, stdout=out)
    return out.getvalue()


def test_analyse_json_of_a_stored_scenario_has_the_issue_shape():
    payload = json.loads(_run("haldane-bistabilite", "--analyse", "--format", "json"))
    assert list(payload) == ["equilibria"]
    assert [set(eq) for eq in payload["equilibria"]] == [{"s", "x", "eigenvalues", "stable"}] * 3
    assert [eq["stable"] for eq in payload["equilibria"]] == [True, True, False]
    assert payload["equilibria"][1]["x"] == pytest.approx([5.0 - payload["equilibria"][1]["s"]])


def test_inline_monod_case_gives_the_course_eigenvalues():
    payload = json.loads(
        _run(
            "--law",
            "monod",
            "--mu-max",
            "1",
            "--K",
            "1",
            "--s-in",
            "5",
            "--D",
            "0.5",
            "--analyse",
            "--format",
            "json",
        )
    )
    washout, positive = payload["equilibria"]
    assert sorted(washout["eigenvalues"]) == pytest.approx([-0.5, 5 / 6 - 0.5])
    assert (positive["s"], positive["x"]) == (pytest.approx(1.0), [pytest.approx(4.0)])
    assert sorted(positive["eigenvalues"]) == pytest.approx([-1.0, -0.5])


def test_simulate_csv_prints_time_series_ending_on_the_equilibrium():
    lines = _run("monod", "--simulate", "200", "--points", "5", "--format", "csv").splitlines()
    assert lines[0] == "t,s,x1,m"
    last = [float(v) for v in lines[-1].split(",")]
    assert last[:3] == [200.0, pytest.approx(1.0, rel=1e-5), pytest.approx(4.0, rel=1e-5)]


def test_operating_diagram_table_names_each_region():
    out = _run("haldane-bistabilite", "--operating-diagram", "--grid", "10")
    assert out.startswith("== operating_diagram ==")
    assert {"washout", "persistence", "bistability"} <= set(out.split())


def test_inline_linear_case_needs_no_k():
    payload = json.loads(
        _run("--law", "linear", "--mu-max", "0.2", "--s-in", "5", "--D", "0.5", "--format", "json")
    )
    assert payload["equilibria"][1]["s"] == pytest.approx(2.5)


def test_unknown_scenario_lists_known_ones():
    with pytest.raises(CommandError, match=r"Known: .*monod"):
        _run("nope")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--law", "monod", "--mu-max", "-1", "--K", "1", "--s-in", "5", "--D", "1"), "mu_max"),
        (("--law", "monod", "--mu-max", "1", "--K", "1", "--s-in", "5"), "--D"),
        (("--law", "haldane", "--mu-max", "1", "--K", "1", "--s-in", "5", "--D", "1"), "--Ki"),
        (("monod", "--law", "monod"), "not both"),
        (("monod", "--simulate", "1e9"), "t_end"),
    ],
)
def test_bad_arguments_fail_with_a_clear_message(args, message):
    with pytest.raises(CommandError, match=message):
        _run(*args)


def test_bench_command_prints_both_cases_and_ratios():
    out = StringIO()
    call_command("bench_chemostat", "--repeats", "1", "--grid", "20", stdout=out)
    text = out.getvalue()
    assert "simulation 2 species, 1000 h" in text
    assert "operating diagram 20x20" in text
    assert text.count("x ") >= 2
