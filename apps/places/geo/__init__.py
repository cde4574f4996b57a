"""Country and time zone of a point, from national outlines and time-zone outlines.

No Django here: the ETL, the repair command and the quality report call it with coordinates.

- Countries come from OpenStreetMap's national boundaries with their territorial waters
  (``countries.npz``, built by ``build_countries``; © OpenStreetMap contributors, ODbL 1.0),
  simplified within 22 m: border-level precision, far finer than a 1:10m map (about 1 km).
- Time zones come from the time-zone outlines of timezone-boundary-builder (also drawn from
  OpenStreetMap) through the ``timezonefinder`` package.

The two are independent: the zone's country (``zone_country``) cross-checks the outline's.
"""

from __future__ import annotations

from .countries import (
    BORDER_SEARCH_KM,
    GeoFix,
    locate,
    locate_many,
    zone_country,
)

__all__ = ["BORDER_SEARCH_KM", "GeoFix", "locate", "locate_many", "zone_country"]
