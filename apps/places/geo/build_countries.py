"""Build ``countries.npz`` once from OpenStreetMap country outlines (npm ``@geo-maps``), offline.

Usage (a one-off developer tool, not run by the application)::

    npm pack @geo-maps/countries-maritime-10m@0.6.0   # sha512-3Auc7lXpsOL+Z+axKGTaS2dv…
    tar xzf geo-maps-countries-maritime-10m-0.6.0.tgz
    python -m apps.places.geo.build_countries package/map.geo.json apps/places/geo/countries.npz

The outlines are OpenStreetMap's national boundaries (2017) with their territorial waters,
at 10 m resolution (© OpenStreetMap contributors, ODbL 1.0). Territorial waters keep a coastal
or harbour station inside its country. Every country reaching Europe's rail area is kept,
clipped to that area and simplified within ``TOLERANCE_DEG`` (at most 22 m), with its
ISO 3166-1 alpha-2 code. Rings are stored as integer steps of 10⁻⁵ degree (about 1 m) from
the previous vertex, which compresses to a third of plain coordinates.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import shapely

# Europe's rail area: from the Azores to the Urals, from North Africa to the North Cape.
AREA = (-32.0, 27.0, 60.0, 72.0)  # min lon, min lat, max lon, max lat
TOLERANCE_DEG = 0.0002
SCALE = 100_000  # stored units per degree

# ISO 3166-1 alpha-3 (the file's ``A3``) to alpha-2, for the countries of the area.
ALPHA2 = {
    "ALA": "AX", "ALB": "AL", "AND": "AD", "ARM": "AM", "AUT": "AT", "AZE": "AZ", "BEL": "BE",
    "BGR": "BG", "BIH": "BA", "BLR": "BY", "CHE": "CH", "CYP": "CY", "CZE": "CZ", "DEU": "DE",
    "DNK": "DK", "DZA": "DZ", "EGY": "EG", "ESP": "ES", "EST": "EE", "FIN": "FI", "FRA": "FR",
    "FRO": "FO", "GBR": "GB", "GEO": "GE", "GGY": "GG", "GIB": "GI", "GRC": "GR", "HRV": "HR",
    "HUN": "HU", "IMN": "IM", "IRL": "IE", "IRN": "IR", "IRQ": "IQ", "ISL": "IS", "ISR": "IL",
    "ITA": "IT", "JEY": "JE", "JOR": "JO", "KAZ": "KZ", "KWT": "KW", "LBN": "LB", "LBY": "LY",
    "LIE": "LI", "LTU": "LT", "LUX": "LU", "LVA": "LV", "MAR": "MA", "MCO": "MC", "MDA": "MD",
    "MKD": "MK", "MLT": "MT", "MNE": "ME", "NLD": "NL", "NOR": "NO", "POL": "PL", "PRT": "PT",
    "PSE": "PS", "ROU": "RO", "RUS": "RU", "SAU": "SA", "SJM": "SJ", "SMR": "SM", "SRB": "RS",
    "SVK": "SK", "SVN": "SI", "SWE": "SE", "SYR": "SY", "TKM": "TM", "TUN": "TN", "TUR": "TR",
    "UKR": "UA", "UZB": "UZ", "VAT": "VA", "XKX": "XK", "CPV": "CV", "GRL": "GL",
    "ESH": "EH", "MRT": "MR", "MLI": "ML", "NER": "NE", "TCD": "TD", "SDN": "SD",
}  # fmt: skip


def build(source: Path, target: Path) -> dict[str, int]:
    """Write the clipped, simplified outlines; return the vertex count per country."""
    features = json.loads(source.read_text(encoding="utf-8"))["features"]
    area = shapely.box(*AREA)
    codes: list[str] = []
    rings: list[np.ndarray] = []
    ring_country: list[int] = []
    ring_polygon: list[int] = []
    counts: dict[str, int] = {}
    for feature in features:
        geometry = shapely.geometry.shape(feature["geometry"])
        if not geometry.intersects(area):
            continue
        alpha3 = feature["properties"]["A3"]
        if alpha3 not in ALPHA2:
            raise SystemExit(f"no alpha-2 code for {alpha3}: add it to ALPHA2")
        clipped = shapely.make_valid(
            shapely.simplify(shapely.clip_by_rect(geometry, *AREA), TOLERANCE_DEG)
        )
        polygons = [g for g in shapely.get_parts(clipped) if isinstance(g, shapely.Polygon)]
        if not polygons:
            continue
        country = len(codes)
        codes.append(ALPHA2[alpha3])
        counts[codes[-1]] = 0
        for index, polygon in enumerate(polygons):
            for ring in (polygon.exterior, *polygon.interiors):
                points = np.round(np.asarray(ring.coords) * SCALE).astype(np.int64)
                rings.append(points)
                ring_country.append(country)
                ring_polygon.append(index)
                counts[codes[-1]] += len(points)
    points = np.concatenate(rings)
    np.savez_compressed(
        target,
        codes=np.array(codes, dtype="U2"),
        ring_country=np.array(ring_country, dtype=np.int16),
        ring_polygon=np.array(ring_polygon, dtype=np.int32),
        ring_lengths=np.array([len(r) for r in rings], dtype=np.int32),
        steps=np.diff(points, axis=0, prepend=0).astype(np.int32),
        scale=np.array(SCALE, dtype=np.int64),
    )
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="map.geo.json of @geo-maps/countries-maritime")
    parser.add_argument("target", type=Path, help="the .npz to write")
    args = parser.parse_args()
    counts = build(args.source, args.target)
    print(f"{len(counts)} countries, {sum(counts.values())} vertices → {args.target}")


if __name__ == "__main__":
    main()
