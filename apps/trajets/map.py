"""The network map: a Lambert azimuthal equal-area view of Europe rendered as inline SVG.

Plain module (no Django): it projects coordinates and lays out the map from plain rows, so the
page template only writes ready-made SVG attributes. Country outlines come from
``geo/europe.json`` (Natural Earth via npm ``world-atlas``, projected once by
``geo/build_europe.py``); nothing is fetched at run time.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from apps.trajets.kinds import kind_word
from apps.trajets.models import ServiceKind

__all__ = [
    "VIEW_HEIGHT",
    "VIEW_WIDTH",
    "LinkRow",
    "MapLink",
    "MapStation",
    "NetworkMap",
    "Outline",
    "build_network_map",
    "load_outlines",
    "project",
]

EARTH_RADIUS_KM = 6371.0
CENTRE_LONGITUDE = math.radians(10.0)
CENTRE_LATITUDE = math.radians(52.0)
# Projected extent shown, in km from the centre (Portugal to Moscow, Sicily to Lapland).
MIN_X_KM, MAX_X_KM = -1850.0, 2050.0
MIN_Y_KM, MAX_Y_KM = -1750.0, 2150.0
VIEW_WIDTH = 1000
SCALE = VIEW_WIDTH / (MAX_X_KM - MIN_X_KM)
VIEW_HEIGHT = round((MAX_Y_KM - MIN_Y_KM) * SCALE)
OUTLINES_FILE = Path(__file__).resolve().parent / "geo" / "europe.json"


def project(longitude: float, latitude: float) -> tuple[float, float]:
    """Project degrees to view units (x right, y down) with the map's LAEA projection."""
    lon, lat = math.radians(longitude), math.radians(latitude)
    cos_lat = math.cos(lat)
    denominator = (
        1
        + math.sin(CENTRE_LATITUDE) * math.sin(lat)
        + math.cos(CENTRE_LATITUDE) * cos_lat * math.cos(lon - CENTRE_LONGITUDE)
    )
    k = math.sqrt(2 / max(denominator, 1e-9))
    x_km = EARTH_RADIUS_KM * k * cos_lat * math.sin(lon - CENTRE_LONGITUDE)
    y_km = (
        EARTH_RADIUS_KM
        * k
        * (
            math.cos(CENTRE_LATITUDE) * math.sin(lat)
            - math.sin(CENTRE_LATITUDE) * cos_lat * math.cos(lon - CENTRE_LONGITUDE)
        )
    )
    return (x_km - MIN_X_KM) * SCALE, (MAX_Y_KM - y_km) * SCALE


def _is_visible(x: float, y: float) -> bool:
    return 0 <= x <= VIEW_WIDTH and 0 <= y <= VIEW_HEIGHT


@dataclass(frozen=True)
class Outline:
    """One country outline as an SVG path."""

    name: str
    path: str


@cache
def load_outlines() -> tuple[Outline, ...]:
    """Read the bundled, already projected country outlines (once per process)."""
    payload = json.loads(OUTLINES_FILE.read_text(encoding="utf-8"))
    return tuple(Outline(name=item["name"], path=item["path"]) for item in payload["countries"])


@dataclass(frozen=True)
class MapStation:
    """A station drawn on the map."""

    name: str
    country: str
    x: float
    y: float
    service_count: int


@dataclass(frozen=True)
class MapLink:
    """Services between two stations of one kind, drawn as one line."""

    origin: str
    destination: str
    kind: str
    service_count: int
    x1: float
    y1: float
    x2: float
    y2: float
    stroke_width: float


@dataclass(frozen=True)
class NetworkMap:
    """Everything the template needs to draw the map and its table."""

    width: int
    height: int
    outlines: tuple[Outline, ...]
    day_links: tuple[MapLink, ...]
    night_links: tuple[MapLink, ...]
    stations: tuple[MapStation, ...]
    hidden_link_count: int


#: The kinds drawn on the night layer: night trains with or without a known couchette.
NIGHT_KINDS = frozenset({ServiceKind.NIGHT, ServiceKind.OVERNIGHT})


@dataclass(frozen=True)
class LinkRow:
    """Input row: services between two located stations, for one kind."""

    origin_name: str
    origin_country: str
    origin_longitude: float
    origin_latitude: float
    destination_name: str
    destination_country: str
    destination_longitude: float
    destination_latitude: float
    kind: str
    service_count: int

    @property
    def kind_word(self) -> str:
        """The kind as a table cell says it (``nuit sans couchette connue``)."""
        return kind_word(self.kind)


def build_network_map(rows: Iterable[LinkRow]) -> NetworkMap:
    """Lay out links and stations; links with an end off the view are counted, not drawn."""
    links: list[MapLink] = []
    stations: dict[tuple[str, str], MapStation] = {}
    hidden = 0
    rows = list(rows)
    busiest = max((row.service_count for row in rows), default=1)
    for row in rows:
        x1, y1 = project(row.origin_longitude, row.origin_latitude)
        x2, y2 = project(row.destination_longitude, row.destination_latitude)
        if not (_is_visible(x1, y1) and _is_visible(x2, y2)):
            hidden += 1
            continue
        width = 1.0 + 3.0 * math.sqrt(row.service_count / busiest)
        links.append(
            MapLink(
                origin=row.origin_name,
                destination=row.destination_name,
                kind=row.kind,
                service_count=row.service_count,
                x1=round(x1, 1),
                y1=round(y1, 1),
                x2=round(x2, 1),
                y2=round(y2, 1),
                stroke_width=round(width, 1),
            )
        )
        for name, country, x, y in (
            (row.origin_name, row.origin_country, x1, y1),
            (row.destination_name, row.destination_country, x2, y2),
        ):
            previous = stations.get((name, country))
            count = row.service_count + (previous.service_count if previous else 0)
            stations[(name, country)] = MapStation(
                name=name, country=country, x=round(x, 1), y=round(y, 1), service_count=count
            )
    return NetworkMap(
        width=VIEW_WIDTH,
        height=VIEW_HEIGHT,
        outlines=load_outlines(),
        day_links=tuple(link for link in links if link.kind == "day"),
        night_links=tuple(link for link in links if link.kind in NIGHT_KINDS),
        stations=tuple(sorted(stations.values(), key=lambda station: -station.service_count)),
        hidden_link_count=hidden,
    )
