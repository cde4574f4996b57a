"""Running dates of trajets over a period, and each source's validity and typical week.

A trajet runs on the days of its weekly pattern (its flagged weekdays between ``valid_from``
and ``valid_to``), plus its added dates, minus its removed dates. The warehouse stores the
short exact form (``apps.trajets.etl.records.CalendarRecord.of_days``): an added date is never
a pattern day and a removed date always is one. So over any period [start, end]

    departures = pattern days in [start, end] + added dates in it − removed dates in it

exactly, without expanding a calendar day by day.

Days are proleptic Gregorian ordinals (``date.toordinal()``): 0001-01-01 is day 1, a Monday,
so the weekday of day ``n`` is ``(n - 1) % 7``, Monday 0. Weekday flags are packed into a bit
mask, bit ``d`` for weekday ``d``. The array functions take one row per calendar and optional
``weights`` (how many trajets share that calendar), so a source's million trajets are read
as the few thousand distinct calendars they use. The same counts run inside the database
through ``pattern_days_expression`` (lists, indicators), tested against the arrays.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
import enum
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import models
from django.db.models import Count, F, Max, Min, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Greatest, Least
from django.db.models.lookups import Exact, GreaterThan
from numpy.typing import ArrayLike, NDArray

from apps.trajets.models import CalendarException, DataSource, Trajet

__all__ = [
    "MAX_PERIOD_DAYS",
    "CalendarArrays",
    "Period",
    "Validity",
    "Weeks",
    "busiest_week",
    "daily_departures",
    "day_number",
    "departures_between",
    "departures_expression",
    "exception_balance",
    "expand_running_days",
    "has_exceptions_in",
    "monday_of",
    "pattern_day_counts",
    "pattern_days_expression",
    "refresh_source_calendar",
    "refresh_trajet_flags",
    "refresh_typical_week_flags",
    "running_between",
    "running_condition",
    "typical_week_of",
    "validity_of",
    "weekday_mask",
]

logger = logging.getLogger(__name__)

#: The longest period an indicator or a list filter accepts (a leap year).
MAX_PERIOD_DAYS = 366
_WEEKDAY_BITS = np.array([1 << day for day in range(7)], dtype=np.int64)


# --- Periods ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """The dates from ``start`` to ``end``, both included."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"end ({self.end}) is before start ({self.start})")

    @classmethod
    def week_of(cls, day: dt.date) -> Period:
        """The Monday-to-Sunday week holding ``day`` (cut at the last date Python knows)."""
        monday = monday_of(day)
        return cls(monday, monday + min(dt.timedelta(days=6), dt.date.max - monday))

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        """A calendar month (``ValueError`` for a month outside 1–12)."""
        last = _calendar.monthrange(year, month)[1]
        return cls(dt.date(year, month, 1), dt.date(year, month, last))

    @property
    def days(self) -> int:
        """Number of dates in the period."""
        return (self.end - self.start).days + 1

    @property
    def is_week(self) -> bool:
        """Whether the period is one Monday-to-Sunday week."""
        return self.start.weekday() == 0 and self.days == 7

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def monday_of(day: dt.date) -> dt.date:
    """The Monday of the week holding ``day``."""
    return day - dt.timedelta(days=day.weekday())


def day_number(day: dt.date) -> int:
    """The ordinal of ``day`` (0001-01-01 is 1, a Monday)."""
    return day.toordinal()


def weekday_mask(weekdays: Sequence[bool]) -> int:
    """Seven weekday flags, Monday first, as a bit mask (bit 0: Monday)."""
    return sum(1 << day for day, runs in enumerate(weekdays) if runs)


# --- Array arithmetic ------------------------------------------------------------------------


def _weekday_count(first: NDArray[np.int64], last: NDArray[np.int64], weekday: int) -> NDArray:
    """How many days of ``weekday`` lie in [first, last] (day ordinals; 0 when empty).

    Day ``n`` has weekday ``(n - 1) % 7``: the days of weekday ``d`` up to ``x`` number
    ``floor((x - 1 - d) / 7)`` plus a constant, hence the difference of two floors.
    """
    last = np.maximum(last, first - 1)  # an empty range counts 0, never a negative number
    return np.floor_divide(last - 1 - weekday, 7) - np.floor_divide(first - 2 - weekday, 7)


