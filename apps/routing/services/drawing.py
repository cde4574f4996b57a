"""A schematic drawing of a route for the page's SVG (positions only, no markup)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from apps.routing.services.answers import RouteAnswer


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
