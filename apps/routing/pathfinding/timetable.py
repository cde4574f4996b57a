"""Timetables as time-sorted connection arrays, and the journeys computed on them."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .errors import NoPathError, ParameterError

__all__ = [
    "TRAIN_FILTERS",
    "Arrivals",
    "ConnectionLists",
    "Journey",
    "Leg",
    "Timetable",
    "build_timetable",
    "original_connections",
]

#: Values of the ``trains`` option: every train, day trains only, night trains only.
TRAIN_FILTERS = ("all", "day", "night")


class ConnectionLists(NamedTuple):
    """A timetable's connection columns as Python lists, for the plain-loop algorithms
    (indexing a list with Python ints costs less than indexing a numpy array)."""

    departure_s: list[int]
    arrival_s: list[int]
    departure_station: list[int]
    arrival_station: list[int]
    trip: list[int]
    transfer_s: list[int]
    can_board: list[bool]
    can_alight: list[bool]


@dataclass(frozen=True, eq=False)
class Timetable:
    """The connections of one service day, sorted by departure time.

    A connection is one train ``trip`` running from ``departure_station`` to the next stop
    ``arrival_station``. Times are int32 seconds after the timetable's epoch (trips running
    past midnight keep counting beyond 86 400). A trip is one run of a train on one date: the
    same train on two dates is two trips. ``trip_is_night`` flags night trains;
    ``transfer_s`` is the minimum change time at each station in seconds.

    Boarding rules (GTFS ``pickup_type`` / ``drop_off_type``): ``can_board[c]`` tells whether
    travellers may board at the departure stop of connection ``c``, ``can_alight[c]`` whether
    they may alight at its arrival stop. Journeys board and alight only where allowed; staying
    on the train through any stop is always allowed.
    """

    station_count: int
    departure_station: NDArray[np.int32]
    arrival_station: NDArray[np.int32]
    departure_s: NDArray[np.int32]
    arrival_s: NDArray[np.int32]
    trip: NDArray[np.int32]
    trip_is_night: NDArray[np.bool_]
    transfer_s: NDArray[np.int32]
    can_board: NDArray[np.bool_]
    can_alight: NDArray[np.bool_]
    #: Derived data computed on first use (filtered copies, scan blocks).
    cache: dict[object, object] = field(default_factory=dict, repr=False)

    @property
    def connection_count(self) -> int:
        """Number of connections."""
        return int(self.departure_s.shape[0])

    @property
    def trip_count(self) -> int:
        """Number of trips (length of ``trip_is_night``)."""
        return int(self.trip_is_night.shape[0])

    def lists(self) -> ConnectionLists:
        """The connection columns (and ``transfer_s``, per station) as Python lists."""
        return ConnectionLists(
            self.departure_s.tolist(),
            self.arrival_s.tolist(),
            self.departure_station.tolist(),
            self.arrival_station.tolist(),
            self.trip.tolist(),
            self.transfer_s.tolist(),
            self.can_board.tolist(),
            self.can_alight.tolist(),
        )

    def restricted(self, trains: str) -> Timetable:
        """Return the timetable keeping ``all``, ``day`` or ``night`` trains (cached)."""
        if trains not in TRAIN_FILTERS:
            raise ParameterError(f"trains={trains!r} is not one of {', '.join(TRAIN_FILTERS)}")
        if trains == "all":
            return self
        key = ("restricted", trains)
        if key not in self.cache:
            is_night = self.trip_is_night[self.trip]
            keep = is_night if trains == "night" else ~is_night
            self.cache[("kept", trains)] = np.flatnonzero(keep)
            self.cache[key] = Timetable(
                station_count=self.station_count,
                departure_station=self.departure_station[keep],
                arrival_station=self.arrival_station[keep],
                departure_s=self.departure_s[keep],
                arrival_s=self.arrival_s[keep],
                trip=self.trip[keep],
                trip_is_night=self.trip_is_night,
                transfer_s=self.transfer_s,
                can_board=self.can_board[keep],
                can_alight=self.can_alight[keep],
            )
        return self.cache[key]


def original_connections(timetable: Timetable, trains: str, journey: Journey) -> Journey:
    """Map the connection indices of a journey found on ``timetable.restricted(trains)`` back."""
    if trains == "all":
        return journey
    kept = timetable.cache[("kept", trains)]
    legs = tuple(
        replace(
            leg,
            first_connection=int(kept[leg.first_connection]),
            last_connection=int(kept[leg.last_connection]),
        )
        for leg in journey.legs
    )
    return replace(journey, legs=legs)


def build_timetable(
    station_count: int,
    departure_station: ArrayLike,
    arrival_station: ArrayLike,
    departure_s: ArrayLike,
    arrival_s: ArrayLike,
    trip: ArrayLike,
    *,
    trip_is_night: ArrayLike | None = None,
    transfer_s: ArrayLike | int = 0,
    can_board: ArrayLike | None = None,
    can_alight: ArrayLike | None = None,
) -> Timetable:
    """Validate connection columns and return them sorted by departure time.

    ``can_board`` / ``can_alight`` (one flag per connection, default all True) say whether
    travellers may board at its departure stop and alight at its arrival stop.

    Raises
    ------
    ParameterError
        If columns differ in length, a station or trip index is out of range, or a
        connection does not last at least one second (the block scan relies on it).
    """
    columns = {
        "departure_station": np.asarray(departure_station, dtype=np.int64).ravel(),
        "arrival_station": np.asarray(arrival_station, dtype=np.int64).ravel(),
        "departure_s": np.asarray(departure_s, dtype=np.int64).ravel(),
        "arrival_s": np.asarray(arrival_s, dtype=np.int64).ravel(),
        "trip": np.asarray(trip, dtype=np.int64).ravel(),
    }
    size = columns["trip"].size
    flags = {
        name: np.ones(size, dtype=bool) if value is None else np.asarray(value, dtype=bool).ravel()
        for name, value in (("can_board", can_board), ("can_alight", can_alight))
    }
    for name, column in (*columns.items(), *flags.items()):
        if column.size != size:
            raise ParameterError(f"{name} has {column.size} values for {size} connections")
    for name in ("departure_station", "arrival_station"):
        column = columns[name]
        if size and (column.min() < 0 or column.max() >= station_count):
            raise ParameterError(f"{name} holds a station outside 0..{station_count - 1}")
    duration = columns["arrival_s"] - columns["departure_s"]
    if size and duration.min() < 1:
        bad = int(np.argmin(duration))
        raise ParameterError(
            f"connection {bad} lasts {int(duration[bad])} s: every connection must last >= 1 s"
        )
    if size and (columns["departure_s"].min() < 0 or columns["arrival_s"].max() >= 2**31):
        raise ParameterError("times must lie in 0 .. 2**31 - 1 seconds")
    trip_count = int(columns["trip"].max()) + 1 if size else 0
    if size and columns["trip"].min() < 0:
        raise ParameterError("trip holds a negative index")
    night = (
        np.zeros(trip_count, dtype=bool)
        if trip_is_night is None
        else np.asarray(trip_is_night, dtype=bool).ravel()
    )
    if night.size < trip_count:
        raise ParameterError(f"trip_is_night has {night.size} values for {trip_count} trips")
    transfer = np.broadcast_to(np.asarray(transfer_s, dtype=np.int64), (station_count,))
    if station_count and transfer.min() < 0:
        raise ParameterError("transfer_s must be >= 0 at every station")
    # By departure, then arrival (both < 2**31: the key fits in int64).
    order = np.argsort(columns["departure_s"] * 2**31 + columns["arrival_s"], kind="stable")
    return Timetable(
        station_count=int(station_count),
        departure_station=columns["departure_station"][order].astype(np.int32),
        arrival_station=columns["arrival_station"][order].astype(np.int32),
        departure_s=columns["departure_s"][order].astype(np.int32),
        arrival_s=columns["arrival_s"][order].astype(np.int32),
        trip=columns["trip"][order].astype(np.int32),
        trip_is_night=night.copy(),
        transfer_s=transfer.astype(np.int32).copy(),
        can_board=flags["can_board"][order],
        can_alight=flags["can_alight"][order],
    )


@dataclass(frozen=True)
class Leg:
    """One train ridden without changing: board at ``first_connection``, alight after ``last``."""

    trip: int
    departure_station: int
    arrival_station: int
    departure_s: int
    arrival_s: int
    first_connection: int
    last_connection: int
    is_night: bool

    @classmethod
    def between(cls, timetable: Timetable, first: int, last: int) -> Leg:
        """The leg riding the trip of connection ``last`` from connection ``first`` to it."""
        trip = int(timetable.trip[last])
        return cls(
            trip=trip,
            departure_station=int(timetable.departure_station[first]),
            arrival_station=int(timetable.arrival_station[last]),
            departure_s=int(timetable.departure_s[first]),
            arrival_s=int(timetable.arrival_s[last]),
            first_connection=first,
            last_connection=last,
            is_night=bool(timetable.trip_is_night[trip]),
        )


@dataclass(frozen=True)
class Journey:
    """An earliest-arrival journey; ``connections_scanned`` and ``labels_improved`` are work."""

    method: str
    source: int
    target: int
    depart_after_s: int
    legs: tuple[Leg, ...]
    connections_scanned: int
    labels_improved: int

    @property
    def departure_s(self) -> int:
        """Departure of the first train (the requested time when source equals target)."""
        return self.legs[0].departure_s if self.legs else self.depart_after_s

    @property
    def arrival_s(self) -> int:
        """Arrival at the target."""
        return self.legs[-1].arrival_s if self.legs else self.depart_after_s

    @property
    def transfers(self) -> int:
        """Number of changes of train."""
        return max(len(self.legs) - 1, 0)

    @property
    def uses_night_trains(self) -> bool:
        """Whether any leg is a night train."""
        return any(leg.is_night for leg in self.legs)


@dataclass(frozen=True)
class Arrivals:
    """Earliest-arrival journeys from one station and time to several targets, from one scan.

    ``journeys`` maps each reachable target to its journey (the one
    :func:`~.journeys.earliest_arrival` finds for it alone); ``unreachable`` lists the others.
    ``connections_scanned`` and ``labels_improved`` are the shared scan's work (each journey
    carries the same counters).
    """

    method: str
    source: int
    depart_after_s: int
    journeys: dict[int, Journey]
    unreachable: tuple[int, ...]
    connections_scanned: int
    labels_improved: int

    def journey(self, target: int) -> Journey:
        """The journey to ``target``; NoPathError when it cannot be reached, ParameterError
        when it was not one of the targets."""
        if target in self.journeys:
            return self.journeys[target]
        if target in self.unreachable:
            raise NoPathError(
                f"station {target} cannot be reached from station {self.source} "
                f"after {self.depart_after_s} s",
                source=self.source,
                target=target,
            )
        raise ParameterError(f"target={target} was not one of the targets searched")
