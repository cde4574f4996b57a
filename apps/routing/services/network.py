"""Build the routing network from the database, publish it as an artefact, load it.

The database is the source of truth. After each ETL run :func:`build_routing_artifact` reads
stations, stops and calendars in bulk into numpy arrays and writes a versioned artefact (see
``pathfinding.artifact``); request handlers only ever read the artefact, memory-mapped and
reloaded when a new version appears (:func:`load_network`).

The artefact holds the graph and, for timetables, every counted trajet once: its hops in
local times with the stops' boarding rules, its calendar (weekly pattern and dated
exceptions) and each source's covered period. The timetable of a date is built from them on
demand (``pathfinding.schedule``), so any date some source covers is answered without going
back to the database.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from pathlib import Path

import numpy as np
from django.conf import settings
from numpy.typing import NDArray

from apps.routing.pathfinding import build_graph, shortest_path
from apps.routing.pathfinding.artifact import (
    Artifact,
    ArtifactError,
    ArtifactLoader,
    write_artifact,
)
from apps.routing.pathfinding.bundle import RoutingNetwork, network_arrays, network_from_artifact
from apps.routing.pathfinding.geo import great_circle_km
from apps.routing.pathfinding.schedule import (
    Schedule,
    TripPatterns,
    strictly_increasing_times,
    utc_offset_s,
)
from apps.routing.services.tables import (
    read_calendars,
    read_coverage,
    read_stations,
    read_stops,
    read_trajets,
)
from apps.trajets.models import BoardingRule
from apps.trajets.services import estimate_rail_co2

logger = logging.getLogger(__name__)

#: Dates whose timetable a worker keeps built: each holds about two days of connections and
#: their scan blocks (~80 bytes a connection: ~140 MB for the 1.7M of a Europe-sized date).
DAY_CACHE_SIZE = 4
#: Distance assumed per minute of travel when a hop has neither distances nor coordinates.
FALLBACK_KM_PER_MIN = 1.5
#: Rail detour over the great circle when stop distances are missing.
DETOUR_FACTOR = 1.2
DEFAULT_STATIC_METHOD = "scipy_limited"


class RoutingUnavailable(RuntimeError):  # noqa: N818 - reads as a state, like Http404
    """No routing artefact has been built yet."""


def build_network() -> RoutingNetwork:
    """Read the harmonised tables in bulk and return the graph and the schedule.

    Only counted trajets are read (``Trajet.objects.counted()``): a train that two sources
    describe is used once.
    """
    started = time.perf_counter()
    stations = read_stations()
    trajets = read_trajets()
    trajet_ids = trajets["pk"]
    stops = read_stops(stations["pk"], trajet_ids)
    hops = _hops(stops)
    tails = stops["node"][hops]
    heads = stops["node"][hops + 1]
    departure_s, arrival_s = _hop_times(stops, hops, stations, dt.date.today())
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
    zones, station_zone = np.unique(stations["zone"], return_inverse=True)
    patterns = TripPatterns(
        station_count=int(stations["pk"].size),
        hop_trip=stops["trip"][hops],
        from_station=tails.astype(np.int32),
        to_station=heads.astype(np.int32),
        departure_local_s=stops["departure_local_s"][hops],
        arrival_local_s=stops["arrival_local_s"][hops + 1],
        can_board=stops["pickup_type"][hops] != BoardingRule.NONE,
        can_alight=stops["drop_off_type"][hops + 1] != BoardingRule.NONE,
        trip_is_night=trajets["is_night"],
        transfer_s=stations["transfer_s"],
        station_zone=station_zone.ravel().astype(np.int32),
        zones=tuple(str(zone) for zone in zones),
    )
    schedule = Schedule(patterns, read_calendars(trajets), read_coverage())
    logger.info(
        "routing network built",
        extra={
            "stations": graph.node_count,
            "arcs": graph.arc_count,
            "trips": patterns.trip_count,
            "hops": patterns.hop_count,
            "calendar_exceptions": int(schedule.calendars.exception_date.size),
            "duration_s": round(time.perf_counter() - started, 3),
        },
    )
    return RoutingNetwork(
        graph=graph, station_ids=stations["pk"], trip_ids=trajet_ids, schedule=schedule
    )


def build_routing_artifact(*, run_id: int | str | None = None) -> str:
    """Build the network from the database and publish it as a new artefact version."""
    network = build_network()
    schedule = network.schedule
    metadata = {
        "stations": network.graph.node_count,
        "arcs": network.graph.arc_count,
        "trips": schedule.patterns.trip_count,
        "hops": schedule.patterns.hop_count,
        "coverage": {
            period.source: [period.first_day.isoformat(), period.last_day.isoformat()]
            for period in schedule.coverage
        },
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


def load_network(root: Path | None = None) -> RoutingNetwork:
    """Return the current network of ``root`` (the settings' artefact directory by default),
    loading or reloading the artefact when its version changed."""
    root = artifact_root() if root is None else root
    loader = _LOADERS.get(root)
    if loader is None:
        loader = _LOADERS.setdefault(root, ArtifactLoader(root, build=_prepared_network))
    try:
        return loader.get()
    except ArtifactError as error:
        raise RoutingUnavailable(str(error)) from error


def _prepared_network(artifact: Artifact) -> RoutingNetwork:
    """Load a version and do the per-graph set-up (scipy matrix, limit calibration) once.

    Timetables are built per date on first use (``RoutingNetwork.schedule``), not here.
    """
    network = network_from_artifact(artifact, cache_size=DAY_CACHE_SIZE)
    graph = network.graph
    if graph.node_count > 1 and graph.arc_count:
        shortest_path(graph, 0, 0, method=DEFAULT_STATIC_METHOD)
        if graph.has_coordinates:
            tail = int(graph.tails()[0])
            shortest_path(graph, tail, int(graph.indices[0]), method=DEFAULT_STATIC_METHOD)
    return network


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


def _hops(stops: dict[str, NDArray]) -> NDArray[np.int64]:
    """Index of every stop followed by a stop of the same trajet."""
    trip = stops["trip"]
    return np.flatnonzero(trip[1:] == trip[:-1]).astype(np.int64)


def _hop_times(
    stops: dict[str, NDArray],
    hops: NDArray[np.int64],
    stations: dict[str, NDArray],
    day: dt.date,
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """UTC departure/arrival of every hop of a run on ``day``, strictly increasing along
    trips (for the graph's travel times; timetables convert each run on its own date)."""
    zones = stations["zone"]
    offsets = np.zeros(zones.size, dtype=np.int64)
    for zone in np.unique(zones):
        offsets[zones == zone] = utc_offset_s(str(zone), day)
    node = stops["node"]
    return strictly_increasing_times(
        stops["departure_local_s"][hops] - offsets[node[hops]],
        stops["arrival_local_s"][hops + 1] - offsets[node[hops + 1]],
        stops["trip"][hops],
    )


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
        estimate = estimate_rail_co2(legs=[(1000.0, str(country))])
        factor[countries == country] = estimate.rail_kg / 1000.0
    return factor


def warm_up() -> None:
    """Load the current network in a compute child as it starts (``COMPUTE_WARMUP``), so that
    the first route search it serves is not charged the loading."""
    try:
        load_network()
    except RoutingUnavailable:
        logger.info("compute child started without a routing artefact")
