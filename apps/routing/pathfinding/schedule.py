"""Timetables of any date, built on demand from trip patterns and their calendars.

A :class:`TripPatterns` holds every trip's hops once, in local times of its service day; a
:class:`TripCalendars` says on which dates each trip runs (a weekly pattern between two dates
plus dated additions and removals). :class:`Schedule` turns them into the
:class:`~.timetable.Timetable` of a requested date and keeps the last few dates built.

The timetable of date ``D`` counts seconds from midnight UTC of ``D - 1`` (its epoch) and
holds one trip per run: the runs of ``D`` and ``D + 1`` (a journey leaving late on ``D``
carries on with the next morning's trains) and those of the dates before ``D`` still running
after ``D`` began (night trains). A run of service day ``S`` at local time ``t`` (seconds, past
86 400 after midnight) in a zone is at ``noon(S) - 12 h + t``, noon's UTC offset applying to
the whole run, as in GTFS.
"""

from __future__ import annotations

import datetime as dt
import threading
import zoneinfo
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .csa import prepare_blocks
from .errors import ParameterError
from .timetable import Timetable, build_timetable

__all__ = [
    "DAY_S",
    "Coverage",
    "Schedule",
    "ServiceDay",
    "TripCalendars",
    "TripPatterns",
    "strictly_increasing_times",
    "utc_offset_s",
]

DAY_S = 86_400
#: Dates kept built by default (each holds about two days of connections and its blocks).
DEFAULT_CACHE_SIZE = 4


@lru_cache(maxsize=8192)
def utc_offset_s(zone: str, day: dt.date) -> int:
    """UTC offset in seconds of ``zone`` at noon on ``day`` (0 for an unknown zone)."""
    try:
        info = zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return 0
    return int(dt.datetime.combine(day, dt.time(12), tzinfo=info).utcoffset().total_seconds())


