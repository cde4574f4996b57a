"""What the warehouse stores, read back independently of the ETL's calendar code."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from apps.trajets.models import CalendarException, Trajet

__all__ = ["DATE_LIST_LIMIT", "StoredCalendar", "format_dates", "stored_calendars"]

# Dates listed per difference (the count is always given).
DATE_LIST_LIMIT = 40


@dataclass(frozen=True, slots=True)
class StoredCalendar:
    """A trajet's stored calendar expanded to dates (ordinals), and what is wrong with its
    stored form."""

    days: frozenset[int]
    problems: tuple[str, ...]


def _expand(
    valid_from: dt.date,
    valid_to: dt.date,
    weekdays: tuple[bool, ...],
    added: set[int],
    removed: set[int],
) -> tuple[set[int], set[int]]:
    """The pattern days and the running days of a stored calendar."""
    first, last = valid_from.toordinal(), valid_to.toordinal()
    pattern: set[int] = set()
    for weekday, runs in enumerate(weekdays):
        if runs:
            pattern.update(range(first + (weekday - valid_from.weekday()) % 7, last + 1, 7))
    return pattern, (pattern | added) - removed


def stored_calendars(
    trajet_ids: Iterable[int] | None = None, **filters: object
) -> dict[int, StoredCalendar]:
    """The stored calendars of the trajets matching ``filters`` (or ``trajet_ids``).

    A stored calendar must be in its short exact form (added dates are never pattern days,
    removed dates always are) and its first date, last date and count must be the running
    dates' (``runs_from``, ``runs_until``, ``running_days``): any breach is a problem.
    """
    trajets = Trajet.objects.filter(**filters)
    exceptions = CalendarException.objects.filter(**{f"trajet__{k}": v for k, v in filters.items()})
    if trajet_ids is not None:
        ids = list(trajet_ids)
        trajets = trajets.filter(pk__in=ids)
        exceptions = exceptions.filter(trajet_id__in=ids)
    added: dict[int, set[int]] = defaultdict(set)
    removed: dict[int, set[int]] = defaultdict(set)
    for pk, day, is_added in exceptions.order_by().values_list("trajet_id", "date", "is_added"):
        (added if is_added else removed)[pk].add(day.toordinal())
    calendars: dict[int, StoredCalendar] = {}
    for row in trajets.order_by().values_list(
        "pk", "valid_from", "valid_to", "runs_from", "runs_until", "running_days",
        *Trajet.WEEKDAY_FIELDS,
    ).iterator(chunk_size=5000):  # fmt: skip
        pk, valid_from, valid_to, runs_from, runs_until, running_days = row[:6]
        plus, minus = added.get(pk, set()), removed.get(pk, set())
        pattern, days = _expand(valid_from, valid_to, tuple(row[6:]), plus, minus)
        problems = []
        if plus & pattern:
            problems.append(f"added dates that are pattern days: {format_dates(plus & pattern)}")
        if minus - pattern:
            problems.append(f"removed dates outside the pattern: {format_dates(minus - pattern)}")
        if days:
            first, last = dt.date.fromordinal(min(days)), dt.date.fromordinal(max(days))
            if (runs_from, runs_until, running_days) != (first, last, len(days)):
                problems.append(
                    f"stored runs_from/runs_until/running_days {runs_from}/{runs_until}/"
                    f"{running_days}, the dates give {first}/{last}/{len(days)}"
                )
        else:
            problems.append("the stored calendar has no running date")
        calendars[pk] = StoredCalendar(frozenset(days), tuple(problems))
    return calendars


def format_dates(days: Iterable[int], limit: int = DATE_LIST_LIMIT) -> str:
    """Dates (ordinals) as ISO text, the first ``limit`` then the count of the rest."""
    ordered = sorted(days)
    text = ", ".join(dt.date.fromordinal(day).isoformat() for day in ordered[:limit])
    if len(ordered) > limit:
        text += f" … (+{len(ordered) - limit})"
    return text
