"""Build the routing network from the database, publish it as an artefact, load it.

The database is the source of truth. After each ETL run :func:`build_routing_artifact` reads
stations, stops and calendars in bulk into numpy arrays and writes a versioned artefact (see
``pathfinding.artifact``); request handlers only ever read the artefact, memory-mapped and
reloaded when a new version appears (:func:`load_network`).

Times: a service day ``D``'s timetable counts seconds from midnight UTC of ``D - 1`` (its
"epoch") and holds the trips departing on ``D - 1`` (still running after midnight) and on
``D``. Local stop times are converted with each station's UTC offset on that day.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import zoneinfo
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from django.conf import settings
from numpy.typing import NDArray

from apps.routing.pathfinding import (
    build_graph,
    build_timetable,
    shortest_path,
)
from apps.routing.pathfinding.artifact import (
    Artifact,
    ArtifactError,
    ArtifactLoader,
    write_artifact,
)
from apps.routing.pathfinding.bundle import RoutingNetwork, network_arrays, network_from_artifact
from apps.routing.pathfinding.csa import prepare_blocks
from apps.routing.pathfinding.geo import great_circle_km
from apps.trajets.etl.harmonise.co2 import estimate_co2
from apps.trajets.models import Station, Stop, Trajet

logger = logging.getLogger(__name__)

#: Minimum change time at a station that publishes none (Station.min_transfer_min).
TRANSFER_TIME_S = 300
#: Service days kept in the artefact, from the first day built.
SERVICE_DAYS = 7
#: Distance assumed per minute of travel when a hop has neither distances nor coordinates.
FALLBACK_KM_PER_MIN = 1.5
#: Rail detour over the great circle when stop distances are missing.
DETOUR_FACTOR = 1.2
DEFAULT_STATIC_METHOD = "scipy_limited"
#: A backward jump of local time along a trajet larger than this is a midnight crossing.
ROLLOVER_S = 6 * 3600
_STOP_CHUNK = 50_000
_STOP_COLUMNS = {
    "trip": np.int32,
    "node": np.int32,
    "arrival_local_s": np.int32,
    "departure_local_s": np.int32,
    "distance_km": np.float32,
}
_DAY = 86_400


class RoutingUnavailable(RuntimeError):  # noqa: N818 - reads as a state, like Http404
    """No routing artefact has been built yet."""


def build_network(*, days: Sequence[dt.date] | None = None) -> RoutingNetwork:
    """Read the harmonised tables in bulk and return the graph and per-day timetables."""
    started = time.perf_counter()
    stations = _station_arrays()
    trajet_ids, trajet_is_night = _trajet_arrays()
    stops = _stop_arrays(stations["pk"], trajet_ids)
    days = list(days) if days is not None else _default_days()
    hops = _hops(stops)
    reference_day = days[0] if days else dt.date.today()
    departure_s, arrival_s = _hop_times(stops, hops, stations, reference_day, trajet_ids)
    tails = stops["node"][hops]
    heads = stops["node"][hops + 1]
    time_min = (arrival_s - departure_s) / 60.0
    distance_km = _hop_distances(stops, hops, stations, time_min)
    factor = _rail_factor_per_station(stations["country"])
    latitude, longitude = _imputed_coordinates(stations, tails, heads)
    has_coordinates = stations["pk"].size > 0 and bool(np.isfinite(latitude).all())
    graph = build_graph(
        stations["pk"].size,
        tails,
        heads,
        {"time": time_min, "distance": distance_km, "co2": distance_km * factor[tails]},
        latitude=latitude if has_coordinates else None,
        longitude=longitude if has_coordinates else None,
    )
    timetables = {
        day.strftime("%Y%m%d"): _day_timetable(
            day, stops, hops, stations, trajet_ids, trajet_is_night
        )
        for day in days
    }
    logger.info(
        "routing network built",
        extra={
            "stations": graph.node_count,
            "arcs": graph.arc_count,
            "days": len(timetables),
            "connections": sum(t.connection_count for t in timetables.values()),
            "duration_s": round(time.perf_counter() - started, 3),
        },
    )
    return RoutingNetwork(
        graph=graph,
        station_ids=stations["pk"],
        trip_ids=trajet_ids,
        timetables=timetables,
    )


def build_routing_artifact(
    *, run_id: int | str | None = None, days: Sequence[dt.date] | None = None
) -> str:
    """Build the network from the database and publish it as a new artefact version."""
    network = build_network(days=days)
    metadata = {
        "stations": network.graph.node_count,
        "arcs": network.graph.arc_count,
        "days": sorted(network.timetables),
        "connections": {day: t.connection_count for day, t in network.timetables.items()},
    }
    version = write_artifact(
        artifact_root(), network_arrays(network), run_id=run_id, metadata=metadata
    )
    logger.info("routing artefact published", extra={"version": version, "run_id": run_id})
    return version


def artifact_root() -> Path:
    """Directory holding the artefact versions (``ROUTING_ARTIFACT_DIR``)."""
    return Path(settings.ROUTING_ARTIFACT_DIR)


_LOADERS: dict[Path, ArtifactLoader] = {}


def load_network() -> RoutingNetwork:
    """Return the current network, loading or reloading the artefact when its version changed."""
    root = artifact_root()
    loader = _LOADERS.get(root)
    if loader is None:
        loader = _LOADERS.setdefault(root, ArtifactLoader(root, build=_prepared_network))
    try:
        return loader.get()
    except ArtifactError as error:
        raise RoutingUnavailable(str(error)) from error


def _prepared_network(artifact: Artifact) -> RoutingNetwork:
    """Load a version and do the per-graph set-up (scipy matrix, limit calibration) once."""
    network = network_from_artifact(artifact)
    graph = network.graph
    if graph.node_count > 1 and graph.arc_count:
        shortest_path(graph, 0, 0, method=DEFAULT_STATIC_METHOD)
        if graph.has_coordinates:
            tail = int(graph.tails()[0])
            shortest_path(graph, tail, int(graph.indices[0]), method=DEFAULT_STATIC_METHOD)
    for timetable in network.timetables.values():
        prepare_blocks(timetable)
    return network


def _station_arrays() -> dict[str, NDArray]:
    rows = Station.objects.order_by("pk").values_list(
        "pk", "latitude", "longitude", "country", "time_zone", "min_transfer_min"
    )
    pk, latitude, longitude, country, zone, transfer = [], [], [], [], [], []
    for row in rows.iterator(chunk_size=_STOP_CHUNK):
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


def _imputed_coordinates(
    stations: dict[str, NDArray], tails: NDArray[np.int64], heads: NDArray[np.int64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Coordinates for the graph, a station without any taking the mean of its neighbours.

    The great-circle bounds only need *some* position per node: the speed ratio is measured
    on the same positions, so the bound stays admissible. Stations still unplaced after a
    few passes (no placed neighbour) take the mean of all known positions.
    """
    latitude = stations["latitude"].copy()
    longitude = stations["longitude"].copy()
    known = np.isfinite(latitude) & np.isfinite(longitude)
    if known.all() or not known.any():
        return latitude, longitude
    ends = np.r_[tails, heads]
    others = np.r_[heads, tails]
    for _pass in range(10):
        missing = ~known
        usable = missing[ends] & known[others]
        if not usable.any():
            break
        count = np.bincount(ends[usable], minlength=latitude.size)
        lat_sum = np.bincount(
            ends[usable], weights=latitude[others[usable]], minlength=latitude.size
        )
        lon_sum = np.bincount(
            ends[usable], weights=longitude[others[usable]], minlength=latitude.size
        )
        placed = count > 0
        latitude[placed] = lat_sum[placed] / count[placed]
        longitude[placed] = lon_sum[placed] / count[placed]
        known |= placed
    latitude[~known] = np.nanmean(stations["latitude"])
    longitude[~known] = np.nanmean(stations["longitude"])
    return latitude, longitude


