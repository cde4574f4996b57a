"""Acceptance check: the journey planner against a brute force over the raw GTFS feed.

Random queries (origin, destination, date, departure time) on dates the feed covers are
answered twice: by :func:`apps.routing.services.find_route` (the service the page and the API
use) and by :class:`apps.routing.acceptance.raw_gtfs.RawSearch`, which reads the feed's files
itself. GTFS stops are mapped to warehouse stations through the loaded source's
``SourceStation`` records (its parent station's id, else the stop's own). Both apply the
planner's change rule: ``Station.min_transfer_min`` when a source published one, else
``TRANSFER_TIME_S`` (300 s), none at the origin, none to stay on a train; and its horizon:
the trains of the departure date and of the next one (with earlier trains still running).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from apps.routing.acceptance.raw_gtfs import FeedError, RawJourney, RawSearch, read_feed
from apps.routing.services.answers import RouteAnswer
from apps.routing.services.routes import find_route
from apps.routing.services.tables import TRANSFER_TIME_S
from apps.trajets.models import BoardingRule, DataSource, SourceStation, Station, Stop, Trajet
from obrail.errors import InvalidInput

logger = logging.getLogger(__name__)

#: The change rule both sides apply, as printed in the report.
TRANSFER_RULE = (
    f"Station.min_transfer_min when published, else {TRANSFER_TIME_S} s; "
    "none at the origin nor to stay on a train"
)


#: The trains both sides may use, as printed in the report.
HORIZON = "trains of the departure date and of the next one, and earlier ones still running"


class AcceptanceError(ValueError):
    """The check cannot run: unknown or unloaded source, unreadable feed."""


@dataclass(frozen=True)
class CheckedQuery:
    """One query with the brute force's and the planner's answers."""

    origin: Station
    destination: Station
    depart: dt.datetime
    expected: RawJourney | None
    answer: RouteAnswer | None
    #: The checked source.
    source: str
    planner_error: str = ""
    #: Trajet key -> (source name, source record id) of the planner's legs.
    planner_trajets: dict[int, tuple[str, str]] = field(default_factory=dict)
    #: Planner legs that board or alight where the warehouse's stop forbids it.
    forbidden_legs: tuple[int, ...] = ()

    @property
    def agrees(self) -> bool:
        """Both found a journey and they arrive at the same instant."""
        return (
            self.expected is not None
            and self.answer is not None
            and self.answer.arrival == self.expected.arrival
        )

    @property
    def both_none(self) -> bool:
        """Neither found a journey."""
        return self.expected is None and self.answer is None

    @property
    def uses_another_source(self) -> bool:
        """Whether the planner rides a trajet of another source than the checked one."""
        return any(source != self.source for source, _record in self.planner_trajets.values())


@dataclass(frozen=True)
class AgreementReport:
    """The outcome of a check: every query, counts and the agreement rate."""

    source: str
    feed: str
    queries: tuple[CheckedQuery, ...]
    other_source_trajets: int
    duration_s: float
    transfer_rule: str = TRANSFER_RULE
    horizon: str = HORIZON

    @property
    def expected_journeys(self) -> int:
        """Queries where the brute force found a journey."""
        return sum(query.expected is not None for query in self.queries)

    @property
    def found_journeys(self) -> int:
        """Queries where the planner found a journey."""
        return sum(query.answer is not None for query in self.queries)

    @property
    def agreed(self) -> int:
        """Queries where both found a journey arriving at the same instant."""
        return sum(query.agrees for query in self.queries)

    @property
    def both_none(self) -> int:
        """Queries where neither found a journey (reported apart, not counted as agreement)."""
        return sum(query.both_none for query in self.queries)

    @property
    def rate(self) -> float:
        """Agreements over the queries where at least one side found a journey."""
        judged = len(self.queries) - self.both_none
        return self.agreed / judged if judged else 0.0

    @property
    def planner_legs(self) -> int:
        """Legs of all the planner's journeys."""
        return sum(len(query.answer.legs) for query in self.queries if query.answer is not None)

    @property
    def forbidden_legs(self) -> int:
        """Planner legs boarding or alighting where the stop forbids it (warehouse rules)."""
        return sum(len(query.forbidden_legs) for query in self.queries)

    @property
    def disagreements(self) -> tuple[CheckedQuery, ...]:
        """Queries where the answers differ."""
        return tuple(query for query in self.queries if not query.agrees and not query.both_none)


