"""An independent reading of the raw Eurostat and OpenFlights files, for the tests: the csv
module and arithmetic only, none of the atlas code."""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from pathlib import Path


def raw_passengers(path: Path, year: int) -> dict[tuple[str, str], list[int]]:
    """{(icao, icao) sorted: [each end's report]} for ``year``."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    column = rows[0].index(str(year))
    found: dict[tuple[str, str], list[int]] = defaultdict(list)
    for row in rows[1:]:
        parts = row[0].split("_")
        if len(parts) != 4 or row[column].strip() in (":", ""):
            continue
        key = tuple(sorted((parts[1], parts[3])))
        found[key].append(int(row[column].replace(",", "")))
    return found


def raw_airports(path: Path) -> dict[str, tuple[float, float]]:
    """ICAO -> (latitude, longitude)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return {row[5]: (float(row[6]), float(row[7])) for row in csv.reader(handle)}


def city_pair_passengers(
    reports: dict[tuple[str, str], list[int]], a: set[str], b: set[str], known: set[str]
) -> tuple[int, tuple[str, str] | None]:
    """Sum over airport pairs between ``a`` and ``b`` of the mean of the reports; and the
    busiest airport pair."""
    total, busiest, most = 0, None, -1
    for (first, second), values in reports.items():
        if not ({first, second} <= known):
            continue
        if (first in a and second in b) or (first in b and second in a):
            value = round(sum(values) / len(values))
            total += value
            if value > most:
                busiest, most = (first, second), value
    return total, busiest


def haversine_km(one: tuple[float, float], two: tuple[float, float]) -> float:
    """Great-circle distance on a 6371.0088 km sphere."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*one, *two))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(math.sqrt(h))
