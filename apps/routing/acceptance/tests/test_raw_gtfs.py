"""The brute force over raw GTFS files, on small hand-written feeds."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from pathlib import Path

import pytest

from ..raw_gtfs import FeedError, RawSearch, read_feed

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
MONDAY = dt.date(2025, 11, 10)

#: A(1) -> B(2) -> C(3) by trip T1 and B -> D(4) by trip T2, daily in November 2025; B has two
#: platforms (B1, B2) under one parent; X is a place no station stands for.
STOPS = """stop_id,stop_name,parent_station,location_type
A,Alpha,,
B,Beta,,1
B1,Beta Gleis 1,B,
B2,Beta Gleis 2,B,
C,Gamma,,
D,Delta,,
X,Nowhere,,
"""


def _feed(tmp_path: Path, stop_times: str, *, calendar_dates: str = "", trips: str = "") -> Path:
    files = {
        "agency.txt": "agency_id,agency_name,agency_url,agency_timezone\n"
        "1,DB,https://bahn.de,Europe/Berlin\n",
        "routes.txt": "route_id,agency_id,route_type\nR,1,2\n",
        "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,"
        "start_date,end_date\nDAILY,1,1,1,1,1,1,1,20251101,20251130\n"
        "MONDAYS,1,0,0,0,0,0,0,20251101,20251130\n",
        "calendar_dates.txt": "service_id,date,exception_type\n" + calendar_dates,
        "trips.txt": "route_id,service_id,trip_id\nR,DAILY,T1\nR,DAILY,T2\n" + trips,
        "stops.txt": STOPS,
        "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence,"
        "pickup_type,drop_off_type\n" + stop_times,
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


LINE = """T1,08:00:00,08:00:00,A,1,,
T1,09:00:00,09:02:00,B1,2,,
T1,10:00:00,10:00:00,C,3,,
T2,09:07:00,09:07:00,B2,1,,
T2,10:30:00,10:30:00,D,2,,
"""

STATION = {"A": 1, "B": 2, "C": 3, "D": 4}


def _search(folder: Path, transfer_s: int = 300) -> RawSearch:
    return RawSearch(read_feed(folder), STATION, lambda _station: transfer_s)


def _arrival(search: RawSearch, origin: int, target: int, day: dt.date, hour: int, minute=0):
    depart = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=BERLIN)
    journey = search.earliest_arrival(origin, target, day, depart)
    return None if journey is None else journey.arrival.astimezone(BERLIN)


def test_platforms_are_their_parent_station_and_a_change_needs_the_transfer_time(tmp_path):
    search = _search(_feed(tmp_path, LINE))
    # Arrive at B (platform 1) at 09:00, leave from platform 2 at 09:07: 7 min >= 5 min.
    assert _arrival(search, 1, 4, MONDAY, 7) == dt.datetime(2025, 11, 10, 10, 30, tzinfo=BERLIN)
    # With 8 minutes to change the connection is lost, and T2 of the next day is too late.
    strict = _search(tmp_path, transfer_s=8 * 60)
    arrival = _arrival(strict, 1, 4, MONDAY, 7)
    assert arrival == dt.datetime(2025, 11, 11, 10, 30, tzinfo=BERLIN)


def test_legs_name_the_trips_dates_and_stops(tmp_path):
    search = _search(_feed(tmp_path, LINE))
    depart = dt.datetime.combine(MONDAY, dt.time(7), tzinfo=BERLIN)
    journey = search.earliest_arrival(1, 4, MONDAY, depart)
    assert [
        (leg.trip_id, leg.service_date, leg.from_stop, leg.to_stop) for leg in journey.legs
    ] == [
        ("T1", MONDAY, "A", "B1"),
        ("T2", MONDAY, "B2", "D"),
    ]
    assert journey.legs[0].from_name == "Alpha"


def test_a_stop_that_forbids_boarding_is_ridden_through_but_not_boarded(tmp_path):
    line = LINE.replace("T1,09:00:00,09:02:00,B1,2,,", "T1,09:00:00,09:02:00,B1,2,1,")
    search = _search(_feed(tmp_path, line))
    assert _arrival(search, 1, 3, MONDAY, 7) == dt.datetime(2025, 11, 10, 10, 0, tzinfo=BERLIN)
    # From B, T1 takes nobody up: the next morning's T1 does not either: no journey to C.
    assert _arrival(search, 2, 3, MONDAY, 8) is None


def test_a_stop_that_forbids_alighting_is_neither_an_arrival_nor_a_change(tmp_path):
    line = LINE.replace("T1,09:00:00,09:02:00,B1,2,,", "T1,09:00:00,09:02:00,B1,2,,1")
    search = _search(_feed(tmp_path, line))
    assert _arrival(search, 1, 2, MONDAY, 7) is None
    assert _arrival(search, 1, 4, MONDAY, 7) is None
    assert _arrival(search, 1, 3, MONDAY, 7) == dt.datetime(2025, 11, 10, 10, 0, tzinfo=BERLIN)


def test_calendars_are_expanded_with_added_and_removed_dates(tmp_path):
    trips = "R,MONDAYS,T3\n"
    stop_times = LINE + "T3,06:00:00,06:00:00,A,1,,\nT3,06:30:00,06:30:00,C,2,,\n"
    removed = f"MONDAYS,{MONDAY:%Y%m%d},2\nMONDAYS,20251112,1\n"
    feed = read_feed(_feed(tmp_path, stop_times, calendar_dates=removed, trips=trips))
    assert sorted(feed.services["MONDAYS"]) == [
        dt.date(2025, 11, 3),
        dt.date(2025, 11, 12),
        dt.date(2025, 11, 17),
        dt.date(2025, 11, 24),
    ]
    search = RawSearch(feed, STATION, lambda _station: 300)
    # Removed on Monday the 10th: T1 at 08:00 is the answer.
    assert _arrival(search, 1, 3, MONDAY, 5) == dt.datetime(2025, 11, 10, 10, 0, tzinfo=BERLIN)
    # Added on Wednesday the 12th.
    wednesday = dt.date(2025, 11, 12)
    assert _arrival(search, 1, 3, wednesday, 5) == dt.datetime(2025, 11, 12, 6, 30, tzinfo=BERLIN)


def test_times_past_midnight_belong_to_the_next_day_and_the_horizon_is_the_next_date(tmp_path):
    line = LINE + "T4,23:50:00,23:50:00,C,1,,\nT4,25:10:00,25:10:00,D,2,,\n"
    search = _search(_feed(tmp_path, line, trips="R,DAILY,T4\n"))
    # T4 of the 10th leaves C at 23:50 and reaches D at 01:10 on the 11th.
    arrival = _arrival(search, 3, 4, MONDAY, 23)
    assert arrival == dt.datetime(2025, 11, 11, 1, 10, tzinfo=BERLIN)
    # The last date of the feed: no run of the next date, so no journey after T4.
    last = dt.date(2025, 11, 30)
    assert _arrival(search, 3, 4, last, 23, 55) is None


def test_a_place_no_station_stands_for_is_passed_through(tmp_path):
    line = LINE.replace("T1,09:00:00,09:02:00,B1,2,,", "T1,09:00:00,09:02:00,X,2,,")
    search = _search(_feed(tmp_path, line))
    assert _arrival(search, 1, 3, MONDAY, 7) == dt.datetime(2025, 11, 10, 10, 0, tzinfo=BERLIN)
    assert _arrival(search, 1, 4, MONDAY, 7) is None


def test_the_origin_needs_no_change_time(tmp_path):
    search = _search(_feed(tmp_path, LINE), transfer_s=3600)
    assert _arrival(search, 2, 4, MONDAY, 9, 7) == dt.datetime(2025, 11, 10, 10, 30, tzinfo=BERLIN)


def test_a_missing_file_is_a_clear_error(tmp_path):
    _feed(tmp_path, LINE)
    (tmp_path / "trips.txt").unlink()
    with pytest.raises(FeedError, match=r"trips\.txt is missing"):
        read_feed(tmp_path)


def test_boarding_stations_are_those_a_train_of_the_date_takes_travellers_up(tmp_path):
    line = LINE.replace("T1,09:00:00,09:02:00,B1,2,,", "T1,09:00:00,09:02:00,B1,2,1,")
    search = _search(_feed(tmp_path, line))
    assert search.boarding_stations(MONDAY) == [1, 2]
