"""The rail side of a city pair on one service day (numpy and the routing package, no Django).

For two sets of stations (the stations of each city) on one day's timetable:

* **journeys**: the direct trains, and the routing package's earliest-arrival journeys (at most
  :data:`MAX_TRANSFERS` changes) leaving from each hour between :data:`WINDOW_START_H` and
  midnight between one station pair: among the :data:`STATIONS_PER_CITY` busiest stations of
  A (most departures) and of B (most arrivals), the pair whose earliest journey from the
  window's start arrives first; then only the journeys no other beats on departure, arrival
  and changes at once;
* **fastest**: the shortest of those journeys; **typical**: their median duration;
* **direct trains**: trains of the day that call at a station of A and later at a station of B
  (where boarding and alighting are allowed), counted from the timetable itself, every station
  of each city included;
* **night trains**: those direct trains the warehouse flags as night trains, with their times.

:func:`rail_day` does this for one pair; :func:`rail_days` for every city B of one city A at
once, with the same results: each search from a station of A at an hour is one scan for all
the stations of B asked for at that hour (``earliest_arrivals``), instead of one per pair.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from apps.routing.pathfinding import (
    Arrivals,
    Journey,
    NoPathError,
    ParameterError,
    Timetable,
    earliest_arrival,
    earliest_arrivals,
)

__all__ = [
    "MAX_TRANSFERS",
    "SAMPLE_EVERY_S",
    "STATIONS_PER_CITY",
    "WINDOW_START_H",
    "DirectTrain",
    "RailDay",
    "StationTraffic",
    "busiest_stations",
    "rail_day",
    "rail_days",
]

MAX_TRANSFERS = 2
#: The earliest-arrival search runs from every hour of the window.
SAMPLE_EVERY_S = 3600
STATIONS_PER_CITY = 3
WINDOW_START_H = 4


@dataclass(frozen=True, slots=True)
class DirectTrain:
    """A train of the day from A to B without change; times in timetable seconds."""

    trip: int
    departure_station: int
    arrival_station: int
    departure_s: int
    arrival_s: int
    is_night: bool


@dataclass(frozen=True, slots=True)
class JourneySummary:
    """One journey of the day: stations, times (timetable seconds) and changes."""

    departure_station: int
    arrival_station: int
    departure_s: int
    arrival_s: int
    transfers: int
    uses_night_train: bool
    #: The timetable trips of its trains, in order (where the time comes from).
    trips: tuple[int, ...] = ()

    @property
    def duration_min(self) -> float:
        """Door of the first train to door of the last, in minutes."""
        return (self.arrival_s - self.departure_s) / 60.0


@dataclass(frozen=True, slots=True)
class RailDay:
    """What the day's timetable offers from A to B."""

    journeys: tuple[JourneySummary, ...]
    direct: tuple[DirectTrain, ...]

    @property
    def fastest(self) -> JourneySummary | None:
        """The shortest journey (the earliest on a tie)."""
        if not self.journeys:
            return None
        return min(self.journeys, key=lambda j: (j.arrival_s - j.departure_s, j.departure_s))

    @property
    def typical_min(self) -> float | None:
        """The median duration of the day's journeys."""
        if not self.journeys:
            return None
        return float(statistics.median(j.duration_min for j in self.journeys))

    @property
    def night(self) -> tuple[DirectTrain, ...]:
        """The direct night trains."""
        return tuple(train for train in self.direct if train.is_night)


@dataclass(frozen=True, eq=False)
class StationTraffic:
    """Connections leaving and reaching each station of a timetable (counted once, then
    shared by every city pair of the day)."""

    departures: NDArray[np.int64]
    arrivals: NDArray[np.int64]

    @classmethod
    def of(cls, timetable: Timetable) -> StationTraffic:
        """Count the timetable's departures and arrivals per station."""
        return cls(
            departures=np.bincount(timetable.departure_station, minlength=timetable.station_count),
            arrivals=np.bincount(timetable.arrival_station, minlength=timetable.station_count),
        )


