"""Great-circle distances and the travel-time lower bounds derived from them."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .errors import ParameterError
from .graph import CSRGraph

__all__ = ["EARTH_RADIUS_KM", "crow_fly_per_unit", "great_circle_km", "lower_bounds_to"]

EARTH_RADIUS_KM = 6371.0088


def great_circle_km(
    latitude_a: ArrayLike, longitude_a: ArrayLike, latitude_b: ArrayLike, longitude_b: ArrayLike
) -> NDArray[np.float64]:
    """Return the haversine distance in km between points given in degrees (broadcasting)."""
    lat_a, lon_a, lat_b, lon_b = (
        np.radians(np.asarray(value, dtype=np.float64))
        for value in (latitude_a, longitude_a, latitude_b, longitude_b)
    )
    half = (
        np.sin((lat_b - lat_a) / 2.0) ** 2
        + np.cos(lat_a) * np.cos(lat_b) * np.sin((lon_b - lon_a) / 2.0) ** 2
    )
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(half, 0.0, 1.0)))


def lower_bounds_to(graph: CSRGraph, target: int, criterion: str) -> NDArray[np.float64]:
    """Return an admissible lower bound ``h_j`` on the length from every node to ``target``.

    The bound is the great-circle distance divided by the largest ratio "crow-fly km per unit
    of length" observed on any arc of the graph (for time, that ratio is the fastest train
    speed in km/min). No arc covers more crow-fly distance per unit of length, so no path does:
    the bound never overestimates.
    """
    if not graph.has_coordinates:
        raise ParameterError("the graph has no coordinates: lower bounds need latitude/longitude")
    ratio = crow_fly_per_unit(graph, criterion)
    lat, lon = graph.latitude, graph.longitude
    distance = great_circle_km(lat, lon, lat[target], lon[target])
    if ratio == 0.0:
        return np.zeros(graph.node_count)
    return distance / ratio


def crow_fly_per_unit(graph: CSRGraph, criterion: str) -> float:
    """Largest crow-fly km per unit of ``criterion`` over all arcs (cached per graph)."""
    key = ("crow_fly_per_unit", criterion)
    if key in graph.cache:
        return graph.cache[key]
    weight = graph.weight(criterion)
    if weight.size and weight.min() < 0:
        raise ParameterError(
            f"criterion={criterion!r} has negative arcs: great-circle bounds are not admissible"
        )
    tails = graph.tails()
    crow = great_circle_km(
        graph.latitude[tails],
        graph.longitude[tails],
        graph.latitude[graph.indices],
        graph.longitude[graph.indices],
    )
    moving = crow > 1e-9
    if not moving.any():
        ratio = 0.0
    elif (weight[moving] <= 0).any():
        # A zero-length arc covering distance makes any positive bound inadmissible.
        ratio = 0.0
    else:
        ratio = float((crow[moving] / weight[moving]).max()) * (1.0 + 1e-9)
    graph.cache[key] = ratio
    return ratio
