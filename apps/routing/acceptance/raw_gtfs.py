"""Brute-force earliest arrival over a raw GTFS feed, read with the ``csv`` module.

Independent of the planner and of the ETL: it reads ``agency.txt``, ``routes.txt``,
``trips.txt``, ``calendar.txt``, ``calendar_dates.txt``, ``stops.txt`` and ``stop_times.txt``
itself, expands the calendars itself, and answers with a label-setting search over stations
(Dijkstra on arrival times) in which boarding a trip relaxes every later stop of it.

Rules, as the GTFS reference states them:

- a trip runs on the dates of its ``service_id``: the weekdays of ``calendar.txt`` between
  ``start_date`` and ``end_date``, plus ``calendar_dates.txt`` rows of type 1, minus type 2;
- a stop time ``t`` of a trip running on date ``S`` is at ``noon(S) - 12 h + t`` in the time
  zone of the trip's agency (``t`` may pass 24:00:00);
- a stop belongs to its ``parent_station`` when it has one; a platform and its station are
  one place;
- travellers board only where ``pickup_type`` is not 1 and alight only where
  ``drop_off_type`` is not 1 (empty means 0); a stop time without any time is passed through.

The change rule is the caller's: ``transfer_s(place)`` seconds between arriving at a place and
leaving it on another trip, none at the origin; staying on the same trip needs none.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import heapq
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "FeedError",
    "RawFeed",
    "RawJourney",
    "RawLeg",
    "RawSearch",
    "RawStopTime",
    "RawTrip",
    "read_feed",
]

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_NEVER = 2**62


class FeedError(ValueError):
    """The feed lacks a file or a column this check needs, or holds an unreadable value."""


@dataclass(frozen=True, slots=True)
class RawStopTime:
    """One call of a trip: the stop's place, its times (seconds, past 24 h after midnight)."""

    stop_id: str
    place: str
    arrival_s: int
    departure_s: int
    can_board: bool
    can_alight: bool


@dataclass(frozen=True, slots=True)
class RawTrip:
    """A trip: its service, its agency's time zone and its stop times in order."""

    trip_id: str
    service_id: str
    time_zone: str
    stop_times: tuple[RawStopTime, ...]


@dataclass(frozen=True)
class RawFeed:
    """What the brute force needs of a feed."""

    trips: Mapping[str, RawTrip]
    #: service_id -> running dates.
    services: Mapping[str, frozenset[dt.date]]
    #: stop_id -> place (its parent station, else itself).
    place_of: Mapping[str, str]
    #: stop_id -> name.
    stop_names: Mapping[str, str]

    def running_trips(self, day: dt.date) -> list[RawTrip]:
        """Trips running on ``day``, by trip id."""
        return [
            trip
            for _trip_id, trip in sorted(self.trips.items())
            if day in self.services.get(trip.service_id, ())
        ]

    def dates(self) -> list[dt.date]:
        """Every date on which at least one trip runs, sorted."""
        used = {trip.service_id for trip in self.trips.values()}
        return sorted({day for service in used for day in self.services.get(service, ())})


@dataclass(frozen=True, slots=True)
class RawLeg:
    """A trip ridden from one stop time to a later one."""

    trip_id: str
    service_date: dt.date
    from_stop: str
    to_stop: str
    from_name: str
    to_name: str
    departure: dt.datetime
    arrival: dt.datetime


@dataclass(frozen=True)
class RawJourney:
    """An earliest-arrival answer: arrival (UTC) and the legs reaching it."""

    arrival: dt.datetime
    legs: tuple[RawLeg, ...]


def _rows(folder: Path, name: str, required: tuple[str, ...]) -> Iterator[dict[str, str]]:
    path = folder / name
    if not path.is_file():
        raise FeedError(f"{folder.name}: {name} is missing")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = set(required) - set(reader.fieldnames or ())
        if missing:
            raise FeedError(f"{name}: missing column(s) {', '.join(sorted(missing))}")
        for row in reader:
            yield {key: (value or "").strip() for key, value in row.items() if key}


def _date(text: str, where: str) -> dt.date:
    try:
        return dt.datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        raise FeedError(f"{where}: {text!r} is not a YYYYMMDD date") from None


def _seconds(text: str, where: str) -> int | None:
    if not text:
        return None
    try:
        hours, minutes, seconds = (int(part) for part in text.split(":"))
    except ValueError:
        raise FeedError(f"{where}: {text!r} is not a HH:MM:SS time") from None
    return hours * 3600 + minutes * 60 + seconds