def busiest_stations(
    timetable: Timetable,
    stations: Sequence[int],
    count: int,
    *,
    arriving: bool = False,
    traffic: StationTraffic | None = None,
) -> list[int]:
    """The ``count`` stations of ``stations`` with the most departures (with ``arriving``:
    arrivals), most first; ``traffic``, when given, is the timetable's, counted before."""
    if not stations:
        return []
    nodes = np.asarray(sorted(set(stations)), dtype=np.int64)
    if traffic is None:
        column = timetable.arrival_station if arriving else timetable.departure_station
        departures = np.bincount(column, minlength=timetable.station_count)
    else:
        departures = traffic.arrivals if arriving else traffic.departures
    served = [(int(departures[n]), -int(n)) for n in nodes if departures[n] > 0]
    return [-node for _count, node in sorted(served, reverse=True)[:count]]


def direct_trains(
    timetable: Timetable,
    origins: Sequence[int],
    destinations: Sequence[int],
    window_start_s: int,
    window_end_s: int,
) -> tuple[DirectTrain, ...]:
    """Trains boarding at a station of A within the window and later alighting at one of B."""
    first = _boardings(timetable, origins, window_start_s, window_end_s)
    return _direct_to(timetable, first, destinations)


def _boardings(
    timetable: Timetable, origins: Sequence[int], window_start_s: int, window_end_s: int
) -> dict[int, tuple[int, int]]:
    """Trip -> (time, station) of its first boarding at a station of A within the window."""
    origin_mask = np.isin(timetable.departure_station, np.asarray(list(origins), dtype=np.int64))
    leave = (
        origin_mask
        & timetable.can_board
        & (timetable.departure_s >= window_start_s)
        & (timetable.departure_s < window_end_s)
    )
    first: dict[int, tuple[int, int]] = {}
    for index in np.flatnonzero(leave):
        trip = int(timetable.trip[index])
        moment = int(timetable.departure_s[index])
        if trip not in first or moment < first[trip][0]:
            first[trip] = (moment, int(timetable.departure_station[index]))
    return first


def _direct_to(
    timetable: Timetable,
    first: dict[int, tuple[int, int]],
    destinations: Sequence[int],
    *,
    candidates: NDArray[np.int64] | None = None,
) -> tuple[DirectTrain, ...]:
    """The trains of ``first`` (their boardings at A) alighting later at a station of B;
    ``candidates``, when given, are the indices (ascending) of the connections of those
    trains, so that only they are looked at."""
    if not first:
        return ()
    target = np.asarray(list(destinations), dtype=np.int64)
    if candidates is None:
        arrive = np.isin(timetable.arrival_station, target) & timetable.can_alight
        indices = np.flatnonzero(arrive)
    else:
        arrive = np.isin(timetable.arrival_station[candidates], target)
        arrive &= timetable.can_alight[candidates]
        indices = candidates[arrive]
    last: dict[int, tuple[int, int]] = {}
    for index in indices:
        trip = int(timetable.trip[index])
        if trip not in first:
            continue
        moment = int(timetable.arrival_s[index])
        if moment > first[trip][0] and (trip not in last or moment > last[trip][0]):
            last[trip] = (moment, int(timetable.arrival_station[index]))
    trains = [
        DirectTrain(
            trip=trip,
            departure_station=first[trip][1],
            arrival_station=station,
            departure_s=first[trip][0],
            arrival_s=moment,
            is_night=bool(timetable.trip_is_night[trip]),
        )
        for trip, (moment, station) in last.items()
    ]
    return tuple(sorted(trains, key=lambda t: (t.departure_s, t.arrival_s, t.trip)))


