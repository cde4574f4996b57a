"""Station identity in the warehouse: the ETL in any order, moving stops, repairing a warehouse
loaded by older rules, re-deriving trajets, and the quality report's truth checks."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Count

from apps.trajets.etl.loader import load_source
from apps.trajets.etl.quality import compute_quality_report
from apps.trajets.etl.sources import DEFAULT_SOURCES_FILE, SourceSpec, load_sources
from apps.trajets.models import (
    DataSource,
    ImportRun,
    SourceStation,
    Station,
    StationWarning,
    Stop,
    Trajet,
)
from apps.trajets.repair import repair_identity
from apps.trajets.station_identity import reconcile_stations
from apps.trajets.tests.factories import (
    make_misplaced_station,
    make_run,
    make_station,
    make_trajet,
)

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def isolated_artefacts(settings, tmp_path: Path) -> None:
    settings.ROUTING_ARTIFACT_DIR = tmp_path / "routing"
    settings.ETL_CACHE_DIR = tmp_path / "etl-cache"


def spec(name: str) -> SourceSpec:
    return next(s for s in load_sources(DEFAULT_SOURCES_FILE) if s.name == name)


def load(*names: str, merge_across_sources: bool = True) -> None:
    for name in names:
        source = spec(name)
        report = load_source(
            source, path=ROOT / source.path, notify=False, merge_across_sources=merge_across_sources
        )
        assert report.status == "succeeded", report.summary()


def stations_snapshot() -> set[tuple]:
    """Each station as its records and attributes (ids aside): what must not depend on the
    order sources were loaded in."""
    records: dict[int, set[tuple[str, str]]] = {}
    for station_id, source, record in SourceStation.objects.values_list(
        "station_id", "source__name", "source_record_id"
    ):
        records.setdefault(station_id, set()).add((source, record))
    rows = Station.objects.values_list(
        "pk", "name", "uic_code", "country", "time_zone", "place__geonames_id"
    )
    return {
        (frozenset(records.get(pk, ())), name, uic, country, zone, place)
        for pk, name, uic, country, zone, place in rows
    }


def stop_stations() -> set[tuple[str, int, str]]:
    return set(Stop.objects.values_list("trajet__source_record_id", "sequence", "station__name"))


def test_sources_loaded_in_any_order_give_the_same_stations_and_stops() -> None:
    # Services are kept apart (no merge across sources): which source's trajet carries a
    # train both publish depends on the order, and is not what this test is about.
    order = ("trainline-stations", "db-fernverkehr", "back-on-track-ontd")
    load(*order, merge_across_sources=False)
    expected, expected_stops = stations_snapshot(), stop_stations()
    for reverse in (order[::-1], (order[1], order[2], order[0])):
        Trajet.objects.all().delete()
        SourceStation.objects.all().delete()
        Station.objects.all().delete()
        ImportRun.objects.all().delete()
        load(*reverse, merge_across_sources=False)
        assert stations_snapshot() == expected, reverse
        # A service calling at a stop its source does not list (three night-train database
        # stops) loads only once another source names that station: compare the others.
        stops = stop_stations()
        common = {t for t, _, _ in stops} & {t for t, _, _ in expected_stops}
        assert len(common) > 0.95 * len({t for t, _, _ in expected_stops})
        assert {s for s in stops if s[0] in common} == {
            s for s in expected_stops if s[0] in common
        }, reverse


def test_a_timetable_loaded_first_moves_to_the_reference_station_loaded_after() -> None:
    load("db-fernverkehr")
    parent = SourceStation.objects.get(source__name="db-fernverkehr", source_record_id="627401")
    assert parent.station.name == "Berlin Hbf"  # the platforms' name, not "S+U Berlin …"
    db_station = parent.station_id
    calls = Stop.objects.filter(station_id=db_station).count()
    assert calls > 0
    load("trainline-stations")
    parent.refresh_from_db()
    reference = SourceStation.objects.get(
        source__name="trainline-stations", source_record_id="7630"
    )
    assert parent.station_id == reference.station_id
    assert parent.merge_rule == "same_name"
    assert Stop.objects.filter(station_id=parent.station_id).count() == calls
    assert not Stop.objects.exclude(station_id__in=Station.objects.values("pk")).exists()


def test_reconciling_twice_changes_nothing() -> None:
    load("trainline-stations", "db-fernverkehr")
    before = stations_snapshot()
    report = reconcile_stations()
    assert not report.has_changes
    assert report.trajets_rederived == 0
    assert stations_snapshot() == before


def test_countries_and_zones_come_from_coordinates_not_from_the_feed() -> None:
    load("db-fernverkehr")
    praha = Station.objects.get(source_records__source_record_id="428937")
    assert (praha.country, praha.time_zone) == ("CZ", "Europe/Prague")
    origins = Trajet.objects.filter(origin=praha)
    assert set(origins.values_list("origin_country", flat=True)) <= {"CZ"}
    assert Station.objects.exclude(place=None).count() > 0


def test_a_legacy_warehouse_is_repaired_without_reloading() -> None:
    """Two copies of Berlin Hbf and a Ukrainian station in the wrong zone, as the former
    matcher left them, with trains on both copies."""
    trainline = DataSource.objects.create(name="trainline-stations", format="csv", licence="x")
    feed = DataSource.objects.create(name="db-fernverkehr", format="gtfs", licence="x")
    night = DataSource.objects.create(name="back-on-track-ontd", format="json", licence="x")
    reference = make_station("Berlin Hbf", country="DE", latitude=52.525589,
                             longitude=13.369548, time_zone="Europe/Berlin")  # fmt: skip
    copy = make_station("S+U Berlin Hauptbahnhof", country="DE", latitude=52.525604,
                        longitude=13.369075, time_zone="Europe/Berlin")  # fmt: skip
    munich = make_station("München Hbf", country="DE", latitude=48.140228, longitude=11.558338,
                          time_zone="Europe/Berlin")  # fmt: skip
    chop = make_station("Chop", country="SK", latitude=48.432711, longitude=22.205549,
                        time_zone="Europe/Bratislava")  # fmt: skip
    kosice = make_station("Košice", country="SK", latitude=48.7226, longitude=21.2676,
                          time_zone="Europe/Bratislava")  # fmt: skip
    records = [
        (trainline, "7630", reference), (feed, "627401", copy), (feed, "42736", munich),
        (night, "Chop", chop), (night, "Košice", kosice),
    ]  # fmt: skip
    for source, record_id, station in records:
        SourceStation.objects.create(
            source=source, source_record_id=record_id, name=station.name, station=station,
            latitude=station.latitude, longitude=station.longitude,
        )  # fmt: skip
    ice = make_trajet([copy, munich], run=make_run(feed), times=[(None, "10:00"), ("14:00", None)])
    night_train = make_trajet(
        [chop, kosice], run=make_run(night), times=[(None, "13:48"), ("15:10", None)]
    )
    out = StringIO()
    call_command("repair_identity", stdout=out)
    assert "stations:" in out.getvalue()
    ice.refresh_from_db()
    assert ice.origin_id == reference.pk  # the copy's trains moved to the reference station
    assert not Station.objects.filter(pk=copy.pk).exists()
    chop.refresh_from_db()
    assert (chop.country, chop.time_zone) == ("UA", "Europe/Kyiv")
    night_train.refresh_from_db()
    # The night-train database gives each stop's own clock time: 13:48 stays 13:48 in Chop,
    # and the duration to Košice (one hour behind) grows from 82 to 142 minutes.
    assert night_train.departure_time == dt.time(13, 48)
    assert night_train.duration_min == 142
    assert night_train.origin_country == "UA"
    assert set(night_train.countries.values_list("country", flat=True)) == {"UA", "SK"}
    again = repair_identity()
    assert not again.has_changes


def test_a_gtfs_trajet_keeps_its_instants_when_a_stop_changes_zone() -> None:
    feed = DataSource.objects.create(name="romania-feed", format="gtfs", licence="x")
    # Nyírábrány lies in Hungary: a feed in Romania's zone gave it Bucharest's.
    border = make_station("Nyirabrany", country="RO", latitude=47.523867, longitude=22.016129,
                          time_zone="Europe/Bucharest")  # fmt: skip
    oradea = make_station("Oradea", country="RO", latitude=47.0654, longitude=21.9402,
                          time_zone="Europe/Bucharest")  # fmt: skip
    for station, record_id in ((border, "09410"), (oradea, "10501")):
        SourceStation.objects.create(
            source=feed, source_record_id=record_id, name=station.name, station=station,
            latitude=station.latitude, longitude=station.longitude,
        )  # fmt: skip
    trajet = make_trajet(
        [border, oradea], run=make_run(feed), times=[(None, "10:24"), ("11:40", None)]
    )
    repair_identity()
    trajet.refresh_from_db()
    border.refresh_from_db()
    assert (border.country, border.time_zone) == ("HU", "Europe/Budapest")
    assert trajet.departure_time == dt.time(9, 24)  # the same instant, in Hungary's zone
    assert trajet.duration_min == 76
    assert trajet.origin_country == "HU"


def test_wrong_coordinates_far_from_the_source_country_are_replaced_and_reported() -> None:
    night = DataSource.objects.create(name="back-on-track-ontd", format="json", licence="x")
    # The night-train database puts Burgas (Bulgaria) in Romania.
    SourceStation.objects.create(
        source=night, source_record_id="Burgas", name="Бургас", place_name="Burgas",
        country="BG", latitude=44.2, longitude=26.5,
    )  # fmt: skip
    reconcile_stations()
    station = Station.objects.get(name="Бургас")
    assert station.country == "BG"
    assert station.latitude == pytest.approx(42.5, abs=0.1)
    warning = StationWarning.objects.get(kind="coordinates_replaced")
    assert "Burgas" in warning.detail


def test_the_quality_report_checks_identity_truth() -> None:
    load("trainline-stations", "db-fernverkehr")
    identity = compute_quality_report().identity
    assert identity.near_pairs_unexplained == 0
    assert identity.country_mismatches_beyond_border == 0
    assert identity.stations_shared_by_sources > 0
    assert identity.operators_sharing_a_website == []
    assert "same_name" in identity.merges_by_rule


@pytest.mark.django_db(transaction=True)
def test_the_legacy_migration_turns_station_source_ids_into_records() -> None:
    executor = MigrationExecutor(connection)
    legacy = [("trajets", "0009_station_identity")]
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(legacy)
    apps = executor.loader.project_state(legacy).apps
    try:
        source = apps.get_model("trajets", "DataSource").objects.create(
            name="trainline-stations", format="csv", licence="x"
        )
        station = apps.get_model("trajets", "Station").objects.create(
            name="Hamburg Hbf", normalised_name="hamburg hbf", country="DE",
            time_zone="Europe/Berlin", latitude=53.55, longitude=10.0, uic_code="8001071",
            source_ids={source.name: ["7474", "22656"]},
            source_names={source.name: ["Hamburg Hbf", "Hamburg Hbf"]},
        )  # fmt: skip
        executor = MigrationExecutor(connection)
        executor.migrate(latest)
    finally:
        MigrationExecutor(connection).migrate(latest)
    records = SourceStation.objects.filter(station_id=station.pk).order_by("source_record_id")
    assert [(r.source_record_id, r.same_as, r.uic_code) for r in records] == [
        ("22656", "7474", "8001071"),
        ("7474", "", "8001071"),
    ]


def test_repair_is_recorded_as_a_run_so_cached_figures_are_recomputed() -> None:
    station = make_misplaced_station()
    assert repair_identity().has_changes
    run = ImportRun.objects.get(source__name="repair-identity")
    assert run.status == "succeeded"
    station.refresh_from_db()
    assert (station.country, station.time_zone, station.place.name) == (
        "AT", "Europe/Vienna", "Vienna",
    )  # fmt: skip
    assert not repair_identity().has_changes
    assert ImportRun.objects.filter(source__name="repair-identity").count() == 1


def test_a_source_zone_with_another_utc_offset_is_reported() -> None:
    feed = DataSource.objects.create(name="db-fernverkehr", format="gtfs", licence="x")
    for record_id, name, lat, lon in (
        ("1", "Chop", 48.432711, 22.205549),  # the feed's zone: Berlin, one hour off
        ("2", "Praha hl.n.", 50.083, 14.435),  # Berlin's zone, Prague's offsets: no warning
    ):
        SourceStation.objects.create(
            source=feed, source_record_id=record_id, name=name, latitude=lat, longitude=lon,
            time_zone="Europe/Berlin",
        )  # fmt: skip
    reconcile_stations()
    warnings = list(StationWarning.objects.filter(kind="zone_disagrees"))
    assert [w.station.name for w in warnings] == ["Chop"]
    assert "Europe/Kyiv" in warnings[0].detail


def test_every_record_joined_to_a_station_says_why() -> None:
    load("trainline-stations", "db-fernverkehr", "back-on-track-ontd")
    shared = (
        SourceStation.objects.values("station_id")
        .annotate(records=Count("id"))
        .filter(records__gt=1)
        .values("station_id")
    )
    unexplained = SourceStation.objects.filter(station_id__in=shared, merge_rule="")
    # Only the record naming each station has no merge of its own.
    assert unexplained.count() == shared.count()


def test_records_naming_parts_of_one_station_are_one_station(tmp_path) -> None:
    from apps.trajets.tests.test_etl_extractors import GTFS_FILES, write_gtfs

    stops = GTFS_FILES["stops.txt"] + (
        "10017,Bucureşti Nord Gr.A,44.446652,26.073465\n"
        "17417,Bucureşti Nord Gr.B,44.449479,26.069264\n"
    )
    feed = write_gtfs(tmp_path / "feed", **{"stops.txt": stops})
    spec_ = SourceSpec(
        name="romania",
        format="gtfs",
        path=str(feed),
        options={"station_part_pattern": r"\s+Gr\.[A-Z]$"},
    )
    report = load_source(spec_, path=feed, notify=False)
    assert report.status == "succeeded", report.summary()
    a, b = (SourceStation.objects.get(source_record_id=i) for i in ("10017", "17417"))
    assert a.station_id == b.station_id
    assert b.same_as == "10017"


def test_repair_reports_changed_warnings_as_a_change() -> None:
    feed = DataSource.objects.create(name="db-fernverkehr", format="gtfs", licence="x")
    SourceStation.objects.create(
        source=feed, source_record_id="1", name="Chop", latitude=48.432711,
        longitude=22.205549, time_zone="Europe/Kyiv",
    )  # fmt: skip
    repair_identity()
    SourceStation.objects.filter(source_record_id="1").update(time_zone="Europe/Berlin")
    repair = repair_identity()
    assert repair.stations.warnings_changed
    assert repair.has_changes
    assert StationWarning.objects.filter(kind="zone_disagrees").exists()


def test_a_code_a_forgotten_record_held_goes_to_the_station_that_still_has_it(tmp_path) -> None:
    # Two sources give UIC 8768604 to two places 40 km apart with unrelated names (trainline's
    # "Serre Chevalier Gare Routière", TER's "Serre-Chevalier le Monetier"): two stations,
    # the code on the first. The first source then drops its record: the code moves, the
    # station nothing describes any more goes, and nothing fails.
    first = tmp_path / "a.csv"
    first.write_text(
        "name;uic;latitude;longitude\nSerre Chevalier Gare Routière;8768604;44.94;6.56\n"
        "Briançon;8768600;44.8914;6.6339\n",
        encoding="utf-8",
    )
    second = tmp_path / "b.csv"
    second.write_text(
        "name;uic;latitude;longitude\nMonetier les Bains Eglise;8768604;45.30;6.51\n",
        encoding="utf-8",
    )
    for name, path in (("ref-a", first), ("ref-b", second)):
        load_source(SourceSpec(name=name, format="csv", path=str(path)), path=path, notify=False)
    holder = Station.objects.get(uic_code="8768604")
    assert holder.name == "Serre Chevalier Gare Routière"
    first.write_text("name;uic;latitude;longitude\nBriançon;8768600;44.8914;6.6339\n")
    report = load_source(SourceSpec(name="ref-a", format="csv", path=str(first)), path=first)
    assert report.status == "succeeded", report.message
    assert Station.objects.get(uic_code="8768604").name == "Monetier les Bains Eglise"
    assert sorted(Station.objects.values_list("name", flat=True)) == [
        "Briançon", "Monetier les Bains Eglise",
    ]  # fmt: skip
