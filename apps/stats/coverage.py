"""Coverage scorecard: which sources cover each country and operator, whether their timetable
is current, and how many trains and train-km run in a stated week, by day and by night.

Trains only (``Trajet.objects.counted()``: one trajet per train, no coach or tram-train). A
train counts once per day it runs in the week (a departure) in every country it serves and for
its operator; night means a night train (sleepers or couchettes), overnight a train running
through the night whose couchettes are not known (``ServiceKind.OVERNIGHT``, kept apart as on
the indicators page), everything else is day.
Each row says which trains its sources describe (their declared scope; in a country that
fewer than half of a source's trains serve, trains from abroad only): a country whose current
timetable is long-distance, regional or cross-border only is listed as partly covered, so
that a missing train is never read as a train that does not run.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from apps.trajets.models import (
    DataSource,
    Operator,
    ServiceKind,
    SourceScope,
    Trajet,
    TrajetCountry,
)
from apps.trajets.services import (
    EUROPEAN_COUNTRIES,
    Validity,
    countries_without_current_timetable,
    validity_of,
)

__all__ = ["EUROPEAN_COUNTRIES", "CoverageRow", "Scorecard", "coverage_scorecard"]

_BEST_FIRST = (Validity.CURRENT, Validity.UPCOMING, Validity.EXPIRED, Validity.UNKNOWN)


@dataclass
class CoverageRow:
    """One country or operator: its sources, their running dates, and the week's figures."""

    key: str
    name: str
    sources: list[str] = field(default_factory=list)
    #: Which trains its sources describe (``SourceScope`` values, sorted; "" undeclared).
    scopes: list[str] = field(default_factory=list)
    #: Which trains its current sources describe (empty: no current source).
    current_scopes: list[str] = field(default_factory=list)
    runs_from: dt.date | None = None
    runs_until: dt.date | None = None
    validity: str = Validity.UNKNOWN
    day_departures: int = 0
    night_departures: int = 0
    overnight_departures: int = 0
    day_km: float = 0.0
    night_km: float = 0.0
    overnight_km: float = 0.0


@dataclass(frozen=True)
class Scorecard:
    """The stated week, the day it was judged on, the rows and the countries left uncovered."""

    week_start: dt.date
    week_end: dt.date
    today: dt.date
    countries: list[CoverageRow]
    operators: list[CoverageRow]
    gaps: list[str]
    #: Countries with a current timetable that describes only some of their trains.
    partial: list[str]


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
    # A source's home countries are served by most of its trains; it reaches the others by
    # trains from abroad only (TER's Landau – Neustadt is a stub of a train from Wissembourg).
    per_source = Counter(f[3] for f in facts.values())
    reached = Counter((country, facts[pk][3]) for pk, c in served.items() for country in c)
    home = {pair for pair, count in reached.items() if 2 * count > per_source[pair[1]]}
    homeless = {source for source in per_source if not any(h[1] == source for h in home)}
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
                if kind == ServiceKind.NIGHT:
                    row.night_departures += 1
                    row.night_km += km
                elif kind == ServiceKind.OVERNIGHT:
                    row.overnight_departures += 1
                    row.overnight_km += km
                else:
                    row.day_departures += 1
                    row.day_km += km
    by_name = {s.name: s for s in sources.values()}
    for kind_of_row, rows in (("country", countries), ("operator", by_operator)):
        for row in rows.values():
            scope = {n: by_name[n].scope for n in row.sources}
            if kind_of_row == "country":
                for n in row.sources:
                    pk = by_name[n].pk
                    if (row.key, pk) not in home and pk not in homeless:
                        scope[n] = SourceScope.CROSS_BORDER
            _settle(row, by_name, scope, today)
    return Scorecard(
        week_start=start,
        week_end=start + dt.timedelta(days=6),
        today=today,
        countries=sorted(countries.values(), key=lambda r: r.key),
        operators=sorted(by_operator.values(), key=lambda r: r.key),
        gaps=countries_without_current_timetable(today),
        partial=[
            row.key
            for row in sorted(countries.values(), key=lambda r: r.key)
            if row.current_scopes and SourceScope.NATIONAL not in row.current_scopes
        ],
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


def _settle(
    row: CoverageRow, by_name: dict[str, DataSource], scope: dict[str, str], today: dt.date
) -> None:
    """The row's validity (current when one of its sources is current: the widest dates
    could span a gap), the trains its sources describe and its km rounded."""
    validity = {n: validity_of(by_name[n].runs_from, by_name[n].runs_until, today) for n in scope}
    found = set(validity.values())
    row.validity = next(v for v in _BEST_FIRST if v in found or v == Validity.UNKNOWN).value
    row.sources.sort()
    row.scopes = sorted(set(scope.values()))
    row.current_scopes = sorted({scope[n] for n in scope if validity[n] == Validity.CURRENT})
    row.day_km, row.night_km = round(row.day_km, 1), round(row.night_km, 1)
    row.overnight_km = round(row.overnight_km, 1)
