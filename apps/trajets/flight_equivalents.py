"""The trajets' flight equivalent, copied from the town pairs the atlas priced.

``FlightEquivalent`` holds, for each ordered pair of towns (``places.Place``), the flight the
atlas's rule gives between them under the default CO2 method (written by
``apps.atlas.trajet_flights`` after each atlas recomputation). A trajet's flight equivalent is
the row of its end stations' towns; a trajet whose towns have none (a town without an
airport, the same town at both ends, a station without a town, no air data loaded) has no
flight equivalent: its three flight columns are NULL.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice

from django.db import connection
from django.db.models import Max

from apps.trajets.models import FlightEquivalent, Station, Trajet

__all__ = ["apply_flight_equivalents", "flight_equivalents_version"]

_CHUNK = 500


def _sql(where_ids: str) -> tuple[str, str]:
    trajet = Trajet._meta.db_table
    station = Station._meta.db_table
    flight = FlightEquivalent._meta.db_table
    match = (
        f"o.id = {trajet}.origin_id AND d.id = {trajet}.destination_id "
        "AND f.origin_place_id = o.place_id AND f.destination_place_id = d.place_id"
    )
    clear = (
        f"UPDATE {trajet} SET co2_flight_kg = NULL, flight_distance_km = NULL, "  # noqa: S608 - model tables
        "flight_emission_factor_id = NULL "
        "WHERE (co2_flight_kg IS NOT NULL OR flight_distance_km IS NOT NULL "
        "OR flight_emission_factor_id IS NOT NULL) "
        f"AND NOT EXISTS (SELECT 1 FROM {station} o, {station} d, {flight} f WHERE {match})"
        f"{where_ids}"
    )
    copy = (
        f"UPDATE {trajet} SET co2_flight_kg = f.co2_kg, flight_distance_km = f.flown_km, "  # noqa: S608 - model tables
        "flight_emission_factor_id = f.emission_factor_id "
        f"FROM {station} o, {station} d, {flight} f WHERE {match} "
        f"AND ({trajet}.co2_flight_kg IS NULL OR {trajet}.co2_flight_kg <> f.co2_kg "
        f"OR {trajet}.flight_distance_km IS NULL OR {trajet}.flight_distance_km <> f.flown_km "
        f"OR {trajet}.flight_emission_factor_id IS NULL "
        f"OR {trajet}.flight_emission_factor_id <> f.emission_factor_id)"
        f"{where_ids}"
    )
    return clear, copy


def apply_flight_equivalents(trajet_ids: Iterable[int] | None = None) -> int:
    """Set each trajet's flight equivalent (all trajets, or ``trajet_ids``) from the stored
    town pairs, NULL where its towns have none; return how many rows changed.

    Two set-based statements (clear the trajets without a pair, copy the pair's figures into
    the others), writing only the rows whose figures change.
    """
    changed = 0
    with connection.cursor() as cursor:
        if trajet_ids is None:
            for statement in _sql(""):
                cursor.execute(statement)
                changed += cursor.rowcount
            return changed
        iterator = iter(sorted(set(trajet_ids)))
        table = Trajet._meta.db_table
        while chunk := list(islice(iterator, _CHUNK)):
            where = f" AND {table}.id IN ({', '.join(['%s'] * len(chunk))})"
            for statement in _sql(where):
                cursor.execute(statement, chunk)
                changed += cursor.rowcount
    return changed


def flight_equivalents_version() -> int:
    """Changes with every rewrite of the town pairs (new ids): a key for cached figures that
    read the trajets' flight equivalent."""
    return FlightEquivalent.objects.aggregate(last=Max("pk"))["last"] or 0
