"""The service-truth checks: exact on the ETL's loads of the real extracts, and failing, with
the right trajets and dates, whenever the warehouse is made wrong."""

from __future__ import annotations

import codecs
import datetime as dt
import json
import zipfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from apps.trajets.etl.loader import load_source
from apps.trajets.etl.runner import run_etl
from apps.trajets.etl.sources import DEFAULT_SOURCES_FILE, SourceSpec, load_sources
from apps.trajets.models import (
    CalendarException,
    DataSource,
    ServiceKind,
    Stop,
    Trajet,
    TrajetProvenance,
)
from apps.trajets.querysets import TrajetQuerySet
from apps.trajets.tests.factories import make_run, make_source, make_station, make_trajet
from apps.trajets.tests.test_etl_extractors import write_gtfs
from apps.trajets.truth_checks import (
    check_calendars,
    check_truth,
    find_duplicates,
    find_loops,
    fragments,
    load_truth_report,
    night_agreement,
    store_truth_report,
)
from apps.trajets.truth_checks.raw_gtfs import read_feed
from apps.trajets.truth_checks.records import Resolver, origin_dates

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]
CALENDAR_HEADER = (
    "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
)


@pytest.fixture(autouse=True)
def isolated_files(settings, tmp_path: Path) -> None:
    """Artefacts, downloads and the stored truth report stay out of the shared var/."""
    settings.ROUTING_ARTIFACT_DIR = tmp_path / "routing"
    settings.ETL_CACHE_DIR = tmp_path / "etl-cache"
    settings.VAR_DIR = tmp_path / "var"


def load(folder: Path, name: str = "feed", **options: object) -> DataSource:
    spec = SourceSpec(name=name, format="gtfs", path=str(folder), options=options)
    report = load_source(spec, path=folder)
    assert report.status == "succeeded", report.summary()
    return DataSource.objects.get(name=name)


def trajet_of(record: str) -> Trajet:
    return TrajetProvenance.objects.get(source_record_id=record).trajet


def days(*values: str) -> str:
    return ", ".join(values)


def drop_date(trajet: Trajet, day: dt.date) -> None:
    """Make the warehouse lose one running date of a trajet, whatever its stored form."""
    added = CalendarException.objects.filter(trajet=trajet, date=day, is_added=True)
    if not added.delete()[0]:
        CalendarException.objects.create(trajet=trajet, date=day, is_added=False)


# --- The real extracts ---------------------------------------------------------------------


def test_the_bundled_real_extracts_are_exact_without_duplicate_or_loop() -> None:
    reports = run_etl([s for s in load_sources(DEFAULT_SOURCES_FILE) if s.enabled])
    assert all(r.status == "succeeded" for r in reports), [r.summary() for r in reports]
    gtfs = DataSource.objects.filter(format="gtfs")
    assert set(gtfs.values_list("name", flat=True)) == {
        "sncf-intercites",
        "db-fernverkehr",
        "renfe-av-ld-md",
        "romania-datagovro",
        "sncf-ter",
    }
    for source in gtfs:
        check = check_calendars(source)
        assert check.readable, check.message
        assert check.trajets_checked == Trajet.objects.filter(source=source).count() > 0
        assert check.exactness == 100.0, (source.name, check.differences[:3])
        assert check.records_missing_unexplained == 0, check.unexplained[:3]
        assert check.unknown_records == []
        records = TrajetProvenance.objects.filter(source=source).count()
        assert check.records_in_warehouse == records
        # Every record folded into a trajet has the trajet's stops and times.
        assert check.records_timetable_compared == records
        assert check.records_timetable_different == 0, check.timetable_differences[:3]
    assert find_duplicates().duplicate_groups == 0
    assert find_loops().count == 0
    report = check_truth()
    assert not [f for f in report.failures if "calendar" in f or "duplicate" in f], report.failures
    db = next(s for s in report.sources if s.source == "db-fernverkehr")
    # gtfs.de one-stop trips are refused as fragments, and each is explained.
    assert db.fragments.rejected_fragments == db.calendar.explained_by_reason.get("fragment") > 0


# --- Calendars made wrong in the warehouse ----------------------------------------------------


