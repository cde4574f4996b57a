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
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from apps.routing.pathfinding import (
    Journey,
    NoPathError,
    ParameterError,
    Timetable,
    earliest_arrival,
)

__all__ = [
    "MAX_TRANSFERS",
    "SAMPLE_EVERY_S",
    "STATIONS_PER_CITY",
    "WINDOW_START_H",
    "DirectTrain",
    "RailDay",
    "busiest_stations",
    "rail_day",
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


def busiest_stations(
    timetable: Timetable, stations: Sequence[int], count: int, *, arriving: bool = False
) -> list[int]:
    """The ``count`` stations of ``stations`` with the most departures (with ``arriving``:
    arrivals), most first."""
    if not stations:
        return []
    nodes = np.asarray(sorted(set(stations)), dtype=np.int64)
    column = timetable.arrival_station if arriving else timetable.departure_station
    departures = np.bincount(column, minlength=timetable.station_count)
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
    origin_mask = np.isin(timetable.departure_station, np.asarray(list(origins), dtype=np.int64))
    leave = (
        origin_mask
        & timetable.can_board
        & (timetable.departure_s >= window_start_s)
        & (timetable.departure_s < window_end_s)
    )
    target = np.asarray(list(destinations), dtype=np.int64)
    arrive = np.isin(timetable.arrival_station, target) & timetable.can_alight
    first: dict[int, tuple[int, int]] = {}
    for index in np.flatnonzero(leave):
        trip = int(timetable.trip[index])
        moment = int(timetable.departure_s[index])
        if trip not in first or moment < first[trip][0]:
            first[trip] = (moment, int(timetable.departure_station[index]))
    last: dict[int, tuple[int, int]] = {}
    for index in np.flatnonzero(arrive):
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
