"""The station set of the synthetic dataset: a reference CSV, the embedded cities, and halts."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

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
                uic_code=uic if uic.isdigit() and 7 <= len(uic) <= 8 else None,
                weight=2 if (record.get("is_main_station") or "") == "t" else 1,
                is_reference=True,
            )
        )
    return rows


def build_station_set(
    reference: list[StationRow], *, total: int, rng: np.random.Generator
) -> list[StationRow]:
    """Merge the reference stations and the cities, then add halts around them up to ``total``.

    Halts are placed 3 to 40 km from a random anchor (weighted by traffic) and named after it.
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
    weights = np.array([anchor.weight for anchor in anchors], dtype=float)
    picks = rng.choice(len(anchors), size=missing, p=weights / weights.sum())
    distance_km = rng.uniform(3.0, 40.0, size=missing)
    bearing = rng.uniform(0.0, 2 * np.pi, size=missing)
    suffixes = rng.integers(0, len(HALT_SUFFIXES), size=missing)
    for index in range(missing):
        anchor = anchors[picks[index]]
        d_lat = distance_km[index] * np.cos(bearing[index]) / 111.0
        d_lon = (
            distance_km[index]
            * np.sin(bearing[index])
            / (111.0 * np.cos(np.radians(anchor.latitude)))
        )
        base = anchor.name.split(" ")[0]
        rows.append(
            StationRow(
                name=f"{base} {HALT_SUFFIXES[suffixes[index]]} {index + 1}",
                country=anchor.country,
                latitude=round(anchor.latitude + d_lat, 5),
                longitude=round(anchor.longitude + d_lon, 5),
                uic_code=None,
                weight=1,
                is_reference=False,
            )
        )
    return rows
