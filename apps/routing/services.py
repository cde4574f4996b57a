"""Routing use cases: build the network from the database, store it, load it, answer routes.

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
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _
from numpy.typing import NDArray

from apps.routing import metrics
from apps.routing.pathfinding import (
    JOURNEY_METHODS,
    METHODS,
    Journey,
    NegativeCycleError,
    NoPathError,
    ParameterError,
    Timetable,
    build_graph,
    build_timetable,
    earliest_arrival,
    pareto_journeys,
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
from obrail.errors import InvalidInput

logger = logging.getLogger(__name__)

#: Minimum change time at every station (the schema has no per-station value yet).
TRANSFER_TIME_S = 300
#: Service days kept in the artefact, from the first day built.
SERVICE_DAYS = 7
#: Distance assumed per minute of travel when a hop has neither distances nor coordinates.
FALLBACK_KM_PER_MIN = 1.5
#: Rail detour over the great circle when stop distances are missing.
DETOUR_FACTOR = 1.2
DEFAULT_STATIC_METHOD = "scipy_limited"
DEFAULT_JOURNEY_METHOD = "blocks"
CRITERIA = ("time", "distance", "co2")
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


@dataclass(frozen=True)
class RouteLeg:
    """One row of the answer: a train ridden (journeys) or a hop between stations (network)."""

    from_station: Station
    to_station: Station
    duration_min: float
    distance_km: float
    departure: dt.datetime | None = None
    arrival: dt.datetime | None = None
    train: str = ""
    operator: str = ""
    is_night: bool = False
    trajet_id: int | None = None


@dataclass(frozen=True)
class RouteAnswer:
    """A route between two stations with its totals, CO2 comparison and solver diagnostics."""

    origin: Station
    destination: Station
    kind: str
    criterion: str
    method: str
    legs: tuple[RouteLeg, ...]
    stations: tuple[Station, ...]
    duration_min: float
    distance_km: float
    co2_rail_kg: float
    co2_flight_kg: float
    flight_distance_km: float
    solver_ms: float
    nodes_scanned: int
    labels_improved: int
    cost: float
    departure: dt.datetime | None = None
    arrival: dt.datetime | None = None
    transfers: int = 0
    uses_night_trains: bool = False
    artifact_version: str = ""
    warnings: tuple[str, ...] = field(default_factory=tuple)


# --------------------------------------------------------------------------- building


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
        "pk", "latitude", "longitude", "country", "time_zone"
    )
    pk, latitude, longitude, country, zone = [], [], [], [], []
    for row in rows.iterator(chunk_size=_STOP_CHUNK):
        pk.append(row[0])
        latitude.append(np.nan if row[1] is None else row[1])
        longitude.append(np.nan if row[2] is None else row[2])
        country.append(row[3])
        zone.append(row[4])
    return {
        "pk": np.array(pk, dtype=np.int64),
        "latitude": np.array(latitude, dtype=np.float64),
        "longitude": np.array(longitude, dtype=np.float64),
        "country": np.array(country, dtype="U2"),
        "zone": np.array(zone, dtype=str),
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
        transfer_s=TRANSFER_TIME_S,
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


# --------------------------------------------------------------------------- answering


def resolve_station(value: str | int, *, parameter: str) -> Station:
    """Find a station by primary key, UIC code or exact name; InvalidInput names the parameter."""
    text = str(value).strip()
    if not text:
        raise InvalidInput({parameter: [_("Indiquez une gare.")]})
    if text.isdigit():
        found = Station.objects.filter(Q(pk=int(text)) | Q(uic_code=text)).order_by("pk").first()
    else:
        matches = list(
            Station.objects.filter(Q(name__iexact=text) | Q(normalised_name=text.lower()))[:6]
        )
        if len(matches) > 1:
            names = ", ".join(f"{s.name} ({s.country}, n° {s.pk})" for s in matches[:5])
            raise InvalidInput(
                {parameter: [_("Plusieurs gares portent ce nom : %(names)s.") % {"names": names}]}
            )
        found = matches[0] if matches else None
    if found is None:
        raise InvalidInput({parameter: [_("Gare inconnue : « %(value)s ».") % {"value": text}]})
    return found


def find_route(
    *,
    origin: Station,
    destination: Station,
    criterion: str = "time",
    method: str | None = None,
    depart: dt.datetime | None = None,
    trains: str = "all",
    max_transfers: int | None = None,
) -> RouteAnswer:
    """Answer a route query from the loaded artefact.

    Without ``depart``: shortest path on the network for ``criterion`` (any static method).
    With ``depart`` (an aware datetime): earliest-arrival journey on that day's timetable,
    optimising time (``criterion`` must be ``time``), with the ``trains`` filter and
    ``max_transfers``.

    Raises
    ------
    InvalidInput
        Bad option (named), station absent from the network, or no route.
    RoutingUnavailable
        No artefact has been built yet.
    """
    if criterion not in CRITERIA:
        raise InvalidInput(
            {"criterion": [_("Critère inconnu : « %(value)s ».") % {"value": criterion}]}
        )
    network = load_network()
    node_of = _node_index(network)
    nodes = []
    for parameter, station in (("from", origin), ("to", destination)):
        if station.pk not in node_of:
            raise InvalidInput(
                {parameter: [_("Cette gare n'est pas encore dans le réseau calculé.")]}
            )
        nodes.append(node_of[station.pk])
    if depart is None:
        return _network_route(network, origin, destination, nodes, criterion, method)
    if criterion != "time":
        raise InvalidInput(
            {
                "criterion": [
                    _(
                        "Avec une heure de départ, l'itinéraire minimise la durée "
                        "(critère « time »)."
                    )
                ]
            }
        )
    return _journey_route(
        network, origin, destination, nodes, depart, method, trains, max_transfers
    )


def _node_index(network: RoutingNetwork) -> dict[int, int]:
    cache = network.graph.cache
    if "node_of" not in cache:
        cache["node_of"] = network.node_of()
    return cache["node_of"]


def _network_route(
    network: RoutingNetwork,
    origin: Station,
    destination: Station,
    nodes: list[int],
    criterion: str,
    method: str | None,
) -> RouteAnswer:
    method = method or DEFAULT_STATIC_METHOD
    if method not in METHODS:
        raise InvalidInput(
            {
                "method": [
                    _("Méthode inconnue : « %(value)s ». Choix : %(choices)s.")
                    % {"value": method, "choices": ", ".join(METHODS)}
                ]
            }
        )
    graph = network.graph
    started = time.perf_counter()
    try:
        result = shortest_path(graph, nodes[0], nodes[1], method=method, criterion=criterion)
    except NoPathError:
        raise InvalidInput({"to": [_("Aucun itinéraire ferroviaire vers cette gare.")]}) from None
    except (ParameterError, NegativeCycleError) as error:
        raise InvalidInput({"method": [str(error)]}) from None
    elapsed = time.perf_counter() - started
    metrics.observe_solver(method=method, query_type="network", seconds=elapsed)
    stations = _stations_by_node(network, result.path)
    legs = []
    totals = {"time": 0.0, "distance": 0.0}
    for tail, head in zip(result.path, result.path[1:], strict=False):
        weights = _arc_weights(graph, tail, head)
        totals["time"] += weights["time"]
        totals["distance"] += weights["distance"]
        legs.append(
            RouteLeg(
                from_station=stations[tail],
                to_station=stations[head],
                duration_min=weights["time"],
                distance_km=weights["distance"],
            )
        )
    co2 = _co2(legs, origin, destination)
    return RouteAnswer(
        origin=origin,
        destination=destination,
        kind="network",
        criterion=criterion,
        method=method,
        legs=tuple(legs),
        stations=tuple(stations[node] for node in result.path),
        duration_min=totals["time"],
        distance_km=totals["distance"],
        co2_rail_kg=co2.rail_kg,
        co2_flight_kg=co2.flight_kg,
        flight_distance_km=co2.flight_distance_km,
        solver_ms=elapsed * 1000.0,
        nodes_scanned=result.counters.nodes_scanned,
        labels_improved=result.counters.labels_improved,
        cost=result.length,
        artifact_version=network.version,
    )


def _journey_route(
    network: RoutingNetwork,
    origin: Station,
    destination: Station,
    nodes: list[int],
    depart: dt.datetime,
    method: str | None,
    trains: str,
    max_transfers: int | None,
) -> RouteAnswer:
    method = method or DEFAULT_JOURNEY_METHOD
    if method not in JOURNEY_METHODS:
        raise InvalidInput(
            {
                "method": [
                    _("Méthode inconnue pour un horaire : « %(value)s ». Choix : %(choices)s.")
                    % {"value": method, "choices": ", ".join(JOURNEY_METHODS)}
                ]
            }
        )
    timetable, epoch, depart_s = _service_day(network, origin, depart)
    started = time.perf_counter()
    try:
        journey = earliest_arrival(
            timetable,
            nodes[0],
            nodes[1],
            depart_s,
            method=method,
            trains=trains,
            max_transfers=max_transfers,
        )
    except NoPathError:
        raise InvalidInput(
            {"to": [_("Aucun train n'atteint cette gare ce jour-là avec ces options.")]}
        ) from None
    except ParameterError as error:
        raise InvalidInput({"method": [str(error)]}) from None
    elapsed = time.perf_counter() - started
    metrics.observe_solver(method=method, query_type="journey", seconds=elapsed)
    return _journey_answer(
        network, origin, destination, journey, epoch, method=method, solver_s=elapsed
    )


def pareto_routes(
    *,
    origin: Station,
    destination: Station,
    depart: dt.datetime,
    until: dt.datetime,
    trains: str = "all",
    max_transfers: int = 3,
) -> list[RouteAnswer]:
    """Journeys leaving between ``depart`` and ``until`` that no other journey beats on
    departure (later), arrival (earlier) and transfers (fewer) at once."""
    network = load_network()
    node_of = _node_index(network)
    for parameter, station in (("from", origin), ("to", destination)):
        if station.pk not in node_of:
            raise InvalidInput(
                {parameter: [_("Cette gare n'est pas encore dans le réseau calculé.")]}
            )
    timetable, epoch, depart_s = _service_day(network, origin, depart)
    if until.tzinfo is None:
        until = until.replace(tzinfo=_zone(origin))
    until_s = int((until - epoch).total_seconds())
    started = time.perf_counter()
    try:
        journeys = pareto_journeys(
            timetable,
            node_of[origin.pk],
            node_of[destination.pk],
            depart_s,
            until_s,
            trains=trains,
            max_transfers=max_transfers,
        )
    except ParameterError as error:
        raise InvalidInput({"until": [str(error)]}) from None
    elapsed = time.perf_counter() - started
    metrics.observe_solver(method="pareto", query_type="journey", seconds=elapsed)
    return [
        _journey_answer(
            network, origin, destination, journey, epoch, method="pareto", solver_s=elapsed
        )
        for journey in journeys
    ]


def _service_day(
    network: RoutingNetwork, origin: Station, depart: dt.datetime
) -> tuple[Timetable, dt.datetime, int]:
    """The timetable of the origin's local service day, its epoch and ``depart`` in seconds."""
    if depart.tzinfo is None:
        depart = depart.replace(tzinfo=_zone(origin))
    service_day = depart.astimezone(_zone(origin)).date()
    timetable = network.timetables.get(service_day.strftime("%Y%m%d"))
    if timetable is None:
        available = sorted(network.timetables)
        span = f"{available[0]}–{available[-1]}" if available else "—"
        raise InvalidInput(
            {
                "depart": [
                    _("Pas d'horaires calculés pour le %(day)s (disponibles : %(span)s).")
                    % {"day": service_day.isoformat(), "span": span}
                ]
            }
        )
    epoch = dt.datetime.combine(service_day - dt.timedelta(days=1), dt.time(0), tzinfo=dt.UTC)
    return timetable, epoch, max(int((depart - epoch).total_seconds()), 0)