def _best_stations(
    timetable: Timetable,
    origins: Sequence[int],
    destinations: Sequence[int],
    window_start_s: int,
    window_end_s: int,
) -> tuple[int, int, Journey] | None:
    """The station pair (among the busiest of each city) whose earliest journey from the
    window's start arrives first, the shortest on a tie, with that journey; None when none is
    linked. One scan each: the hourly searches then run for that pair only."""
    best: tuple[tuple[int, int], tuple[int, int, Journey]] | None = None
    for source in busiest_stations(timetable, origins, STATIONS_PER_CITY):
        for target in busiest_stations(timetable, destinations, STATIONS_PER_CITY, arriving=True):
            if source == target:
                continue
            try:
                journey = earliest_arrival(
                    timetable, source, target, window_start_s, max_transfers=MAX_TRANSFERS
                )
            except (NoPathError, ParameterError):
                continue
            if not journey.legs or journey.departure_s > window_end_s:
                continue
            key = (journey.arrival_s, journey.arrival_s - journey.departure_s)
            if best is None or key < best[0]:
                best = (key, (source, target, journey))
    return None if best is None else best[1]


def _non_dominated(journeys: list[JourneySummary]) -> list[JourneySummary]:
    """Drop journeys another one beats: leaves no earlier, arrives no later, changes no more."""
    unique = {(j.departure_s, j.arrival_s, j.transfers): j for j in journeys}
    kept = []
    for key, journey in unique.items():
        beaten = any(
            other != key and other[0] >= key[0] and other[1] <= key[1] and other[2] <= key[2]
            for other in unique
        )
        if not beaten:
            kept.append(journey)
    return sorted(kept, key=lambda j: (j.departure_s, j.arrival_s, j.transfers))


def rail_day(
    timetable: Timetable,
    origins: Sequence[int],
    destinations: Sequence[int],
    window_start_s: int,
    window_end_s: int,
) -> RailDay:
    """Journeys and direct trains from the stations ``origins`` to ``destinations``."""
    if window_end_s <= window_start_s:
        raise ValueError(f"window_end_s={window_end_s} is not after {window_start_s}")
    direct = direct_trains(timetable, origins, destinations, window_start_s, window_end_s)
    found: list[JourneySummary] = [
        JourneySummary(t.departure_station, t.arrival_station, t.departure_s, t.arrival_s, 0,
                       t.is_night, (t.trip,))
        for t in direct
    ]  # fmt: skip
    best = _best_stations(timetable, origins, destinations, window_start_s, window_end_s)
    if best is not None:
        source, target, journey = best  # the search from the window's start, already run
        depart_s = window_start_s
        while depart_s < window_end_s:
            if journey is None:
                try:
                    journey = earliest_arrival(
                        timetable, source, target, depart_s, max_transfers=MAX_TRANSFERS
                    )
                except (NoPathError, ParameterError):
                    break  # nothing from this time on: nothing later either
            if not journey.legs or journey.departure_s >= window_end_s:
                break
            found.append(
                JourneySummary(
                    departure_station=source,
                    arrival_station=target,
                    departure_s=journey.departure_s,
                    arrival_s=journey.arrival_s,
                    transfers=journey.transfers,
                    uses_night_train=journey.uses_night_trains,
                    trips=tuple(int(leg.trip) for leg in journey.legs),
                )
            )
            # A search from any hour up to this journey's departure finds this journey again
            # (a later start only removes options, and this one stays): skip those hours.
            depart_s += SAMPLE_EVERY_S
            while depart_s <= journey.departure_s:
                depart_s += SAMPLE_EVERY_S
            journey = None
    return RailDay(journeys=tuple(_non_dominated(found)), direct=direct)


@dataclass(slots=True)
class _Walk:
    """One destination's hour-by-hour searches from its chosen station pair."""

    source: int
    target: int
    depart_s: int
    found: list[JourneySummary]
    is_done: bool = False


def _search_all(
    timetable: Timetable, source: int, targets: set[int], depart_s: int
) -> Arrivals | None:
    """One scan from ``source`` for every target (None when the search refuses the time)."""
    try:
        return earliest_arrivals(
            timetable, source, sorted(targets), depart_s, max_transfers=MAX_TRANSFERS
        )
    except ParameterError:
        return None


