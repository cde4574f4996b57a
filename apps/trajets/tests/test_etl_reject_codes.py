"""Each reject code is chosen where the record is rejected: one crafted input per code, and
reasons quoting ids that read like another code's words keep their own code."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from apps.trajets.etl.formats import extract
from apps.trajets.etl.loader import load_source
from apps.trajets.etl.records import (
    CalendarRecord,
    Location,
    RejectCode,
    RejectRecord,
    ServiceRecord,
    StopTimeRecord,
)
from apps.trajets.etl.sources import SourceSpec
from apps.trajets.etl.transform import StationInfo, harmonise_service
from apps.trajets.models import RejectedRecord
from apps.trajets.reject_reasons import REJECT_REASONS
from apps.trajets.tests.test_etl_extractors import GTFS_FILES, write_gtfs
from apps.trajets.tests.test_service_truth import _ontd

STOP_TIMES_HEADER = "trip_id,arrival_time,departure_time,stop_id,stop_sequence"


def rejects(fmt: str, path: Path, **options: object) -> list[RejectRecord]:
    return [r for r in extract(fmt, path, options) if isinstance(r, RejectRecord)]


def gtfs_rejects(folder: Path, **files: str) -> list[RejectRecord]:
    return rejects("gtfs", write_gtfs(folder, **files))


def stop_times(*rows: str) -> str:
    return "\n".join((STOP_TIMES_HEADER, *rows)) + "\n"


def csv_rejects(folder: Path, text: str) -> list[RejectRecord]:
    folder.mkdir()
    path = folder / "stations.csv"
    path.write_text(text, encoding="utf-8")
    return rejects("csv", path, delimiter=";")


def ontd_rejects(
    folder: Path, trip: dict | None = None, calls: list | None = None, **rows: dict
) -> list[RejectRecord]:
    """A one-train night-train database, ``rows`` added to its files (by file name)."""
    calls = [("Paris Est", "", "22:00"), ("Strasbourg", "06:00", "")] if calls is None else calls
    path = _ontd(folder, {"EN 1": {"service_id": "Daily", **(trip or {})}}, {"EN 1": calls})
    for name, added in rows.items():
        file = path / f"{name}.json"
        file.write_text(json.dumps({**json.loads(file.read_text()), **added}), encoding="utf-8")
    return rejects("ontd-json", path)


def loader_rejects(tmp_path: Path, fmt: str, path: Path) -> list[tuple[str, str]]:
    report = load_source(SourceSpec(name="mini", format=fmt, path=str(path)), path=path)
    assert report.status == "succeeded", report.summary()
    return list(
        RejectedRecord.objects.filter(run_id=report.run_id).values_list("reason_code", "reason")
    )


def implausible(_tmp_path: Path) -> list[RejectRecord]:
    """A dwell of seven hours at the middle stop (the transform's check)."""
    stations = {
        "A": StationInfo(1, 48.8768, 2.3591, "FR", "Europe/Paris"),
        "B": StationInfo(2, 49.2589, 4.0245, "FR", "Europe/Paris"),
        "C": StationInfo(3, 48.5850, 7.7345, "FR", "Europe/Paris"),
    }
    service = ServiceRecord(
        source_id="date-calendar-1",
        operator_id="X",
        stops=(
            StopTimeRecord("A", 1, None, 8 * 3600),
            StopTimeRecord("B", 2, 9 * 3600, 16 * 3600),
            StopTimeRecord("C", 3, 17 * 3600, None),
        ),
        location=Location("trips.txt", 2),
        calendar=CalendarRecord(dt.date(2025, 1, 6), dt.date(2025, 1, 10), (True,) * 7),
        time_zone="Europe/Paris",
    )
    result = harmonise_service(service, stations, operator_code="X")
    assert isinstance(result, RejectRecord)
    return [result]


# One crafted input per code; the ids in them often read like another code's words ("date",
# "calendar", "duplicate"), which the reason quotes and the code must ignore.
CASES: dict[RejectCode, Callable[[Path], list[RejectRecord]]] = {
    RejectCode.FRAGMENT: lambda tmp: gtfs_rejects(
        tmp, **{"stop_times.txt": stop_times("T1,,08:00:00,S1,1")}
    ),
    RejectCode.NOT_RAIL: lambda tmp: gtfs_rejects(
        tmp, **{"routes.txt": "route_id,agency_id,route_short_name,route_type\nR1,A,calendar,3\n"}
    ),
    RejectCode.IMPLAUSIBLE_TIME: implausible,
    RejectCode.INVALID_BOARDING_RULE: lambda tmp: gtfs_rejects(
        tmp,
        **{
            "stop_times.txt": (
                "trip_id,arrival_time,departure_time,stop_id,stop_sequence,pickup_type\n"
                "T1,,08:00:00,S1,1,7\nT1,09:50:00,,S2,2,0\n"
            )
        },
    ),
    RejectCode.UNKNOWN_STATION: lambda tmp: gtfs_rejects(
        tmp, **{"stop_times.txt": stop_times("T1,,08:00:00,S1,1", "T1,09:50:00,,update-42,2")}
    ),
    RejectCode.MISSING_COORDINATES: lambda tmp: gtfs_rejects(
        tmp, **{"stops.txt": GTFS_FILES["stops.txt"] + "S9,Nowhere,,\n"}
    ),
    RejectCode.INVALID_COORDINATES: lambda tmp: gtfs_rejects(
        tmp, **{"stops.txt": GTFS_FILES["stops.txt"] + "S9,Pole,95.0,2.0\n"}
    ),
    RejectCode.DUPLICATE_ID: lambda tmp: gtfs_rejects(
        tmp,
        **{"trips.txt": "route_id,service_id,trip_id\nR1,W,T1\nR1,W,T1\nR1,W,T2\n"},
    ),
    RejectCode.INVALID_TIME: lambda tmp: gtfs_rejects(
        tmp,
        **{"stop_times.txt": stop_times("T1,,08:00:00,S1,1", "T1,25:61:00,,S2,2")},
    ),
    RejectCode.TOO_FEW_STOPS: lambda tmp: ontd_rejects(tmp, calls=[("Paris Est", "", "22:00")]),
    RejectCode.NOT_A_STATION: lambda tmp: csv_rejects(
        tmp, "name;latitude;longitude;is_city\nParis;48.85;2.35;t\n"
    ),
    RejectCode.NOT_A_RECORD: lambda tmp: ontd_rejects(
        tmp, calendar={"--": {"service_id": "-- Summer dates --"}}
    ),
    RejectCode.INACTIVE: lambda tmp: ontd_rejects(tmp, {"is_active": "N"}),
    RejectCode.BROKEN_REFERENCE: lambda tmp: gtfs_rejects(
        tmp, **{"trips.txt": "route_id,service_id,trip_id\nR-date,W,T1\n"}
    ),
    RejectCode.INVALID_CALENDAR: lambda tmp: gtfs_rejects(
        tmp, **{"calendar_dates.txt": "service_id,date,exception_type\nW,20250107,3\n"}
    ),
    RejectCode.INVALID_DATE: lambda tmp: gtfs_rejects(
        tmp,
        **{
            "calendar.txt": GTFS_FILES["calendar.txt"] + "date,1,1,1,1,1,0,0,2025-01-06,20250131\n",
        },
    ),
    RejectCode.MISSING_NAME: lambda tmp: csv_rejects(tmp, "name;latitude;longitude\n;48.85;2.35\n"),
    RejectCode.INVALID_RECORD: lambda tmp: gtfs_rejects(
        tmp, **{"stop_times.txt": stop_times("T1,,08:00:00,S1,1", "T1,09:50:00,,S2,1")}
    ),
}
# Chosen by the loader against the database (tested below).
LOADER_CODES = {RejectCode.INVALID_TEXT, RejectCode.MISSING_COUNTRY}


def test_every_reject_code_has_a_case_and_an_explanation() -> None:
    assert set(CASES) | LOADER_CODES == set(RejectCode)
    assert set(REJECT_REASONS) == set(RejectCode)


@pytest.mark.parametrize("code", list(CASES), ids=str)
def test_a_crafted_record_is_rejected_with_its_code(code: RejectCode, tmp_path: Path) -> None:
    found = CASES[code](tmp_path / "input")
    assert {r.code for r in found} == {code}, [(r.code, r.reason) for r in found]


def test_a_stop_without_valid_coordinates_is_filed_by_what_is_wrong(tmp_path: Path) -> None:
    """The reason says "has no valid coordinates" for both: read from the text, it was
    filed ``invalid_record``, and ``invalid_date`` when the stop id held "date"."""
    found = gtfs_rejects(
        tmp_path,
        **{"stops.txt": GTFS_FILES["stops.txt"] + "S8,Blank,,\nupdate-9,Pole,95.0,2.0\n"},
    )
    assert [(r.code, r.reason) for r in found] == [
        (RejectCode.MISSING_COORDINATES, "stop 'S8' has no valid coordinates"),
        (RejectCode.INVALID_COORDINATES, "stop 'update-9' has no valid coordinates"),
    ]


def test_a_reason_quoting_another_codes_words_keeps_its_own_code(tmp_path: Path) -> None:
    """Trip ids read "duplicate" and "calendar"; the rejects are about their times."""
    found = gtfs_rejects(
        tmp_path,
        **{
            "trips.txt": "route_id,service_id,trip_id\nR1,W,duplicate\nR1,W,calendar\n",
            "stop_times.txt": stop_times(
                "duplicate,,08:00:00,S1,1",
                "duplicate,25:61:00,,S2,2",
                "calendar,,08:00:00,S1,1",
                "calendar,8h50,,S2,2",
            ),
        },
    )
    assert {r.code for r in found} == {RejectCode.INVALID_TIME}, [r.reason for r in found]
    assert len(found) == 2


def test_a_clock_time_past_midnight_is_an_invalid_time(tmp_path: Path) -> None:
    """A European-Sleeper-like page giving 24:10: the time is wrong (once invalid_record)."""
    page = tmp_path / "sleeper.html"
    page.write_text(
        '<div id="901"><h3>Train ES 901</h3>'
        "<table><tr><td>Amsterdam Centraal</td><td>Wien Hbf</td></tr>"
        "<tr><td>Sat 28 March 2026</td><td>Sun 29 March 2026</td></tr></table>"
        '<div class="stops"><div><b>24:10</b><span class="stop">Amsterdam Centraal</span></div>'
        '<div><b>09:00</b><span class="stop">Wien Hbf</span></div></div></div>',
        encoding="utf-8",
    )
    found = rejects("european-sleeper-html", page)
    assert [(r.code, r.reason) for r in found] == [
        (RejectCode.INVALID_TIME, "train block: clock time '24:10' is not below 24:00")
    ]


@pytest.mark.django_db
def test_the_loader_files_unstorable_text_as_invalid_text(tmp_path: Path) -> None:
    feed = write_gtfs(
        tmp_path / "feed",
        **{
            "stops.txt": (
                "stop_id,stop_name,stop_lat,stop_lon\n"
                "S1,Paris Est,48.8768,2.3591\nS2,Strasbourg,48.5850,7.7345\n"
                "S3,Reims,49.2589,4.0245\nS4,Nan\x00cy,48.6897,6.1742\n"
            ),
        },
    )
    assert loader_rejects(tmp_path, "gtfs", feed) == [
        (RejectCode.INVALID_TEXT, "station name contains a NUL character (U+0000)")
    ]


@pytest.mark.django_db
def test_the_loader_files_a_station_it_cannot_place_as_missing_country(tmp_path: Path) -> None:
    path = tmp_path / "stations.csv"
    path.write_text("name\nGare du Calendrier\n", encoding="utf-8")
    assert loader_rejects(tmp_path, "csv", path) == [
        (
            RejectCode.MISSING_COUNTRY,
            "station 'Gare du Calendrier' matches no known station and has neither "
            "coordinates nor a country to create it",
        )
    ]
