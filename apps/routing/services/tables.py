"""Bulk reads of the harmonised tables into numpy arrays, for the routing network.

Rows are streamed with ``values_list(...).iterator()`` in chunks; no model instance is kept.
Only counted trajets are read (``Trajet.objects.counted()``): a train two sources describe
is used once.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from django.db.models import Max, Min
from numpy.typing import NDArray

from apps.routing.pathfinding.schedule import Coverage, TripCalendars
from apps.trajets.models import CalendarException, Station, Stop, Trajet
from apps.trajets.services import WEEKDAY_FIELDS, counted_lookups

__all__ = [
    "NIGHT_KINDS",
    "TRANSFER_TIME_S",
    "read_calendars",
    "read_coverage",
    "read_stations",
    "read_stops",
    "read_trajets",
]

#: Minimum change time at a station that publishes none (Station.min_transfer_min).
TRANSFER_TIME_S = 300
#: A backward jump of local time along a trajet larger than this is a midnight crossing.
ROLLOVER_S = 6 * 3600
#: Service kinds that count as night trains (the ``trains=night`` filter, dashed legs).
NIGHT_KINDS = ("night", "overnight")
_CHUNK = 50_000
_STOP_COLUMNS = {
    "trip": np.int32,
    "node": np.int32,
    "arrival_local_s": np.int32,
    "departure_local_s": np.int32,
    "distance_km": np.float32,
    "pickup_type": np.int8,
    "drop_off_type": np.int8,
}
_DAY = 86_400


def read_stations() -> dict[str, NDArray]:
    """Every station by key: position, country, zone and minimum change time (s)."""
    rows = Station.objects.order_by("pk").values_list(
        "pk", "latitude", "longitude", "country", "time_zone", "min_transfer_min"
    )
    pk, latitude, longitude, country, zone, transfer = [], [], [], [], [], []
    for row in rows.iterator(chunk_size=_CHUNK):
        pk.append(row[0])
        latitude.append(np.nan if row[1] is None else row[1])
        longitude.append(np.nan if row[2] is None else row[2])
        country.append(row[3])
        zone.append(row[4])
        transfer.append(TRANSFER_TIME_S if row[5] is None else row[5] * 60)
    return {
        "pk": np.array(pk, dtype=np.int64),
        "latitude": np.array(latitude, dtype=np.float64),
        "longitude": np.array(longitude, dtype=np.float64),
        "country": np.array(country, dtype="U2"),
        "zone": np.array(zone, dtype=str),
        "transfer_s": np.array(transfer, dtype=np.int32),
    }


def read_trajets() -> dict[str, NDArray]:
    """Counted trajets by key: night flag and weekly calendar (weekday bits, Monday = 1)."""
    rows = (
        Trajet.objects.counted()
        .order_by("pk")
        .values_list("pk", "kind", "valid_from", "valid_to", *WEEKDAY_FIELDS)
    )
    ids, night, valid_from, valid_to, weekdays = [], [], [], [], []
    for pk, kind, start, end, *flags in rows.iterator(chunk_size=_CHUNK):
        ids.append(pk)
        night.append(kind in NIGHT_KINDS)
        valid_from.append(start.toordinal())
        valid_to.append(end.toordinal())
        weekdays.append(sum(1 << day for day, runs in enumerate(flags) if runs))
    return {
        "pk": np.array(ids, dtype=np.int64),
        "is_night": np.array(night, dtype=bool),
        "valid_from": np.array(valid_from, dtype=np.int32),
        "valid_to": np.array(valid_to, dtype=np.int32),
        "weekdays": np.array(weekdays, dtype=np.uint8),
    }


def read_calendars(trajets: dict[str, NDArray]) -> TripCalendars:
    """The trajets' weekly patterns and their dated exceptions, by trajet index."""
    rows = (
        CalendarException.objects.filter(**counted_lookups("trajet__"))
        .order_by("date", "trajet_id")
        .values_list("trajet_id", "date", "is_added")
    )
    trajet, date, added = [], [], []
    for pk, day, is_added in rows.iterator(chunk_size=_CHUNK):
        trajet.append(pk)
        date.append(day.toordinal())
        added.append(is_added)
    keys = np.array(trajet, dtype=np.int64)
    return TripCalendars.build(
        valid_from=trajets["valid_from"],
        valid_to=trajets["valid_to"],
        weekdays=trajets["weekdays"],
        exception_date=np.array(date, dtype=np.int32),
        exception_trip=np.searchsorted(trajets["pk"], keys).astype(np.int32),
        exception_added=np.array(added, dtype=bool),
    )


