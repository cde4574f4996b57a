"""The places app's public surface for the other apps (the warehouse's station identity and
search, the ETL, routing, indicators, the atlas): the one name normaliser, the gazetteer of
places, the station clustering rules, and the geography (distances, grid cells, countries of
a position), re-exported from the modules that define them. No Django here but the models,
which other apps import from :mod:`apps.places.models`."""

from __future__ import annotations

from apps.places.gazetteer import Gazetteer, GazetteerPlace, gazetteer
from apps.places.geo import GeoFix, locate_many, zone_country
from apps.places.geo.distance import great_circle_km
from apps.places.geo.grid import cell_of, neighbourhoods
from apps.places.identity import (
    POSITION_AGREEMENT_KM,
    SIMILAR_NAME_MAX_KM,
    Clustering,
    Merge,
    RecordKey,
    StationCluster,
    StationSourceRecord,
    cluster_stations,
)
from apps.places.names import (
    Similarity,
    display_name,
    fold,
    is_generic_station_name,
    is_latin,
    name_similarity,
    search_key,
    station_key,
    station_name,
    strip_accents,
)

__all__ = [
    "POSITION_AGREEMENT_KM",
    "SIMILAR_NAME_MAX_KM",
    "Clustering",
    "Gazetteer",
    "GazetteerPlace",
    "GeoFix",
    "Merge",
    "RecordKey",
    "Similarity",
    "StationCluster",
    "StationSourceRecord",
    "cell_of",
    "cluster_stations",
    "display_name",
    "fold",
    "gazetteer",
    "great_circle_km",
    "is_generic_station_name",
    "is_latin",
    "locate_many",
    "name_similarity",
    "neighbourhoods",
    "search_key",
    "station_key",
    "station_name",
    "strip_accents",
    "zone_country",
]
