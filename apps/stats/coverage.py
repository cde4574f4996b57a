"""Coverage scorecard: which sources cover each country and operator, whether their timetable
is current, and how many trains and train-km run in a stated week, by day and by night.

Trains only (``Trajet.objects.counted()``: one trajet per train, no coach or tram-train). A
train counts once per day it runs in the week (a departure) in every country it serves and for
its operator; night means a night train (sleepers or couchettes), everything else is day.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from apps.trajets.calendars import Validity, validity_of
from apps.trajets.country_gaps import EUROPEAN_COUNTRIES, countries_without_current_timetable
from apps.trajets.models import DataSource, Operator, Trajet, TrajetCountry

__all__ = ["EUROPEAN_COUNTRIES", "CoverageRow", "Scorecard", "coverage_scorecard"]

_BEST_FIRST = (Validity.CURRENT, Validity.UPCOMING, Validity.EXPIRED, Validity.UNKNOWN)


@dataclass
class CoverageRow:
    """One country or operator: its sources, their running dates, and the week's figures."""

    key: str
    name: str
    sources: list[str] = field(default_factory=list)
    runs_from: dt.date | None = None
    runs_until: dt.date | None = None
    validity: str = Validity.UNKNOWN
    day_departures: int = 0
    night_departures: int = 0
    day_km: float = 0.0
    night_km: float = 0.0


@dataclass(frozen=True)
class Scorecard:
    """The stated week, the day it was judged on, the rows and the countries left uncovered."""

    week_start: dt.date
    week_end: dt.date
    today: dt.date
    countries: list[CoverageRow]
    operators: list[CoverageRow]
    gaps: list[str]


def coverage_scorecard(*, week: dt.date, today: dt.date) -> Scorecard:
    """The scorecard of the Monday–Sunday week holding ``week``, validity judged on ``today``."""
    start = week - dt.timedelta(days=week.weekday())
    trains = Trajet.objects.counted()
    facts = {
        pk: (operator, kind, distance or 0.0, source)
        for pk, operator, kind, distance, source in trains.values_list(
            "pk", "operator_id", "kind", "distance_km", "source_id"
        )
    }
    served: dict[int, set[str]] = defaultdict(set)
    for pk, country in TrajetCountry.objects.filter(trajet__in=trains).values_list(
        "trajet_id", "country"
    ):
        served[pk].add(country)
    sources = {s.pk: s for s in DataSource.objects.filter(pk__in={f[3] for f in facts.values()})}
    operators = dict(Operator.objects.values_list("pk", "code"))
    operator_names = dict(Operator.objects.values_list("pk", "name"))
    countries: dict[str, CoverageRow] = {}
    by_operator: dict[str, CoverageRow] = {}
    for pk, (operator, _kind, _km, source) in facts.items():
        for country in served[pk]:
            _add_source(
                countries.setdefault(country, CoverageRow(country, country)), sources[source]
            )
        code = operators[operator]
        _add_source(
            by_operator.setdefault(code, CoverageRow(code, operator_names[operator])),
            sources[source],
        )
    for offset in range(7):
        day = start + dt.timedelta(days=offset)
        for pk in trains.running_on(day).values_list("pk", flat=True):
            operator, kind, km, _source = facts[pk]
            rows = [countries[c] for c in served[pk]] + [by_operator[operators[operator]]]
            for row in rows:
                if kind == "night":
                    row.night_departures += 1
                    row.night_km += km
                else:
                    row.day_departures += 1
                    row.day_km += km
    by_name = {s.name: s for s in sources.values()}
    for row in (*countries.values(), *by_operator.values()):
        # Current when one of its sources is current (the widest dates could span a gap).
        found = {
            validity_of(by_name[n].runs_from, by_name[n].runs_until, today) for n in row.sources
        }
        row.validity = next(v for v in _BEST_FIRST if v in found or v == Validity.UNKNOWN).value
        row.sources.sort()
        row.day_km, row.night_km = round(row.day_km, 1), round(row.night_km, 1)
    return Scorecard(
        week_start=start,
        week_end=start + dt.timedelta(days=6),
        today=today,
        countries=sorted(countries.values(), key=lambda r: r.key),
        operators=sorted(by_operator.values(), key=lambda r: r.key),
        gaps=countries_without_current_timetable(today),
    )


def _add_source(row: CoverageRow, source: DataSource) -> None:
    """Add ``source`` and widen the row's running dates to the source's."""
    if source.name in row.sources:
        return
    row.sources.append(source.name)
    if source.runs_from is not None:
        row.runs_from = min(filter(None, (row.runs_from, source.runs_from)))
    if source.runs_until is not None:
        row.runs_until = max(filter(None, (row.runs_until, source.runs_until)))
