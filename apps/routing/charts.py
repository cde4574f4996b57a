"""Chart builders of the routing page: a map of a route for the page's SVG (positions only,
no markup): the route's stations on the country outlines of the network map, framed around
the route, with their names.

It uses the network map's projection and outlines (:mod:`apps.trajets.map`, Natural Earth),
so a two-station journey shows where it runs, not a line on a blank box.
"""

from __future__ import annotations

from dataclasses import dataclass

from apps.routing.services.answers import RouteAnswer
from apps.trajets.services import Outline, load_outlines, project

#: The smallest frame, in map units (about 450 km): a short route still shows its region.
MIN_SPAN = 120.0
#: Room around the stations for their labels, as a share of the frame.
MARGIN_SHARE = 0.18
#: Width / height of the frame (the figure is wider than tall, like a page).
ASPECT = 16 / 10


@dataclass(frozen=True)
class DrawnStation:
    """A station placed in the route figure (map units)."""

    name: str
    x: float
    y: float
    is_end: bool
    #: Labels alternate sides so that close stations do not print over each other.
    is_label_left: bool = False


@dataclass(frozen=True)
class RouteDrawing:
    """A map of the route: its stations and legs over the countries, in a frame (``view_box``:
    x, y, width, height in map units); sizes (``unit``) scale with the frame."""

    view_box: tuple[float, float, float, float]
    unit: float
    outlines: tuple[Outline, ...]
    stations: tuple[DrawnStation, ...]
    night_segments: tuple[tuple[DrawnStation, DrawnStation], ...]
    day_segments: tuple[tuple[DrawnStation, DrawnStation], ...]

    @property
    def view_box_text(self) -> str:
        """The frame as an SVG ``viewBox`` value."""
        return " ".join(f"{value:.2f}" for value in self.view_box)

    @property
    def sizes(self) -> dict[str, float]:
        """Line width, circle radii, label size and offsets in map units (labels are 3.4 % of
        the figure's width: 22 px at its widest)."""
        return {
            name: round(self.unit * factor, 3)
            for name, factor in (
                ("line", 0.6),
                ("halo", 0.6),
                ("radius", 1.0),
                ("end_radius", 1.5),
                ("font", 3.4),
                ("dx", 2.6),
                ("dy_above", -1.8),
                ("dy_below", 5.0),
                ("dash", 2.2),
            )
        }


def _frame(points: list[tuple[float, float]]) -> tuple[float, float, float, float]:
    xs, ys = [x for x, _y in points], [y for _x, y in points]
    width = max(max(xs) - min(xs), MIN_SPAN)
    height = max(max(ys) - min(ys), MIN_SPAN / ASPECT)
    width, height = max(width, height * ASPECT), max(height, width / ASPECT)
    width, height = width * (1 + 2 * MARGIN_SHARE), height * (1 + 2 * MARGIN_SHARE)
    centre_x, centre_y = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    return (centre_x - width / 2, centre_y - height / 2, width, height)


def draw_route(answer: RouteAnswer) -> RouteDrawing | None:
    """Place the route's stations on the map; None when a station has no coordinates."""
    stations = answer.stations
    if any(s.latitude is None or s.longitude is None for s in stations) or len(stations) < 2:
        return None
    points = [project(s.longitude, s.latitude) for s in stations]
    view_box = _frame(points)
    placed = tuple(
        DrawnStation(
            name=station.name,
            x=round(x, 2),
            y=round(y, 2),
            is_end=i in (0, len(stations) - 1),
            is_label_left=i % 2 == 1,
        )
        for i, (station, (x, y)) in enumerate(zip(stations, points, strict=True))
    )
    night, day = [], []
    for index, leg in enumerate(answer.legs):
        (night if leg.is_night else day).append((placed[index], placed[index + 1]))
    return RouteDrawing(
        view_box=view_box,
        unit=round(view_box[2] / 100, 3),
        outlines=load_outlines(),
        stations=placed,
        night_segments=tuple(night),
        day_segments=tuple(day),
    )