def test_a_lost_removal_is_reported_with_the_date_it_adds(tmp_path: Path) -> None:
    source = load(
        write_gtfs(
            tmp_path / "feed",
            **{"calendar_dates.txt": "service_id,date,exception_type\nW,20250115,2\n"},
        )
    )
    assert check_calendars(source).exactness == 100.0
    t1 = trajet_of("T1")
    CalendarException.objects.filter(trajet=t1, date=dt.date(2025, 1, 15)).delete()
    check = check_calendars(source)
    assert check.exactness == 50.0
    (difference,) = check.differences
    assert difference.trajet_id == t1.pk
    assert difference.only_in_warehouse == "2025-01-15"
    assert difference.only_in_source_count == 0
    assert any("the dates give 2025-01-06/2025-01-31/20" in note for note in difference.notes)


def test_a_wrong_weekday_flag_is_reported_with_every_date_it_adds(tmp_path: Path) -> None:
    source = load(write_gtfs(tmp_path / "feed"))
    t1 = trajet_of("T1")
    Trajet.objects.filter(pk=t1.pk).update(runs_saturday=True)
    (difference,) = check_calendars(source).differences
    assert difference.trajet_id == t1.pk
    assert difference.only_in_warehouse == days("2025-01-11", "2025-01-18", "2025-01-25")


def test_calendar_dates_only_in_a_zip_with_bom_quotes_and_padding_are_read(
    tmp_path: Path,
) -> None:
    folder = write_gtfs(
        tmp_path / "feed",
        **{
            "calendar.txt": "",
            "calendar_dates.txt": (
                'service_id,date,exception_type\r\n"W","20250106",1   \r\n'
                'W,20250108,"1"\r\nW,20250301,1\r\n'
            ),
        },
    )
    archive = tmp_path / "feed.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in folder.iterdir():
            data = path.read_bytes()
            zipped.writestr(f"gtfs/{path.name}", codecs.BOM_UTF8 + data)
    source = load(archive)
    check = check_calendars(source)
    assert (check.readable, check.exactness, check.trips_read) == (True, 100.0, 2)
    t1 = trajet_of("T1")
    assert t1.running_days == 3
    drop_date(t1, dt.date(2025, 3, 1))
    (difference,) = check_calendars(source).differences
    assert difference.only_in_source == "2025-03-01"


def test_a_date_added_outside_the_weekly_period_is_one_more_day(tmp_path: Path) -> None:
    source = load(
        write_gtfs(
            tmp_path / "feed",
            **{
                "calendar.txt": CALENDAR_HEADER + "W,1,1,1,1,1,0,0,20250106,20250110\n",
                "calendar_dates.txt": "service_id,date,exception_type\nW,20250201,1\n",
            },
        )
    )
    assert check_calendars(source).exactness == 100.0
    t1 = trajet_of("T1")
    assert (t1.runs_from, t1.runs_until, t1.running_days) == (
        dt.date(2025, 1, 6),
        dt.date(2025, 2, 1),
        6,
    )
    Trajet.objects.filter(pk=t1.pk).update(valid_to=dt.date(2025, 2, 7))
    (difference,) = check_calendars(source).differences
    assert difference.only_in_warehouse == days(
        "2025-01-13", "2025-01-14", "2025-01-15", "2025-01-16", "2025-01-17", "2025-01-20",
        "2025-01-21", "2025-01-22", "2025-01-23", "2025-01-24", "2025-01-27", "2025-01-28",
        "2025-01-29", "2025-01-30", "2025-01-31", "2025-02-03", "2025-02-04", "2025-02-05",
        "2025-02-06", "2025-02-07",
    )  # fmt: skip


def test_a_first_departure_past_midnight_runs_the_next_day(tmp_path: Path) -> None:
    source = load(
        write_gtfs(
            tmp_path / "feed",
            **{
                "calendar.txt": CALENDAR_HEADER + "W,0,0,0,0,1,0,0,20250106,20250112\n",
                "stop_times.txt": (
                    "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                    "T1,,24:30:00,S1,1\nT1,25:20:00,,S3,2\n"
                    "T2,,08:00:00,S1,1\nT2,08:50:00,,S3,2\n"
                ),
            },
        )
    )
    t1 = trajet_of("T1")
    assert (t1.runs_from, t1.departure_time) == (dt.date(2025, 1, 11), dt.time(0, 30))
    assert check_calendars(source).exactness == 100.0
    # The service day instead of the local departure day: the bug the check must catch.
    friday = dt.date(2025, 1, 10)
    Trajet.objects.filter(pk=t1.pk).update(
        runs_friday=True,
        runs_saturday=False,
        valid_from=friday,
        valid_to=friday,
        runs_from=friday,
        runs_until=friday,
    )
    (difference,) = check_calendars(source).differences
    assert (difference.only_in_source, difference.only_in_warehouse) == (
        "2025-01-11",
        "2025-01-10",
    )


