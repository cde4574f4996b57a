"""Which city an airport serves, and which airport pairs make a city pair (no Django).

Rule (stated on the pages and in docs/atlas.md): an airport serves the GeoNames place
(1,000 inhabitants or more, :mod:`apps.places.gazetteer`) within :data:`AIRPORT_RADIUS_KM` of it
that has the greatest *pull* ``population / max(distance, 15 km)²``. The square of the distance
keeps a large city 20-50 km away ahead of the small towns next to the runway (Paris for CDG and
Orly, London for Gatwick, Luton and Stansted, Vienna for Schwechat), while a city of its own
close by keeps its airport (Düsseldorf rather than Cologne; Beauvais-Tillé, 69 km out, serves
Paris). The 15 km floor stops a village at the fence from winning by being 1 km away.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from apps.places.services import Gazetteer, GazetteerPlace, great_circle_km

__all__ = ["AIRPORT_RADIUS_KM", "MIN_DISTANCE_KM", "AirportCity", "city_of_airport"]

#: An airport serves a place at most this far from the place's centre.
AIRPORT_RADIUS_KM = 70.0
#: Distances below this count as this much in the pull.
MIN_DISTANCE_KM = 15.0


@dataclass(frozen=True, slots=True)
class AirportCity:
    """The place an airport serves and how far it is from the place's centre."""

    icao: str
    place: GazetteerPlace
    distance_km: float
    #: The airport's (latitude, longitude).
    position: tuple[float, float] = (0.0, 0.0)


def _pull(place: GazetteerPlace, distance_km: float) -> float:
    return place.population / max(distance_km, MIN_DISTANCE_KM) ** 2


def city_of_airport(
    gazetteer: Gazetteer, icao: str, latitude: float, longitude: float
) -> AirportCity | None:
    """The place the airport serves, None when no place lies within the radius."""
    best: tuple[float, int, GazetteerPlace, float] | None = None
    for place in gazetteer.near(latitude, longitude, AIRPORT_RADIUS_KM):
        distance = great_circle_km(latitude, longitude, place.latitude, place.longitude)
        if distance > AIRPORT_RADIUS_KM:
            continue
        key = (_pull(place, distance), -place.geonames_id)
        if best is None or key > best[:2]:
            best = (key[0], key[1], place, distance)
    if best is None:
        return None
    return AirportCity(
        icao=icao, place=best[2], distance_km=round(best[3], 1), position=(latitude, longitude)
    )


def cities_of_airports(
    gazetteer: Gazetteer, airports: Iterable[tuple[str, float, float]]
) -> dict[str, AirportCity]:
    """Map ICAO -> the city it serves, for every airport that serves one."""
    found = {}
    for icao, latitude, longitude in airports:
        city = city_of_airport(gazetteer, icao, latitude, longitude)
        if city is not None:
            found[icao] = city
    return found