def _trajet_arrays() -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    rows = Trajet.objects.order_by("pk").values_list("pk", "kind")
    ids, night = [], []
    for pk, kind in rows.iterator(chunk_size=_STOP_CHUNK):
        ids.append(pk)
        night.append(kind == "night")
    return np.array(ids, dtype=np.int64), np.array(night, dtype=bool)


def _seconds(value: dt.time | None, offset: int) -> int:
    if value is None:
        return -1
    return offset * _DAY + value.hour * 3600 + value.minute * 60 + value.second


def _stop_arrays(
    station_pk: NDArray[np.int64], trajet_ids: NDArray[np.int64]
) -> dict[str, NDArray]:
    """Stops ordered by trajet and sequence, as arrays (chunks, no per-row objects kept)."""
    rows = Stop.objects.order_by("trajet_id", "sequence").values_list(
        "trajet_id",
        "station_id",
        "arrival_time",
        "arrival_day_offset",
        "departure_time",
        "departure_day_offset",
        "distance_from_origin_km",
    )
    columns: dict[str, list[NDArray]] = {key: [] for key in _STOP_COLUMNS}
    buffer: list[tuple[float, ...]] = []

    def flush() -> None:
        # Typed columns per chunk (int32 indices and times, float32 km): ~20 bytes a stop.
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
        buffer.clear()

    for trajet, station, arrival, arrival_offset, departure, departure_offset, km in rows.iterator(
        chunk_size=_STOP_CHUNK
    ):
        buffer.append(
            (
                trajet,
                station,
                _seconds(arrival, arrival_offset),
                _seconds(departure, departure_offset),
                np.nan if km is None else km,
            )
        )
        if len(buffer) == _STOP_CHUNK:
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