def pattern_day_counts(
    valid_from: ArrayLike,
    valid_to: ArrayLike,
    masks: ArrayLike,
    start: ArrayLike,
    end: ArrayLike,
) -> NDArray[np.int64]:
    """Days of each weekly pattern inside [start, end].

    Parameters
    ----------
    valid_from, valid_to
        Ordinals of each pattern's first and last date.
    masks
        Each pattern's weekday bit mask (bit 0: Monday).
    start, end
        Ordinals of the period's first and last date, one for all or one per pattern.

    Returns
    -------
    The number of flagged weekdays in [max(start, valid_from), min(end, valid_to)] per row.
    """
    masks = np.asarray(masks, dtype=np.int64)
    first = np.maximum(np.asarray(start, dtype=np.int64), np.asarray(valid_from, dtype=np.int64))
    last = np.minimum(np.asarray(end, dtype=np.int64), np.asarray(valid_to, dtype=np.int64))
    counts = np.zeros(np.broadcast(first, last, masks).shape, dtype=np.int64)
    for day in range(7):
        counts += np.where(masks & (1 << day), _weekday_count(first, last, day), 0)
    return counts


@dataclass(frozen=True)
class CalendarArrays:
    """Calendars in the short exact form as arrays (see the module docstring).

    ``valid_from``, ``valid_to``, ``masks`` and ``weights`` have one row per calendar;
    ``exception_row`` points each dated exception at its calendar's row, with its day and
    whether it adds (else removes) that day. ``weights`` says how many trajets share a row.
    """

    valid_from: NDArray[np.int64]
    valid_to: NDArray[np.int64]
    masks: NDArray[np.int64]
    weights: NDArray[np.int64]
    exception_row: NDArray[np.int64]
    exception_day: NDArray[np.int64]
    exception_added: NDArray[np.bool_]

    @classmethod
    def build(
        cls,
        patterns: Iterable[tuple[dt.date, dt.date, Sequence[bool]]],
        exceptions: Iterable[tuple[int, dt.date, bool]] = (),
        weights: Iterable[int] | None = None,
    ) -> CalendarArrays:
        """Arrays from (valid_from, valid_to, weekday flags) rows and (row, date, is_added)."""
        rows = list(patterns)
        dated = list(exceptions)
        count = len(rows)
        return cls(
            valid_from=np.array([day_number(row[0]) for row in rows], dtype=np.int64),
            valid_to=np.array([day_number(row[1]) for row in rows], dtype=np.int64),
            masks=np.array([weekday_mask(row[2]) for row in rows], dtype=np.int64),
            weights=(
                np.ones(count, dtype=np.int64)
                if weights is None
                else np.fromiter(weights, dtype=np.int64, count=count)
            ),
            exception_row=np.array([row for row, _, _ in dated], dtype=np.int64),
            exception_day=np.array([day_number(day) for _, day, _ in dated], dtype=np.int64),
            exception_added=np.array([added for _, _, added in dated], dtype=bool),
        )

    def __len__(self) -> int:
        return len(self.valid_from)


def departures_between(
    calendars: CalendarArrays, start: ArrayLike, end: ArrayLike
) -> NDArray[np.int64]:
    """Running days of each calendar in [start, end] (ordinals, shared or one per row):
    pattern days, plus added dates, minus removed dates in the period. Unweighted."""
    start_per_row = np.broadcast_to(np.asarray(start, dtype=np.int64), (len(calendars),))
    end_per_row = np.broadcast_to(np.asarray(end, dtype=np.int64), (len(calendars),))
    counts = pattern_day_counts(
        calendars.valid_from, calendars.valid_to, calendars.masks, start_per_row, end_per_row
    )
    row = calendars.exception_row
    day = calendars.exception_day
    inside = (day >= start_per_row[row]) & (day <= end_per_row[row])
    sign = np.where(calendars.exception_added, 1, -1)[inside]
    counts += np.bincount(row[inside], weights=sign, minlength=len(calendars)).astype(np.int64)
    return counts