def check_journeys(
    *, source: str, path: Path | str, queries: int = 400, seed: int = 1
) -> AgreementReport:
    """Compare the planner with the brute force on ``queries`` random connected queries.

    A query draws a date the feed runs trains on, an origin where a train of that date takes
    travellers up, a departure time over the whole local day (so that journeys cross
    midnight both ways), and a destination among the stations the brute force reaches from
    there (so that every query has a journey and "none" against "none" cannot inflate the
    rate). Dates are drawn first and sorted, so that each date's runs are indexed once.

    Raises
    ------
    AcceptanceError
        Unknown source, a source without station records, or an unreadable feed.
    """
    started = time.perf_counter()
    if queries < 1:
        raise AcceptanceError(f"queries={queries} must be >= 1")
    data_source = DataSource.objects.filter(name=source).first()
    if data_source is None:
        raise AcceptanceError(f"source {source!r} is not loaded in this database")
    try:
        feed = read_feed(path)
    except (FeedError, OSError) as error:
        raise AcceptanceError(f"cannot read the feed {path}: {error}") from error
    station_of = dict(
        SourceStation.objects.filter(source=data_source, station__isnull=False).values_list(
            "source_record_id", "station_id"
        )
    )
    if not station_of:
        raise AcceptanceError(f"source {source!r} has no station records")
    stations = Station.objects.in_bulk(set(station_of.values()))
    transfer = {
        pk: TRANSFER_TIME_S if station.min_transfer_min is None else station.min_transfer_min * 60
        for pk, station in stations.items()
    }
    search = RawSearch(feed, station_of, transfer.__getitem__)
    dates = feed.dates()
    if not dates:
        raise AcceptanceError(f"the feed {path} runs no train on any date")
    rng = np.random.default_rng(seed)
    checked = []
    for day in sorted(dates[int(index)] for index in rng.integers(0, len(dates), queries)):
        query = _draw_query(search, stations, day, rng)
        if query is None:
            continue
        origin, destination, depart, expected = query
        checked.append(_ask_planner(origin, destination, depart, expected, source))
    other = Trajet.objects.counted().exclude(source=data_source).count()
    report = AgreementReport(
        source=source,
        feed=str(path),
        queries=tuple(checked),
        other_source_trajets=other,
        duration_s=time.perf_counter() - started,
    )
    logger.info(
        "journey check",
        extra={
            "source": source,
            "queries": len(checked),
            "agreed": report.agreed,
            "rate": round(report.rate, 4),
        },
    )
    return report


def _draw_query(
    search: RawSearch, stations: dict[int, Station], day: dt.date, rng: np.random.Generator
) -> tuple[Station, Station, dt.datetime, RawJourney] | None:
    """An origin boarding a train of ``day``, a time of that local day and a destination
    reached from there (up to 20 draws; None if none is connected)."""
    origins = search.boarding_stations(day)
    for _attempt in range(20):
        if not origins:
            return None
        origin = stations[origins[int(rng.integers(0, len(origins)))]]
        seconds = int(rng.integers(0, 86_400))
        local = dt.datetime.combine(day, dt.time(0), tzinfo=_zone(origin))
        depart = (local + dt.timedelta(seconds=seconds)).astimezone(_zone(origin))
        labels = search.search(origin.pk, day, depart)
        reached = sorted(key for key in labels if key != origin.pk)
        if not reached:
            continue
        destination = stations[reached[int(rng.integers(0, len(reached)))]]
        expected = search.journey(labels, origin.pk, destination.pk, day)
        return origin, destination, depart, expected
    return None


def _ask_planner(
    origin: Station,
    destination: Station,
    depart: dt.datetime,
    expected: RawJourney | None,
    source: str,
) -> CheckedQuery:
    try:
        answer = find_route(origin=origin, destination=destination, depart=depart)
    except InvalidInput as error:
        messages = "; ".join(
            f"{key}: {' '.join(map(str, value))}" for key, value in error.errors.items()
        )
        return CheckedQuery(
            origin, destination, depart, expected, None, source, planner_error=messages
        )
    return CheckedQuery(
        origin,
        destination,
        depart,
        expected,
        answer,
        source,
        planner_trajets=_trajet_sources(leg.trajet_id for leg in answer.legs),
        forbidden_legs=_forbidden_legs(answer),
    )


def _forbidden_legs(answer: RouteAnswer) -> tuple[int, ...]:
    """Positions of the legs that board (alight) at a stop whose ``pickup_type``
    (``drop_off_type``) is 1: the first call at the boarding station, then the first later
    call at the alighting one."""
    calls: dict[int, list[tuple[int, int, int]]] = {}
    for trajet, station, pickup, drop_off in (
        Stop.objects.filter(trajet_id__in=[leg.trajet_id for leg in answer.legs])
        .order_by("trajet_id", "sequence")
        .values_list("trajet_id", "station_id", "pickup_type", "drop_off_type")
    ):
        calls.setdefault(trajet, []).append((station, pickup, drop_off))
    forbidden = []
    for position, leg in enumerate(answer.legs):
        stops = calls.get(leg.trajet_id, [])
        board = next((i for i, call in enumerate(stops) if call[0] == leg.from_station.pk), None)
        alight = next(
            (
                i
                for i, call in enumerate(stops)
                if board is not None and i > board and call[0] == leg.to_station.pk
            ),
            None,
        )
        if board is None or alight is None:
            continue
        if stops[board][1] == BoardingRule.NONE or stops[alight][2] == BoardingRule.NONE:
            forbidden.append(position)
    return tuple(forbidden)


def _trajet_sources(keys: Iterable[int | None]) -> dict[int, tuple[str, str]]:
    return {
        pk: (name, record)
        for pk, name, record in Trajet.objects.filter(pk__in=[k for k in keys if k]).values_list(
            "pk", "source__name", "source_record_id"
        )
    }


def _zone(station: Station) -> dt.tzinfo:
    try:
        return zoneinfo.ZoneInfo(station.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return dt.UTC