def test_a_first_stop_west_of_the_agency_zone_leaves_the_day_before(tmp_path: Path) -> None:
    folder = write_gtfs(
        tmp_path / "feed",
        **{
            "agency.txt": (
                "agency_id,agency_name,agency_url,agency_timezone\n"
                "A,CFR Calatori,https://cfr.example,Europe/Bucharest\n"
            ),
            "stops.txt": (
                "stop_id,stop_name,stop_lat,stop_lon\n"
                "NY,Nyirabrany,47.5536,22.0255\nVM,Valea lui Mihai,47.5203,22.1519\n"
            ),
            "trips.txt": "route_id,service_id,trip_id\nR1,W,366\n",
            "calendar.txt": CALENDAR_HEADER + "W,0,0,0,0,0,1,0,20260103,20260110\n",
            "stop_times.txt": (
                "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                "366,,00:24:00,NY,1\n366,00:50:00,,VM,2\n"
            ),
        },
    )
    source = load(folder)
    trajet = trajet_of("366")
    assert trajet.origin.time_zone == "Europe/Budapest"
    assert (trajet.runs_from, trajet.departure_time) == (dt.date(2026, 1, 2), dt.time(23, 24))
    assert check_calendars(source).exactness == 100.0
    Trajet.objects.filter(pk=trajet.pk).update(
        runs_friday=False, runs_saturday=True, valid_from=dt.date(2026, 1, 3)
    )
    (difference,) = check_calendars(source).differences
    assert difference.only_in_source == days("2026-01-02", "2026-01-09")
    assert difference.only_in_warehouse == "2026-01-03"


def test_origin_dates_follow_each_dates_offset_between_zones() -> None:
    # Lisbon is an hour behind Madrid all year: 00:30 in Madrid is 23:30 the day before.
    summer, winter = dt.date(2025, 7, 1).toordinal(), dt.date(2025, 1, 1).toordinal()
    moved = origin_dates(frozenset({summer, winter}), 1800, "Europe/Madrid", "Europe/Lisbon")
    assert moved == {summer - 1, winter - 1}
    # Istanbul keeps +3 all year: 23:30 in Bucharest is 23:30 (winter) or 00:30 (summer).
    moved = origin_dates(
        frozenset({summer, winter}), 23 * 3600 + 1800, "Europe/Bucharest", "Europe/Istanbul"
    )
    assert moved == {summer, winter + 1}


ISTANBUL_FEED = {
    "agency.txt": (
        "agency_id,agency_name,agency_url,agency_timezone\n"
        "A,CFR Calatori,https://cfr.example,Europe/Bucharest\n"
    ),
    "stops.txt": (
        "stop_id,stop_name,stop_lat,stop_lon\n"
        "IST,Istanbul Halkali,41.0335,28.7759\nSVI,Svilengrad,41.7686,26.2006\n"
    ),
    "trips.txt": "route_id,service_id,trip_id\nR1,D,491\n",
    "calendar.txt": CALENDAR_HEADER + "D,1,1,1,1,1,1,1,20260325,20260402\n",
    "stop_times.txt": (
        "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
        "491,,23:30:00,IST,1\n491,27:00:00,,SVI,2\n"
    ),
}