def _journey_answer(
    network: RoutingNetwork,
    origin: Station,
    destination: Station,
    journey: Journey,
    epoch: dt.datetime,
    *,
    method: str,
    solver_s: float,
) -> RouteAnswer:
    """Map a solver journey to stations, trajets and local times."""
    nodes_used = [journey.source, *(int(leg.arrival_station) for leg in journey.legs)]
    stations = _stations_by_node(
        network, [*nodes_used, *(leg.departure_station for leg in journey.legs)]
    )
    trajets = Trajet.objects.select_related("operator").in_bulk(
        [int(network.trip_ids[leg.trip]) for leg in journey.legs]
    )
    legs = []
    for leg in journey.legs:
        trajet = trajets[int(network.trip_ids[leg.trip])]
        from_station = stations[leg.departure_station]
        to_station = stations[leg.arrival_station]
        legs.append(
            RouteLeg(
                from_station=from_station,
                to_station=to_station,
                duration_min=(leg.arrival_s - leg.departure_s) / 60.0,
                distance_km=_trip_distance(
                    network, leg.departure_station, leg.arrival_station, trajet
                ),
                departure=(epoch + dt.timedelta(seconds=leg.departure_s)).astimezone(
                    _zone(from_station)
                ),
                arrival=(epoch + dt.timedelta(seconds=leg.arrival_s)).astimezone(_zone(to_station)),
                train=f"{trajet.category} {trajet.train_number}".strip(),
                operator=trajet.operator.name,
                is_night=leg.is_night,
                trajet_id=trajet.pk,
            )
        )
    co2 = _co2(legs, origin, destination)
    requested = epoch + dt.timedelta(seconds=journey.depart_after_s)
    return RouteAnswer(
        origin=origin,
        destination=destination,
        kind="journey",
        criterion="time",
        method=method,
        legs=tuple(legs),
        stations=tuple(stations[node] for node in nodes_used),
        duration_min=(journey.arrival_s - journey.departure_s) / 60.0,
        distance_km=sum(leg.distance_km for leg in legs),
        co2_rail_kg=co2.rail_kg,
        co2_flight_kg=co2.flight_kg,
        flight_distance_km=co2.flight_distance_km,
        solver_ms=solver_s * 1000.0,
        nodes_scanned=journey.connections_scanned,
        labels_improved=journey.labels_improved,
        cost=(journey.arrival_s - journey.departure_s) / 60.0,
        departure=legs[0].departure if legs else requested,
        arrival=legs[-1].arrival if legs else requested,
        transfers=journey.transfers,
        uses_night_trains=journey.uses_night_trains,
        artifact_version=network.version,
    )


