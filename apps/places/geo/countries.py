"""Point in country outline, distance to the border, and time zone of a point."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import shapely

from .distance import great_circle_km

__all__ = ["BORDER_SEARCH_KM", "GeoFix", "locate", "locate_many", "zone_country"]

COUNTRIES_FILE = Path(__file__).with_name("countries.npz")
# Borders are searched this far from a point; a point farther from every border gets
# ``border_km=None`` ("far from any border").
BORDER_SEARCH_KM = 10.0
# Vertices per indexed border piece: short pieces keep each distance computation small.
_PIECE_VERTICES = 48
_KM_PER_DEGREE_LAT = 111.2

# The country of each IANA zone of the area (from tzdata's zone.tab, plus legacy names).
ZONE_COUNTRIES = {
    "Europe/Andorra": "AD", "Europe/Tirane": "AL", "Asia/Yerevan": "AM", "Europe/Vienna": "AT",
    "Europe/Mariehamn": "AX", "Asia/Baku": "AZ", "Europe/Sarajevo": "BA",
    "Europe/Brussels": "BE", "Europe/Sofia": "BG", "Europe/Minsk": "BY", "Europe/Zurich": "CH",
    "Asia/Nicosia": "CY", "Asia/Famagusta": "CY", "Europe/Nicosia": "CY", "Europe/Prague": "CZ",
    "Europe/Berlin": "DE", "Europe/Busingen": "DE", "Europe/Copenhagen": "DK",
    "Africa/Algiers": "DZ", "Europe/Tallinn": "EE", "Africa/Cairo": "EG", "Europe/Madrid": "ES",
    "Africa/Ceuta": "ES", "Atlantic/Canary": "ES", "Europe/Helsinki": "FI",
    "Atlantic/Faroe": "FO", "Europe/Paris": "FR", "Europe/London": "GB", "Europe/Belfast": "GB",
    "Asia/Tbilisi": "GE", "Europe/Guernsey": "GG", "Europe/Gibraltar": "GI",
    "Europe/Athens": "GR", "Europe/Zagreb": "HR", "Europe/Budapest": "HU", "Europe/Dublin": "IE",
    "Asia/Jerusalem": "IL", "Europe/Isle_of_Man": "IM", "Asia/Baghdad": "IQ",
    "Asia/Tehran": "IR", "Atlantic/Reykjavik": "IS", "Europe/Rome": "IT", "Europe/Jersey": "JE",
    "Asia/Amman": "JO", "Asia/Almaty": "KZ", "Asia/Qostanay": "KZ", "Asia/Aqtobe": "KZ",
    "Asia/Aqtau": "KZ", "Asia/Atyrau": "KZ", "Asia/Oral": "KZ", "Asia/Beirut": "LB",
    "Europe/Vaduz": "LI", "Europe/Vilnius": "LT", "Europe/Luxembourg": "LU",
    "Europe/Riga": "LV", "Africa/Tripoli": "LY", "Africa/Casablanca": "MA",
    "Europe/Monaco": "MC", "Europe/Chisinau": "MD", "Europe/Tiraspol": "MD",
    "Europe/Podgorica": "ME", "Europe/Skopje": "MK", "Europe/Malta": "MT",
    "Europe/Amsterdam": "NL", "Europe/Oslo": "NO", "Europe/Warsaw": "PL",
    "Europe/Lisbon": "PT", "Atlantic/Madeira": "PT", "Atlantic/Azores": "PT",
    "Europe/Bucharest": "RO", "Europe/Belgrade": "RS", "Europe/Kaliningrad": "RU",
    "Europe/Moscow": "RU", "Europe/Kirov": "RU", "Europe/Volgograd": "RU",
    "Europe/Astrakhan": "RU", "Europe/Saratov": "RU", "Europe/Ulyanovsk": "RU",
    "Europe/Samara": "RU", "Asia/Yekaterinburg": "RU", "Europe/Stockholm": "SE",
    "Europe/Ljubljana": "SI", "Arctic/Longyearbyen": "SJ", "Europe/Bratislava": "SK",
    "Europe/San_Marino": "SM", "Asia/Damascus": "SY", "Africa/Tunis": "TN",
    "Europe/Istanbul": "TR", "Asia/Istanbul": "TR", "Europe/Kyiv": "UA", "Europe/Kiev": "UA",
    "Europe/Uzhgorod": "UA", "Europe/Zaporozhye": "UA", "Europe/Simferopol": "UA",
    "Europe/Vatican": "VA",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class GeoFix:
    """Where a point is: its country, how far the border is, and its time zone.

    ``country`` is None outside every outline (open sea, or beyond the covered area);
    ``border_km`` is the distance to the nearest border of any country (land border or
    limit of territorial waters), None when farther than ``BORDER_SEARCH_KM``.
    ``zone_country`` is the country tzdata gives the zone: a second, independent opinion.
    """

    country: str | None
    border_km: float | None
    time_zone: str | None
    zone_country: str | None

    @property
    def is_near_border(self) -> bool:
        """Whether the point is within 2 km of a border (outlines may disagree there)."""
        return self.border_km is not None and self.border_km <= 2.0


def zone_country(zone: str | None) -> str | None:
    """The ISO country of an IANA zone of the area (``Europe/Vaduz`` → ``LI``), else None."""
    return ZONE_COUNTRIES.get(zone or "")


def locate(latitude: float, longitude: float) -> GeoFix:
    """Return the country, border distance and time zone of one WGS84 point (degrees)."""
    return locate_many([(latitude, longitude)])[0]


def locate_many(points: Sequence[tuple[float, float]]) -> list[GeoFix]:
    """Return a :class:`GeoFix` per (latitude, longitude) point, in order."""
    if not points:
        return []
    outlines = _outlines()
    coordinates = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    geometries = shapely.points(coordinates[:, 1], coordinates[:, 0])
    countries: list[str | None] = [None] * len(points)
    inside = outlines.countries.query(geometries, predicate="within")
    for point_index, country_index in inside.T:
        countries[point_index] = outlines.codes[country_index]
    border = _border_distances(outlines, geometries, coordinates)
    zones = [_zone_at(lat, lon) for lat, lon in coordinates]
    return [
        GeoFix(country, distance, zone, zone_country(zone))
        for country, distance, zone in zip(countries, border, zones, strict=True)
    ]


def _border_distances(
    outlines: _Outlines, geometries: np.ndarray, coordinates: np.ndarray
) -> list[float | None]:
    """Great-circle distance from each point to the nearest border piece within reach."""
    reach_deg = BORDER_SEARCH_KM / _KM_PER_DEGREE_LAT
    # Longitude degrees are shorter than latitude degrees: widen the search accordingly.
    widest = reach_deg / max(math.cos(math.radians(float(np.max(np.abs(coordinates[:, 0]))))), 0.2)
    pairs = outlines.borders.query(geometries, predicate="dwithin", distance=widest)
    best: list[float | None] = [None] * len(geometries)
    if pairs.size == 0:
        return best
    lines = shapely.shortest_line(geometries[pairs[0]], outlines.border_pieces[pairs[1]])
    ends = shapely.get_coordinates(shapely.get_point(lines, 1))
    for (point_index, _piece), (lon, lat) in zip(pairs.T, ends, strict=True):
        latitude, longitude = coordinates[point_index]
        distance = great_circle_km(latitude, longitude, lat, lon)
        if distance <= BORDER_SEARCH_KM and (
            best[point_index] is None or distance < best[point_index]
        ):
            best[point_index] = round(distance, 3)
    return best


class _Outlines:
    """The country outlines with their spatial indexes, built once per process."""

    def __init__(self, path: Path) -> None:
        with np.load(path, allow_pickle=False) as data:
            codes = [str(code) for code in data["codes"]]
            ring_country = data["ring_country"]
            ring_polygon = data["ring_polygon"]
            lengths = data["ring_lengths"]
            points = np.cumsum(data["steps"].astype(np.int64), axis=0) / float(data["scale"])
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        polygons: dict[tuple[int, int], list[np.ndarray]] = {}
        pieces: list[shapely.LineString] = []
        for country, polygon, start, length in zip(
            ring_country, ring_polygon, starts, lengths, strict=True
        ):
            ring = points[start : start + length]
            polygons.setdefault((int(country), int(polygon)), []).append(ring)
            for first in range(0, length - 1, _PIECE_VERTICES - 1):
                pieces.append(shapely.LineString(ring[first : first + _PIECE_VERTICES]))
        by_country: dict[int, list[shapely.Polygon]] = {}
        for (country, _), rings in polygons.items():
            by_country.setdefault(country, []).append(shapely.Polygon(rings[0], rings[1:]))
        order = sorted(by_country)
        self.codes = [codes[index] for index in order]
        shapes = [shapely.MultiPolygon(by_country[index]) for index in order]
        self.countries = shapely.STRtree(shapes)
        self.border_pieces = np.array(pieces, dtype=object)
        self.borders = shapely.STRtree(self.border_pieces)


@cache
def _outlines() -> _Outlines:
    return _Outlines(COUNTRIES_FILE)


@cache
def _zone_finder():
    from timezonefinder import TimezoneFinder

    return TimezoneFinder()


def _zone_at(latitude: float, longitude: float) -> str | None:
    """The IANA zone at a point; None at sea (``Etc/GMT±N``) or out of range."""
    try:
        zone = _zone_finder().timezone_at(lng=float(longitude), lat=float(latitude))
    except ValueError:
        return None
    if not zone or zone.startswith("Etc/"):
        return None
    return zone