def test_local_times_that_change_with_the_season_give_several_timetables(
    tmp_path: Path,
) -> None:
    # A Romanian train leaving Istanbul (no daylight-saving time) at 23:30 Bucharest time:
    # 00:30 the next day in winter, 23:30 the same day in summer; one local timetable cannot
    # hold both, and the night of the change gives a third.
    feed = read_feed(write_gtfs(tmp_path / "feed", **ISTANBUL_FEED))
    resolver = Resolver(feed, {"IST": (1, "Europe/Istanbul"), "SVI": (2, "Europe/Sofia")})
    versions = resolver.record_stops(resolver.parse("491"))
    assert [(dt.date.fromordinal(day), change) for day, change, _ in versions] == [
        (dt.date(2026, 3, 25), False),
        (dt.date(2026, 3, 28), True),
        (dt.date(2026, 3, 29), False),
    ]
    departures = [stops[0][2] for _, _, stops in versions]
    assert departures == [(dt.time(0, 30), 0), (dt.time(0, 30), 0), (dt.time(23, 30), 0)]
    assert [stops[1][1] for _, _, stops in versions] == [
        (dt.time(3, 0), 0),
        (dt.time(4, 0), 0),
        (dt.time(3, 0), 1),
    ]
    # Local departure dates: the day after in winter, the service day in summer (29 March
    # twice: 00:30 and 23:30).
    dates, _notes = resolver.record_dates(resolver.parse("491"))
    first = dt.date(2026, 3, 26).toordinal()
    assert dates == set(range(first, first + 8))


# --- Records missing, explained or not -------------------------------------------------------


def test_a_trip_missing_without_a_reject_is_unexplained(tmp_path: Path) -> None:
    source = load(
        write_gtfs(
            tmp_path / "feed",
            **{
                "trips.txt": "route_id,service_id,trip_id\nR1,W,T1\nR1,W,T2\nR1,W,T3\n",
                "stop_times.txt": (
                    "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                    "T1,,08:00:00,S1,1\nT1,09:50:00,,S2,2\n"
                    "T2,,10:00:00,S1,1\nT2,11:50:00,,S2,2\n"
                    "T3,,12:00:00,S1,1\n"
                ),
            },
        )
    )
    check = check_calendars(source)
    assert (check.records_missing_explained, check.explained_by_reason) == (1, {"fragment": 1})
    assert check.records_missing_unexplained == 0
    assert fragments(source).rejected_fragments == 1
    assert "'T3'" in fragments(source).fragments[0].reason
    Trajet.objects.filter(pk=trajet_of("T2").pk).delete()
    check = check_calendars(source)
    assert [(m.record, m.trip_id) for m in check.unexplained] == [("T2", "T2")]
    assert not check.is_exact


def test_a_record_of_the_warehouse_that_no_trip_gives_is_reported(tmp_path: Path) -> None:
    source = load(write_gtfs(tmp_path / "feed"))
    TrajetProvenance.objects.filter(source_record_id="T2").update(source_record_id="T9")
    check = check_calendars(source)
    assert check.unknown_records == ["T9"]
    assert [m.record for m in check.unexplained] == ["T2"]
    assert check.trajets_different == 1


def test_unreadable_files_are_said_not_checked(tmp_path: Path) -> None:
    source = load(write_gtfs(tmp_path / "feed"))
    check = check_calendars(source, tmp_path / "elsewhere")
    assert not check.readable
    assert "no such file or folder" in check.message


# --- Split, frequency and rejoined records ---------------------------------------------------


def test_a_trip_cut_at_its_turn_and_frequency_departures_map_to_their_trajets(
    tmp_path: Path,
) -> None:
    source = load(
        write_gtfs(
            tmp_path / "feed",
            **{
                "trips.txt": "route_id,service_id,trip_id\nR1,W,LOOP\nR1,W,F\n",
                "stop_times.txt": (
                    "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                    "LOOP,,08:00:00,S1,1\nLOOP,08:45:00,08:47:00,S3,2\n"
                    "LOOP,09:50:00,10:30:00,S2,3\nLOOP,11:30:00,11:32:00,S3,4\n"
                    "LOOP,12:20:00,,S1,5\n"
                    "F,,06:00:00,S1,1\nF,07:50:00,,S2,2\n"
                ),
                "frequencies.txt": (
                    "trip_id,start_time,end_time,headway_secs\nF,06:00:00,08:00:00,3600\n"
                ),
            },
        )
    )
    records = set(TrajetProvenance.objects.values_list("source_record_id", flat=True))
    assert {"LOOP#1", "LOOP#2"} <= records
    assert len([r for r in records if r.startswith("F@")]) == 2
    check = check_calendars(source)
    assert (check.exactness, check.records_expected, check.unknown_records) == (100.0, 4, [])
    assert find_loops().count == 0
    second = trajet_of("LOOP#2")
    CalendarException.objects.create(trajet=second, date=dt.date(2025, 1, 11), is_added=True)
    (difference,) = check_calendars(source).differences
    assert (difference.source_record_id, difference.only_in_warehouse) == ("LOOP#2", "2025-01-11")