def daily_departures(calendars: CalendarArrays) -> tuple[int, NDArray[np.int64]]:
    """Departures per day over every date any calendar runs: the first day's ordinal and the
    weighted count of each following day (an empty array when nothing runs).

    Each weekday's pattern stretches become a +1/−1 difference array, cumulated once: the
    cost is the number of calendars plus the number of days, not their product.
    """
    bounds = [calendars.valid_from, calendars.valid_to, calendars.exception_day]
    if not any(len(values) for values in bounds):
        return 0, np.zeros(0, dtype=np.int64)
    first = int(min(values.min() for values in bounds if len(values)))
    last = int(max(values.max() for values in bounds if len(values)))
    size = last - first + 1
    days = np.arange(first, last + 1)
    daily = np.zeros(size, dtype=np.int64)
    for weekday in range(7):
        runs = (calendars.masks & (1 << weekday)) != 0
        weights = calendars.weights[runs]
        change = np.bincount(
            calendars.valid_from[runs] - first, weights=weights, minlength=size + 1
        ) - np.bincount(calendars.valid_to[runs] - first + 1, weights=weights, minlength=size + 1)
        covered = np.cumsum(change[:size]).astype(np.int64)
        on_weekday = (days - 1) % 7 == weekday
        daily[on_weekday] += covered[on_weekday]
    sign = np.where(calendars.exception_added, 1, -1) * calendars.weights[calendars.exception_row]
    daily += np.bincount(calendars.exception_day - first, weights=sign, minlength=size).astype(
        np.int64
    )
    return first, daily


def busiest_week(first_day: int, daily: NDArray[np.int64]) -> int | None:
    """The ordinal of the Monday starting the Monday-to-Sunday week with the most departures
    (the earliest of equal weeks), or None when nothing runs."""
    if not len(daily) or not daily.any():
        return None
    lead = (first_day - 1) % 7  # days from the Monday before first_day
    padded = np.concatenate([np.zeros(lead, dtype=np.int64), daily])
    padded = np.concatenate([padded, np.zeros(-len(padded) % 7, dtype=np.int64)])
    weekly = padded.reshape(-1, 7).sum(axis=1)
    return first_day - lead + 7 * int(np.argmax(weekly))


def expand_running_days(
    valid_from: dt.date,
    valid_to: dt.date,
    weekdays: Sequence[bool],
    added: Iterable[dt.date] = (),
    removed: Iterable[dt.date] = (),
) -> set[dt.date]:
    """Every running date, day by day: the plain reference the array functions are tested
    against (slow; for tests and checks)."""
    days = set()
    day = valid_from
    while day <= valid_to:
        if weekdays[day.weekday()]:
            days.add(day)
        day += dt.timedelta(days=1)
    days.update(added)
    days.difference_update(removed)
    return days


# --- The same counts inside the database ------------------------------------------------------
#
# ``period`` is fixed dates (a ``Period``) or, for the default period of the lists and the
# indicators, each trajet's own source's typical week: ``Weeks`` maps source ids to the Monday
# of their week. A trajet whose source is not in the mapping has no period there: it counts
# nothing (NULL) and does not run.

#: Source id → Monday of its typical week.
Weeks = Mapping[int, dt.date]


class DayNumber(models.Func):
    """A date as its ordinal (0001-01-01 is 1), in SQL."""

    output_field = models.IntegerField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list]:
        return self.as_sql(
            compiler, connection, template="((%(expressions)s) - DATE '0001-01-01' + 1)", **extra
        )

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list]:
        return self.as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) - 1721424.5 AS INTEGER)",
            **extra,
        )


class _FloorDiv7(models.Func):
    """``floor(x / 7)`` for ``x >= -7`` in integer arithmetic (SQL division truncates towards
    zero, which is the floor once the operand is made non-negative)."""

    output_field = models.IntegerField()
    template = "(((%(expressions)s) + 7) / 7 - 1)"


def _integer(value: int) -> Value:
    return Value(value, output_field=models.IntegerField())


