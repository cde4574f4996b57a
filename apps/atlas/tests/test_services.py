"""Loading the air data, the city pairs and the simulator, checked against the raw files."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.utils import timezone

from apps.atlas import rail, rail_coverage, services
from apps.atlas.models import Airport, AirTraffic, AtlasBuild, CityPair
from apps.atlas.policy import PolicyRule
from apps.atlas.services import method_factors, pair_co2, recompute_atlas, run_policy
from apps.atlas.tests.conftest import FULL_TRAFFIC, RAW_AIRPORTS, RAW_TRAFFIC
from apps.atlas.tests.raw import city_pair_passengers, haversine_km, raw_airports, raw_passengers
from apps.trajets.models import DataSource, EmissionFactor, ImportRun, RejectedRecord
from obrail import derived

DB_FEED = (
    Path(django_settings.BASE_DIR) / "data" / "samples" / "gtfs" / "db_fernverkehr_gtfsde_2025-11"
)
ACCEPTANCE = ["Lyon", "Marseille", "Bordeaux", "Toulouse", "Nice", "Barcelona", "Madrid",
              "London", "Berlin", "Vienna"]  # fmt: skip


def _paris_pair(name: str) -> CityPair:
    return CityPair.objects.get(
        a_name__in=["Paris", name], b_name__in=["Paris", name], air_passengers__gt=0
    )


def test_loading_records_runs_counts_and_rejects_with_reasons(air_data):
    runs = {run.source.name: run for run in (air_data.airports, air_data.traffic)}
    assert all(run.status == ImportRun.Status.SUCCEEDED for run in runs.values())
    assert runs["openflights-airports"].rows_inserted == Airport.objects.count() == 200
    traffic = runs["eurostat-avia-par-fr"]
    assert traffic.rows_inserted == AirTraffic.objects.count()
    rejects = RejectedRecord.objects.filter(run=traffic)
    assert traffic.rows_rejected == rejects.count() > 0
    # The three notes under Eurostat's table, and pairs whose airport OpenFlights lacks.
    assert rejects.filter(reason_code="not_a_record").count() == 3
    unknown = rejects.filter(reason_code="broken_reference").first()
    assert "not in the OpenFlights airports" in unknown.reason
    assert AirTraffic.objects.get(reporting_icao="LFPG", partner_icao="EGLL", year=2019)


def test_a_reload_replaces_the_rows_in_one_piece(air_data):
    from apps.atlas.loading import load_air_data

    before = AirTraffic.objects.count()
    load_air_data(airports=RAW_AIRPORTS, traffic=RAW_TRAFFIC, dataset="samples")
    assert AirTraffic.objects.count() == before


@pytest.mark.skipif(not FULL_TRAFFIC.exists(), reason="full Eurostat file not present")
def test_the_bundled_slice_holds_the_full_files_lines_unchanged():
    full = set(FULL_TRAFFIC.read_text(encoding="utf-8").splitlines())
    sample = RAW_TRAFFIC.read_text(encoding="utf-8").splitlines()
    assert all(line in full for line in sample)


@pytest.mark.parametrize("name", ACCEPTANCE)
def test_acceptance_pairs_have_the_eurostat_2019_passengers(atlas, name):
    pair = _paris_pair(name)
    paris = pair.airports_a if pair.a_name == "Paris" else pair.airports_b
    other = pair.airports_b if pair.a_name == "Paris" else pair.airports_a
    assert {"LFPG", "LFPO"} <= set(paris)
    known = set(raw_airports(RAW_AIRPORTS))
    expected, _busiest = city_pair_passengers(
        raw_passengers(RAW_TRAFFIC, 2019), set(paris), set(other), known
    )
    assert pair.air_year == 2019
    assert pair.air_passengers == expected > 100_000
    assert pair.air_series["2019"] == expected
    # A rail time where the warehouse has trains between them, else a plain status.
    if pair.rail_status == CityPair.RailStatus.FOUND:
        assert pair.rail_fastest_min > 0
    else:
        assert pair.rail_fastest_min is None


def test_rail_times_come_from_the_timetable_search(atlas):
    lyon = _paris_pair("Lyon")
    assert lyon.rail_status == CityPair.RailStatus.FOUND
    assert lyon.rail_fastest_min == 120.0  # 08:00 -> 10:00 direct
    assert lyon.rail_direct_per_day == 1
    assert lyon.rail_distance_km > 350
    assert lyon.rail_km_by_country[0][0] == "FR"
    marseille = _paris_pair("Marseille")
    # Day: 08:00 -> 12:10 with a change at Lyon; night: 21:00 -> 07:00 direct.
    assert marseille.rail_fastest_min == 250.0
    assert marseille.night_train is True
    assert marseille.night_trains[0]["departure"] == "21:00"
    assert marseille.night_trains[0]["arrival"].startswith("07:00")
    assert _paris_pair("Berlin").rail_status == CityPair.RailStatus.NO_TIMETABLE


def test_the_2h30_rule_on_french_domestic_pairs_is_reproducible_from_the_raw_files(atlas):
    result = run_policy(PolicyRule(threshold_min=150), method="ademe")
    pairs = {p.pair_id: p for p in result.pairs}
    stored = CityPair.objects.filter(
        a_country="FR", b_country="FR", rail_fastest_min__lte=150, air_passengers__gt=0
    )
    assert set(pairs) == set(stored.values_list("pk", flat=True)) != set()
    reports = raw_passengers(RAW_TRAFFIC, 2019)
    coords = raw_airports(RAW_AIRPORTS)
    total_passengers, total_kg = 0, 0.0
    for pair in stored:
        passengers, busiest = city_pair_passengers(
            reports, set(pair.airports_a), set(pair.airports_b), set(coords)
        )
        flown = haversine_km(coords[busiest[0]], coords[busiest[1]]) * 1.1
        air_factor = 0.258 if flown < 1000 else 0.187
        rail_kg = pair.rail_distance_km * 0.00592  # ADEME, France mainline train
        total_passengers += passengers
        total_kg += passengers * (round(flown * air_factor, 3) - round(rail_kg, 3))
    assert result.passengers == total_passengers
    assert result.co2_avoided_t == pytest.approx(total_kg / 1000, abs=0.2)
    assert "Lyon" in {pairs[k].label.split(" – ")[1] for k in pairs}


def test_every_method_is_stored_with_source_year_and_scope(atlas):
    assert set(EmissionFactor.objects.values_list("method", flat=True)) == {
        "ademe", "desnz", "desnz_no_rf", "eea"
    }  # fmt: skip
    assert not EmissionFactor.objects.filter(source_name="").exists()
    assert not EmissionFactor.objects.filter(scope="").exists()
    assert not EmissionFactor.objects.filter(year__isnull=True).exists()


def test_switching_method_scales_the_stored_pairs_by_the_factor_ratio(atlas):
    pair = _paris_pair("Lyon")
    ademe = pair_co2(pair, method_factors("ademe"))
    desnz = pair_co2(pair, method_factors("desnz"))
    assert ademe.method == "ademe"
    assert desnz.method == "desnz"
    ratio = ademe.air_factor.kg_per_pkm / desnz.air_factor.kg_per_pkm
    assert ademe.air_kg / desnz.air_kg == pytest.approx(ratio, rel=1e-4)
    # A corrected factor in the table changes the figures by its ratio, without code.
    EmissionFactor.objects.filter(method="ademe", mode="air", min_distance_km=0).update(
        kg_co2e_per_passenger_km=0.129
    )
    halved = pair_co2(pair, method_factors("ademe"))
    assert halved.air_kg == pytest.approx(ademe.air_kg / 2, abs=1e-3)


def test_the_atlas_is_recomputed_after_a_change_and_not_again_on_the_same_inputs(atlas):
    CityPair.objects.all().delete()
    builds = AtlasBuild.objects.count()
    run = ImportRun.objects.first()
    [outcome] = derived.rebuild_after_change("test", changed=True, run_id=run.pk, only=["atlas"])
    assert outcome.status == "rebuilt"
    assert CityPair.objects.filter(air_passengers__gt=0).exists()
    assert AtlasBuild.objects.count() == builds + 1
    [again] = derived.rebuild_after_change("test", changed=True, only=["atlas"])
    assert again.status == "up_to_date"
    assert AtlasBuild.objects.count() == builds + 1
    [forced] = derived.rebuild_after_change("test", force=True, only=["atlas"])
    assert forced.status == "rebuilt"
    assert AtlasBuild.objects.count() == builds + 2


def test_recomputing_keeps_the_ids_of_pairs_that_remain(atlas):
    ids = dict(CityPair.objects.values_list("a_geonames_id", "pk"))
    recompute_atlas(trigger="again")
    assert dict(CityPair.objects.values_list("a_geonames_id", "pk")).items() >= ids.items()


def test_a_recomputation_leaves_the_planner_statistics_of_its_tables_fresh(atlas):
    from django.db import connection

    from apps.trajets.models import FlightEquivalent

    if connection.vendor != "postgresql":
        pytest.skip("ANALYZE is PostgreSQL's")
    CityPair.objects.filter(rail_status=CityPair.RailStatus.FOUND).delete()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE atlas_citypair")
    recompute_atlas(trigger="again")
    for model in (CityPair, FlightEquivalent):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reltuples FROM pg_class WHERE oid = to_regclass(%s)", [model._meta.db_table]
            )
            assert cursor.fetchone()[0] == model.objects.count() > 0, model


FULL_AIRPORTS = FULL_TRAFFIC.parents[1] / "openflights" / "airports.dat"


@pytest.mark.skipif(not FULL_AIRPORTS.exists(), reason="full Eurostat and OpenFlights files absent")
def test_acceptance_pairs_match_the_full_eurostat_file(db, settings, tmp_path):
    from apps.atlas.loading import load_air_data

    settings.ROUTING_ARTIFACT_DIR = tmp_path / "none"  # no timetable: air side only
    load_air_data(airports=FULL_AIRPORTS, traffic=FULL_TRAFFIC, dataset="full")
    recompute_atlas(trigger="test")
    reports = raw_passengers(FULL_TRAFFIC, 2019)
    known = set(raw_airports(FULL_AIRPORTS)) | {"LSZM"}  # read as LFSB
    for name in ACCEPTANCE:
        pair = _paris_pair(name)
        expected, _busiest = city_pair_passengers(
            reports, set(pair.airports_a), set(pair.airports_b), known
        )
        assert (name, pair.air_year, pair.air_passengers) == (name, 2019, expected)
        assert pair.rail_status == CityPair.RailStatus.NO_TIMETABLE


def test_each_rail_time_names_its_sources_and_is_an_upper_bound_without_a_main_timetable(
    atlas, monkeypatch
):
    lyon = _paris_pair("Lyon")
    assert lyon.rail_sources == ["test-feed"]
    # France has no main long-distance timetable in the warehouse (no TGV feed).
    assert lyon.rail_missing_main == ["FR"]
    assert lyon.rail_is_upper_bound is True
    assert _paris_pair("Berlin").rail_is_upper_bound is False  # no rail time at all
    # The same trains from a current main timetable: the time is the real one.
    monkeypatch.setitem(rail_coverage.MAIN_TIMETABLES, "FR", ("test-feed",))
    today = timezone.localdate()
    DataSource.objects.filter(name="test-feed").update(
        runs_from=today - dt.timedelta(days=1), runs_until=today + dt.timedelta(days=1)
    )
    recompute_atlas(trigger="test")
    lyon = _paris_pair("Lyon")
    assert (lyon.rail_missing_main, lyon.rail_is_upper_bound) == ([], False)


def test_the_simulator_counts_the_passengers_of_the_data_year_only(atlas):
    lyon = _paris_pair("Lyon")
    assert lyon.pk in {p.pair_id for p in run_policy(PolicyRule(150), method="ademe").pairs}
    # A route flown until 2016 only: it had no passenger in 2019, the data's year.
    CityPair.objects.filter(pk=lyon.pk).update(
        air_series={"2016": 12345}, air_year=2016, air_passengers=12345
    )
    result = run_policy(PolicyRule(150), method="ademe")
    assert lyon.pk not in {p.pair_id for p in (*result.pairs, *result.not_judged)}
    assert run_policy(PolicyRule(150), method="ademe", year=2016).passengers == 12345


def _pairs_as_stored() -> dict[tuple[int, int], dict]:
    """Every stored field of every pair but its id and computation time."""
    rows = list(CityPair.objects.values())
    for row in rows:
        del row["id"], row["computed_at"]
    return {(row["a_geonames_id"], row["b_geonames_id"]): row for row in rows}


def test_shared_searches_store_the_same_pairs_as_the_pair_by_pair_search_on_real_trains(
    air_data, settings, tmp_path, monkeypatch
):
    """The bundled DB long-distance extract (real timetables, several reference days) and the
    bundled air traffic: every stored field of every pair, both ways."""
    settings.ROUTING_ARTIFACT_DIR = tmp_path / "routing"
    call_command("etl", "--source", "db-fernverkehr", "--path", str(DB_FEED), stdout=StringIO())
    recompute_atlas(trigger="test: shared searches")
    shared = _pairs_as_stored()

    def pair_by_pair(timetable, origins, destinations, start, end, *, traffic):
        return tuple(
            rail.rail_day(timetable, origins, cities, start, end) for cities in destinations
        )

    monkeypatch.setattr(services, "rail_days", pair_by_pair)
    recompute_atlas(trigger="test: pair by pair")
    assert _pairs_as_stored() == shared
    found = [p for p in shared.values() if p["rail_status"] == CityPair.RailStatus.FOUND]
    assert len(found) >= 20
    assert any(j["transfers"] > 0 for p in found for j in p["rail_journey_list"])


@pytest.mark.parametrize(
    "rule",
    [
        PolicyRule(150),
        PolicyRule(360, domestic_only=False),
        PolicyRule(None, night_train=True, domestic_only=False, country="CH"),
        PolicyRule(600, domestic_only=False, country=""),
    ],
)
def test_the_simulator_reads_only_the_pairs_of_the_country_and_answers_the_same(atlas, rule):
    from apps.atlas.policy import simulate_policy
    from apps.atlas.services import policy_pairs, policy_year

    year = policy_year()
    every_pair = simulate_policy(policy_pairs("ademe", year), rule)
    assert run_policy(rule, method="ademe") == every_pair
    if rule.country:
        read = policy_pairs("ademe", year, country=rule.country)
        assert {rule.country} <= {c for p in read for c in p.countries}
        assert all(rule.country in p.countries for p in read)
    if rule.domestic_only:
        domestic = policy_pairs("ademe", year, country=rule.country, domestic_only=True)
        assert domestic
        assert {p.countries for p in domestic} == {(rule.country, rule.country)}
        assert len(domestic) < len(read)