def test_a_train_rejoined_across_midnight_runs_on_the_evening_dates(
    tmp_path: Path, settings
) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text(
        '[[source]]\nname = "cut"\nformat = "gtfs"\npath = "x"\nlicence = "x"\n'
        "rejoin_midnight_splits = true\n"
    )
    settings.ETL_SOURCES_FILE = sources
    source = load(
        write_gtfs(
            tmp_path / "feed",
            **{
                "trips.txt": "route_id,service_id,trip_id\nR1,W,EVE\nR1,N,MORN\nR1,W,LATE\n",
                "calendar.txt": CALENDAR_HEADER
                + "W,1,1,1,1,1,0,0,20250106,20250131\nN,0,1,1,1,1,1,0,20250107,20250201\n",
                "stop_times.txt": (
                    "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                    "EVE,,21:00:00,S1,1\nEVE,23:50:00,,S3,2\n"
                    "MORN,,00:05:00,S3,1\nMORN,02:00:00,,S2,2\n"
                    "LATE,,20:00:00,S2,1\nLATE,22:40:00,,S1,2\n"
                ),
            },
        ),
        name="cut",
        rejoin_midnight_splits=True,
    )
    trajet = trajet_of("EVE+MORN")
    assert trajet.runs_from == dt.date(2025, 1, 6)
    assert check_calendars(source).exactness == 100.0
    found = fragments(source)
    assert found.checks_midnight_halves
    assert [h.trajet.record for h in found.halves] == ["LATE"]
    assert found.halves_with_partner == 0
    Trajet.objects.filter(pk=trajet.pk).update(valid_from=dt.date(2025, 1, 7))
    (difference,) = check_calendars(source).differences
    assert difference.only_in_source == "2025-01-06"


def test_halves_left_apart_are_listed_with_their_possible_other_half(
    tmp_path: Path, settings
) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text(
        '[[source]]\nname = "cut"\nformat = "gtfs"\npath = "x"\nlicence = "x"\n'
        "rejoin_midnight_splits = true\n"
    )
    settings.ETL_SOURCES_FILE = sources
    # Two routes: the ETL only rejoins halves of one route.
    source = load(
        write_gtfs(
            tmp_path / "feed",
            **{
                "routes.txt": (
                    "route_id,agency_id,route_short_name,route_type\nR1,A,ICE,2\nR2,A,ICE,2\n"
                ),
                "trips.txt": "route_id,service_id,trip_id\nR1,W,EVE\nR2,N,MORN\n",
                "calendar.txt": CALENDAR_HEADER
                + "W,1,1,1,1,1,0,0,20250106,20250131\nN,0,1,1,1,1,1,0,20250107,20250201\n",
                "stop_times.txt": (
                    "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                    "EVE,,21:00:00,S1,1\nEVE,23:50:00,,S3,2\n"
                    "MORN,,00:05:00,S3,1\nMORN,02:00:00,,S2,2\n"
                ),
            },
        ),
        name="cut",
        rejoin_midnight_splits=True,
    )
    found = fragments(source)
    assert (found.unjoined_halves, found.halves_with_partner, found.halves_missed) == (2, 2, 1)
    evening = next(half for half in found.halves if half.side == "evening")
    assert evening.trajet.record == "EVE"
    (partner,) = evening.partners
    assert partner.endswith(
        "15 min apart and nothing else tells them apart: should have been rejoined"
    )
    assert any("were not rejoined" in warning for warning in check_truth().warnings)


# --- Stops and times of the folded records ---------------------------------------------------


