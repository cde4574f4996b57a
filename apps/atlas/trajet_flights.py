"""The trajets' flight equivalent by the atlas's rule and method, after each recomputation.

A trajet's flight equivalent is the flight the atlas prices between the towns of its end
stations: both towns served by an airport (the airport-city rule of ``geography.py``) and
different, flown between their airports (the busiest route of the air data, else each town's
nearest airport) over the great circle × 1.1, priced under one method (the default, ADEME).
``recompute_atlas`` computes these flights for every pair of towns at the ends of a trajet,
this module prices them, replaces ``trajets.FlightEquivalent`` and copies them into the
trajets (``apps.trajets.flight_equivalents``), in the recomputation's transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from apps.atlas.co2 import MethodFactors, co2_for_pair
from apps.places.models import Place
from apps.trajets.models import EmissionFactor, FlightEquivalent
from apps.trajets.services import apply_flight_equivalents

__all__ = ["TownFlight", "TrajetFlights", "write_trajet_flights"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TownFlight:
    """The flight between two towns: flown km (great circle × 1.1) and whether both towns are
    in one country (DESNZ's domestic factor)."""

    flown_km: float
    is_domestic: bool


@dataclass(frozen=True, slots=True)
class TrajetFlights:
    """What :func:`write_trajet_flights` wrote: town pairs priced, trajets whose figures changed."""

    town_pairs: int
    trajets_changed: int


def write_trajet_flights(
    flights: Mapping[tuple[int, int], TownFlight], *, factors: MethodFactors
) -> TrajetFlights:
    """Price ``flights`` (by GeoNames ids of both towns) under ``factors``' method, store them
    in both directions and set every trajet's flight equivalent from them (NULL elsewhere)."""
    place_of = dict(
        Place.objects.filter(geonames_id__in={g for key in flights for g in key}).values_list(
            "geonames_id", "pk"
        )
    )
    factor_ids = {
        (r.method, r.mode, r.route, r.country, float(r.min_distance_km)): r.pk
        for r in EmissionFactor.objects.filter(method=factors.method)
    }
    rows: list[FlightEquivalent] = []
    for (town_a, town_b), flight in flights.items():
        if town_a not in place_of or town_b not in place_of:
            continue
        figures = co2_for_pair(
            factors, flown_km=flight.flown_km, rail_km_by_country=None, domestic=flight.is_domestic
        )
        factor_id = factor_ids[figures.air_factor.key]
        for origin, destination in ((town_a, town_b), (town_b, town_a)):
            rows.append(
                FlightEquivalent(
                    origin_place_id=place_of[origin],
                    destination_place_id=place_of[destination],
                    flown_km=flight.flown_km,
                    co2_kg=figures.air_kg,
                    emission_factor_id=factor_id,
                )
            )
    FlightEquivalent.objects.all().delete()
    FlightEquivalent.objects.bulk_create(rows, batch_size=2000)
    changed = apply_flight_equivalents()
    logger.info(
        "trajet flight equivalents written",
        extra={"town_pairs": len(rows) // 2, "trajets_changed": changed, "method": factors.method},
    )
    return TrajetFlights(town_pairs=len(rows) // 2, trajets_changed=changed)
