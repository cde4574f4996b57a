"""Build ``europe.json`` once from Natural Earth outlines (npm ``world-atlas``), offline.

Usage (a one-off developer tool, not run by the application)::

    node -e 'const t=require("topojson-client"), w=require("world-atlas/countries-50m.json");
      process.stdout.write(JSON.stringify(t.feature(w, w.objects.countries)))' > countries.geojson
    python -m apps.trajets.geo.build_europe countries.geojson apps/trajets/geo/europe.json

Each country polygon is projected with the map's projection (``apps.trajets.map.project``),
clamped to a margin around the view, simplified (Douglas-Peucker, tolerance in view units)
and written as an SVG path string, so the page only inlines ready-made paths.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

from apps.trajets.map import VIEW_HEIGHT, VIEW_WIDTH, project

MARGIN = 20.0
TOLERANCE = 1.6
MIN_RING_AREA = 4.0


def _simplify(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Douglas-Peucker on a polyline (iterative, keeps both ends)."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        length = math.hypot(x2 - x1, y2 - y1)
        best, index = 0.0, -1
        for i in range(first + 1, last):
            x0, y0 = points[i]
            distance = (
                abs((x2 - x1) * (y1 - y0) - (x1 - x0) * (y2 - y1)) / length
                if length
                else math.hypot(x0 - x1, y0 - y1)  # closed ring: distance to its start
            )
            if distance > best:
                best, index = distance, i
        if best > tolerance and index > 0:
            keep[index] = True
            stack.extend(((first, index), (index, last)))
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def _area(points: list[tuple[float, float]]) -> float:
    """Twice the shoelace area (only compared with a threshold)."""
    shifted = points[1:] + points[:1]
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(points, shifted, strict=True)))


def _ring_path(ring: list[list[float]]) -> str:
    projected = [project(lon, lat) for lon, lat in ring]
    xs, ys = [p[0] for p in projected], [p[1] for p in projected]
    if max(xs) < -MARGIN or min(xs) > VIEW_WIDTH + MARGIN:
        return ""
    if max(ys) < -MARGIN or min(ys) > VIEW_HEIGHT + MARGIN:
        return ""
    clamped = [
        (
            min(max(x, -MARGIN), VIEW_WIDTH + MARGIN),
            min(max(y, -MARGIN), VIEW_HEIGHT + MARGIN),
        )
        for x, y in projected
    ]
    simplified = _simplify(clamped, TOLERANCE)
    if len(simplified) < 4 or _area(simplified) < MIN_RING_AREA:
        return ""
    head, *tail = simplified
    return f"M{head[0]:.0f} {head[1]:.0f}" + "".join(f"L{x:.0f} {y:.0f}" for x, y in tail) + "Z"


def build(geojson: dict) -> list[dict[str, str]]:
    """Return ``[{"name": ..., "path": ...}]`` for the countries visible on the map."""
    countries = []
    for feature in geojson["features"]:
        geometry = feature["geometry"]
        if geometry is None:
            continue
        polygons = (
            [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        )
        path = "".join(_ring_path(polygon[0]) for polygon in polygons)
        if path:
            countries.append({"name": feature["properties"]["name"], "path": path})
    return sorted(countries, key=lambda country: country["name"])


def main() -> None:
    """Read the GeoJSON given on the command line and write the projected outlines."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("geojson", type=Path)
    parser.add_argument("output", type=Path)
    arguments = parser.parse_args()
    countries = build(json.loads(arguments.geojson.read_text(encoding="utf-8")))
    payload = {
        "attribution": "Made with Natural Earth (public domain), via the npm package world-atlas.",
        "width": VIEW_WIDTH,
        "height": VIEW_HEIGHT,
        "countries": countries,
    }
    arguments.output.write_text(json.dumps(payload, separators=(",", ":")), encoding="utf-8")


if __name__ == "__main__":
    main()