def test_a_stop_time_changed_in_the_warehouse_is_reported_for_each_record(
    tmp_path: Path,
) -> None:
    source = load(
        write_gtfs(
            tmp_path / "feed",
            **{
                "trips.txt": "route_id,service_id,trip_id\nR1,W,T1\nR1,S,T1B\n",
                "calendar.txt": CALENDAR_HEADER
                + "W,1,1,1,1,1,0,0,20250106,20250131\nS,0,0,0,0,0,1,1,20250106,20250131\n",
                "stop_times.txt": (
                    "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                    "T1,,08:00:00,S1,1\nT1,08:45:00,08:47:00,S3,2\nT1,09:50:00,,S2,3\n"
                    "T1B,,08:00:00,S1,1\nT1B,08:45:00,08:47:00,S3,2\nT1B,09:50:00,,S2,3\n"
                ),
            },
        )
    )
    trajet = trajet_of("T1")
    assert trajet == trajet_of("T1B")  # the weekend variant is folded into the same train
    assert trajet.running_days == 26
    check = check_calendars(source)
    assert (check.exactness, check.records_timetable_compared) == (100.0, 2)
    Stop.objects.filter(trajet=trajet, sequence=1).update(departure_time=dt.time(8, 49))
    check = check_calendars(source)
    assert check.records_timetable_different == 2
    assert {d.record for d in check.timetable_differences} == {"T1", "T1B"}
    assert "stop 2: source" in check.timetable_differences[0].difference
    assert "08:47:00" in check.timetable_differences[0].difference


def test_a_record_read_from_raw_files_keeps_hours_past_midnight() -> None:
    feed = read_feed(ROOT / "data/samples/gtfs/sncf_intercites_2013-12")
    assert (
        max(call.arrival_s or 0 for calls in feed.stop_times.values() for call in calls) > 24 * 3600
    )
    assert feed.agency_zones == {"OCESN": "Europe/Paris"}


# --- Duplicates, twins, loops ---------------------------------------------------------------


def _copy(trajet: Trajet, record: str, *, drop: int | None = None, **fields: object) -> Trajet:
    """A copy of a trajet under another record id (with one stop left out)."""
    stops = [s for s in trajet.stops.order_by("sequence") if s.sequence != drop]
    exceptions = list(trajet.calendar_exceptions.all())
    copy = Trajet.objects.get(pk=trajet.pk)
    copy.pk = None
    copy.source_record_id = record
    for name, value in fields.items():
        setattr(copy, name, value)
    copy.save()
    for position, stop in enumerate(stops):
        stop.pk, stop.trajet, stop.sequence = None, copy, position
        stop.save()
    for exception in exceptions:
        exception.pk, exception.trajet = None, copy
        exception.save()
    return copy


def test_duplicates_twins_and_unfolded_timetables_are_listed(tmp_path: Path) -> None:
    load(write_gtfs(tmp_path / "feed"))
    t1 = trajet_of("T1")
    assert find_duplicates().duplicate_groups == 0
    twin = _copy(t1, "T1-OTHER-STOPS", drop=1)
    duplicate = _copy(t1, "T1-AGAIN")
    _copy(
        trajet_of("T2"),
        "T2-LATER",
        valid_from=dt.date(2025, 3, 3),
        valid_to=dt.date(2025, 3, 7),
        runs_from=dt.date(2025, 3, 3),
        runs_until=dt.date(2025, 3, 7),
        running_days=5,
    )
    found = find_duplicates()
    assert found.duplicate_groups == 1
    (group,) = found.duplicates
    assert {line.id for line in group.trajets} == {t1.pk, duplicate.pk}
    assert group.common_days == 20
    assert found.twin_groups == 1
    assert {line.id for line in found.twins[0].trajets} == {t1.pk, twin.pk, duplicate.pk}
    assert "only the first calls at Reims" in found.twins[0].detail
    assert found.unfolded_groups == 1
    assert {line.record for line in found.unfolded[0].trajets} == {"T2", "T2-LATER"}


def test_a_trajet_calling_twice_at_a_station_is_a_loop(tmp_path: Path) -> None:
    load(write_gtfs(tmp_path / "feed"))
    t1 = trajet_of("T1")
    paris = t1.origin
    Stop.objects.create(
        trajet=t1, sequence=3, station=paris, arrival_time=dt.time(11, 0), departure_time=None
    )
    loops = find_loops()
    assert loops.count == 1
    assert (loops.loops[0].trajet.id, loops.loops[0].stations) == (t1.pk, [paris.name])


# --- Night agreement ------------------------------------------------------------------------


def _train(stations, times, source, number, **fields) -> Trajet:
    reason = fields.pop("kind_reason", "test")
    trajet = make_trajet(stations, times=times, run=make_run(source), **fields)
    Trajet.objects.filter(pk=trajet.pk).update(train_number=number, kind_reason=reason)
    trajet.refresh_from_db()
    return trajet