def read_feed(folder: Path | str) -> RawFeed:
    """Read a GTFS folder (unzipped) into trips, expanded calendars and places.

    Raises
    ------
    FeedError
        A required file or column is missing, or a date or time cannot be read.
    """
    folder = Path(folder)
    zones = {
        row.get("agency_id", ""): row["agency_timezone"]
        for row in _rows(folder, "agency.txt", ("agency_timezone",))
    }
    if not zones:
        raise FeedError("agency.txt: no agency")
    default_zone = next(iter(zones.values()))
    route_zone = {
        row["route_id"]: zones.get(row.get("agency_id", ""), default_zone)
        for row in _rows(folder, "routes.txt", ("route_id",))
    }
    services: dict[str, set[dt.date]] = defaultdict(set)
    if (folder / "calendar.txt").is_file():
        for row in _rows(folder, "calendar.txt", ("service_id", "start_date", "end_date")):
            day = _date(row["start_date"], "calendar.txt")
            last = _date(row["end_date"], "calendar.txt")
            flags = [row.get(name) == "1" for name in _WEEKDAYS]
            services[row["service_id"]]  # a service may run on no date
            while day <= last:
                if flags[day.weekday()]:
                    services[row["service_id"]].add(day)
                day += dt.timedelta(days=1)
    if (folder / "calendar_dates.txt").is_file():
        for row in _rows(folder, "calendar_dates.txt", ("service_id", "date", "exception_type")):
            day = _date(row["date"], "calendar_dates.txt")
            if row["exception_type"] == "1":
                services[row["service_id"]].add(day)
            elif row["exception_type"] == "2":
                services[row["service_id"]].discard(day)
    place_of: dict[str, str] = {}
    stop_names: dict[str, str] = {}
    for row in _rows(folder, "stops.txt", ("stop_id",)):
        place_of[row["stop_id"]] = row.get("parent_station") or row["stop_id"]
        stop_names[row["stop_id"]] = row.get("stop_name", "")
    trip_rows = {
        row["trip_id"]: row for row in _rows(folder, "trips.txt", ("trip_id", "service_id"))
    }
    calls: dict[str, list[tuple[int, RawStopTime]]] = defaultdict(list)
    required = ("trip_id", "stop_id", "stop_sequence", "arrival_time", "departure_time")
    for line, row in enumerate(_rows(folder, "stop_times.txt", required), start=2):
        where = f"stop_times.txt:{line}"
        arrival = _seconds(row["arrival_time"], where)
        departure = _seconds(row["departure_time"], where)
        if arrival is None and departure is None:
            continue
        stop_id = row["stop_id"]
        calls[row["trip_id"]].append(
            (
                int(row["stop_sequence"]),
                RawStopTime(
                    stop_id=stop_id,
                    place=place_of.get(stop_id, stop_id),
                    arrival_s=arrival if arrival is not None else departure,
                    departure_s=departure if departure is not None else arrival,
                    can_board=row.get("pickup_type", "") != "1",
                    can_alight=row.get("drop_off_type", "") != "1",
                ),
            )
        )
    trips = {}
    for trip_id, row in trip_rows.items():
        stop_times = tuple(call for _sequence, call in sorted(calls.get(trip_id, ())))
        if len(stop_times) >= 2:
            trips[trip_id] = RawTrip(
                trip_id=trip_id,
                service_id=row["service_id"],
                time_zone=route_zone.get(row.get("route_id", ""), default_zone),
                stop_times=stop_times,
            )
    return RawFeed(
        trips=trips,
        services={key: frozenset(days) for key, days in services.items()},
        place_of=place_of,
        stop_names=stop_names,
    )


@dataclass(frozen=True, slots=True)
class _Run:
    """A trip on one date: its stop times with absolute (POSIX) times and stations."""

    trip: RawTrip
    service_date: dt.date
    stations: tuple[Hashable | None, ...]
    arrival: tuple[int, ...]
    departure: tuple[int, ...]


def _noon_minus_12h(day: dt.date, zone: str) -> int:
    noon = dt.datetime.combine(day, dt.time(12), tzinfo=zoneinfo.ZoneInfo(zone))
    return int(noon.timestamp()) - 12 * 3600


