"""One train per trajet, its real days and its kind: folding, turns, links, source sets."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from apps.stats.services import compute_volumes
from apps.trajets.etl.loader import load_source
from apps.trajets.etl.records import Location, ServiceRecord, StopTimeRecord
from apps.trajets.etl.runner import select_sources, warehouse_dataset
from apps.trajets.etl.sources import DEFAULT_SOURCES_FILE, SourceSpec, load_sources
from apps.trajets.etl.transform import split_at_turns
from apps.trajets.models import (
    DataSource,
    ImportRun,
    RejectedRecord,
    Trajet,
    TrajetProvenance,
)
from apps.trajets.periods import PeriodChoice, PeriodKind, restrict_to_period
from apps.trajets.same_train import Call, TrainCalls, match, numbers_agree
from apps.trajets.tests.test_etl_extractors import write_gtfs

pytestmark = pytest.mark.django_db

CALENDAR_HEADER = (
    "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
)


def _dates(trajet: Trajet) -> set[dt.date]:
    day, found = trajet.runs_from, set()
    while day <= trajet.runs_until:
        if trajet.runs_on(day):
            found.add(day)
        day += dt.timedelta(days=1)
    return found


def test_calendar_variants_and_twins_of_one_train_fold_into_one_trajet(tmp_path: Path) -> None:
    # V1 runs on weekdays, V2 at weekends plus one added date outside its range: one train
    # with both provenances, running on exactly the union of their dates.
    feed = write_gtfs(
        tmp_path / "feed",
        **{
            "trips.txt": "route_id,service_id,trip_id,trip_headsign\nR1,W,V1,9001\nR1,E,V2,9001\n",
            "calendar.txt": CALENDAR_HEADER
            + "W,1,1,1,1,1,0,0,20250106,20250117\nE,0,0,0,0,0,1,1,20250106,20250119\n",
            "calendar_dates.txt": "service_id,date,exception_type\nE,20250301,1\nW,20250108,2\n",
            "stop_times.txt": (
                "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                "V1,,08:00:00,S1,1\nV1,09:50:00,,S2,2\nV2,,08:00:00,S1,1\nV2,09:50:00,,S2,2\n"
            ),
        },
    )
    report = load_source(SourceSpec(name="mini", format="gtfs", path=str(feed)), path=feed)
    assert (report.folded, Trajet.objects.count()) == (1, 1)
    trajet = Trajet.objects.get()
    weekdays = {dt.date(2025, 1, d) for d in (6, 7, 9, 10, 13, 14, 15, 16, 17)}
    weekends = {dt.date(2025, 1, d) for d in (11, 12, 18, 19)} | {dt.date(2025, 3, 1)}
    assert _dates(trajet) == weekdays | weekends
    assert (trajet.runs_from, trajet.runs_until, trajet.running_days) == (
        dt.date(2025, 1, 6), dt.date(2025, 3, 1), 14,
    )  # fmt: skip
    assert sorted(trajet.provenances.values_list("source_record_id", flat=True)) == ["V1", "V2"]
    # Reloaded, nothing changes; a variant's dates change, the train is updated.
    again = load_source(
        SourceSpec(name="mini", format="gtfs", path=str(feed)), path=feed, force=True
    )
    assert (again.updated, again.inserted, again.deleted, again.folded) == (0, 0, 0, 1)


def test_same_day_twins_fold_into_one_train_and_other_days_patterns_stay_apart(
    tmp_path: Path,
) -> None:
    # T2 repeats T1 on Mondays with a minute's less dwell at S3: a same-day twin, one train,
    # with T2B, T2's calendar variant on a Saturday T1 does not run. T3 has the same ends
    # and times but runs on Sundays only: another stopping pattern.
    feed = write_gtfs(
        tmp_path / "feed",
        **{
            "trips.txt": "route_id,service_id,trip_id\nR1,W,T1\nR1,M,T2\nR1,A,T2B\nR1,S,T3\n",
            "calendar.txt": CALENDAR_HEADER
            + "W,1,1,1,1,1,0,0,20250106,20250117\nM,1,0,0,0,0,0,0,20250106,20250120\n"
            + "S,0,0,0,0,0,0,1,20250106,20250119\n",
            "calendar_dates.txt": "service_id,date,exception_type\nA,20250125,1\n",
            "stop_times.txt": (
                "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                "T1,,08:00:00,S1,1\nT1,08:45:00,08:47:00,S3,2\nT1,09:50:00,,S2,3\n"
                "T2,,08:00:00,S1,1\nT2,08:45:00,08:46:00,S3,2\nT2,09:50:00,,S2,3\n"
                "T2B,,08:00:00,S1,1\nT2B,08:45:00,08:46:00,S3,2\nT2B,09:50:00,,S2,3\n"
                "T3,,08:00:00,S1,1\nT3,09:50:00,,S2,2\n"
            ),
        },
    )
    source_spec = SourceSpec(name="mini", format="gtfs", path=str(feed))
    report = load_source(source_spec, path=feed)
    assert (report.twins, report.folded, Trajet.objects.count()) == (1, 2, 2)
    train = Trajet.objects.get(provenances__source_record_id="T1")
    assert sorted(train.provenances.values_list("source_record_id", flat=True)) == [
        "T1", "T2", "T2B",
    ]  # fmt: skip
    weekdays = {dt.date(2025, 1, d) for d in (6, 7, 8, 9, 10, 13, 14, 15, 16, 17)}
    assert _dates(train) == weekdays | {dt.date(2025, 1, 20), dt.date(2025, 1, 25)}
    # The stops are those of T1, which runs on most days.
    assert train.stops.order_by("sequence")[1].departure_time == dt.time(8, 47)
    assert Trajet.objects.get(provenances__source_record_id="T3").stops.count() == 2

    from apps.trajets.truth_checks.calendars import check_calendars
    from apps.trajets.truth_checks.duplicates import find_duplicates

    check = check_calendars(DataSource.objects.get(name="mini"))
    assert (check.exactness, check.records_timetable_different, check.records_twins) == (
        100.0, 0, 2,
    )  # fmt: skip
    assert {item.record for item in check.twin_differences} == {"T2", "T2B"}
    # The busiest week: T1 on 5 weekdays, its twin T2 on the Monday (one train), T3 on the
    # Sunday; the raw files give 7 trip-days, 6 trains, as the warehouse counts them.
    assert check.week is not None
    assert (check.week.week_start, check.week.raw_trip_days) == (dt.date(2025, 1, 6), 7)
    assert (check.week.raw_departures, check.week.warehouse_departures) == (6, 6)
    assert find_duplicates().twin_groups == 0


def test_an_added_date_outside_the_range_is_one_more_day_not_a_wider_pattern(
    tmp_path: Path,
) -> None:
    feed = write_gtfs(
        tmp_path / "feed",
        **{
            "trips.txt": "route_id,service_id,trip_id\nR1,W,T1\n",
            "calendar.txt": CALENDAR_HEADER + "W,1,0,0,0,0,0,0,20250106,20250113\n",
            "calendar_dates.txt": "service_id,date,exception_type\nW,20250615,1\n",
            "stop_times.txt": (
                "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                "T1,,08:00:00,S1,1\nT1,09:50:00,,S2,2\n"
            ),
        },
    )
    load_source(SourceSpec(name="mini", format="gtfs", path=str(feed)), path=feed)
    trajet = Trajet.objects.get()
    assert _dates(trajet) == {dt.date(2025, 1, 6), dt.date(2025, 1, 13), dt.date(2025, 6, 15)}
    assert not Trajet.objects.running_on(dt.date(2025, 3, 3)).exists()  # a Monday between


def test_a_train_leaving_after_midnight_runs_on_the_next_date(tmp_path: Path) -> None:
    feed = write_gtfs(
        tmp_path / "feed",
        **{
            "trips.txt": "route_id,service_id,trip_id\nR1,W,T1\n",
            "calendar.txt": CALENDAR_HEADER + "W,1,0,0,0,0,0,0,20250106,20250106\n",
            "calendar_dates.txt": "",
            "stop_times.txt": (
                "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                "T1,,24:30:00,S1,1\nT1,26:20:00,,S2,2\n"
            ),
        },
    )
    load_source(SourceSpec(name="mini", format="gtfs", path=str(feed)), path=feed)
    trajet = Trajet.objects.get()
    assert (trajet.departure_time, trajet.arrival_day_offset) == (dt.time(0, 30), 0)
    assert _dates(trajet) == {dt.date(2025, 1, 7)}


def _service(*stations: str) -> ServiceRecord:
    return ServiceRecord(
        source_id="T",
        operator_id="A",
        stops=tuple(
            StopTimeRecord(station, position, 3600 * position, 3600 * position + 60)
            for position, station in enumerate(stations)
        ),
        location=Location("stop_times.txt", 2),
    )


def test_a_service_calling_twice_at_a_station_is_cut_at_its_turn() -> None:
    keys = {"A": 1, "B": 2, "C": 3, "B2": 2}
    parts = split_at_turns(_service("A", "B", "C", "B", "A"), keys)
    assert [[s.station_id for s in p.stops] for p in parts] == [["A", "B", "C"], ["C", "B", "A"]]
    assert [p.source_id for p in parts] == ["T#1", "T#2"]
    # Consecutive calls at one station (a border point and its station) are one call.
    (merged,) = split_at_turns(_service("A", "B", "B2", "C"), keys)
    assert [s.station_id for s in merged.stops] == ["A", "B", "C"]
    assert (merged.stops[1].arrival_s, merged.stops[1].departure_s) == (3600, 2 * 3600 + 60)
    assert split_at_turns(_service("A", "B", "C"), keys) == [_service("A", "B", "C")]


def _train(pk: int, source: int, number: str, calls: list[tuple[int, int | None, int | None]]):
    return TrainCalls(
        pk, source, number, len(calls),
        {station: (i, Call(station, a, d)) for i, (station, a, d) in enumerate(calls)},
        frozenset({739_000}),
    )  # fmt: skip


def test_two_trains_are_the_same_only_with_the_same_times_at_two_stations() -> None:
    feed = _train(1, 1, "", [(10, None, 20 * 60 + 40), (11, 23 * 60 + 18, 23 * 60 + 25)])
    ontd = _train(
        2,
        2,
        "EN 40462",
        [(10, None, 20 * 60 + 40), (11, 23 * 60 + 20, 23 * 60 + 25), (12, 1800, None)],
    )
    assert match(feed, ontd) == 0
    late = _train(3, 2, "", [(10, None, 20 * 60 + 40), (11, 23 * 60 + 40, None)])
    assert match(feed, late) is None  # 20 minutes later at the second station
    reverse = _train(4, 2, "", [(11, None, 23 * 60 + 25), (10, 20 * 60 + 40, None)])
    assert match(feed, reverse) is None
    assert not numbers_agree("NJ 470", "NJ 471")
    assert numbers_agree("NJ 40490", "490")


def test_declared_sets_read_bundled_samples_or_complete_files(settings, tmp_path: Path) -> None:
    samples = load_sources(DEFAULT_SOURCES_FILE, dataset="samples")
    full = load_sources(DEFAULT_SOURCES_FILE, dataset="full", full_data_dir=tmp_path)
    assert all(not Path(s.path).is_absolute() for s in samples if s.path)
    assert {s.name for s in full} >= {s.name for s in samples if s.enabled} | {"sncf-ter"}
    assert all(s.path.startswith(str(tmp_path)) and s.dataset == "full" for s in full)
    with pytest.raises(Exception, match="unknown source set"):
        load_sources(DEFAULT_SOURCES_FILE, dataset="everything")


def test_a_plain_etl_never_replaces_another_sets_data(tmp_path: Path) -> None:
    full_feed = write_gtfs(tmp_path / "full")
    by_hand = select_sources(
        sources_file=DEFAULT_SOURCES_FILE, names=["sncf-intercites"], path=str(full_feed)
    )
    assert by_hand[0].dataset == "custom"
    load_source(by_hand[0], path=full_feed)
    kept = Trajet.objects.filter(source__name="sncf-intercites").count()
    samples = select_sources(
        sources_file=DEFAULT_SOURCES_FILE, names=["sncf-intercites"], dataset="samples"
    )[0]
    report = load_source(samples, path=Path(samples.path))
    assert report.status == "failed"
    assert "holds the 'custom' set (2 trajets" in report.message
    assert "--replace-set" in report.message
    assert Trajet.objects.filter(source__name="sncf-intercites").count() == kept == 2
    # A dry run with --replace-set says what would go, and writes nothing.
    dry = load_source(samples, path=Path(samples.path), dry_run=True, replace_set=True)
    assert (dry.status, dry.deleted) == ("dry_run", 2)
    assert Trajet.objects.filter(source__name="sncf-intercites").count() == 2
    replaced = load_source(samples, path=Path(samples.path), replace_set=True)
    assert replaced.status == "succeeded"
    assert DataSource.objects.get(name="sncf-intercites").dataset == "samples"


def test_the_etl_command_loads_the_set_the_warehouse_holds(settings, tmp_path: Path) -> None:
    settings.ETL_FULL_DATA_DIR = tmp_path / "not-here"
    assert warehouse_dataset() == "samples"
    source = DataSource.objects.create(
        name="db-fernverkehr", format="gtfs", location="x", licence="x", dataset="full"
    )
    feed = write_gtfs(tmp_path / "feed")
    load_source(
        SourceSpec(name="db-fernverkehr", format="gtfs", path=str(feed), dataset="full"),
        path=feed,
    )
    assert Trajet.objects.filter(source=source).exists()
    assert warehouse_dataset() == "full"
    output = StringIO()
    with pytest.raises(CommandError, match="1 source"):
        # The full set's files are not where ETL_FULL_DATA_DIR says: a clear failure, and
        # the full data stays.
        call_command("etl", "--source", "db-fernverkehr", stdout=output)
    assert "(gtfs, full)" in output.getvalue()
    assert "not-here/gtfs/db_fernverkehr_gtfsde_2025-11 does not exist" in output.getvalue()
    assert Trajet.objects.filter(source=source).count() == 2
    assert not TrajetProvenance.objects.exclude(trajet__source=source).exists()


def _sheets(clock: str) -> str:
    """A clock time as the night-train database writes it (a Google Sheets date-time)."""
    return f"1899-12-30T{clock}:00.000Z" if clock else ""


def _ontd(folder: Path, trips: dict[str, dict], calls: dict[str, list[tuple]]) -> Path:
    """A night-train database snapshot with the stops of write_gtfs (2024 calendar)."""
    folder.mkdir(parents=True, exist_ok=True)
    stops = {
        "Paris Est": (48.8768, 2.3591), "Strasbourg": (48.5850, 7.7345), "Reims": (49.2589, 4.0245)
    }  # fmt: skip
    files = {
        "agencies.json": {
            "X": {"agency_id": "X", "agency_name": "Night Rail", "agency_state": "FR"}
        },
        "stops.json": {
            name: {
                "stop_id": name,
                "stop_name": name,
                "stop_country": "FR",
                "stop_timezone": "CET",
                "stop_lat": lat,
                "stop_lon": lon,
            }
            for name, (lat, lon) in stops.items()
        },
        "calendar.json": {
            "Daily": {
                "service_id": "Daily",
                **dict.fromkeys(
                    ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
                    1,
                ),
                "start_date": "2024-01-01",
                "end_date": "2024-12-14",
            }
        },
        "trips.json": trips,
        "trip_stop.json": {
            f"{trip}:{n}": {
                "trip_id": trip,
                "stop_sequence": n,
                "stop_id": stop,
                "arrival_time": _sheets(arrival),
                "departure_time": _sheets(departure),
            }
            for trip, rows in calls.items()
            for n, (stop, arrival, departure) in enumerate(rows)
        },
    }
    for name, data in files.items():
        (folder / name).write_text(json.dumps(data), encoding="utf-8")
    return folder


def test_a_train_the_night_train_database_lists_is_a_night_train_in_any_year(
    tmp_path: Path,
) -> None:
    feed = write_gtfs(tmp_path / "feed")  # T1: TGV 9001 Paris 08:00 → Reims → Strasbourg 09:50
    load_source(SourceSpec(name="feed", format="gtfs", path=str(feed)), path=feed)
    t1 = Trajet.objects.get(source_record_id="T1")
    assert (t1.kind, t1.timetable_kind) == ("day", "day")
    trip = {"trip_id": "EN 9001", "agency_id": "X", "trip_short_name": "EN 9001",
            "service_id": "Daily"}  # fmt: skip
    # The 2024 timetable: Reims 4 minutes later (a timetable year apart, same number).
    calls = [("Paris Est", "", "08:00"), ("Reims", "08:49", "08:51"), ("Strasbourg", "09:50", "")]
    ontd = _ontd(tmp_path / "ontd", {"EN 9001": trip}, {"EN 9001": calls})
    spec = SourceSpec(name="night-db", format="ontd-json", path=str(ontd))
    loaded = load_source(spec, path=ontd)
    assert (loaded.status, loaded.rejected) == ("succeeded", 0), RejectedRecord.objects.filter(
        run_id=loaded.run_id
    ).values_list("reason", flat=True)
    assert DataSource.objects.get(name="night-db").is_night_reference
    t1.refresh_from_db()
    assert (t1.kind, t1.timetable_kind) == ("night", "day")
    assert t1.kind_reason.startswith("night-train database: 9001 (trajet ")
    assert t1.kind_reason.endswith("timetable alone: runs 0 min inside 00:00-05:00 (below 180 min)")
    # Not the same dates: each is counted in its own timetable year…
    assert t1.same_train_as is None
    assert Trajet.objects.counted().count() == 3
    reference = Trajet.objects.get(source__name="night-db")
    assert t1.night_reference == reference
    # …but a figure combining each source's typical week counts the train once, by its
    # timetable (the database's 2024 week beside the feed's 2025 one).
    typical = restrict_to_period(Trajet.objects.counted(), PeriodChoice())
    assert reference not in typical
    assert t1 in typical
    by_kind = compute_volumes(Trajet.objects.counted(), group_by="kind", choice=PeriodChoice())
    assert {row["kind"]: row["services"] for row in by_kind.rows} == {"night": 1, "day": 1}
    everything = PeriodChoice(PeriodKind.ALL)
    assert reference in restrict_to_period(Trajet.objects.counted(), everything)
    # The database drops the train: the timetable's kind comes back.
    empty = _ontd(tmp_path / "ontd2", {}, {})
    load_source(SourceSpec(name="night-db", format="ontd-json", path=str(empty)), path=empty)
    t1.refresh_from_db()
    assert (t1.kind, t1.kind_reason) == ("day", "runs 0 min inside 00:00-05:00 (below 180 min)")
    assert t1.night_reference is None


def test_an_input_loaded_under_older_rules_is_reloaded_not_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    feed = write_gtfs(tmp_path / "feed")
    spec = SourceSpec(name="mini", format="gtfs", path=str(feed))
    load_source(spec, path=feed)
    assert load_source(spec, path=feed).status == "skipped"
    # A release changing the harmonisation rules: the same file is loaded again.
    monkeypatch.setattr("apps.trajets.etl.loader.HARMONISATION_VERSION", "next-release")
    assert load_source(spec, path=feed).status == "succeeded"
    assert ImportRun.objects.filter(source__name="mini", status="succeeded").count() == 2


def test_a_run_the_source_labels_a_night_train_on_other_days_is_a_night_train(
    tmp_path: Path,
) -> None:
    # One run, two agencies: "EN" on weekdays, "IC" of another agency at weekends.
    feed = write_gtfs(
        tmp_path / "feed",
        **{
            "agency.txt": (
                "agency_id,agency_name,agency_url,agency_timezone\n"
                "A,Rail A,https://a.example,Europe/Paris\nB,Rail B,https://b.example,Europe/Paris\n"
            ),
            "routes.txt": (
                "route_id,agency_id,route_short_name,route_type\nR1,A,EN,2\nR2,B,IC,2\n"
            ),
            "trips.txt": "route_id,service_id,trip_id\nR1,W,N1\nR2,E,D1\n",
            "calendar.txt": CALENDAR_HEADER
            + "W,1,1,1,1,1,0,0,20250106,20250117\nE,0,0,0,0,0,1,1,20250106,20250119\n",
            "calendar_dates.txt": "",
            "stop_times.txt": (
                "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                "N1,,19:39:00,S1,1\nN1,23:46:00,,S2,2\nD1,,19:39:00,S1,1\nD1,23:46:00,,S2,2\n"
            ),
        },
    )
    load_source(SourceSpec(name="mini", format="gtfs", path=str(feed)), path=feed)
    ic = Trajet.objects.get(source_record_id="D1")
    assert (ic.kind, ic.timetable_kind) == ("night", "night")
    assert ic.kind_reason.startswith("same run as EN (record N1) on other days: EN is a night")
    assert Trajet.objects.count() == 2  # two operators: two trains, both night


def test_a_night_labelled_variant_is_never_folded_into_a_day_train(tmp_path: Path) -> None:
    # Romania publishes București Nord → Ruse as IR 1094 most of the year and as the night
    # product IR-N 460 in summer, on the same stops and times: IR-N 460 stays a night train
    # of its own, on its own dates, never a calendar variant of the day IR.
    feed = write_gtfs(
        tmp_path / "feed",
        **{
            "trips.txt": (
                "route_id,service_id,trip_id,trip_short_name\n"
                "R1,WINTER,1094,IR 1094\nR1,SUMMER,460,IR-N 460\n"
            ),
            "calendar.txt": CALENDAR_HEADER
            + "WINTER,1,1,1,1,1,1,1,20250106,20250131\nSUMMER,1,1,1,1,1,1,1,20250201,20250210\n",
            "stop_times.txt": (
                "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                "1094,,14:15:00,S1,1\n1094,16:56:00,,S2,2\n"
                "460,,14:15:00,S1,1\n460,16:56:00,,S2,2\n"
            ),
        },
    )
    load_source(SourceSpec(name="mini", format="gtfs", path=str(feed)), path=feed)
    night = Trajet.objects.get(provenances__source_record_id="460")
    assert (night.train_number, night.kind) == ("460", "night")
    assert list(night.provenances.values_list("source_record_id", flat=True)) == ["460"]
    assert _dates(night) == {dt.date(2025, 2, d) for d in range(1, 11)}
    day = Trajet.objects.get(provenances__source_record_id="1094")
    assert day.train_number == "1094"
    # Same run, another number: IR 1094 stays the day train the source says it is.
    assert day.kind == "day"
    assert _dates(day) == {dt.date(2025, 1, d) for d in range(6, 32)}