def _bounds(
    period: Period | Weeks, reference: type[F] | type[OuterRef], prefix: str = ""
) -> tuple[Any, Any]:
    """The period's first and last day numbers as SQL; ``reference`` reads the trajet's
    source from this query (``F``) or from the outer one (``OuterRef``)."""
    if isinstance(period, Period):
        return _integer(day_number(period.start)), _integer(day_number(period.end))
    source = reference(f"{prefix}source_id")
    monday = models.Case(
        *(
            models.When(Exact(source, source_id), then=_integer(day_number(start)))
            for source_id, start in sorted(period.items())
        ),
        default=Value(None),
        output_field=models.IntegerField(),
    )
    return monday, monday + _integer(6)


def _has_week(period: Period | Weeks, prefix: str) -> Q:
    """The trajets that have a period: all for fixed dates, else those of the mapped sources."""
    if isinstance(period, Period):
        return Q()
    return Q(**{f"{prefix}source_id__in": sorted(period)})


def pattern_days_expression(period: Period | Weeks, prefix: str = "") -> models.Expression:
    """SQL counting the trajet's pattern days in ``period`` (as ``pattern_day_counts``).

    ``prefix`` reaches the trajet from a related model (``trajet__``).
    """
    start, end = _bounds(period, F, prefix)
    first = Greatest(start, DayNumber(F(f"{prefix}valid_from")))
    last = Greatest(Least(end, DayNumber(F(f"{prefix}valid_to"))), first - _integer(1))
    total: models.Expression = _integer(0)
    for weekday, name in enumerate(Trajet.WEEKDAY_FIELDS):
        count = _FloorDiv7(last - _integer(1 + weekday)) - _FloorDiv7(first - _integer(2 + weekday))
        total = total + models.Case(
            models.When(Q(**{f"{prefix}{name}": True}), then=count),
            default=_integer(0),
            output_field=models.IntegerField(),
        )
    if isinstance(period, Period):
        return total
    # No typical week, no count (PostgreSQL's GREATEST would skip the NULL bound).
    return models.Case(
        models.When(_has_week(period, prefix), then=total),
        default=Value(None),
        output_field=models.IntegerField(),
    )


def _exceptions_in(period: Period | Weeks, prefix: str = "") -> QuerySet[CalendarException]:
    """The outer trajet's dated exceptions inside ``period`` (for a correlated subquery)."""
    dated = CalendarException.objects.filter(trajet=OuterRef(f"{prefix}pk")).order_by()
    if isinstance(period, Period):
        return dated.filter(date__gte=period.start, date__lte=period.end)
    start, end = _bounds(period, OuterRef, prefix)
    return dated.alias(day=DayNumber("date")).filter(day__gte=start, day__lte=end)


def exception_balance(period: Period | Weeks, prefix: str = "") -> models.Expression:
    """SQL of the trajet's added minus removed dates in ``period`` (0 when none)."""
    sign = models.Case(
        models.When(is_added=True, then=_integer(1)),
        default=_integer(-1),
        output_field=models.IntegerField(),
    )
    balance = (
        _exceptions_in(period, prefix)
        .values("trajet")
        .annotate(balance=models.Sum(sign))
        .values("balance")
    )
    return Coalesce(Subquery(balance, output_field=models.IntegerField()), _integer(0))


def departures_expression(period: Period | Weeks, prefix: str = "") -> models.Expression:
    """SQL of the trajet's departures in ``period``: pattern days plus the balance of its
    dated exceptions there (``departures_between``)."""
    return pattern_days_expression(period, prefix) + exception_balance(period, prefix)


def _exception_ids(period: Period, *, is_added: bool | None = None) -> QuerySet:
    """Ids of the trajets having a dated exception in ``period`` (an uncorrelated subquery:
    the database hashes it once instead of probing the exceptions for every trajet)."""
    dated = CalendarException.objects.filter(date__gte=period.start, date__lte=period.end)
    if is_added is not None:
        dated = dated.filter(is_added=is_added)
    return dated.order_by().values("trajet_id")