class RawSearch:
    """Earliest-arrival queries over a feed, stations given by ``station_of`` (place -> an
    orderable key).

    Places missing from ``station_of`` are passed through (nobody boards or alights there).
    Runs of the dates from ``days_back`` before the query's date to ``days_ahead`` after it
    are searched (the feed's longest trip decides ``days_back``); ``days_ahead=1`` is the
    planner's horizon: the trains of the departure date and of the next one.
    """

    def __init__(
        self,
        feed: RawFeed,
        station_of: Mapping[str, Hashable],
        transfer_s: Callable[[Hashable], int],
        *,
        days_ahead: int = 1,
    ) -> None:
        self.feed = feed
        self.station_of = station_of
        self.transfer_s = transfer_s
        self.days_ahead = days_ahead
        longest = max((trip.stop_times[-1].arrival_s for trip in feed.trips.values()), default=0)
        self.days_back = longest // 86_400 + 1
        self._runs: dict[dt.date, list[_Run]] = {}
        self._windows: dict[dt.date, tuple[list[_Run], dict[Hashable, list]]] = {}

    def runs_on(self, day: dt.date) -> list[_Run]:
        """The runs of service date ``day`` (cached)."""
        if day not in self._runs:
            runs = []
            for trip in self.feed.running_trips(day):
                base = _noon_minus_12h(day, trip.time_zone)
                runs.append(
                    _Run(
                        trip=trip,
                        service_date=day,
                        stations=tuple(self.station_of.get(call.place) for call in trip.stop_times),
                        arrival=tuple(base + call.arrival_s for call in trip.stop_times),
                        departure=tuple(base + call.departure_s for call in trip.stop_times),
                    )
                )
            self._runs[day] = runs
        return self._runs[day]

    def _window(self, day: dt.date) -> tuple[list[_Run], dict[Hashable, list]]:
        """Runs around ``day`` and, per station, its boardable departures sorted by time."""
        if day not in self._windows:
            if len(self._windows) >= 4:
                self._windows.pop(next(iter(self._windows)))
            runs = [
                run
                for offset in range(-self.days_back, self.days_ahead + 1)
                for run in self.runs_on(day + dt.timedelta(days=offset))
            ]
            departures: dict[Hashable, list] = defaultdict(list)
            for index, run in enumerate(runs):
                for position, (station, call) in enumerate(
                    zip(run.stations, run.trip.stop_times, strict=True)
                ):
                    if station is not None and call.can_board:
                        departures[station].append((run.departure[position], index, position))
            for events in departures.values():
                events.sort()
            self._windows[day] = (runs, dict(departures))
        return self._windows[day]

    def search(
        self, origin: Hashable, day: dt.date, depart: dt.datetime, *, target: Hashable = None
    ) -> dict[Hashable, tuple[int, tuple]]:
        """Earliest arrival (POSIX s) at every station (or until ``target`` is settled), with
        the (run, board, alight, previous station) that reached it, leaving ``origin`` at or
        after ``depart`` with the runs around service date ``day``."""
        runs, departures = self._window(day)
        start = int(depart.timestamp())
        best: dict[Hashable, int] = {origin: start}
        how: dict[Hashable, tuple] = {}
        boarded: dict[int, int] = {}
        heap = [(start, 0, origin)]
        counter = 0
        settled: set[Hashable] = set()
        while heap:
            arrival, _order, station = heapq.heappop(heap)
            if station in settled:
                continue
            settled.add(station)
            if station == target:
                break
            ready = arrival if station == origin else arrival + self.transfer_s(station)
            events = departures.get(station, ())
            bound = best.get(target, _NEVER) if target is not None else _NEVER
            for leaves, index, position in events[bisect.bisect_left(events, (ready, -1, -1)) :]:
                if leaves >= bound:
                    break
                if boarded.get(index, _NEVER) <= position:
                    continue
                boarded[index] = position
                run = runs[index]
                calls = run.trip.stop_times
                for later in range(position + 1, len(calls)):
                    there = run.stations[later]
                    if there is None or not calls[later].can_alight or there in settled:
                        continue
                    reached = run.arrival[later]
                    if reached < best.get(there, _NEVER):
                        best[there] = reached
                        how[there] = (index, position, later, station)
                        counter += 1
                        heapq.heappush(heap, (reached, counter, there))
                if target is not None:
                    bound = best.get(target, _NEVER)
        return {key: (value, how.get(key, ())) for key, value in best.items()}

    def earliest_arrival(
        self, origin: Hashable, target: Hashable, day: dt.date, depart: dt.datetime
    ) -> RawJourney | None:
        """The earliest arrival at ``target`` and its legs, or None if it is not reached."""
        return self.journey(self.search(origin, day, depart, target=target), origin, target, day)

    def journey(
        self,
        labels: Mapping[Hashable, tuple[int, tuple]],
        origin: Hashable,
        target: Hashable,
        day: dt.date,
    ) -> RawJourney | None:
        """The journey to ``target`` that labels of :meth:`search` record (None if none)."""
        if target not in labels or target == origin:
            return None
        runs, _departures = self._window(day)
        legs = []
        station = target
        while station != origin:
            index, board, alight, previous = labels[station][1]
            run = runs[index]
            legs.append(
                RawLeg(
                    trip_id=run.trip.trip_id,
                    service_date=run.service_date,
                    from_stop=run.trip.stop_times[board].stop_id,
                    to_stop=run.trip.stop_times[alight].stop_id,
                    from_name=self.feed.stop_names.get(run.trip.stop_times[board].stop_id, ""),
                    to_name=self.feed.stop_names.get(run.trip.stop_times[alight].stop_id, ""),
                    departure=dt.datetime.fromtimestamp(run.departure[board], tz=dt.UTC),
                    arrival=dt.datetime.fromtimestamp(run.arrival[alight], tz=dt.UTC),
                )
            )
            station = previous
        legs.reverse()
        return RawJourney(
            arrival=dt.datetime.fromtimestamp(labels[target][0], tz=dt.UTC), legs=tuple(legs)
        )

    def boarding_stations(self, day: dt.date) -> list[Hashable]:
        """Stations where some run of service date ``day`` takes travellers up, sorted."""
        return sorted(
            {
                station
                for run in self.runs_on(day)
                for station, call in zip(run.stations[:-1], run.trip.stop_times, strict=False)
                if station is not None and call.can_board
            }
        )
