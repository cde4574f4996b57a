"""Convert a routing network (graph + schedule) to and from artefact arrays."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from .artifact import Artifact, ArtifactError
from .graph import CSRGraph
from .schedule import Coverage, Schedule, TripCalendars, TripPatterns

__all__ = ["RoutingNetwork", "network_arrays", "network_from_artifact"]

#: Arrays of the schedule: trip patterns, calendars and per-source coverage.
_SCHEDULE_ARRAYS = (
    "hop_trip",
    "hop_from",
    "hop_to",
    "hop_departure_local_s",
    "hop_arrival_local_s",
    "hop_can_board",
    "hop_can_alight",
    "trip_is_night",
    "station_transfer_s",
    "station_zone",
    "zone_names",
    "trip_valid_from",
    "trip_valid_to",
    "trip_weekdays",
    "exception_date",
    "exception_trip",
    "exception_added",
    "coverage_source",
    "coverage_first",
    "coverage_last",
)


@dataclass(frozen=True, eq=False)
class RoutingNetwork:
    """What the service answers queries with.

    ``station_ids[i]`` is the database key of node ``i`` and ``trip_ids[t]`` that of pattern
    trip ``t``; ``schedule`` builds the timetable of any date on demand.
    """

    graph: CSRGraph
    station_ids: NDArray[np.int64]
    trip_ids: NDArray[np.int64]
    schedule: Schedule
    version: str = ""
    #: Caller-defined arrays stored alongside (saved with an ``extra_`` prefix).
    extras: Mapping[str, NDArray] = field(default_factory=dict)

    def node_of(self) -> dict[int, int]:
        """Map database key -> node index."""
        return {int(key): index for index, key in enumerate(self.station_ids.tolist())}


def network_arrays(network: RoutingNetwork) -> dict[str, NDArray]:
    """Flatten ``network`` into named plain arrays (int32 CSR, float64 weights...)."""
    graph = network.graph
    patterns = network.schedule.patterns
    calendars = network.schedule.calendars
    coverage = network.schedule.coverage
    arrays: dict[str, NDArray] = {
        "graph_indptr": graph.indptr.astype(np.int32),
        "graph_indices": graph.indices.astype(np.int32),
        "station_ids": network.station_ids.astype(np.int64),
        "trip_ids": network.trip_ids.astype(np.int64),
        "hop_trip": patterns.hop_trip.astype(np.int32),
        "hop_from": patterns.from_station.astype(np.int32),
        "hop_to": patterns.to_station.astype(np.int32),
        "hop_departure_local_s": patterns.departure_local_s.astype(np.int32),
        "hop_arrival_local_s": patterns.arrival_local_s.astype(np.int32),
        "hop_can_board": patterns.can_board.astype(np.bool_),
        "hop_can_alight": patterns.can_alight.astype(np.bool_),
        "trip_is_night": patterns.trip_is_night.astype(np.bool_),
        "station_transfer_s": patterns.transfer_s.astype(np.int32),
        "station_zone": patterns.station_zone.astype(np.int32),
        "zone_names": np.array(patterns.zones or ("UTC",), dtype=str),
        "trip_valid_from": calendars.valid_from.astype(np.int32),
        "trip_valid_to": calendars.valid_to.astype(np.int32),
        "trip_weekdays": calendars.weekdays.astype(np.uint8),
        "exception_date": calendars.exception_date.astype(np.int32),
        "exception_trip": calendars.exception_trip.astype(np.int32),
        "exception_added": calendars.exception_added.astype(np.bool_),
        "coverage_source": np.array([period.source for period in coverage], dtype=str),
        "coverage_first": np.array([p.first_day.toordinal() for p in coverage], dtype=np.int32),
        "coverage_last": np.array([p.last_day.toordinal() for p in coverage], dtype=np.int32),
    }
    for criterion, weight in graph.weights.items():
        arrays[f"weight_{criterion}"] = weight.astype(np.float64)
    if graph.has_coordinates:
        arrays["station_latitude"] = graph.latitude.astype(np.float64)
        arrays["station_longitude"] = graph.longitude.astype(np.float64)
    for name, array in network.extras.items():
        arrays[f"extra_{name}"] = array
    return arrays


def network_from_artifact(artifact: Artifact, *, cache_size: int | None = None) -> RoutingNetwork:
    """Rebuild a :class:`RoutingNetwork` over the artefact's memory-mapped arrays.

    ``cache_size``: dates whose timetable the schedule keeps built (its default if None).
    """
    names = set(artifact.arrays)
    missing = {"graph_indptr", "graph_indices", "station_ids", "trip_ids"} - names
    if missing:
        raise ArtifactError(f"artefact {artifact.version} lacks {', '.join(sorted(missing))}")
    lacking = set(_SCHEDULE_ARRAYS) - names
    if lacking:
        raise ArtifactError(
            f"artefact {artifact.version} predates timetables built per date (no "
            f"{', '.join(sorted(lacking))}): rebuild it (manage.py build_routing_artifact)"
        )
    weights = {
        name.removeprefix("weight_"): artifact[name] for name in names if name.startswith("weight_")
    }
    has_coordinates = "station_latitude" in names
    graph = CSRGraph(
        indptr=artifact["graph_indptr"],
        indices=artifact["graph_indices"],
        weights=weights,
        latitude=artifact["station_latitude"] if has_coordinates else None,
        longitude=artifact["station_longitude"] if has_coordinates else None,
    )
    patterns = TripPatterns(
        station_count=graph.node_count,
        hop_trip=artifact["hop_trip"],
        from_station=artifact["hop_from"],
        to_station=artifact["hop_to"],
        departure_local_s=artifact["hop_departure_local_s"],
        arrival_local_s=artifact["hop_arrival_local_s"],
        can_board=artifact["hop_can_board"],
        can_alight=artifact["hop_can_alight"],
        trip_is_night=artifact["trip_is_night"],
        transfer_s=artifact["station_transfer_s"],
        station_zone=artifact["station_zone"],
        zones=tuple(str(zone) for zone in artifact["zone_names"].tolist()),
    )
    calendars = TripCalendars(
        valid_from=artifact["trip_valid_from"],
        valid_to=artifact["trip_valid_to"],
        weekdays=artifact["trip_weekdays"],
        exception_date=artifact["exception_date"],
        exception_trip=artifact["exception_trip"],
        exception_added=artifact["exception_added"],
    )
    coverage = [
        Coverage(str(source), dt.date.fromordinal(int(first)), dt.date.fromordinal(int(last)))
        for source, first, last in zip(
            artifact["coverage_source"].tolist(),
            artifact["coverage_first"].tolist(),
            artifact["coverage_last"].tolist(),
            strict=True,
        )
    ]
    options = {} if cache_size is None else {"cache_size": cache_size}
    return RoutingNetwork(
        graph=graph,
        station_ids=artifact["station_ids"],
        trip_ids=artifact["trip_ids"],
        schedule=Schedule(patterns, calendars, coverage, **options),
        version=artifact.version,
        extras={
            name.removeprefix("extra_"): artifact[name]
            for name in names
            if name.startswith("extra_")
        },
    )