def _advance(walk: _Walk, journey: Journey | None, window_end_s: int) -> None:
    """Record the journey found from ``walk.depart_s`` and move to the next hour to search
    (the hours up to its departure would find it again), as :func:`rail_day` does."""
    if journey is None or not journey.legs or journey.departure_s >= window_end_s:
        walk.is_done = True
        return
    walk.found.append(
        JourneySummary(
            departure_station=walk.source,
            arrival_station=walk.target,
            departure_s=journey.departure_s,
            arrival_s=journey.arrival_s,
            transfers=journey.transfers,
            uses_night_train=journey.uses_night_trains,
            trips=tuple(int(leg.trip) for leg in journey.legs),
        )
    )
    depart_s = walk.depart_s + SAMPLE_EVERY_S
    while depart_s <= journey.departure_s:
        depart_s += SAMPLE_EVERY_S
    walk.depart_s = depart_s
    walk.is_done = depart_s >= window_end_s


def _journey(arrivals: Arrivals | None, target: int) -> Journey | None:
    if arrivals is None:
        return None
    try:
        return arrivals.journey(target)
    except NoPathError:
        return None


def rail_days(
    timetable: Timetable,
    origins: Sequence[int],
    destinations: Sequence[Sequence[int]],
    window_start_s: int,
    window_end_s: int,
    *,
    traffic: StationTraffic | None = None,
) -> tuple[RailDay, ...]:
    """:func:`rail_day` from one city A to each city B of ``destinations``, in their order,
    with the searches shared: each (station of A, hour) is scanned once for every station
    of B it is asked for (:func:`~apps.routing.pathfinding.earliest_arrivals`), and A's
    boardings are found once. Same journeys, same ties as :func:`rail_day` pair by pair."""
    if window_end_s <= window_start_s:
        raise ValueError(f"window_end_s={window_end_s} is not after {window_start_s}")
    traffic = StationTraffic.of(timetable) if traffic is None else traffic
    boardings = _boardings(timetable, origins, window_start_s, window_end_s)
    boarded = np.flatnonzero(np.isin(timetable.trip, np.fromiter(boardings, dtype=np.int64)))
    sources = busiest_stations(timetable, origins, STATIONS_PER_CITY, traffic=traffic)
    targets_of = [
        busiest_stations(timetable, cities, STATIONS_PER_CITY, arriving=True, traffic=traffic)
        for cities in destinations
    ]
    every_target = {t for targets in targets_of for t in targets}
    # The first search of every pair: from the window's start, from each station of A.
    first = {
        source: _search_all(timetable, source, every_target - {source}, window_start_s)
        for source in sources
        if every_target - {source}
    }
    walks: list[_Walk | None] = []
    for targets in targets_of:
        best: tuple[tuple[int, int], _Walk, Journey] | None = None
        for source in sources:
            for target in targets:
                if source == target:
                    continue
                journey = _journey(first.get(source), target)
                if journey is None or not journey.legs or journey.departure_s > window_end_s:
                    continue
                key = (journey.arrival_s, journey.arrival_s - journey.departure_s)
                if best is None or key < best[0]:
                    best = (key, _Walk(source, target, window_start_s, []), journey)
        if best is None:
            walks.append(None)
            continue
        _key, walk, journey = best
        _advance(walk, journey, window_end_s)
        walks.append(walk)
    # Then hour by hour, every destination still searching at that hour together.
    while True:
        waiting = [w for w in walks if w is not None and not w.is_done]
        if not waiting:
            break
        depart_s = min(w.depart_s for w in waiting)
        by_source: dict[int, list[_Walk]] = {}
        for walk in waiting:
            if walk.depart_s == depart_s:
                by_source.setdefault(walk.source, []).append(walk)
        for source, group in by_source.items():
            arrivals = _search_all(timetable, source, {w.target for w in group}, depart_s)
            for walk in group:
                _advance(walk, _journey(arrivals, walk.target), window_end_s)
    days = []
    for cities, walk in zip(destinations, walks, strict=True):
        direct = _direct_to(timetable, boardings, cities, candidates=boarded)
        found = [
            JourneySummary(t.departure_station, t.arrival_station, t.departure_s, t.arrival_s,
                           0, t.is_night, (t.trip,))
            for t in direct
        ]  # fmt: skip
        if walk is not None:
            found.extend(walk.found)
        days.append(RailDay(journeys=tuple(_non_dominated(found)), direct=direct))
    return tuple(days)
