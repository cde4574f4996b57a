"""Convert a routing network (graph + per-day timetables) to and from artefact arrays."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from .artifact import Artifact, ArtifactError
from .csa import block_starts
from .graph import CSRGraph
from .timetable import Timetable

__all__ = ["RoutingNetwork", "network_arrays", "network_from_artifact"]

_CONNECTION_COLUMNS = ("departure_station", "arrival_station", "departure_s", "arrival_s", "trip")


@dataclass(frozen=True, eq=False)
class RoutingNetwork:
    """What the service answers queries with.

    ``station_ids[i]`` is the database key of node ``i``; ``timetables`` maps a service day
    (``YYYYMMDD``) to its connections; trips are indexed globally (``trip_ids``).
    """

    graph: CSRGraph
    station_ids: NDArray[np.int64]
    trip_ids: NDArray[np.int64]
    timetables: Mapping[str, Timetable]
    version: str = ""
    #: Caller-defined arrays stored alongside (saved with an ``extra_`` prefix).
    extras: Mapping[str, NDArray] = field(default_factory=dict)

    def node_of(self) -> dict[int, int]:
        """Map database key -> node index."""
        return {int(key): index for index, key in enumerate(self.station_ids.tolist())}


def network_arrays(network: RoutingNetwork) -> dict[str, NDArray]:
    """Flatten ``network`` into named plain arrays (int32 CSR, float64 weights...)."""
    graph = network.graph
    arrays: dict[str, NDArray] = {
        "graph_indptr": graph.indptr.astype(np.int32),
        "graph_indices": graph.indices.astype(np.int32),
        "station_ids": network.station_ids.astype(np.int64),
        "trip_ids": network.trip_ids.astype(np.int64),
    }
    for criterion, weight in graph.weights.items():
        arrays[f"weight_{criterion}"] = weight.astype(np.float64)
    if graph.has_coordinates:
        arrays["station_latitude"] = graph.latitude.astype(np.float64)
        arrays["station_longitude"] = graph.longitude.astype(np.float64)
    any_timetable = next(iter(network.timetables.values()), None)
    if any_timetable is not None:
        arrays["trip_is_night"] = any_timetable.trip_is_night.astype(np.bool_)
        arrays["station_transfer_s"] = any_timetable.transfer_s.astype(np.int32)
    for day, timetable in network.timetables.items():
        for column in _CONNECTION_COLUMNS:
            arrays[f"day_{day}_{column}"] = getattr(timetable, column).astype(np.int32)
        arrays[f"day_{day}_block_start"] = block_starts(timetable).astype(np.int64)
    for name, array in network.extras.items():
        arrays[f"extra_{name}"] = array
    return arrays


def network_from_artifact(artifact: Artifact) -> RoutingNetwork:
    """Rebuild a :class:`RoutingNetwork` over the artefact's memory-mapped arrays."""
    names = set(artifact.arrays)
    missing = {"graph_indptr", "graph_indices", "station_ids", "trip_ids"} - names
    if missing:
        raise ArtifactError(f"artefact {artifact.version} lacks {', '.join(sorted(missing))}")
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
    days = sorted({name.split("_")[1] for name in names if name.startswith("day_")})
    timetables = {
        day: Timetable(
            station_count=graph.node_count,
            departure_station=artifact[f"day_{day}_departure_station"],
            arrival_station=artifact[f"day_{day}_arrival_station"],
            departure_s=artifact[f"day_{day}_departure_s"],
            arrival_s=artifact[f"day_{day}_arrival_s"],
            trip=artifact[f"day_{day}_trip"],
            trip_is_night=artifact["trip_is_night"],
            transfer_s=artifact["station_transfer_s"],
        )
        for day in days
    }
    for day, timetable in timetables.items():
        if f"day_{day}_block_start" in names:
            timetable.cache["block_starts"] = artifact[f"day_{day}_block_start"]
    return RoutingNetwork(
        graph=graph,
        station_ids=artifact["station_ids"],
        trip_ids=artifact["trip_ids"],
        timetables=timetables,
        version=artifact.version,
        extras={
            name.removeprefix("extra_"): artifact[name]
            for name in names
            if name.startswith("extra_")
        },
    )
