"""Departures over a period from the short exact calendar form, against a day-by-day expansion;
the same counts in SQL; each source's validity and typical week."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.trajets.calendars import (
    CalendarArrays,
    Period,
    Validity,
    busiest_week,
    daily_departures,
    day_number,
    departures_between,
    departures_expression,
    expand_running_days,
    monday_of,
    pattern_day_counts,
    pattern_days_expression,
    refresh_source_calendar,
    running_between,
    validity_of,
)
from apps.trajets.etl.records import CalendarRecord
from apps.trajets.models import CalendarException, Trajet
from apps.trajets.tests.factories import make_run, make_source, make_trajet

D = dt.date
EVERY_DAY = (True,) * 7
WEEKEND = (False, False, False, False, False, True, True)


def arrays(*calendars: CalendarRecord) -> CalendarArrays:
    return CalendarArrays.build(
        [(c.valid_from, c.valid_to, c.weekdays) for c in calendars],
        [
            (row, day, added)
            for row, c in enumerate(calendars)
            for days, added in ((c.added, True), (c.removed, False))
            for day in days
        ],
    )


def count(calendar: CalendarRecord, start: D, end: D) -> int:
    return int(departures_between(arrays(calendar), day_number(start), day_number(end))[0])


def brute_force(calendar: CalendarRecord, start: D, end: D) -> int:
    days = expand_running_days(
        calendar.valid_from, calendar.valid_to, calendar.weekdays, calendar.added, calendar.removed
    )
    return sum(start <= day <= end for day in days)


# --- Periods ---------------------------------------------------------------------------------


def test_week_of_any_day_runs_monday_to_sunday():
    assert Period.week_of(D(2025, 11, 23)) == Period(D(2025, 11, 17), D(2025, 11, 23))
    assert Period.week_of(D(2025, 11, 17)) == Period(D(2025, 11, 17), D(2025, 11, 23))
    assert Period.week_of(D(2026, 1, 1)) == Period(D(2025, 12, 29), D(2026, 1, 4))
    assert Period.week_of(D(2026, 1, 1)).is_week


def test_month_has_its_calendar_length_in_leap_and_common_years():
    assert Period.month(2024, 2).days == 29
    assert Period.month(2025, 2).days == 28
    assert Period.month(2025, 12) == Period(D(2025, 12, 1), D(2025, 12, 31))
    with pytest.raises(ValueError, match="month"):
        Period.month(2025, 13)


def test_rejects_a_period_ending_before_it_starts():
    with pytest.raises(ValueError, match="before start"):
        Period(D(2025, 1, 2), D(2025, 1, 1))


def test_monday_of_a_sunday_is_six_days_before():
    assert monday_of(D(2025, 11, 23)) == D(2025, 11, 17)


# --- Array arithmetic against day-by-day expansion ------------------------------------------


def test_period_boundaries_are_both_included():
    calendar = CalendarRecord(D(2025, 1, 1), D(2025, 12, 31), EVERY_DAY)
    assert count(calendar, D(2025, 3, 1), D(2025, 3, 1)) == 1
    assert count(calendar, D(2025, 3, 1), D(2025, 3, 31)) == 31
    assert count(calendar, D(2024, 12, 1), D(2025, 1, 1)) == 1  # pattern starts on the end
    assert count(calendar, D(2025, 12, 31), D(2026, 2, 1)) == 1
    assert count(calendar, D(2026, 1, 1), D(2026, 1, 31)) == 0


def test_counts_only_flagged_weekdays():
    calendar = CalendarRecord(D(2025, 11, 1), D(2025, 11, 30), WEEKEND)
    assert count(calendar, D(2025, 11, 17), D(2025, 11, 23)) == 2
    assert count(calendar, D(2025, 11, 17), D(2025, 11, 21)) == 0  # Monday to Friday
    assert count(calendar, D(2025, 11, 1), D(2025, 11, 30)) == 10


def test_added_date_outside_the_pattern_counts_once():
    calendar = CalendarRecord(
        D(2025, 6, 2), D(2025, 6, 29), WEEKEND, added=(D(2025, 12, 24), D(2025, 6, 4))
    )
    assert count(calendar, D(2025, 12, 22), D(2025, 12, 28)) == 1
    assert count(calendar, D(2025, 6, 2), D(2025, 6, 8)) == 3


def test_removed_dates_are_subtracted_inside_the_period_only():
    calendar = CalendarRecord(
        D(2025, 12, 1), D(2025, 12, 31), EVERY_DAY, removed=(D(2025, 12, 25), D(2025, 12, 1))
    )
    assert count(calendar, D(2025, 12, 22), D(2025, 12, 28)) == 6
    assert count(calendar, D(2025, 12, 2), D(2025, 12, 8)) == 7
    assert count(calendar, D(2025, 12, 1), D(2025, 12, 31)) == 29


def test_leap_day_is_counted():
    calendar = CalendarRecord(D(2024, 2, 1), D(2024, 3, 31), EVERY_DAY)
    assert count(calendar, D(2024, 2, 1), D(2024, 2, 29)) == 29
    # 2024 starts on a Monday and has 366 days: 53 Mondays and Tuesdays, 52 Wednesdays
    tuesday = (False, True, False, False, False, False, False)
    wednesday = (False, False, True, False, False, False, False)
    assert count(CalendarRecord(D(2024, 1, 1), D(2024, 12, 31), tuesday), *_year(2024)) == 53
    assert count(CalendarRecord(D(2024, 1, 1), D(2024, 12, 31), wednesday), *_year(2024)) == 52


def _year(year: int) -> tuple[D, D]:
    return D(year, 1, 1), D(year, 12, 31)


def test_calendar_dates_only_trajet_counts_its_dates():
    """A GTFS service given by calendar_dates.txt alone: its short form is whatever
    ``of_days`` makes of the dates; every date counts, whatever the split."""
    dates = [D(2025, 11, 3), D(2025, 11, 4), D(2025, 11, 19), D(2026, 2, 14)]
    calendar = CalendarRecord.of_days(day.toordinal() for day in dates)
    assert count(calendar, D(2025, 11, 3), D(2025, 11, 9)) == 2
    assert count(calendar, D(2025, 11, 1), D(2026, 3, 1)) == 4
    assert count(calendar, D(2026, 2, 9), D(2026, 2, 15)) == 1


def test_pattern_counts_take_one_period_per_row():
    counts = pattern_day_counts(
        [day_number(D(2025, 1, 1))] * 2,
        [day_number(D(2025, 12, 31))] * 2,
        [0b1111111, 0b0000001],
        [day_number(D(2025, 3, 3)), day_number(D(2025, 3, 3))],
        [day_number(D(2025, 3, 9)), day_number(D(2025, 3, 16))],
    )
    assert counts.tolist() == [7, 2]


calendars_in_short_form = st.builds(
    lambda first, offsets: CalendarRecord.of_days(first + offset for offset in offsets),
    st.integers(D(2023, 12, 1).toordinal(), D(2024, 4, 1).toordinal()),
    st.sets(st.integers(0, 500), min_size=1, max_size=120),
)
periods = st.tuples(st.dates(D(2023, 10, 1), D(2025, 8, 1)), st.integers(0, 400)).map(
    lambda pair: (pair[0], pair[0] + dt.timedelta(days=pair[1]))
)


@given(calendars_in_short_form, periods)
@settings(max_examples=300, deadline=None)
def test_departures_equal_the_day_by_day_expansion(calendar, period):
    assert count(calendar, *period) == brute_force(calendar, *period)


@given(
    st.dates(D(2023, 1, 1), D(2025, 1, 1)),
    st.integers(0, 800),
    st.lists(st.booleans(), min_size=7, max_size=7),
    periods,
)
@settings(max_examples=300, deadline=None)
def test_pattern_days_equal_the_day_by_day_expansion(valid_from, length, weekdays, period):
    valid_to = valid_from + dt.timedelta(days=length)
    calendar = CalendarRecord(valid_from, valid_to, tuple(weekdays))
    assert count(calendar, *period) == brute_force(calendar, *period)


@given(st.lists(calendars_in_short_form, min_size=1, max_size=6), st.data())
@settings(max_examples=100, deadline=None)
def test_daily_departures_and_busiest_week_equal_the_expansion(calendars, data):
    weights = data.draw(
        st.lists(st.integers(1, 5), min_size=len(calendars), max_size=len(calendars))
    )
    per_day: dict[D, int] = {}
    for calendar, weight in zip(calendars, weights, strict=True):
        for day in calendar.running_dates():
            per_day[day] = per_day.get(day, 0) + weight
    rows = arrays(*calendars)
    rows = CalendarArrays(**{**rows.__dict__, "weights": np.array(weights, dtype=np.int64)})
    first, daily = daily_departures(rows)
    assert {
        D.fromordinal(first + index): int(value) for index, value in enumerate(daily) if value
    } == per_day
    weeks: dict[D, int] = {}
    for day, departures in per_day.items():
        weeks[monday_of(day)] = weeks.get(monday_of(day), 0) + departures
    best = max(weeks.values())
    expected = min(monday for monday, value in weeks.items() if value == best)
    assert D.fromordinal(busiest_week(first, daily)) == expected


def test_busiest_week_takes_the_earliest_of_equal_weeks():
    calendar = CalendarRecord(D(2025, 11, 5), D(2025, 12, 31), (True,) + (False,) * 6)
    first, daily = daily_departures(arrays(calendar))
    assert D.fromordinal(busiest_week(first, daily)) == D(2025, 11, 10)


def test_busiest_week_is_none_when_nothing_runs():
    assert busiest_week(0, np.zeros(0, dtype=np.int64)) is None
    assert busiest_week(day_number(D(2025, 1, 1)), np.zeros(10, dtype=np.int64)) is None


# --- Validity --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("runs_from", "runs_until", "expected"),
    [
        (D(2024, 1, 1), D(2025, 5, 31), Validity.EXPIRED),
        (D(2025, 6, 2), D(2025, 12, 1), Validity.UPCOMING),
        (D(2025, 1, 1), D(2025, 6, 1), Validity.CURRENT),
        (D(2025, 6, 1), D(2025, 6, 1), Validity.CURRENT),
        (None, None, Validity.UNKNOWN),
    ],
)
def test_validity_follows_today(runs_from, runs_until, expected):
    assert validity_of(runs_from, runs_until, D(2025, 6, 1)) == expected


# --- In the database -------------------------------------------------------------------------


def _trajet_with(calendar: CalendarRecord, **fields: object) -> Trajet:
    days = calendar.running_dates()
    flags = "".join("1" if runs else "0" for runs in calendar.weekdays)
    trajet = make_trajet(
        valid_from=calendar.valid_from,
        valid_to=calendar.valid_to,
        weekdays=flags,
        runs_from=days[0],
        runs_until=days[-1],
        running_days=len(days),
        **fields,
    )
    CalendarException.objects.bulk_create(
        [CalendarException(trajet=trajet, date=day, is_added=True) for day in calendar.added]
        + [CalendarException(trajet=trajet, date=day, is_added=False) for day in calendar.removed]
    )
    return trajet


SQL_CALENDARS = [
    CalendarRecord(D(2025, 1, 1), D(2025, 12, 31), EVERY_DAY),
    CalendarRecord(D(2025, 11, 1), D(2025, 11, 30), WEEKEND, removed=(D(2025, 11, 22),)),
    CalendarRecord(D(2024, 2, 26), D(2024, 3, 3), (False, False, False, True) + (False,) * 3),
    CalendarRecord.of_days(d.toordinal() for d in (D(2025, 11, 19), D(2026, 2, 14))),
    CalendarRecord(
        D(2025, 6, 2), D(2025, 6, 29), WEEKEND, added=(D(2025, 12, 24),), removed=(D(2025, 6, 8),)
    ),
]
SQL_PERIODS = [
    (D(2025, 11, 17), D(2025, 11, 23)),
    (D(2025, 11, 22), D(2025, 11, 22)),
    (D(2024, 2, 29), D(2024, 2, 29)),
    (D(2025, 12, 22), D(2025, 12, 28)),
    (D(2025, 1, 1), D(2025, 12, 31)),
    (D(2026, 2, 9), D(2026, 2, 15)),
    (D(2027, 1, 1), D(2027, 1, 31)),
]


@pytest.mark.django_db
def test_sql_counts_and_running_filter_match_the_expansion():
    trajets = [_trajet_with(calendar) for calendar in SQL_CALENDARS]
    for start, end in SQL_PERIODS:
        pattern = dict(
            Trajet.objects.annotate(n=pattern_days_expression(Period(start, end))).values_list(
                "pk", "n"
            )
        )
        running = set(
            running_between(Trajet.objects.all(), Period(start, end)).values_list("pk", flat=True)
        )
        for trajet, calendar in zip(trajets, SQL_CALENDARS, strict=True):
            plain = CalendarRecord(calendar.valid_from, calendar.valid_to, calendar.weekdays)
            assert pattern[trajet.pk] == brute_force(plain, start, end), (calendar, start)
            assert (trajet.pk in running) == (brute_force(calendar, start, end) > 0), (
                calendar,
                start,
            )


@pytest.mark.django_db
def test_refresh_stores_the_running_span_and_the_busiest_week_of_the_source():
    source = make_source("feed-a")
    run = make_run(source)
    _trajet_with(CalendarRecord(D(2025, 11, 3), D(2025, 12, 14), WEEKEND), run=run)
    _trajet_with(
        CalendarRecord(D(2025, 11, 10), D(2025, 11, 30), EVERY_DAY, removed=(D(2025, 11, 12),)),
        run=run,
    )
    _trajet_with(
        CalendarRecord.of_days(d.toordinal() for d in (D(2025, 11, 18), D(2026, 1, 6))), run=run
    )
    other = make_source("feed-b")
    _trajet_with(CalendarRecord(D(2020, 1, 1), D(2020, 1, 31), EVERY_DAY), run=make_run(other))

    refresh_source_calendar(source)

    source.refresh_from_db()
    assert (source.runs_from, source.runs_until) == (D(2025, 11, 8), D(2026, 1, 6))
    # weeks of 10, 17 and 24 November: 2 + 6, 2 + 7 + 1, 2 + 7 departures
    assert source.reference_week == D(2025, 11, 17)


@pytest.mark.django_db
def test_refresh_of_a_source_without_trajets_clears_its_calendar():
    source = make_source("empty-feed", reference_week=D(2020, 1, 6), runs_from=D(2020, 1, 1))
    refresh_source_calendar(source)
    source.refresh_from_db()
    assert (source.runs_from, source.runs_until, source.reference_week) == (None, None, None)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(calendars_in_short_form, periods)
@pytest.mark.django_db
def test_sql_running_filter_matches_the_expansion_for_any_calendar(calendar, period):
    trajet = _trajet_with(calendar)
    try:
        running = running_between(Trajet.objects.filter(pk=trajet.pk), Period(*period)).exists()
        assert running == (brute_force(calendar, *period) > 0)
    finally:
        trajet.delete()


@pytest.mark.django_db
def test_sql_departures_match_the_expansion_in_a_fixed_period_and_each_sources_typical_week():
    weeks = {"feed-a": D(2025, 11, 17), "feed-b": D(2025, 6, 2)}
    runs = {name: make_run(make_source(name)) for name in weeks}
    expected_typical = {}
    for name, run in runs.items():
        for calendar in SQL_CALENDARS:
            trajet = _trajet_with(calendar, run=run)
            monday = weeks[name]
            expected_typical[trajet.pk] = brute_force(
                calendar, monday, monday + dt.timedelta(days=6)
            )
    mondays = {run.source_id: weeks[name] for name, run in runs.items()}
    for period in (mondays, Period(D(2025, 11, 17), D(2025, 11, 23)), Period.month(2025, 12)):
        departures = dict(
            Trajet.objects.annotate(n=departures_expression(period)).values_list("pk", "n")
        )
        running = set(running_between(Trajet.objects.all(), period).values_list("pk", flat=True))
        for trajet in Trajet.objects.prefetch_related("calendar_exceptions"):
            calendar = CalendarRecord(
                trajet.valid_from,
                trajet.valid_to,
                tuple(trajet.weekdays),
                tuple(e.date for e in trajet.calendar_exceptions.all() if e.is_added),
                tuple(e.date for e in trajet.calendar_exceptions.all() if not e.is_added),
            )
            expected = (
                expected_typical[trajet.pk]
                if period is mondays
                else brute_force(calendar, period.start, period.end)
            )
            assert departures[trajet.pk] == expected, (period, calendar)
            assert (trajet.pk in running) == (expected > 0), (period, calendar)
    assert any(expected_typical.values())


@pytest.mark.django_db
def test_refresh_command_stores_every_sources_calendar_and_rejects_unknown_names():
    from io import StringIO

    from django.core.management import CommandError, call_command

    source = make_source("feed-c")
    _trajet_with(CalendarRecord(D(2025, 11, 3), D(2025, 11, 30), EVERY_DAY), run=make_run(source))
    out = StringIO()
    call_command("refresh_source_calendars", stdout=out)
    source.refresh_from_db()
    assert source.reference_week == D(2025, 11, 3)
    assert "feed-c: 2025-11-03 → 2025-11-30, typical week 2025-11-03" in out.getvalue()
    with pytest.raises(CommandError, match="unknown source"):
        call_command("refresh_source_calendars", "nowhere")