def read_coverage() -> list[Coverage]:
    """The period each source with trajets covers: its own first and last running dates
    when the ETL recorded them, else those of its trajets."""
    periods = (
        Trajet.objects.values("source__name", "source__runs_from", "source__runs_until")
        .annotate(first=Min("runs_from"), last=Max("runs_until"))
        .order_by("source__name")
    )
    return [
        Coverage(
            source=row["source__name"],
            first_day=row["source__runs_from"] or row["first"],
            last_day=row["source__runs_until"] or row["last"],
        )
        for row in periods
    ]


def _seconds(value: dt.time | None, offset: int) -> int:
    if value is None:
        return -1
    return offset * _DAY + value.hour * 3600 + value.minute * 60 + value.second


def read_stops(station_pk: NDArray[np.int64], trajet_ids: NDArray[np.int64]) -> dict[str, NDArray]:
    """Stops of counted trajets ordered by trajet and sequence, as arrays (chunks, no
    per-row objects kept)."""
    rows = (
        Stop.objects.filter(**counted_lookups("trajet__"))
        .order_by("trajet_id", "sequence")
        .values_list(
            "trajet_id",
            "station_id",
            "arrival_time",
            "arrival_day_offset",
            "departure_time",
            "departure_day_offset",
            "distance_from_origin_km",
            "pickup_type",
            "drop_off_type",
        )
    )
    columns: dict[str, list[NDArray]] = {key: [] for key in _STOP_COLUMNS}
    buffer: list[tuple[float, ...]] = []

    def flush() -> None:
        # Typed columns per chunk (int32 indices and times, float32 km): ~22 bytes a stop.
        table = np.array(buffer, dtype=np.float64)
        columns["trip"].append(
            np.searchsorted(trajet_ids, table[:, 0].astype(np.int64)).astype(np.int32)
        )
        columns["node"].append(
            np.searchsorted(station_pk, table[:, 1].astype(np.int64)).astype(np.int32)
        )
        columns["arrival_local_s"].append(table[:, 2].astype(np.int32))
        columns["departure_local_s"].append(table[:, 3].astype(np.int32))
        columns["distance_km"].append(table[:, 4].astype(np.float32))
        columns["pickup_type"].append(table[:, 5].astype(np.int8))
        columns["drop_off_type"].append(table[:, 6].astype(np.int8))
        buffer.clear()

    for (
        trajet,
        station,
        arrival,
        arrival_offset,
        departure,
        departure_offset,
        km,
        pickup,
        drop_off,
    ) in rows.iterator(chunk_size=_CHUNK):
        buffer.append(
            (
                trajet,
                station,
                _seconds(arrival, arrival_offset),
                _seconds(departure, departure_offset),
                np.nan if km is None else km,
                pickup,
                drop_off,
            )
        )
        if len(buffer) == _CHUNK:
            flush()
    if buffer:
        flush()
    stops = {
        key: np.concatenate(parts) if parts else np.zeros(0, dtype=_STOP_COLUMNS[key])
        for key, parts in columns.items()
    }
    arrival = stops["arrival_local_s"].astype(np.int64)
    departure = stops["departure_local_s"].astype(np.int64)
    # A first stop has no arrival and a last stop no departure: use the other time.
    arrival = np.where(arrival < 0, departure, arrival)
    departure = np.where(departure < 0, arrival, departure)
    arrival, departure = _add_missing_day_offsets(stops["trip"], arrival, departure)
    stops["arrival_local_s"] = arrival.astype(np.int32)
    stops["departure_local_s"] = departure.astype(np.int32)
    return stops


def _add_missing_day_offsets(
    trajet_pk: NDArray[np.integer], arrival: NDArray[np.int64], departure: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Add a day wherever a trajet's local time jumps back by more than ``ROLLOVER_S``.

    Some feeds give night trains' times without day offsets (21:00 then 07:00); a backward
    jump that large is a midnight crossing, while small ones are left to the monotone fix.
    """
    if arrival.size == 0:
        return arrival, departure
    events = np.empty(2 * arrival.size, dtype=np.int64)
    events[0::2], events[1::2] = arrival, departure
    trip = np.repeat(trajet_pk, 2)
    step = np.diff(events, prepend=events[:1])
    rollover = (step < -ROLLOVER_S) & np.r_[False, trip[1:] == trip[:-1]]
    crossings = np.cumsum(rollover)
    starts = np.flatnonzero(np.r_[True, trip[1:] != trip[:-1]])
    before = np.repeat(crossings[starts] - rollover[starts], np.diff(np.r_[starts, trip.size]))
    events += (crossings - before) * _DAY
    return events[0::2], events[1::2]
