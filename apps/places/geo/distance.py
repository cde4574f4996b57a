"""Great-circle distances on the WGS84 mean sphere."""

from __future__ import annotations

import itertools
import math

__all__ = ["EARTH_RADIUS_KM", "great_circle_km", "path_length_km"]

EARTH_RADIUS_KM = 6371.0088  # IUGG mean Earth radius


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Return the haversine distance in km between two WGS84 points given in degrees."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def path_length_km(points: list[tuple[float, float]]) -> float:
    """Return the sum of great-circle distances between consecutive (lat, lon) points, in km."""
    return sum(great_circle_km(a[0], a[1], b[0], b[1]) for a, b in itertools.pairwise(points))
