"""The station set of the synthetic dataset: a reference CSV, the embedded cities, and halts."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.spatial import cKDTree

from apps.trajets.synthetic.errors import SyntheticDataError
from apps.trajets.synthetic.reference import CITIES, TIME_ZONES

# Continental Europe and the British Isles; excludes overseas rows of station references.
EUROPE_BOX = (34.0, 72.0, -11.0, 32.0)  # min lat, max lat, min lon, max lon
HALT_SUFFIXES = ("Nord", "Sud", "Est", "Ouest", "Centre", "Ville", "Halte", "Haltestelle", "Bf")


@dataclass(frozen=True)
class StationRow:
    name: str
    country: str
    latitude: float
    longitude: float
    uic_code: str | None
    weight: int
    is_reference: bool

    @property
    def time_zone(self) -> str:
        return TIME_ZONES[self.country]


def read_station_csv(path: Path) -> list[StationRow]:
    """Read reference stations (columns name, latitude, longitude, country; optional uic).

    Semicolon- and comma-separated files both work. Rows outside Europe, without coordinates or
    in a country without a known time zone are skipped.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise SyntheticDataError(f"--stations-csv: cannot read {path}: {exc.strerror}") from exc
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.DictReader(text.splitlines(), delimiter=delimiter)
    missing = {"name", "latitude", "longitude", "country"} - set(reader.fieldnames or ())
    if missing:
        raise SyntheticDataError(
            f"--stations-csv: {path} lacks the column(s) {', '.join(sorted(missing))}"
        )
    rows = []
    min_lat, max_lat, min_lon, max_lon = EUROPE_BOX
    for record in reader:
        try:
            latitude, longitude = float(record["latitude"]), float(record["longitude"])
        except (TypeError, ValueError):
            continue
        country = (record["country"] or "").strip().upper()
        if country not in TIME_ZONES or not (
            min_lat <= latitude <= max_lat and min_lon <= longitude <= max_lon
        ):
            continue
        uic = (record.get("uic") or "").strip()
        rows.append(
            StationRow(
                name=record["name"].strip(),
                country=country,
                latitude=latitude,
                longitude=longitude,
                uic_code=uic if uic.isascii() and uic.isdigit() and 7 <= len(uic) <= 8 else None,
                weight=2 if (record.get("is_main_station") or "") == "t" else 1,
                is_reference=True,
            )
        )
    return rows


def build_station_set(
    reference: list[StationRow], *, total: int, rng: np.random.Generator
) -> list[StationRow]:
    """Merge the reference stations and the cities, then add halts up to ``total``.

    Two halts in five lie 3 to 40 km from an anchor station (chosen by traffic); the others lie
    along the corridor between an anchor and one of its eight nearest anchors (up to 600 km),
    as stations do along a line. Each halt takes the country and the name of its nearer anchor.
    """
    rows = list(reference)
    seen_names = {row.name for row in rows}
    rows.extend(
        StationRow(city.name, city.country, city.latitude, city.longitude, None, city.weight, True)
        for city in CITIES
        if city.name not in seen_names
    )
    anchors = list(rows)
    missing = total - len(rows)
    if missing <= 0:
        return rows
    lat = np.array([anchor.latitude for anchor in anchors])
    lon = np.array([anchor.longitude for anchor in anchors])
    km_per_lon = 111.0 * np.cos(np.radians(lat))
    weights = np.array([anchor.weight for anchor in anchors], dtype=float)
    first = rng.choice(len(anchors), size=missing, p=weights / weights.sum())
    plane = np.column_stack((lat * 111.0, lon * 111.0 * np.cos(np.radians(50.0))))
    neighbours_count = min(9, len(anchors))
    distance, neighbours = cKDTree(plane).query(plane[first], k=neighbours_count)
    column = rng.integers(1, neighbours_count, size=missing) if neighbours_count > 1 else 0
    second = neighbours[np.arange(missing), column]
    on_corridor = (rng.random(missing) < 0.6) & (distance[np.arange(missing), column] <= 600.0)
    fraction = np.where(on_corridor, rng.uniform(0.05, 0.95, missing), 0.0)
    # around an anchor: a random bearing at 3-40 km; on a corridor: a few km off the line
    offset_km = np.where(
        on_corridor, rng.normal(0.0, 3.0, missing), rng.uniform(3.0, 40.0, missing)
    )
    bearing = rng.uniform(0.0, 2 * np.pi, missing)
    new_lat = lat[first] + fraction * (lat[second] - lat[first])
    new_lon = lon[first] + fraction * (lon[second] - lon[first])
    new_lat += offset_km * np.cos(bearing) / 111.0
    new_lon += offset_km * np.sin(bearing) / km_per_lon[first]
    nearer = np.where(fraction <= 0.5, first, second)
    suffixes = rng.integers(0, len(HALT_SUFFIXES), size=missing)
    for index in range(missing):
        anchor = anchors[nearer[index]]
        rows.append(
            StationRow(
                name=f"{anchor.name.split(' ')[0]} {HALT_SUFFIXES[suffixes[index]]} {index + 1}",
                country=anchor.country,
                latitude=round(float(new_lat[index]), 5),
                longitude=round(float(new_lon[index]), 5),
                uic_code=None,
                weight=1,
                is_reference=False,
            )
        )
    return rows