def _per_source(period: Period | Weeks, prefix: str, condition: Callable[[Period], Q]) -> Q:
    """``condition`` of a fixed period, or, for typical weeks, each source's with its week."""
    if isinstance(period, Period):
        return condition(period)
    if not period:
        return Q(**{f"{prefix}pk__in": []})
    combined = Q()
    for source_id, monday in sorted(period.items()):
        week = Period(monday, monday + dt.timedelta(days=6))
        combined |= Q(**{f"{prefix}source_id": source_id}) & condition(week)
    return combined


def has_exceptions_in(period: Period | Weeks, prefix: str = "") -> Q:
    """The trajets having a dated exception in ``period``."""
    return _per_source(
        period, prefix, lambda fixed: Q(**{f"{prefix}pk__in": _exception_ids(fixed)})
    )


def running_condition(period: Period | Weeks, prefix: str = "") -> Q:
    """The trajets running on at least one date of ``period``, exactly.

    Removed dates being pattern days, a trajet runs in the period when it has an added date
    there, or more pattern days there than removed dates (counted only for the few trajets
    with a removal there).
    """

    def runs(fixed: Period) -> Q:
        pattern = pattern_days_expression(fixed, prefix)
        removed = (
            _exceptions_in(fixed, prefix)
            .filter(is_added=False)
            .values("trajet")
            .annotate(n=Count("*"))
            .values("n")
        )
        removed_count = Coalesce(Subquery(removed, output_field=models.IntegerField()), _integer(0))
        with_removals = Q(**{f"{prefix}pk__in": _exception_ids(fixed, is_added=False)})
        by_pattern = Q(GreaterThan(pattern, 0)) & (
            ~with_removals | Q(GreaterThan(pattern, removed_count))
        )
        return Q(**{f"{prefix}pk__in": _exception_ids(fixed, is_added=True)}) | by_pattern

    return _per_source(period, prefix, runs)


def running_between(queryset: QuerySet[Trajet], period: Period | Weeks) -> QuerySet[Trajet]:
    """The trajets of ``queryset`` running on at least one date of ``period``."""
    return queryset.filter(running_condition(period))


# --- Sources ---------------------------------------------------------------------------------


class Validity(enum.StrEnum):
    """Where today falls in a timetable's running dates."""

    EXPIRED = "expired"
    CURRENT = "current"
    UPCOMING = "upcoming"
    UNKNOWN = "unknown"


def validity_of(runs_from: dt.date | None, runs_until: dt.date | None, today: dt.date) -> Validity:
    """``expired`` once the last running date is past, ``upcoming`` before the first one,
    ``current`` in between; ``unknown`` without running dates."""
    if runs_from is None or runs_until is None:
        return Validity.UNKNOWN
    if runs_until < today:
        return Validity.EXPIRED
    if runs_from > today:
        return Validity.UPCOMING
    return Validity.CURRENT


def source_calendars(source: DataSource) -> CalendarArrays:
    """Every trajet calendar of ``source`` as arrays: one row per distinct weekly pattern,
    weighted by its trajets, plus every dated exception (two grouped queries)."""
    trajets = Trajet.objects.filter(source=source).order_by()
    pattern_fields = ("valid_from", "valid_to", *Trajet.WEEKDAY_FIELDS)
    patterns = list(trajets.values_list(*pattern_fields).annotate(n=Count("*")))
    exceptions = list(
        CalendarException.objects.filter(trajet__source=source)
        .order_by()
        .values_list("date", "is_added")
        .annotate(n=Count("*"))
    )
    # Each group of equal exceptions becomes one weighted row of its own, with no pattern.
    rows = [(vf, vt, flags) for vf, vt, *flags, _ in patterns]
    weights = [row[-1] for row in patterns]
    dated = []
    for day, is_added, count in exceptions:
        dated.append((len(rows), day, is_added))
        rows.append((day, day, (False,) * 7))
        weights.append(count)
    return CalendarArrays.build(rows, dated, weights)


