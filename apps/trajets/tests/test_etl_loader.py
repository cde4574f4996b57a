"""The ETL loader and command against the database: idempotence, safety, merges, rejects."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import fcntl
import itertools
import json
import shutil
from collections import defaultdict
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from apps.stats.models import VolumeSummary
from apps.trajets.etl.errors import LockedError
from apps.trajets.etl.loader import ETL_LOCK_KEY, load_source
from apps.trajets.etl.quality import compute_quality_report
from apps.trajets.etl.runner import INTERRUPTED_MESSAGE, run_etl
from apps.trajets.etl.sources import DEFAULT_SOURCES_FILE, SourceSpec, load_sources
from apps.trajets.etl.transform import DETOUR_FACTOR
from apps.trajets.models import (
    CalendarException,
    DataSource,
    ImportRun,
    RejectedRecord,
    Station,
    Stop,
    Trajet,
)
from apps.trajets.tests.test_etl_extractors import (
    FIXTURES,
    GTFS_T1_CHANGED_T2_GONE,
    SAMPLES,
    write_gtfs,
)
from obrail.caching import data_version

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def isolated_artefacts(settings, tmp_path: Path) -> None:
    """The derived-data pipeline writes artefacts: keep them out of the shared var/."""
    settings.ROUTING_ARTIFACT_DIR = tmp_path / "routing"
    settings.ETL_CACHE_DIR = tmp_path / "etl-cache"


def spec(name: str) -> SourceSpec:
    return next(s for s in load_sources(DEFAULT_SOURCES_FILE) if s.name == name)


def local(spec_: SourceSpec) -> Path:
    return Path(__file__).resolve().parents[3] / spec_.path


def snapshot() -> list[tuple]:
    return sorted(
        Trajet.objects.values_list(
            "source_record_id", "departure_time", "arrival_time", "duration_min", "content_hash"
        )
    )


def test_the_bundled_samples_load_with_night_services_and_traced_runs() -> None:
    reports = run_etl([s for s in load_sources(DEFAULT_SOURCES_FILE) if s.enabled])
    assert all(r.status == "succeeded" for r in reports), [r.summary() for r in reports]
    # One trajet per Lunéa train: its trips with the same stops, times and boarding rules
    # (counted from the raw files) are one train running on the union of their days.
    assert Trajet.objects.filter(source__name="sncf-intercites", kind="night").count() == len(
        _distinct_trains(SAMPLES / "gtfs/sncf_intercites_2013-12", "Lunéa")
    )
    assert Trajet.objects.filter(source__name="back-on-track-ontd").exists()
    assert not Trajet.objects.filter(source_record_id__contains="+").exists()
    lunea = Trajet.objects.filter(category="Corail Lunéa").first()
    assert lunea.kind_reason.startswith("LUNEA is a night-train product")
    assert lunea.co2_rail_kg > 0
    # The flight equivalent is the atlas's (apps.atlas.trajet_flights), not the ETL's.
    assert lunea.co2_flight_kg is None
    assert lunea.rail_emission_factor.country == "FR"
    run = ImportRun.objects.filter(source__name="back-on-track-ontd").latest("started_at")
    assert (
        run.rows_read
        == run.rows_inserted
        + run.rows_updated
        + run.rows_unchanged
        + run.rows_folded
        + run.rows_rejected
    )
    assert RejectedRecord.objects.filter(run=run, reason_code="not_a_record").count() == 2
    skopje = Station.objects.filter(time_zone="Europe/Skopje")
    assert skopje.exists()
    assert set(skopje.values_list("country", flat=True)) == {"MK"}
    assert not Station.objects.filter(time_zone="Europe/Bucarest").exists()
    assert Stop.objects.filter(arrival_time__isnull=True, departure_time__isnull=True).count() == 0


def _service_dates(folder: Path) -> dict[str, set[dt.date]]:
    """Each service's dates from calendar.txt and calendar_dates.txt."""
    dates: dict[str, set[dt.date]] = defaultdict(set)
    weekdays = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    with (folder / "calendar.txt").open(encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            day = dt.datetime.strptime(row["start_date"], "%Y%m%d").date()
            end = dt.datetime.strptime(row["end_date"], "%Y%m%d").date()
            while day <= end:
                if row[weekdays[day.weekday()]] == "1":
                    dates[row["service_id"]].add(day)
                day += dt.timedelta(days=1)
    with (folder / "calendar_dates.txt").open(encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            day = dt.datetime.strptime(row["date"], "%Y%m%d").date()
            if row["exception_type"] == "1":
                dates[row["service_id"]].add(day)
            else:
                dates[row["service_id"]].discard(day)
    return dates


def _distinct_trains(folder: Path, route_word: str) -> set[tuple]:
    """Distinct trains of the trips whose route id has the word: distinct (stops, times,
    boarding rules), each group of same-day twins (same ends and end times, a common
    service date; all these trains leave before midnight) counted once, by the timetable
    of the trip running on most dates."""
    with (folder / "trips.txt").open(encoding="utf-8-sig") as handle:
        trips = list(csv.DictReader(handle))
    routes = {row["trip_id"]: row["route_id"] for row in trips}
    services = {row["trip_id"]: row["service_id"] for row in trips}
    service_dates = _service_dates(folder)
    with (folder / "stops.txt").open(encoding="utf-8-sig") as handle:
        parent = {r["stop_id"]: r["parent_station"] or r["stop_id"] for r in csv.DictReader(handle)}
    calls: dict[str, list[tuple]] = defaultdict(list)
    with (folder / "stop_times.txt").open(encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            calls[row["trip_id"]].append(
                (
                    int(row["stop_sequence"]), parent[row["stop_id"]], row["arrival_time"],
                    row["departure_time"], row["pickup_type"], row["drop_off_type"],
                )
            )  # fmt: skip
    timetables: dict[tuple, set[dt.date]] = defaultdict(set)
    for trip, rows in calls.items():
        if route_word in routes.get(trip, ""):
            timetables[tuple(call[1:] for call in sorted(rows))] |= service_dates[services[trip]]
    trains = dict(timetables)
    merged = True
    while merged:  # fold twins until no two trains share ends, end times and a date
        merged = False
        for a, b in itertools.combinations(list(trains), 2):
            same_ends = (a[0][0], a[0][2], a[-1][0], a[-1][1]) == (
                b[0][0], b[0][2], b[-1][0], b[-1][1],
            )  # fmt: skip
            if same_ends and trains[a] & trains[b]:
                kept, gone = (a, b) if len(trains[a]) >= len(trains[b]) else (b, a)
                trains[kept] |= trains.pop(gone)
                merged = True
                break
    return set(trains)


def test_second_run_is_skipped_and_a_forced_run_reports_everything_unchanged() -> None:
    source = spec("sncf-intercites")
    first = load_source(source, path=local(source))
    assert first.inserted > 0
    second = load_source(source, path=local(source))
    assert second.status == "skipped"
    forced = load_source(source, path=local(source), force=True)
    assert forced.status == "succeeded"
    assert (forced.inserted, forced.updated, forced.rejected) == (0, 0, 0)
    # Every train is unchanged; the calendar variants fold into them again.
    assert (forced.unchanged, forced.folded) == (first.inserted, first.folded)
    assert first.folded > 0


def test_changed_input_updates_only_the_changed_trajet_and_deletes_vanished_ones(
    tmp_path: Path,
) -> None:
    feed = write_gtfs(tmp_path / "feed")
    source = SourceSpec(name="mini", format="gtfs", path=str(feed))
    load_source(source, path=feed)
    original = Trajet.objects.get(source_record_id="T2")
    assert (original.departure_time.hour, original.arrival_day_offset) == (23, 1)
    reims = original.stops.get(sequence=1)
    assert (reims.arrival_time, reims.arrival_day_offset) == (dt.time(0, 40), 1)
    assert (reims.departure_time, reims.departure_day_offset) == (dt.time(0, 42), 1)
    # Paris → Reims is 129 km as the crow flies, 156 km of line: times the detour factor.
    assert reims.distance_from_origin_km == pytest.approx(129 * DETOUR_FACTOR, abs=3)
    assert original.distance_method == "stops"
    assert original.stops.get(sequence=0).arrival_time is None
    write_gtfs(feed, **GTFS_T1_CHANGED_T2_GONE)
    report = load_source(source, path=feed)
    assert (report.updated, report.deleted) == (1, 1)
    assert Trajet.objects.get(source_record_id="T1").duration_min == 115
    assert not Trajet.objects.filter(source_record_id="T2").exists()


def test_a_failure_mid_load_leaves_the_previous_data_intact(tmp_path: Path) -> None:
    folder = tmp_path / "db"
    shutil.copytree(SAMPLES / "gtfs/db_fernverkehr_gtfsde_2025-11", folder)
    source = dataclasses.replace(spec("db-fernverkehr"), path=str(folder))
    load_source(source, path=folder)
    before = snapshot()
    stops_before = Stop.objects.count()
    text = (folder / "stop_times.txt").read_text()
    (folder / "stop_times.txt").write_text(text.replace(":00:00,", ":01:00,"))
    report = load_source(source, path=folder, fail_after_services=1)
    assert report.status == "failed"
    assert "failure injected" in report.message
    assert snapshot() == before
    assert Stop.objects.count() == stops_before
    assert ImportRun.objects.filter(status="failed").count() == 1


def test_an_unexpected_error_mid_load_is_a_failed_run_naming_it_and_writes_nothing(
    tmp_path: Path, monkeypatch, caplog
) -> None:
    from apps.trajets.etl import load_trajets

    folder = tmp_path / "db"
    shutil.copytree(SAMPLES / "gtfs/db_fernverkehr_gtfsde_2025-11", folder)
    source = dataclasses.replace(spec("db-fernverkehr"), path=str(folder))

    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(load_trajets.InjectedFailureError, "__init__", broken)
    report = load_source(source, path=folder, fail_after_services=1)
    assert report.status == "failed"
    assert report.message == "unexpected ZeroDivisionError: a bug"
    assert "Traceback" in caplog.text or any(r.exc_info for r in caplog.records)
    assert not Trajet.objects.exists()
    run = ImportRun.objects.get(pk=report.run_id)
    assert (run.status, run.message) == ("failed", "unexpected ZeroDivisionError: a bug")


def test_a_database_error_in_a_background_write_fails_the_load_with_its_own_message(
    tmp_path: Path, monkeypatch
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("writes run in a worker thread on PostgreSQL only")
    from apps.trajets.etl import load_trajets
    from apps.trajets.etl.transform import HarmonisedService

    folder = tmp_path / "db"
    shutil.copytree(SAMPLES / "gtfs/db_fernverkehr_gtfsde_2025-11", folder)
    source = dataclasses.replace(spec("db-fernverkehr"), path=str(folder))
    load_source(source, path=folder)
    before = snapshot()
    stops_before = Stop.objects.count()
    text = (folder / "stop_times.txt").read_text()
    (folder / "stop_times.txt").write_text(text.replace(":00:00,", ":01:00,"))
    monkeypatch.setattr(load_trajets, "SERVICE_BATCH", 1)
    monkeypatch.setattr(HarmonisedService, "stop_copy_text", lambda self, pk: "x\t0\n")
    report = load_source(source, path=folder)
    assert report.status == "failed"
    assert "invalid input syntax" in report.message
    assert "transaction is aborted" not in report.message
    assert snapshot() == before
    assert Stop.objects.count() == stops_before


def test_a_broken_reference_fails_the_batch_that_wrote_it_and_keys_stay_deferred() -> None:
    from django.db import transaction

    from apps.trajets.etl.writer import BulkWriter

    if connection.vendor != "postgresql":
        pytest.skip("SQLite checks foreign keys at commit only")
    from psycopg.errors import ForeignKeyViolation

    writer = BulkWriter()
    table = CalendarException._meta.db_table
    columns = ("trajet_id", "date", "is_added")

    def write_a_dangling_exception_and_check() -> None:
        writer.insert(table, columns, [(987_654, dt.date(2025, 1, 1), True)])
        writer.check_deferred([table])

    with pytest.raises(ForeignKeyViolation, match="987654"), transaction.atomic():
        write_a_dangling_exception_and_check()
    with transaction.atomic():
        writer.insert(table, columns, [(987_654, dt.date(2025, 1, 2), True)])
        # Deferred again after the check: the dangling row may be removed before the commit.
        CalendarException.objects.filter(trajet_id=987_654).delete()
    assert not CalendarException.objects.exists()


def test_prepared_rows_round_trip_through_copy_with_escapes_nulls_and_dates() -> None:
    from apps.trajets.etl.writer import BulkWriter

    if connection.vendor != "postgresql":
        pytest.skip("COPY text is the PostgreSQL path")
    writer = BulkWriter()
    columns = ("t", "b", "d", "h", "x", "n")
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE etl_copy_check "
            "(t text, b boolean, d date, h time, x float, n integer)"
        )
    rows = [
        ("tab\there, back\\slash, new\nline, cr\r, é", True, dt.date(2025, 1, 6),
         dt.time(23, 59, 30), 0.1 + 0.2, None),
        ("", False, None, None, -1e-7, 42),
    ]  # fmt: skip
    assert writer.write("etl_copy_check", columns, writer.prepare(rows)) == 2
    with connection.cursor() as cursor:
        cursor.execute("SELECT t, b, d, h, x, n FROM etl_copy_check ORDER BY n NULLS FIRST")
        assert [tuple(row) for row in cursor.fetchall()] == rows
        cursor.execute("DROP TABLE etl_copy_check")


def test_dry_run_reports_changes_and_writes_nothing() -> None:
    source = spec("renfe-av-ld-md")
    report = load_source(source, path=local(source), dry_run=True)
    assert report.status == "dry_run"
    assert report.inserted > 200
    assert Trajet.objects.count() == 0
    assert ImportRun.objects.get(pk=report.run_id).status == "dry_run"


def test_a_second_etl_run_is_refused_while_the_lock_is_held(tmp_path: Path, settings) -> None:
    source = spec("sncf-intercites")
    if connection.vendor == "postgresql":
        import psycopg

        params = connection.get_connection_params()
        params.pop("cursor_factory", None)
        params.pop("context", None)
        with psycopg.connect(**params, autocommit=True) as other:
            other.execute("SELECT pg_advisory_lock(%s)", [ETL_LOCK_KEY])
            with pytest.raises(LockedError):
                run_etl([source])
            # Release before closing: a closed session's locks go only when its backend exits.
            other.execute("SELECT pg_advisory_unlock(%s)", [ETL_LOCK_KEY])
    else:
        settings.ETL_CACHE_DIR = tmp_path
        name = Path(str(connection.settings_dict["NAME"])).name
        with (tmp_path / f"etl-{name}.lock").open("w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            with pytest.raises(LockedError):
                run_etl([source])
    assert Trajet.objects.count() == 0
    assert run_etl([source])[0].status == "succeeded"


def test_a_nul_character_or_an_overlong_name_rejects_its_row_not_the_source(
    tmp_path: Path,
) -> None:
    long_name = "Gare " + "x" * 50_000
    feed = write_gtfs(
        tmp_path / "feed",
        **{
            "stops.txt": (
                "stop_id,stop_name,stop_lat,stop_lon\n"
                "S1,Paris Est,48.8768,2.3591\nS2,Strasbourg,48.5850,7.7345\n"
                "S3,Reims,49.2589,4.0245\nS4,Nan\x00cy,48.6897,6.1742\n"
                f"S5,{long_name},48.0,7.0\n"
            ),
            "trips.txt": (
                "route_id,service_id,trip_id,trip_short_name\nR1,W,T1,9001\nR1,W,T2,90\x0003\n"
            ),
        },
    )
    report = load_source(SourceSpec(name="mini", format="gtfs", path=str(feed)), path=feed)
    assert report.status == "succeeded"
    reasons = dict(
        RejectedRecord.objects.filter(run_id=report.run_id).values_list("reason", "reason_code")
    )
    assert reasons["station name contains a NUL character (U+0000)"] == "invalid_text"
    assert reasons["station name is 50,005 characters long (at most 200)"] == "invalid_text"
    assert reasons["service 'T2': a label contains a NUL character (U+0000)"] == "invalid_text"
    assert list(Trajet.objects.values_list("source_record_id", flat=True)) == ["T1"]


def test_a_run_a_killed_process_left_running_is_closed_by_the_next_run() -> None:
    source = spec("sncf-intercites")
    assert run_etl([source])[0].status == "succeeded"
    # What a process killed during its load leaves: a committed "running" row, no data.
    stuck = ImportRun.objects.create(source=DataSource.objects.get(name=source.name))
    assert run_etl([source])[0].status == "skipped"
    stuck.refresh_from_db()
    assert stuck.status == "failed"
    assert stuck.message == INTERRUPTED_MESSAGE
    assert stuck.finished_at is not None
    assert not ImportRun.objects.filter(status="running").exists()


def test_a_run_that_changes_nothing_rebuilds_a_missing_artefact(settings, tmp_path: Path) -> None:
    from apps.routing.pathfinding.artifact import current_version

    settings.ROUTING_ARTIFACT_DIR = tmp_path / "routing"
    source = spec("sncf-intercites")
    run_etl([source])
    first = current_version(settings.ROUTING_ARTIFACT_DIR)
    assert first is not None
    # A process killed between its commit and the rebuild: no artefact (the etl command
    # rebuilds the volume summary itself, see the test below).
    (settings.ROUTING_ARTIFACT_DIR / "CURRENT").unlink()
    assert run_etl([source])[0].status == "skipped"
    second = current_version(settings.ROUTING_ARTIFACT_DIR)
    assert second not in (None, first)
    # Current ones are left alone.
    run_etl([source])
    assert current_version(settings.ROUTING_ARTIFACT_DIR) == second


def test_the_same_train_from_two_sources_is_counted_once_and_a_train_at_other_times_is_not(
    tmp_path: Path,
) -> None:
    first = write_gtfs(tmp_path / "a")
    # X1 is T1 (same numbers, same times at Paris and Strasbourg, no stop at Reims); X2
    # leaves Paris at the same minute but reaches Strasbourg 20 minutes later: another train.
    second = write_gtfs(
        tmp_path / "b",
        **{
            "trips.txt": "route_id,service_id,trip_id,trip_headsign\nR1,W,X1,9001\nR1,W,X2,\n",
            "stop_times.txt": (
                "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                "X1,,08:00:00,S1,1\nX1,09:50:00,,S2,2\n"
                "X2,,08:00:00,S1,1\nX2,10:10:00,,S2,2\n"
            ),
        },
    )
    load_source(SourceSpec(name="feed-b", format="gtfs", path=str(second)), path=second)
    report = load_source(SourceSpec(name="feed-a", format="gtfs", path=str(first)), path=first)
    assert report.merged == 1
    t1 = Trajet.objects.get(source_record_id="T1")
    x1 = Trajet.objects.get(source_record_id="X1")
    x2 = Trajet.objects.get(source_record_id="X2")
    # T1 calls at more stations: it is the one counted; each keeps its own provenance.
    assert (x1.same_train_as_id, t1.same_train_as_id, x2.same_train_as_id) == (t1.pk, None, None)
    assert Trajet.objects.counted().count() == 3
    assert list(x1.provenances.values_list("source__name", "source_record_id")) == [
        ("feed-b", "X1")
    ]
    again = load_source(
        SourceSpec(name="feed-b", format="gtfs", path=str(second)), path=second, force=True
    )
    assert (again.merged, again.inserted, again.updated, again.deleted) == (0, 0, 0, 0)
    assert Trajet.objects.get(source_record_id="X1").same_train_as_id == t1.pk
    # T1 now reaches Strasbourg at 09:55: not the same train as X1 any more.
    load_source(
        SourceSpec(name="feed-a", format="gtfs", path=str(first)),
        path=write_gtfs(tmp_path / "a2", **GTFS_T1_CHANGED_T2_GONE),
    )
    assert Trajet.objects.get(source_record_id="X1").same_train_as_id is None


@pytest.mark.parametrize(
    ("fmt", "fixture", "message"),
    [
        ("csv", "latin1_stations.csv", "encoding"),
        ("csv", "empty.csv", "empty file"),
        ("csv", "missing_columns.csv", "no station name column"),
        ("european-sleeper-html", "no_table.html", "no timetable found"),
    ],
)
def test_broken_files_fail_clearly_and_leave_stored_data_untouched(
    fmt: str, fixture: str, message: str
) -> None:
    source = spec("sncf-intercites")
    load_source(source, path=local(source))
    before = snapshot()
    broken = SourceSpec(name="broken", format=fmt, path=str(FIXTURES / fixture))
    report = load_source(broken, path=FIXTURES / fixture)
    assert report.status == "failed"
    assert message in report.message
    assert snapshot() == before
    assert ImportRun.objects.get(pk=report.run_id).message.startswith(report.message[:40])


def test_truncated_zip_and_bad_rows_are_reported(tmp_path: Path) -> None:
    truncated = tmp_path / "feed.zip"
    truncated.write_bytes(
        (SAMPLES / "gtfs/renfe_av_ld_md_2022-06/google_transit.zip").read_bytes()[:9000]
    )
    report = load_source(SourceSpec(name="cut", format="gtfs", path=str(truncated)), path=truncated)
    assert report.status == "failed"
    assert "truncated" in report.message
    feed = write_gtfs(
        tmp_path / "rows",
        **{
            "stop_times.txt": (
                "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                "T1,,08:00:00,S1,1\nT1,25:61:00,,S2,2\nT2,,08:00:00,S1,1\nT2,09:00:00,,GHOST,2\n"
            ),
        },
    )
    report = load_source(SourceSpec(name="rows", format="gtfs", path=str(feed)), path=feed)
    assert report.status == "succeeded"
    codes = dict(
        RejectedRecord.objects.filter(run_id=report.run_id).values_list("location", "reason_code")
    )
    assert codes == {
        "stop_times.txt:2 [trip_id=T1]": "invalid_time",
        "stop_times.txt:4 [trip_id=T2]": "unknown_station",
    }
    assert Trajet.objects.filter(source__name="rows").count() == 0


def test_a_successful_load_only_rebuilds_the_derived_data(derived_calls) -> None:
    source = spec("sncf-intercites")
    first = load_source(source, path=local(source))
    load_source(source, path=local(source))  # skipped: unchanged input
    assert derived_calls == [(first.run_id, True)]
    stored = ImportRun.objects.get(pk=first.run_id).derived
    assert [entry["name"] for entry in stored] == ["probe"]
    assert stored[0]["status"] == "rebuilt"


def test_an_etl_run_rebuilds_the_derived_data_once_saying_whether_data_changed(
    derived_calls,
) -> None:
    first = run_etl([spec("sncf-intercites"), spec("db-fernverkehr")])
    again = run_etl([spec("sncf-intercites"), spec("db-fernverkehr")], force=True)
    assert [report.status for report in first] == ["succeeded", "succeeded"]
    assert [report.has_changes for report in again] == [False, False]
    # Once per run, after the last source: with the last run that changed data, then (a
    # reload changing nothing) with the last run, told nothing changed.
    assert derived_calls == [(first[-1].run_id, True), (again[-1].run_id, False)]
    assert ImportRun.objects.get(pk=first[-1].run_id).derived[0]["name"] == "probe"
    assert ImportRun.objects.get(pk=first[0].run_id).derived == []


def test_a_dry_run_rebuilds_no_derived_data(derived_calls) -> None:
    run_etl([spec("sncf-intercites")], dry_run=True)
    assert derived_calls == []


def test_etl_command_leaves_the_volume_summary_current_even_after_a_reload_changing_nothing():
    call_command("etl", "--source", "sncf-intercites", stdout=StringIO())
    built = set(VolumeSummary.objects.values_list("data_version", flat=True))
    assert built == {data_version()}
    out = StringIO()
    call_command("etl", "--source", "sncf-intercites", "--force", stdout=out)
    assert "volume-summary rebuilt" in out.getvalue()  # a new version, the same data
    assert set(VolumeSummary.objects.values_list("data_version", flat=True)) == {data_version()}
    assert data_version() not in built


def test_etl_command_reports_and_fails_with_non_zero_status_on_a_failing_source() -> None:
    out = StringIO()
    call_command("etl", "--source", "sncf-intercites", stdout=out)
    assert "sncf-intercites: succeeded" in out.getvalue()
    with pytest.raises(CommandError, match="1 source"):
        call_command(
            "etl", "--format", "csv", "--name", "partner", "--path", str(FIXTURES / "empty.csv"),
            stdout=StringIO(),
        )  # fmt: skip
    with pytest.raises(CommandError, match="unknown source"):
        call_command("etl", "--source", "nope", stdout=StringIO())
    out = StringIO()
    with pytest.raises(CommandError, match="1 source"):
        call_command(
            "etl", "--format", "gtfs", "--name", "gone", "--path", "/nonexistent/feed.zip",
            stdout=out,
        )  # fmt: skip
    assert "/nonexistent/feed.zip does not exist" in out.getvalue()


def test_quality_report_explains_rejects_completeness_and_merges(tmp_path: Path) -> None:
    source = spec("back-on-track-ontd")
    load_source(source, path=local(source))
    first = write_gtfs(tmp_path / "a")
    load_source(SourceSpec(name="feed-a", format="gtfs", path=str(first)), path=first)
    report = compute_quality_report()
    ontd = next(s for s in report.sources if s.source == "back-on-track-ontd")
    assert ontd.trajets == ontd.night_trajets > 0
    assert ontd.trajet_completeness["co2_rail_kg"] == 100.0
    codes = {g.reason_code: g for g in ontd.rejects}
    assert codes["not_a_record"].count == 2
    assert "section header" in codes["not_a_record"].example_reason
    assert sum(g.count for g in ontd.rejects) == ontd.rows_rejected
    feed = next(s for s in report.sources if s.source == "feed-a")
    assert feed.trajet_completeness["train_number"] == 100.0
    out = StringIO()
    call_command("quality_report", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert {s["source"] for s in data["sources"]} == {"back-on-track-ontd", "feed-a"}
    text = StringIO()
    call_command("quality_report", stdout=text)
    assert "rejected      2 × not_a_record" in text.getvalue()


def test_sleeper_page_stations_match_by_name_and_a_forced_rerun_changes_nothing(
    tmp_path: Path,
) -> None:
    reference = spec("trainline-stations")
    load_source(reference, path=local(reference))
    extra = tmp_path / "utrecht.csv"
    extra.write_text("name;latitude;longitude;country\nUtrecht Centraal;52.0894;5.1101;NL\n")
    load_source(SourceSpec(name="extra", format="csv", path=str(extra)), path=extra)
    page = SourceSpec(
        name="sleeper",
        format="european-sleeper-html",
        path=str(FIXTURES / "sleeper_timetable.html"),
    )
    first = load_source(page, path=FIXTURES / "sleeper_timetable.html")
    assert first.status == "succeeded"
    trajet = Trajet.objects.get(source__name="sleeper")
    assert (trajet.origin.name, trajet.destination.name) == ("Amsterdam-Centraal", "Wien Hbf")
    assert trajet.duration_min == 13 * 60 + 15 - 60
    assert trajet.kind == "night"
    assert trajet.stops.count() == 5
    again = load_source(page, path=FIXTURES / "sleeper_timetable.html", force=True)
    assert (again.inserted, again.updated) == (0, 0)
    assert again.unchanged == again.read - again.rejected
    assert again.rejected == 1


def test_etl_command_loads_an_ad_hoc_partner_feed(tmp_path: Path) -> None:
    feed = write_gtfs(tmp_path / "partner")
    out = StringIO()
    call_command("etl", "--format", "gtfs", "--name", "partner", "--path", str(feed), stdout=out)
    assert "partner: succeeded" in out.getvalue()
    assert Trajet.objects.filter(source__name="partner").count() == 2


def test_bench_compares_the_pipeline_with_the_database_floor_and_leaves_nothing(
    tmp_path: Path,
) -> None:
    from apps.trajets.etl.bench import benchmark_gtfs
    from apps.trajets.etl.errors import EtlError

    feed = write_gtfs(tmp_path / "feed")
    if connection.vendor != "postgresql":
        with pytest.raises(EtlError, match="PostgreSQL"):
            benchmark_gtfs(feed)
        return
    result = benchmark_gtfs(feed)
    assert (result.source_stop_times, result.stored_stops) == (6, 6)
    # The floor copies exactly what the pipeline wrote: 2 trajets, their 6 stops, 3
    # stations and their 3 source records, 2 provenance rows.
    assert {
        table: result.floor_rows[table]
        for table in (
            "trajets_trajet",
            "trajets_stop",
            "trajets_station",
            "trajets_trajetprovenance",
        )
    } == {
        "trajets_trajet": 2,
        "trajets_stop": 6,
        "trajets_station": 3,
        "trajets_trajetprovenance": 2,
    }
    assert result.ratio == pytest.approx(result.pipeline_s / result.floor_total_s)
    assert {"station identity", "reading and harmonising"} <= set(result.phases_s)
    assert Trajet.objects.count() == 0
    # The floor's copies carry the foreign keys of the real tables, and are dropped.
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_class WHERE relname LIKE 'bench_floor_%%'")
        assert cursor.fetchone()[0] == 0
    assert not ImportRun.objects.filter(source__name="bench-gtfs").exists()
    out = StringIO()
    call_command("bench_etl", str(feed), stdout=out)
    assert "same indexes, checks and foreign keys" in out.getvalue()
    assert "source stop_times/s" in out.getvalue()
    assert "load average" in out.getvalue()
    assert Trajet.objects.count() == 0


def test_the_bench_floor_gives_its_copies_the_foreign_keys_of_the_real_tables() -> None:
    from apps.trajets.etl.bench import _foreign_keys

    if connection.vendor != "postgresql":
        pytest.skip("the floor is PostgreSQL's")
    with connection.cursor() as cursor:
        statements = _foreign_keys(cursor, "trajets_stop", "bench_floor_trajets_stop")
    assert len(statements) == 2
    assert all(
        s.startswith('ALTER TABLE "bench_floor_trajets_stop" ADD CONSTRAINT') for s in statements
    )
    assert any("REFERENCES trajets_trajet(id)" in s for s in statements)
    assert any("REFERENCES trajets_station(id)" in s for s in statements)


def test_a_gtfs_transfer_from_a_stop_to_itself_sets_the_station_minimum_change_time(
    tmp_path: Path,
) -> None:
    feed = write_gtfs(
        tmp_path / "feed",
        **{
            "transfers.txt": (
                "from_stop_id,to_stop_id,transfer_type,min_transfer_time\n"
                "S3,S3,2,150\nS1,S2,2,600\nS2,S2,1,\n"
            )
        },
    )
    source = SourceSpec(name="mini", format="gtfs", path=str(feed))

    report = load_source(source, path=feed)

    assert report.status == "succeeded"
    assert report.transfers == 3
    assert report.station_transfer_times == 1
    times = dict(Station.objects.values_list("name", "min_transfer_min"))
    assert times["Reims"] == 3  # 150 s, rounded up to whole minutes
    assert times["Paris Est"] is None
    assert times["Strasbourg"] is None
    again = load_source(source, path=feed, force=True)
    assert again.station_transfer_times == 0
    assert not again.has_changes