def _hops(stops: dict[str, NDArray]) -> NDArray[np.int64]:
    """Index of every stop followed by a stop of the same trajet."""
    trip = stops["trip"]
    return np.flatnonzero(trip[1:] == trip[:-1]).astype(np.int64)


def _utc_offsets(zones: NDArray, day: dt.date) -> NDArray[np.int64]:
    """UTC offset in seconds of every station's time zone at noon on ``day``."""
    offsets = np.zeros(zones.size, dtype=np.int64)
    for zone in np.unique(zones):
        try:
            info = zoneinfo.ZoneInfo(str(zone))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            logger.warning("unknown time zone, using UTC", extra={"time_zone": str(zone)})
            continue
        noon = dt.datetime.combine(day, dt.time(12), tzinfo=info)
        offsets[zones == zone] = int(noon.utcoffset().total_seconds())
    return offsets


def _hop_times(
    stops: dict[str, NDArray],
    hops: NDArray[np.int64],
    stations: dict[str, NDArray],
    day: dt.date,
    trajet_ids: NDArray[np.int64],
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """UTC departure/arrival of every hop on ``day``, made strictly increasing along trips.

    Minute-precision feeds give zero-minute hops and dwells; each event is pushed at least
    one second after the previous one of its trip (a departure may equal its arrival),
    because the timetable scan needs every connection to last at least one second.
    """
    offsets = _utc_offsets(stations["zone"], day)
    node = stops["node"]
    departure = stops["departure_local_s"][hops] - offsets[node[hops]]
    arrival = stops["arrival_local_s"][hops + 1] - offsets[node[hops + 1]]
    if hops.size == 0:
        return departure, arrival
    # Interleave departure_0, arrival_1, departure_1, ... per trip and apply
    # t'_k = c_k + cummax(t_j - c_j), c counting one second per hop, segmented by trip.
    events = np.empty(2 * hops.size, dtype=np.int64)
    events[0::2], events[1::2] = departure, arrival
    required = np.zeros(2 * hops.size, dtype=np.int64)
    required[1::2] = 1
    trip = np.repeat(stops["trip"][hops], 2)
    starts = np.r_[True, trip[1:] != trip[:-1]]
    # Across trips the same station's stops repeat (dep of hop i = arr of hop i-1's head).
    cumulative = np.cumsum(required)
    segment = np.cumsum(starts) - 1
    span = int(np.abs(events).max() + cumulative[-1] + 1) * 4
    shifted = events - cumulative + segment * span
    fixed = np.maximum.accumulate(shifted) - segment * span + cumulative
    return fixed[0::2], fixed[1::2]


def _hop_distances(
    stops: dict[str, NDArray],
    hops: NDArray[np.int64],
    stations: dict[str, NDArray],
    time_min: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Stop-distance differences; else great circle x detour; else time x nominal speed."""
    along = stops["distance_km"][hops + 1] - stops["distance_km"][hops]
    tails, heads = stops["node"][hops], stops["node"][hops + 1]
    crow = great_circle_km(
        stations["latitude"][tails],
        stations["longitude"][tails],
        stations["latitude"][heads],
        stations["longitude"][heads],
    )
    estimate = np.where(np.isfinite(crow), crow * DETOUR_FACTOR, time_min * FALLBACK_KM_PER_MIN)
    return np.where(np.isfinite(along) & (along > 0), along, estimate)


def _rail_factor_per_station(countries: NDArray) -> NDArray[np.float64]:
    """kg CO2e per passenger-km of each station's country (the ETL's factor helper)."""
    factor = np.zeros(countries.size, dtype=np.float64)
    for country in np.unique(countries):
        estimate = estimate_co2(legs=[(1000.0, str(country))], great_circle_km=0.0)
        factor[countries == country] = estimate.rail_kg / 1000.0
    return factor


def _day_timetable(
    day: dt.date,
    stops: dict[str, NDArray],
    hops: NDArray[np.int64],
    stations: dict[str, NDArray],
    trajet_ids: NDArray[np.int64],
    trajet_is_night: NDArray[np.bool_],
):
    """Connections of the trips running on ``day - 1`` and ``day``, seconds from the epoch."""
    departure, arrival = _hop_times(stops, hops, stations, day, trajet_ids)
    trip = stops["trip"][hops]
    columns: dict[str, list[NDArray]] = {key: [] for key in ("from", "to", "dep", "arr", "trip")}
    for shift, service_day in ((0, day - dt.timedelta(days=1)), (_DAY, day)):
        running = np.isin(
            trajet_ids,
            np.fromiter(
                Trajet.objects.running_on(service_day).values_list("pk", flat=True), dtype=np.int64
            ),
        )
        keep = running[trip] & (departure + shift >= 0)
        columns["from"].append(stops["node"][hops][keep])
        columns["to"].append(stops["node"][hops + 1][keep])
        columns["dep"].append(departure[keep] + shift)
        columns["arr"].append(arrival[keep] + shift)
        columns["trip"].append(trip[keep])
    return build_timetable(
        stations["pk"].size,
        np.concatenate(columns["from"]),
        np.concatenate(columns["to"]),
        np.concatenate(columns["dep"]),
        np.concatenate(columns["arr"]),
        np.concatenate(columns["trip"]),
        trip_is_night=trajet_is_night,
        transfer_s=stations["transfer_s"],
    )


def _default_days() -> list[dt.date]:
    """``SERVICE_DAYS`` days from today, or, if nothing runs today, from the validity start
    at which the most trajets are valid (bundled feeds cover past seasons)."""
    today = dt.date.today()
    periods = np.array(
        [
            (start.toordinal(), end.toordinal())
            for start, end in Trajet.objects.values_list("valid_from", "valid_to").iterator()
        ],
        dtype=np.int64,
    ).reshape(-1, 2)
    if (
        periods.size == 0
        or ((periods[:, 0] <= today.toordinal()) & (periods[:, 1] >= today.toordinal())).any()
    ):
        start = today
    else:
        candidates = np.unique(periods[:, 0])
        valid = (periods[None, :, 0] <= candidates[:, None]) & (
            periods[None, :, 1] >= candidates[:, None]
        )
        start = dt.date.fromordinal(int(candidates[np.argmax(valid.sum(axis=1))]))
    return [start + dt.timedelta(days=offset) for offset in range(SERVICE_DAYS)]