@pytest.fixture
def night_trains():
    """A night-train database train, and two timetables' trajets linked to it (one the
    timetable alone calls night, one it calls day), plus one with the same number not
    linked because its times differ."""
    reference = make_source("ontd", format="json", is_night_reference=True)
    feed = make_source("feed")
    wien, munchen, roma = (
        make_station("Wien Hbf", country="AT", time_zone="Europe/Vienna"),
        make_station("München Hbf", country="DE", time_zone="Europe/Berlin"),
        make_station("Roma Termini", country="IT", time_zone="Europe/Rome"),
    )
    night = _train(
        [wien, munchen, roma],
        [(None, "19:00"), ("23:00", "23:05"), ("09:00", None)],
        reference,
        "NJ 40294",
        kind=ServiceKind.NIGHT,
        category="NJ",
    )
    by_night = _train(
        [wien, munchen],
        [(None, "19:00"), ("23:00", None)],
        feed,
        "294",
        kind=ServiceKind.NIGHT,
        timetable_kind=ServiceKind.NIGHT,
        category="NJ",
        same_train_as=night,
    )
    by_day = _train(
        [munchen, roma],
        [(None, "23:05"), ("09:00", None)],
        feed,
        "40294",
        kind=ServiceKind.NIGHT,
        timetable_kind=ServiceKind.DAY,
        kind_reason=(
            "night-train database: NJ 40294 (trajet 1 of ontd) is the same train — timetable "
            "alone: runs 120 min inside 00:00-05:00 (below 180 min)"
        ),
        category="EC",
        same_train_as=night,
    )
    unlinked = _train(
        [wien, munchen],
        [(None, "19:30"), ("23:30", None)],
        feed,
        "40294",
        timetable_kind=ServiceKind.DAY,
        category="EC",
    )
    return night, by_night, by_day, unlinked


def test_night_agreement_counts_matched_trains_and_explains_each_disagreement(night_trains):
    night, _by_night, by_day, unlinked = night_trains
    agreement = night_agreement()
    assert (agreement.groups, agreement.matched_trajets, agreement.timetable_night) == (1, 2, 1)
    assert (agreement.timetable_share, agreement.final_share) == (50.0, 100.0)
    (disagreement,) = agreement.disagreements
    assert (disagreement.trajet.id, disagreement.reference.id) == (by_day.pk, night.pk)
    assert disagreement.timetable_reason == "runs 120 min inside 00:00-05:00 (below 180 min)"
    assert agreement.unlinked_by_reason == {"times": 1}
    (missing,) = agreement.unlinked
    assert (missing.reference.id, missing.candidate.id) == (night.pk, unlinked.pk)
    assert "Wien Hbf 19:00 vs 19:30 (+30 min)" in missing.why
    report = check_truth()
    # What the warehouse says agrees (the reference made the day trajet night); the
    # timetable's own disagreement is a listed warning, not a failure.
    assert not [f for f in report.failures if "night agreement" in f]
    assert any("by their timetable alone, 50.0 %" in w for w in report.warnings)
    Trajet.objects.filter(pk=by_day.pk).update(kind=ServiceKind.DAY)
    assert "night agreement 50.0 % of 2 matched trajets (at least 97 % required)" in (
        check_truth().failures
    )


def test_a_trajet_the_reference_made_night_without_a_link_is_matched(night_trains):
    night, _by_night, _by_day, unlinked = night_trains
    Trajet.objects.filter(pk=unlinked.pk).update(
        kind=ServiceKind.NIGHT,
        kind_reason=(
            f"night-train database: NJ 40294 (trajet {night.pk} of ontd) is the same train — "
            "timetable alone: runs 0 min inside 00:00-05:00 (below 180 min)"
        ),
    )
    agreement = night_agreement()
    assert (agreement.matched_trajets, agreement.matched_by_link) == (3, 2)
    assert [d.trajet.id for d in agreement.disagreements][-1] == unlinked.pk
    assert agreement.unlinked_count == 0


