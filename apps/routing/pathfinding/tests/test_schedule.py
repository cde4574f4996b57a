"""Timetables built per date from trip patterns and calendars."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from .. import NoPathError, earliest_arrival
from ..errors import ParameterError
from ..schedule import (
    DAY_S,
    Coverage,
    Schedule,
    TripCalendars,
    TripPatterns,
    strictly_increasing_times,
    utc_offset_s,
)
from .strategies import SCHEDULE_START, random_schedule

PARIS = "Europe/Paris"


def _calendar_oracle(calendars: TripCalendars, trip: int) -> set[int]:
    """Dates (ordinals) trip ``trip`` runs on, from the definition."""
    days = {
        day
        for day in range(int(calendars.valid_from[trip]), int(calendars.valid_to[trip]) + 1)
        if calendars.weekdays[trip] >> ((day - 1) % 7) & 1
    }
    for date, who, added in zip(
        calendars.exception_date.tolist(),
        calendars.exception_trip.tolist(),
        calendars.exception_added.tolist(),
        strict=True,
    ):
        if who == trip:
            (days.add if added else days.discard)(date)
    return days


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), trip_count=st.integers(1, 30))
def test_trips_run_on_their_weekly_pattern_plus_added_minus_removed_dates(seed, trip_count):
    calendars = random_schedule(seed, 6, trip_count).calendars
    expected = [_calendar_oracle(calendars, trip) for trip in range(trip_count)]
    for day in range(SCHEDULE_START - 5, SCHEDULE_START + 35):
        runs = calendars.running_on(day)
        assert set(np.flatnonzero(runs).tolist()) == {
            trip for trip in range(trip_count) if day in expected[trip]
        }


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), day=st.integers(0, 31))
def test_a_date_holds_every_run_of_the_dates_around_it_at_its_utc_time(seed, day):
    schedule = random_schedule(seed, 6, 15, zones=(PARIS,))
    date = dt.date.fromordinal(SCHEDULE_START + day)
    service = schedule.service_day(date)
    patterns = schedule.patterns
    floor = DAY_S - utc_offset_s(PARIS, date)
    expected = Counter()
    for back in range(-schedule.days_back, 2):
        running = date + dt.timedelta(days=back)
        offset = utc_offset_s(PARIS, running)
        shift = (running - date).days * DAY_S + DAY_S
        for hop in range(patterns.hop_count):
            trip = int(patterns.hop_trip[hop])
            if running.toordinal() not in _calendar_oracle(schedule.calendars, trip):
                continue
            departure = shift + int(patterns.departure_local_s[hop]) - offset
            if departure >= floor:
                expected[
                    (
                        int(patterns.from_station[hop]),
                        departure,
                        shift + int(patterns.arrival_local_s[hop]) - offset,
                        trip,
                        running.toordinal(),
                    )
                ] += 1
    timetable = service.timetable
    found = Counter(
        (
            int(timetable.departure_station[c]),
            int(timetable.departure_s[c]),
            int(timetable.arrival_s[c]),
            int(service.trip_of[timetable.trip[c]]),
            int(service.service_date_of[timetable.trip[c]]),
        )
        for c in range(timetable.connection_count)
    )
    assert found == expected


def _one_line(
    *,
    times: tuple[str, ...] = ("08:00", "10:00"),
    runs: str = "1111111",
    can_board: tuple[bool, ...] | None = None,
    exceptions: tuple[tuple[dt.date, bool], ...] = (),
) -> Schedule:
    """Stations 0 -> 1 (-> 2 ...) by trip 0 at ``times`` (departure = arrival at each stop,
    HH:MM past 24:00 after midnight), in Paris time, all of 2025."""

    def seconds(text: str) -> int:
        hours, minutes = text.split(":")
        return int(hours) * 3600 + int(minutes) * 60

    hops = len(times) - 1
    patterns = TripPatterns(
        station_count=hops + 1,
        hop_trip=np.zeros(hops, dtype=np.int32),
        from_station=np.arange(hops, dtype=np.int32),
        to_station=np.arange(1, hops + 1, dtype=np.int32),
        departure_local_s=np.array([seconds(t) for t in times[:-1]], dtype=np.int32),
        arrival_local_s=np.array([seconds(t) for t in times[1:]], dtype=np.int32),
        can_board=np.array(can_board or (True,) * hops, dtype=bool),
        can_alight=np.ones(hops, dtype=bool),
        trip_is_night=np.array([False]),
        transfer_s=np.full(hops + 1, 300, dtype=np.int32),
        station_zone=np.zeros(hops + 1, dtype=np.int32),
        zones=(PARIS,),
    )
    calendars = TripCalendars.build(
        valid_from=[dt.date(2025, 1, 1).toordinal()],
        valid_to=[dt.date(2025, 12, 31).toordinal()],
        weekdays=[int(runs[::-1], 2)],
        exception_date=[day.toordinal() for day, _added in exceptions],
        exception_trip=[0] * len(exceptions),
        exception_added=[added for _day, added in exceptions],
    )
    coverage = [Coverage("feed", dt.date(2025, 1, 1), dt.date(2025, 12, 31))]
    return Schedule(patterns, calendars, coverage, cache_size=2)


def test_local_times_follow_the_utc_offset_of_each_run_s_own_date():
    # Summer time ends on Sunday 2025-10-26: Saturday's run leaves at 06:00 UTC, Sunday's at
    # 07:00 (the run of Friday, over before Saturday began, is left out).
    service = _one_line().service_day(dt.date(2025, 10, 25))
    assert sorted(service.timetable.departure_s.tolist()) == [
        DAY_S + 6 * 3600,
        2 * DAY_S + 7 * 3600,
    ]
    assert service.epoch == dt.datetime(2025, 10, 24, tzinfo=dt.UTC)


def test_the_same_train_on_two_dates_is_two_trips_of_the_timetable():
    service = _one_line().service_day(dt.date(2025, 6, 11))
    timetable = service.timetable
    assert timetable.trip_count == 2  # runs of 11 and 12 June
    assert service.trip_of.tolist() == [0, 0]
    assert sorted(service.service_date_of.tolist()) == [
        dt.date(2025, 6, day).toordinal() for day in (11, 12)
    ]
    assert set(timetable.trip.tolist()) == {0, 1}


def test_a_late_departure_takes_the_next_morning_s_train():
    service = _one_line().service_day(dt.date(2025, 6, 11))
    late = service.seconds(dt.datetime(2025, 6, 11, 21, 0, tzinfo=dt.UTC))
    journey = earliest_arrival(service.timetable, 0, 1, late)
    assert service.moment(journey.arrival_s) == dt.datetime(2025, 6, 12, 8, 0, tzinfo=dt.UTC)
    trip = journey.legs[0].trip
    assert dt.date.fromordinal(int(service.service_date_of[trip])) == dt.date(2025, 6, 12)


def test_a_train_of_the_day_before_still_running_after_midnight_is_taken():
    # 23:30 at station 0, 00:30 at station 1, 01:10 at station 2 (Paris time).
    schedule = _one_line(times=("23:30", "24:30", "25:10"))
    service = schedule.service_day(dt.date(2025, 6, 11))
    # 00:00 Paris time on the 11th is 22:00 UTC on the 10th.
    start = service.seconds(dt.datetime(2025, 6, 10, 22, 0, tzinfo=dt.UTC))
    journey = earliest_arrival(service.timetable, 1, 2, start)
    assert service.moment(journey.arrival_s) == dt.datetime(2025, 6, 10, 23, 10, tzinfo=dt.UTC)
    trip = journey.legs[0].trip
    assert dt.date.fromordinal(int(service.service_date_of[trip])) == dt.date(2025, 6, 10)
    # From its first stop, that run left before the 11th began: the next one is taken.
    journey = earliest_arrival(service.timetable, 0, 2, start)
    trip = journey.legs[0].trip
    assert dt.date.fromordinal(int(service.service_date_of[trip])) == dt.date(2025, 6, 11)


def test_calendar_exceptions_remove_and_add_runs():
    removed = _one_line(exceptions=((dt.date(2025, 6, 12), False),))
    service = removed.service_day(dt.date(2025, 6, 11))
    assert service.service_date_of.tolist() == [dt.date(2025, 6, 11).toordinal()]
    added = _one_line(runs="0000000", exceptions=((dt.date(2025, 6, 12), True),))
    service = added.service_day(dt.date(2025, 6, 11))
    morning = service.seconds(dt.datetime(2025, 6, 11, 5, 0, tzinfo=dt.UTC))
    journey = earliest_arrival(service.timetable, 0, 1, morning)
    assert service.moment(journey.departure_s).date() == dt.date(2025, 6, 12)


def test_boarding_rules_of_the_pattern_reach_the_timetable():
    schedule = _one_line(can_board=(False,))
    assert schedule.patterns.hop_count == 1
    service = schedule.service_day(dt.date(2025, 6, 11))
    assert not service.timetable.can_board.any()
    with pytest.raises(NoPathError):
        earliest_arrival(service.timetable, 0, 1, 0)


def test_built_dates_are_cached_and_the_least_recently_used_is_dropped():
    schedule = _one_line()
    first = schedule.service_day(dt.date(2025, 6, 11))
    assert schedule.service_day(dt.date(2025, 6, 11)) is first
    schedule.service_day(dt.date(2025, 6, 12))
    schedule.service_day(dt.date(2025, 6, 11))
    schedule.service_day(dt.date(2025, 6, 13))
    assert schedule.cached_days == (dt.date(2025, 6, 11), dt.date(2025, 6, 13))


def test_coverage_says_which_dates_a_source_covers():
    schedule = _one_line()
    assert schedule.covers(dt.date(2025, 1, 1))
    assert schedule.covers(dt.date(2025, 12, 31))
    assert not schedule.covers(dt.date(2026, 1, 1))


def test_busiest_day_is_a_covered_day_with_the_most_runs():
    schedule = random_schedule(7, 6, 20)
    day = schedule.busiest_day()
    assert schedule.covers(day)
    best = max(
        int(schedule.calendars.running_on(SCHEDULE_START + offset).sum()) for offset in range(30)
    )
    assert int(schedule.calendars.running_on(day.toordinal()).sum()) == best


def test_zero_minute_hops_are_pushed_one_second_along_their_trip():
    departure, arrival = strictly_increasing_times(
        np.array([0, 60, 60, 0]), np.array([60, 60, 120, 30]), np.array([0, 0, 0, 1])
    )
    assert departure.tolist() == [0, 60, 61, 0]
    assert arrival.tolist() == [60, 61, 120, 30]


def test_inconsistent_calendars_are_refused():
    with pytest.raises(ParameterError, match="one value per trip"):
        TripCalendars.build([1, 2], [3], [127, 127])
    schedule = _one_line()
    with pytest.raises(ParameterError, match="calendars describe 2 trips"):
        Schedule(schedule.patterns, TripCalendars.build([1, 2], [3, 4], [1, 1]))