def strictly_increasing_times(
    departure_s: NDArray[np.int64], arrival_s: NDArray[np.int64], trip: NDArray[np.integer]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Push every hop's events so that each lasts >= 1 s and none goes back in its trip.

    Hops are grouped by trip, in stop order. Minute-precision feeds have zero-minute hops; the
    scans need every connection to last at least one second, so each arrival is moved to at
    least one second after its departure and each departure to no earlier than the previous
    arrival (``t'_k = c_k + cummax(t_j - c_j)``, ``c`` counting a second per hop, per trip).
    """
    if departure_s.size == 0:
        return departure_s.astype(np.int64), arrival_s.astype(np.int64)
    events = np.empty(2 * departure_s.size, dtype=np.int64)
    events[0::2], events[1::2] = departure_s, arrival_s
    required = np.zeros(events.size, dtype=np.int64)
    required[1::2] = 1
    trips = np.repeat(np.asarray(trip), 2)
    starts = np.r_[True, trips[1:] != trips[:-1]]
    cumulative = np.cumsum(required)
    segment = np.cumsum(starts) - 1
    span = int(np.abs(events).max() + cumulative[-1] + 1) * 4
    shifted = events - cumulative + segment * span
    fixed = np.maximum.accumulate(shifted) - segment * span + cumulative
    return fixed[0::2], fixed[1::2]


@dataclass(frozen=True, eq=False)
class TripPatterns:
    """Every trip's hops, independent of dates.

    Hops (one train between two consecutive stops) are grouped by ``hop_trip`` in stop order.
    ``departure_local_s`` / ``arrival_local_s`` are seconds after local midnight of the trip's
    service day in the zone of the hop's departure / arrival station (``zones[station_zone]``).
    ``can_board`` / ``can_alight``: boarding at the departure stop, alighting at the arrival
    stop allowed.
    """

    station_count: int
    hop_trip: NDArray[np.int32]
    from_station: NDArray[np.int32]
    to_station: NDArray[np.int32]
    departure_local_s: NDArray[np.int32]
    arrival_local_s: NDArray[np.int32]
    can_board: NDArray[np.bool_]
    can_alight: NDArray[np.bool_]
    trip_is_night: NDArray[np.bool_]
    transfer_s: NDArray[np.int32]
    station_zone: NDArray[np.int32]
    zones: tuple[str, ...]

    @property
    def trip_count(self) -> int:
        """Number of trips (length of ``trip_is_night``)."""
        return int(self.trip_is_night.shape[0])

    @property
    def hop_count(self) -> int:
        """Number of hops."""
        return int(self.hop_trip.shape[0])


@dataclass(frozen=True, eq=False)
class TripCalendars:
    """On which dates each trip runs; dates are proleptic ordinals (``date.toordinal()``).

    A trip runs on a date of ``valid_from .. valid_to`` whose weekday bit is set in
    ``weekdays`` (bit 0 = Monday), unless an exception of that date removes it, and on every
    date an exception adds. Exceptions are sorted by date.
    """

    valid_from: NDArray[np.int32]
    valid_to: NDArray[np.int32]
    weekdays: NDArray[np.uint8]
    exception_date: NDArray[np.int32]
    exception_trip: NDArray[np.int32]
    exception_added: NDArray[np.bool_]

    @classmethod
    def build(
        cls,
        valid_from: ArrayLike,
        valid_to: ArrayLike,
        weekdays: ArrayLike,
        exception_date: ArrayLike = (),
        exception_trip: ArrayLike = (),
        exception_added: ArrayLike = (),
    ) -> TripCalendars:
        """Validate the columns and sort the exceptions by date."""
        start = np.asarray(valid_from, dtype=np.int32).ravel()
        end = np.asarray(valid_to, dtype=np.int32).ravel()
        flags = np.asarray(weekdays, dtype=np.uint8).ravel()
        if not start.size == end.size == flags.size:
            raise ParameterError("valid_from, valid_to and weekdays must have one value per trip")
        dates = np.asarray(exception_date, dtype=np.int32).ravel()
        trips = np.asarray(exception_trip, dtype=np.int32).ravel()
        added = np.asarray(exception_added, dtype=bool).ravel()
        if not dates.size == trips.size == added.size:
            raise ParameterError("exception columns must have the same length")
        if trips.size and (trips.min() < 0 or trips.max() >= start.size):
            raise ParameterError(f"exception_trip holds a trip outside 0..{start.size - 1}")
        order = np.argsort(dates, kind="stable")
        return cls(start, end, flags, dates[order], trips[order], added[order])

    @property
    def trip_count(self) -> int:
        """Number of trips."""
        return int(self.valid_from.shape[0])

    def running_on(self, day: int) -> NDArray[np.bool_]:
        """Which trips run on the date of ordinal ``day``."""
        weekday = (day - 1) % 7  # ordinal 1 (0001-01-01) is a Monday
        runs = (self.valid_from <= day) & (self.valid_to >= day)
        runs &= ((self.weekdays >> weekday) & 1).astype(bool)
        low = int(np.searchsorted(self.exception_date, day, side="left"))
        high = int(np.searchsorted(self.exception_date, day, side="right"))
        runs[self.exception_trip[low:high]] = self.exception_added[low:high]
        return runs


@dataclass(frozen=True)
class Coverage:
    """The dates a source's timetable covers (its first and last running dates)."""

    source: str
    first_day: dt.date
    last_day: dt.date

    def covers(self, day: dt.date) -> bool:
        """Whether ``day`` lies within the covered period."""
        return self.first_day <= day <= self.last_day


@dataclass(frozen=True, eq=False)
class ServiceDay:
    """The timetable of one date, with the run (trip and date) behind each of its trips."""

    day: dt.date
    timetable: Timetable
    #: Midnight UTC of the day before ``day``: second 0 of the timetable.
    epoch: dt.datetime
    #: Pattern trip of each timetable trip.
    trip_of: NDArray[np.int32]
    #: Service date (ordinal) of each timetable trip.
    service_date_of: NDArray[np.int32]

    def seconds(self, moment: dt.datetime) -> int:
        """``moment`` (aware) in seconds after the epoch, never below 0."""
        return max(int((moment - self.epoch).total_seconds()), 0)

    def moment(self, seconds: int) -> dt.datetime:
        """The UTC instant ``seconds`` after the epoch."""
        return self.epoch + dt.timedelta(seconds=int(seconds))


class Schedule:
    """Builds the :class:`ServiceDay` of any date on demand and caches the last few.

    ``coverage`` lists the periods each source covers: :meth:`covers` tells whether a date
    lies in one of them (outside every one, there is no timetable to answer from).
    """

    def __init__(
        self,
        patterns: TripPatterns,
        calendars: TripCalendars,
        coverage: Sequence[Coverage] = (),
        *,
        cache_size: int = DEFAULT_CACHE_SIZE,
    ) -> None:
        if calendars.trip_count != patterns.trip_count:
            raise ParameterError(
                f"calendars describe {calendars.trip_count} trips, patterns {patterns.trip_count}"
            )
        if cache_size < 1:
            raise ParameterError(f"cache_size={cache_size} must be >= 1")
        self.patterns = patterns
        self.calendars = calendars
        self.coverage = tuple(coverage)
        self.cache_size = cache_size
        self._days: OrderedDict[dt.date, ServiceDay] = OrderedDict()
        self._lock = threading.Lock()
        last = int(patterns.arrival_local_s.max()) if patterns.hop_count else 0
        #: Runs of this many dates before the requested one may still be running on it.
        self.days_back = max(1, last // DAY_S + 1)

    def covers(self, day: dt.date) -> bool:
        """Whether some source's timetable covers ``day``."""
        return any(period.covers(day) for period in self.coverage)

    def service_day(self, day: dt.date) -> ServiceDay:
        """The timetable of ``day`` (built on first use, then cached)."""
        with self._lock:
            found = self._days.get(day)
            if found is not None:
                self._days.move_to_end(day)
                return found
        built = self.build_day(day)
        with self._lock:
            self._days[day] = built
            self._days.move_to_end(day)
            while len(self._days) > self.cache_size:
                self._days.popitem(last=False)
        return built

    @property
    def cached_days(self) -> tuple[dt.date, ...]:
        """The dates currently built, least recently used first."""
        with self._lock:
            return tuple(self._days)

    def busiest_day(self) -> dt.date | None:
        """The covered date on which the most trips run (the first one on a tie)."""
        days = sorted(
            {
                period.first_day + dt.timedelta(days=offset)
                for period in self.coverage
                for offset in range(min((period.last_day - period.first_day).days + 1, 800))
            }
        )
        if not days:
            return None
        counts = [int(self.calendars.running_on(day.toordinal()).sum()) for day in days]
        return days[int(np.argmax(counts))]

    def build_day(self, day: dt.date) -> ServiceDay:
        """Build the timetable of ``day`` now, without the cache: the connections of the runs
        of ``day - days_back`` .. ``day + 1`` from the epoch, those leaving before ``day``
        began in every zone left out, with their scan blocks."""
        patterns = self.patterns
        epoch_day = day - dt.timedelta(days=1)
        offsets_by_day = {}
        columns: dict[str, list[NDArray]] = {
            key: [] for key in ("from", "to", "dep", "arr", "trip", "board", "alight")
        }
        runs_of: list[NDArray[np.int32]] = []
        dates_of: list[NDArray[np.int32]] = []
        first_run = 0
        for back in range(-self.days_back, 2):
            service = day + dt.timedelta(days=back)
            offsets = np.array([utc_offset_s(zone, service) for zone in patterns.zones])
            offsets_by_day[service] = offsets
            runs = self.calendars.running_on(service.toordinal())
            running_trips = np.flatnonzero(runs).astype(np.int32)
            hops = np.flatnonzero(runs[patterns.hop_trip])
            trip = patterns.hop_trip[hops]
            shift = (service - epoch_day).days * DAY_S
            zone_offset = offsets[patterns.station_zone] if offsets.size else np.zeros(1)
            departure, arrival = strictly_increasing_times(
                patterns.departure_local_s[hops].astype(np.int64)
                - zone_offset[patterns.from_station[hops]],
                patterns.arrival_local_s[hops].astype(np.int64)
                - zone_offset[patterns.to_station[hops]],
                trip,
            )
            columns["from"].append(patterns.from_station[hops])
            columns["to"].append(patterns.to_station[hops])
            columns["dep"].append(departure + shift)
            columns["arr"].append(arrival + shift)
            columns["trip"].append(first_run + np.searchsorted(running_trips, trip))
            columns["board"].append(patterns.can_board[hops])
            columns["alight"].append(patterns.can_alight[hops])
            runs_of.append(running_trips)
            dates_of.append(np.full(running_trips.size, service.toordinal(), dtype=np.int32))
            first_run += running_trips.size
        merged = {key: np.concatenate(parts) for key, parts in columns.items()}
        # No query of ``day`` starts before local midnight in the zone furthest east.
        zone_offsets = offsets_by_day[day]
        floor = DAY_S - (int(zone_offsets.max()) if zone_offsets.size else 0)
        keep = merged["dep"] >= max(floor, 0)
        used, trip = np.unique(merged["trip"][keep], return_inverse=True)
        run_trip = np.concatenate(runs_of)[used]
        timetable = build_timetable(
            patterns.station_count,
            merged["from"][keep],
            merged["to"][keep],
            merged["dep"][keep],
            merged["arr"][keep],
            trip.ravel(),
            trip_is_night=patterns.trip_is_night[run_trip],
            transfer_s=patterns.transfer_s,
            can_board=merged["board"][keep],
            can_alight=merged["alight"][keep],
        )
        prepare_blocks(timetable)
        return ServiceDay(
            day=day,
            timetable=timetable,
            epoch=dt.datetime.combine(epoch_day, dt.time(0), tzinfo=dt.UTC),
            trip_of=run_trip.astype(np.int32),
            service_date_of=np.concatenate(dates_of)[used],
        )