def _zone(station: Station) -> dt.tzinfo:
    try:
        return zoneinfo.ZoneInfo(station.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def _stations_by_node(network: RoutingNetwork, nodes: Sequence[int]) -> dict[int, Station]:
    keys = {int(node): int(network.station_ids[node]) for node in nodes}
    found = Station.objects.in_bulk(list(set(keys.values())))
    return {node: found[key] for node, key in keys.items()}


def _arc_weights(graph, tail: int, head: int) -> dict[str, float]:
    first, last = int(graph.indptr[tail]), int(graph.indptr[tail + 1])
    arc = first + int(np.flatnonzero(np.asarray(graph.indices[first:last]) == head)[0])
    return {name: float(weight[arc]) for name, weight in graph.weights.items()}


def _trip_distance(network: RoutingNetwork, tail: int, head: int, trajet: Trajet) -> float:
    """Distance ridden on ``trajet`` between two of its stops (stop distances, else arcs)."""
    stops = list(
        trajet.stops.order_by("sequence").values_list("station_id", "distance_from_origin_km")
    )
    keys = [station for station, _km in stops]
    start = keys.index(int(network.station_ids[tail]))
    end = start + keys[start:].index(int(network.station_ids[head]))
    if stops[start][1] is not None and stops[end][1] is not None:
        return float(stops[end][1] - stops[start][1])
    node_of = _node_index(network)
    total = 0.0
    for (here, _km), (there, _km2) in zip(
        stops[start:end], stops[start + 1 : end + 1], strict=True
    ):
        total += _arc_weights(network.graph, node_of[here], node_of[there])["distance"]
    return total


def _co2(legs: Sequence[RouteLeg], origin: Station, destination: Station):
    crow = 0.0
    if None not in (origin.latitude, origin.longitude, destination.latitude, destination.longitude):
        crow = float(
            great_circle_km(
                origin.latitude, origin.longitude, destination.latitude, destination.longitude
            )
        )
    return estimate_co2(
        legs=[(leg.distance_km, leg.from_station.country) for leg in legs], great_circle_km=crow
    )


# --------------------------------------------------------------------------- drawing


@dataclass(frozen=True)
class DrawnStation:
    """A station placed in the route figure (SVG user units)."""

    name: str
    x: float
    y: float
    is_end: bool
    #: Labels alternate sides so that close stations do not print over each other.
    is_label_left: bool = False


@dataclass(frozen=True)
class RouteDrawing:
    """A schematic map of the route: stations projected into a ``width`` x ``height`` box."""

    width: int
    height: int
    stations: tuple[DrawnStation, ...]
    night_segments: tuple[tuple[DrawnStation, DrawnStation], ...]
    day_segments: tuple[tuple[DrawnStation, DrawnStation], ...]


def draw_route(answer: RouteAnswer, *, width: int = 640, height: int = 360) -> RouteDrawing | None:
    """Project the route's stations (equirectangular, north up); None without coordinates."""
    stations = answer.stations
    if any(s.latitude is None or s.longitude is None for s in stations) or len(stations) < 2:
        return None
    latitude = np.array([s.latitude for s in stations])
    longitude = np.array([s.longitude for s in stations])
    x = longitude * np.cos(np.radians(latitude.mean()))
    y = -latitude
    margin = 40.0
    span = max(float(np.ptp(x)), float(np.ptp(y)), 1e-6)
    scale = min((width - 2 * margin) / span, (height - 2 * margin) / span)
    left = (width - scale * float(np.ptp(x))) / 2
    top = (height - scale * float(np.ptp(y))) / 2
    placed = tuple(
        DrawnStation(
            name=station.name,
            x=round(left + scale * float(x[i] - x.min()), 1),
            y=round(top + scale * float(y[i] - y.min()), 1),
            is_end=i in (0, len(stations) - 1),
            is_label_left=i % 2 == 1,
        )
        for i, station in enumerate(stations)
    )
    night, day = [], []
    for index, leg in enumerate(answer.legs):
        (night if leg.is_night else day).append((placed[index], placed[index + 1]))
    return RouteDrawing(
        width=width,
        height=height,
        stations=placed,
        night_segments=tuple(night),
        day_segments=tuple(day),
    )