def refresh_source_calendar(source: DataSource) -> None:
    """Store the first and last running date of ``source``'s trajets and its typical week
    (the Monday–Sunday week with the most departures; the earliest of equal weeks).

    Counts every trajet of the source, those another source's trajet already describes
    included: it describes the source's timetable. Run it after a load, in its transaction.
    """
    bounds = Trajet.objects.filter(source=source, running_days__gt=0).aggregate(
        first=Min("runs_from"), last=Max("runs_until")
    )
    first_day, daily = daily_departures(source_calendars(source))
    monday = busiest_week(first_day, daily)
    source.runs_from = bounds["first"]
    source.runs_until = bounds["last"]
    source.reference_week = dt.date.fromordinal(monday) if monday is not None else None
    # Before the save: its receiver then finds the flags already computed for this week.
    refresh_typical_week_flags(source)
    source.save(update_fields=["runs_from", "runs_until", "reference_week"])
    logger.info(
        "source calendar refreshed",
        extra={
            "source": source.name,
            "runs_from": str(source.runs_from),
            "runs_until": str(source.runs_until),
            "reference_week": str(source.reference_week),
        },
    )


# --- The typical-week flag stored on each trajet -----------------------------------------------
#
# ``Trajet.runs_in_typical_week`` says whether the trajet runs on a date of its source's typical
# week, the week recorded in ``DataSource.flagged_week`` when the flags were computed. The
# default lists read the flag of the sources whose current typical week is that recorded week
# (``apps.trajets.periods.typical_week_condition``), and evaluate ``running_condition`` for any
# other. Kept right by ``refresh_source_calendar`` (every load), the receivers of
# ``apps.trajets.typical_week_flags`` (ORM saves and deletions: the admin, the shell) and the
# migration that added the columns. Bulk writes bypass the receivers: code that bulk-writes
# trajets or calendar exceptions calls ``refresh_source_calendar`` afterwards, as the ETL and
# ``seed_synthetic`` do.


def typical_week_of(source: DataSource, *, has_trajets: bool | None = None) -> dt.date | None:
    """The Monday of ``source``'s typical week: its stored ``reference_week``, or, for a
    source whose calendar was never refreshed (an older release's load, test data), the same
    busiest week computed from its trajets; None when none of its trajets runs.

    ``has_trajets``: whether the source has trajets, when the caller read it already."""
    if source.reference_week is not None:
        return source.reference_week
    if has_trajets is None:
        has_trajets = Trajet.objects.filter(source_id=source.pk).exists()
    if not has_trajets:
        return None
    found = busiest_week(*daily_departures(source_calendars(source)))
    return dt.date.fromordinal(found) if found is not None else None


def _store_flags(rows: QuerySet[Trajet], week: dt.date | None) -> int:
    """Set ``runs_in_typical_week`` of ``rows`` for the week starting on ``week`` (every flag
    off when None), writing only the flags that change; return how many did."""
    if week is None:
        return rows.filter(runs_in_typical_week=True).update(runs_in_typical_week=False)
    running = rows.filter(running_condition(Period(week, week + dt.timedelta(days=6)))).values("pk")
    changed = rows.filter(runs_in_typical_week=False, pk__in=running).update(
        runs_in_typical_week=True
    )
    return changed + rows.filter(runs_in_typical_week=True).exclude(pk__in=running).update(
        runs_in_typical_week=False
    )


def refresh_typical_week_flags(source: DataSource) -> int:
    """Flag every trajet of ``source`` running in its current typical week (``typical_week_of``)
    and record that week as ``flagged_week``; return how many flags changed."""
    week = typical_week_of(source)
    changed = _store_flags(Trajet.objects.filter(source_id=source.pk), week)
    DataSource.objects.filter(pk=source.pk).update(flagged_week=week)
    source.flagged_week = week
    logger.info(
        "typical-week flags refreshed",
        extra={"source": source.name, "week": str(week), "changed": changed},
    )
    return changed


def refresh_trajet_flags(trajet_ids: Iterable[int]) -> int:
    """Recompute the flag of ``trajet_ids`` after a change of their calendar or source, for
    the week their source's flags answer for (``flagged_week``); return how many changed."""
    ids = sorted(set(trajet_ids))
    if not ids:
        return 0
    weeks: dict[dt.date | None, list[int]] = {}
    for pk, week in Trajet.objects.filter(pk__in=ids).values_list("pk", "source__flagged_week"):
        weeks.setdefault(week, []).append(pk)
    return sum(_store_flags(Trajet.objects.filter(pk__in=pks), week) for week, pks in weeks.items())