def test_a_linked_trajet_left_day_is_a_failure_and_an_unlinked_same_train_is_missed(
    night_trains,
):
    _night, by_night, _by_day, unlinked = night_trains
    Trajet.objects.filter(pk=by_night.pk).update(kind=ServiceKind.DAY)
    Stop.objects.filter(trajet=unlinked, sequence=0).update(departure_time=dt.time(19, 0))
    Stop.objects.filter(trajet=unlinked, sequence=1).update(arrival_time=dt.time(23, 0))
    agreement = night_agreement()
    assert [d.trajet.id for d in agreement.final_disagreements] == [by_night.pk]
    assert agreement.unlinked_by_reason == {"missed": 1}
    failures = check_truth().failures
    assert "1 trajets linked to the night-train database are not night trains" in failures
    assert any("without being linked" in failure for failure in failures)


# --- running_on, the command, the report and the page ----------------------------------------


def test_a_wrong_running_on_is_caught(tmp_path: Path, monkeypatch) -> None:
    source = load(write_gtfs(tmp_path / "feed"))
    assert check_truth().sources[0].running_on.mismatches == []

    def weekly_only(self, day):
        return self.filter(valid_from__lte=day, valid_to__gte=day)

    monkeypatch.setattr(TrajetQuerySet, "running_on", weekly_only)
    truth = next(s for s in check_truth().sources if s.source == source.name)
    assert "2025-01-11: running_on finds 2 trajets, their calendars say 0" in (
        truth.running_on.mismatches
    )


def test_check_truth_command_fails_on_a_wrong_calendar_and_stores_its_result(
    tmp_path: Path,
) -> None:
    source = load(write_gtfs(tmp_path / "feed"))
    out = StringIO()
    call_command("check_truth", "--source", source.name, stdout=out)
    assert "2/2 trajets exact (100.00 %)" in out.getvalue()
    assert out.getvalue().rstrip().endswith("OK")
    assert load_truth_report()["is_current"]
    t1 = trajet_of("T1")
    CalendarException.objects.create(trajet=t1, date=dt.date(2025, 1, 11), is_added=True)
    out = StringIO()
    with pytest.raises(CommandError, match=r"calendar exactness 50\.00 %"):
        call_command("check_truth", "--json", stdout=out)
    data = json.loads(out.getvalue())
    (feed,) = [s for s in data["sources"] if s["source"] == source.name]
    assert feed["calendar"]["exactness"] == 50.0
    assert feed["calendar"]["differences"][0]["only_in_warehouse"] == "2025-01-11"
    assert load_truth_report()["failures"] == data["failures"]
    with pytest.raises(CommandError, match="exactly one --source"):
        call_command("check_truth", "--path", str(tmp_path))
    with pytest.raises(CommandError, match="unknown source"):
        call_command("check_truth", "--source", "nowhere")


def test_a_named_source_whose_files_moved_fails(tmp_path: Path) -> None:
    source = load(write_gtfs(tmp_path / "feed"))
    with pytest.raises(CommandError, match="calendars not checked"):
        call_command(
            "check_truth", "--source", source.name, "--path", str(tmp_path / "gone"),
            stdout=StringIO(),
        )  # fmt: skip


def test_quality_page_and_report_show_the_stored_service_truth(client, tmp_path: Path) -> None:
    load(write_gtfs(tmp_path / "feed"))
    html = client.get(reverse("trajets:quality")).content.decode()
    assert "Vérité des services" in html
    assert "pas encore été faites sur cette base" in html
    assert '<th scope="col" class="num">Regroupés</th>' in html
    store_truth_report(check_truth())
    html = client.get(reverse("trajets:quality")).content.decode()
    assert "Toutes les vérifications réussissent." in html
    assert '<td class="num">2 / 2</td>' in html
    assert "100,00 %" in html
    assert "semaine du 2025-01-06" in html  # typical-week departures, warehouse / raw files
    out = StringIO()
    call_command("quality_report", "--no-truth", stdout=out)
    assert "Service truth checked" in out.getvalue()
    assert "(current): OK" in out.getvalue()
    CalendarException.objects.create(
        trajet=trajet_of("T1"), date=dt.date(2025, 1, 11), is_added=True
    )
    out = StringIO()
    call_command("quality_report", stdout=out)
    assert "FAILED: feed: calendar exactness 50.00 %" in out.getvalue()
    # The added Saturday falls in the typical week: the indicators count one more departure.
    assert "FAILED: feed: 11 departures in the typical week from 2025-01-06" in out.getvalue()
    assert "folded 0" in out.getvalue()
    html = client.get(reverse("trajets:quality")).content.decode()
    assert "2 vérifications échouent" in html
    assert "2025-01-11" in html
