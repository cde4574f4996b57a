"""The atlas commands: load, recompute, bench."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apps.atlas.bench import PAGE_NAMES, PageTiming
from apps.atlas.models import AtlasBuild, CityPair
from apps.atlas.tests.conftest import RAW_AIRPORTS, RAW_TRAFFIC
from apps.trajets.models import ImportRun


def _run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_load_air_traffic_reports_counts_and_recomputes(tmp_path):
    output = _run(
        "load_air_traffic", "--airports", str(RAW_AIRPORTS), "--traffic", str(RAW_TRAFFIC)
    )
    assert "openflights-airports: 200 read, 200 loaded, 0 rejected" in output
    assert "eurostat-avia-par-fr:" in output
    assert "atlas rebuilt" in output
    assert CityPair.objects.filter(air_passengers__gt=0).exists()


@pytest.mark.django_db
def test_load_air_traffic_names_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        _run("load_air_traffic", "--traffic", str(tmp_path / "none.csv"))


def test_recompute_and_bench_print_their_figures(atlas):
    assert "city pairs in" in _run("recompute_atlas")
    output = _run("bench_atlas", "--requests", "2", "--only", "list")
    assert "recompute:" in output
    assert "cold p50  cold p95  warm p50  warm p95 cold/warm CPU cold95 CPU warm95" in output
    assert AtlasBuild.objects.filter(trigger="bench_atlas").exists()


def _timed_names(output: str) -> list[str]:
    return [line[:18].strip() for line in output.splitlines() if line.endswith(("pass", "FAIL"))]


def test_bench_times_every_page_and_endpoint_cold_and_warm_with_a_verdict(atlas):
    output = _run("bench_atlas", "--requests", "1", "--pages-only")
    assert "last recompute:" in output
    names = _timed_names(output)
    # The fixture's atlas has a second page of the list, not a second page of 20 French pairs.
    assert names == [name for name in PAGE_NAMES if name != "api pairs FR p2"] or names == list(
        PAGE_NAMES
    )
    row = next(line for line in output.splitlines() if line.startswith("api pairs 500 "))
    cold_p50, cold_p95, warm_p50, warm_p95, ratio, cold_cpu, warm_cpu = row.split()[3:10]
    assert float(cold_p95) >= float(cold_p50) > 0
    assert float(warm_p95) >= float(warm_p50) > 0
    assert ratio.endswith("x")
    assert float(cold_cpu) > 0
    assert float(warm_cpu) > 0
    assert f"of {len(names)} pages meet the target cold and warm" in output
    assert "warm-up after a recomputation: 30 default answers cached in" in output
    assert "load average after the run" in output


def test_bench_only_times_the_pages_named(atlas):
    output = _run(
        "bench_atlas", "--requests", "1", "--pages-only", "--only", "detail", "--only", "api pairs"
    )
    assert _timed_names(output) == ["api pairs", "detail"]


def test_a_page_over_the_target_is_marked_fail():
    fast, slow = PageTiming(10, 20, 5, 8), PageTiming(50, 100.1, 5, 8)
    assert fast.meets_target
    assert not slow.meets_target
    assert fast.ratio == 2


@pytest.mark.django_db
def test_bench_times_a_filtered_second_page_only_when_the_data_has_one(atlas):
    french = CityPair.objects.filter(a_country="FR") | CityPair.objects.filter(b_country="FR")
    many = french.count() > 20
    output = _run("bench_atlas", "--requests", "1", "--pages-only")
    assert ("api pairs FR p2" in output) == many
    # With at most 20 French pairs there is no second page: not timed, no failure.
    keep = list(french.order_by("pk").values_list("pk", flat=True)[:5])
    CityPair.objects.exclude(pk__in=keep).delete()
    output = _run("bench_atlas", "--requests", "1", "--pages-only")
    assert "api pairs FR p2" not in output
    assert "api pairs 500" in output


@pytest.mark.django_db
def test_bench_pages_only_needs_a_computed_atlas():
    with pytest.raises(CommandError, match="never computed"):
        _run("bench_atlas", "--pages-only")


@pytest.mark.django_db
def test_reloading_unchanged_air_files_rewrites_nothing_and_records_no_reject_twice(tmp_path):
    from apps.atlas.loading import load_air_data
    from apps.atlas.models import Airport, AirTraffic
    from apps.trajets.models import ImportRun, RejectedRecord

    first = load_air_data(airports=RAW_AIRPORTS, traffic=RAW_TRAFFIC, dataset="samples")
    assert first.changed
    rows = (Airport.objects.count(), AirTraffic.objects.count(), RejectedRecord.objects.count())
    assert rows[2] == first.traffic.rows_rejected > 0

    again = load_air_data(airports=RAW_AIRPORTS, traffic=RAW_TRAFFIC, dataset="samples")
    assert not again.changed
    assert {again.airports.status, again.traffic.status} == {ImportRun.Status.SKIPPED}
    assert f"since run #{first.traffic.pk}" in again.traffic.message
    assert (
        Airport.objects.count(),
        AirTraffic.objects.count(),
        RejectedRecord.objects.count(),
    ) == rows
    assert set(AirTraffic.objects.values_list("run", flat=True)) == {first.traffic.pk}

    # Other airports: the unchanged passenger file is checked again against them.
    airports = tmp_path / "airports.dat"
    lines = RAW_AIRPORTS.read_text(encoding="utf-8").splitlines(keepends=True)
    airports.write_text("".join(lines[:-1]), encoding="utf-8")
    fewer = load_air_data(airports=airports, traffic=RAW_TRAFFIC, dataset="samples")
    assert fewer.airports.status == fewer.traffic.status == ImportRun.Status.SUCCEEDED
    assert Airport.objects.count() == rows[0] - 1

    forced = load_air_data(airports=airports, traffic=RAW_TRAFFIC, dataset="samples", force=True)
    assert forced.traffic.status == ImportRun.Status.SUCCEEDED


@pytest.mark.django_db
def test_load_air_traffic_says_what_it_skipped_and_leaves_the_atlas_alone():
    args = ("load_air_traffic", "--airports", str(RAW_AIRPORTS), "--traffic", str(RAW_TRAFFIC))
    _run(*args)
    builds = AtlasBuild.objects.count()
    output = _run(*args)
    assert "openflights-airports: skipped, input unchanged since run #" in output
    assert "city pairs" not in output
    assert AtlasBuild.objects.count() == builds
    assert "200 loaded" in _run(*args, "--force")


def test_recompute_atlas_skips_an_atlas_computed_from_the_same_inputs(atlas, monkeypatch):
    import datetime as dt

    from django.utils import timezone

    from apps.trajets.models import DataSource, ImportRun

    assert "city pairs in" in _run("recompute_atlas")  # the fixture's build has no fingerprint
    builds = AtlasBuild.objects.count()
    assert "up to date" in _run("recompute_atlas")
    assert AtlasBuild.objects.count() == builds
    assert "city pairs in" in _run("recompute_atlas", "--force")
    assert AtlasBuild.objects.count() == builds + 1

    # A new successful import changes the inputs; a skipped one does not.
    source = DataSource.objects.create(name="later", format="csv", location="x", licence="x")
    ImportRun.objects.create(source=source, status=ImportRun.Status.SKIPPED)
    assert "up to date" in _run("recompute_atlas")
    ImportRun.objects.create(source=source, status=ImportRun.Status.SUCCEEDED)
    assert "city pairs in" in _run("recompute_atlas")
    assert "up to date" in _run("recompute_atlas")

    # So does a new routing artefact (rebuilt, or lost and built again).
    from apps.routing.services import build_routing_artifact

    build_routing_artifact(run_id="again")
    assert "city pairs in" in _run("recompute_atlas")
    assert "up to date" in _run("recompute_atlas")

    # So does a new day.
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: tomorrow)
    assert "city pairs in" in _run("recompute_atlas")


def test_bench_baseline_times_both_searches_and_finds_the_same_pairs(atlas):
    output = _run("bench_atlas", "--requests", "0", "--baseline")
    assert "pair by pair (the previous search), warm:" in output
    assert "ratio pair by pair / shared:" in output
    assert "x CPU (" in output
    pairs = CityPair.objects.count()
    assert f"stored pairs identical: {pairs} pairs, every field, 0 differences" in output
    assert "p95" not in output  # no page timed with --requests 0
    triggers = set(AtlasBuild.objects.values_list("trigger", flat=True))
    assert {"bench_atlas: pair by pair", "bench_atlas: shared"} <= triggers


def test_bench_baseline_fails_when_the_two_searches_disagree(atlas, monkeypatch):
    from apps.atlas import services

    def miscount_the_last_pair(*args, **kwargs):
        found = original(*args, **kwargs)
        if not kwargs.get("is_shared", True):
            key = max(found)
            found[key] = {
                **found[key],
                "rail_direct_per_day": found[key]["rail_direct_per_day"] + 1,
            }
        return found

    original = services._rail_by_pair
    monkeypatch.setattr(services, "_rail_by_pair", miscount_the_last_pair)
    with pytest.raises(CommandError, match="stored 1 fields differently"):
        _run("bench_atlas", "--requests", "0", "--baseline")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--requests", "-1"), "--requests must be 0 or more, not -1"),
        (("--pages-only", "--baseline"), "exclude each other"),
        (("--only", "everything"), "invalid choice: 'everything'"),
    ],
)
@pytest.mark.django_db
def test_bench_refuses_bad_options(args, message):
    with pytest.raises(CommandError, match=message):
        _run("bench_atlas", *args)


@pytest.mark.django_db
def test_load_air_traffic_rebuilds_the_derived_data_once_unless_asked_not_to(derived_calls):
    files = ("--airports", str(RAW_AIRPORTS), "--traffic", str(RAW_TRAFFIC))
    _run("load_air_traffic", "--no-recompute", *files)
    assert derived_calls == []  # left to the ETL or rebuild_derived that follows
    output = _run("load_air_traffic", "--force", *files)
    traffic = ImportRun.objects.filter(source__name="eurostat-avia-par-fr").latest("pk")
    assert derived_calls == [(traffic.pk, True)]
    assert traffic.derived[0]["status"] == "rebuilt"
    assert "derived data: probe rebuilt" in output
    _run("load_air_traffic", *files)  # unchanged files: skipped, nothing to rebuild
    assert derived_calls == [(traffic.pk, True)]
