"""CO2 per passenger for a city pair under a named method (no Django).

A method is a set of published factors in kg CO2e (or CO2) per passenger-km, each with its
source, year and scope: air factors by distance band (and, for DESNZ, by route type: a flight
within one country is "domestic"), rail factors by country. The factors are the project's one
set, :data:`apps.trajets.etl.harmonise.co2.PUBLISHED_FACTORS` (methods ``ademe``, ``desnz``,
``desnz_no_rf``, ``eea``; described there); the database copy (``trajets.EmissionFactor``) is
what the site uses.

The air distance is the great circle × 1.1 (:data:`apps.atlas.flight.FLIGHT_DETOUR_FACTOR`);
the rail distance is the shortest rail route of the warehouse, split by the country each
stretch starts in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from apps.trajets.services import DEFAULT_METHOD, EEA_URL, PUBLISHED_FACTORS, Factor

__all__ = [
    "CO2_ONLY_METHODS",
    "DEFAULT_METHOD",
    "EEA_URL",
    "PUBLISHED_FACTORS",
    "Co2Figures",
    "Factor",
    "MethodFactors",
    "co2_for_pair",
    "co2_unit",
]

#: Methods whose factors count CO2 alone (not CO2e, the other greenhouse gases with it): the
#: pages name the gas of the method shown (:func:`co2_unit`).
CO2_ONLY_METHODS = frozenset({"eea"})


def co2_unit(method: str) -> str:
    """The gas a method counts: ``CO2`` alone, or ``CO2e`` (every greenhouse gas)."""
    return "CO2" if method in CO2_ONLY_METHODS else "CO2e"


@dataclass(frozen=True, slots=True)
class MethodFactors:
    """The factors of one method."""

    method: str
    factors: tuple[Factor, ...]

    def air_factor(self, flown_km: float, *, domestic: bool) -> Factor:
        """The air factor for a flight of ``flown_km`` (domestic or not)."""
        route = "domestic" if domestic else "international"
        for factor in self.factors:
            if factor.mode != "air" or factor.route not in ("any", route):
                continue
            if factor.min_km <= flown_km and (factor.max_km is None or flown_km < factor.max_km):
                return factor
        raise LookupError(f"method {self.method!r} has no air factor for {flown_km} km ({route})")

    def rail_factor(self, country: str, *, domestic: bool) -> Factor:
        """The rail factor of a stretch starting in ``country``."""
        route = "domestic" if domestic else "international"
        rail = [f for f in self.factors if f.mode == "rail" and f.route in ("any", route)]
        for factor in rail:
            if factor.country == country:
                return factor
        for factor in rail:
            if factor.country == "":
                return factor
        raise LookupError(f"method {self.method!r} has no rail factor for {country} ({route})")


@dataclass(frozen=True, slots=True)
class Co2Figures:
    """kg CO2e per passenger by train and by plane under one method, with the factors used."""

    method: str
    rail_kg: float | None
    air_kg: float | None
    rail_factors: tuple[Factor, ...]
    air_factor: Factor | None

    @property
    def avoided_kg(self) -> float | None:
        """Saved per passenger who takes the train instead of the plane."""
        if self.rail_kg is None or self.air_kg is None:
            return None
        return round(self.air_kg - self.rail_kg, 3)


def co2_for_pair(
    factors: MethodFactors,
    *,
    flown_km: float | None,
    rail_km_by_country: Mapping[str, float] | Sequence[tuple[str, float]] | None,
    domestic: bool,
) -> Co2Figures:
    """CO2 per passenger for the flight (``flown_km``) and the train (km per country)."""
    air_kg = None
    air_factor = None
    if flown_km is not None:
        air_factor = factors.air_factor(flown_km, domestic=domestic)
        air_kg = round(flown_km * air_factor.kg_per_pkm, 3)
    rail_kg = None
    used: list[Factor] = []
    if rail_km_by_country:
        items = (
            rail_km_by_country.items()
            if isinstance(rail_km_by_country, Mapping)
            else rail_km_by_country
        )
        total = 0.0
        for country, km in items:
            factor = factors.rail_factor(country, domestic=domestic)
            total += km * factor.kg_per_pkm
            if factor not in used:
                used.append(factor)
        rail_kg = round(total, 3)
    return Co2Figures(factors.method, rail_kg, air_kg, tuple(used), air_factor)
