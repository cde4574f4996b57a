"""CO2 per passenger for a rail trip and for the equivalent flight."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = [
    "DEFAULT_FACTORS",
    "FLIGHT_DETOUR_FACTOR",
    "MIN_FLIGHT_KM",
    "Co2Estimate",
    "EmissionFactor",
    "estimate_co2",
    "flight_band",
]

# Flights do not follow the great circle (routing, holding, approach): the EU ETS / DEFRA
# convention adds 95 km; ADEME uses a 1.1 multiplier, kept here.
FLIGHT_DETOUR_FACTOR = 1.1
# No flight equivalent below this origin-destination great circle: the shortest airport pair
# between mainland airports with 10,000 passengers or more in 2019 in Eurostat's avia_par_fr
# is Paris-CDG - Brussels, 251 km (Corsica - Nice, shorter, crosses the sea).
MIN_FLIGHT_KM = 250.0


@dataclass(frozen=True, slots=True)
class EmissionFactor:
    """One factor in kg CO2e per passenger-km, with where it comes from."""

    key: str
    kg_per_pkm: float
    source: str
    region: str
    year: int


# Values copied from the Open Emission Factors DB (climatiq, CC BY-SA 4.0), snapshot
# 2022-05-12; each row cites its publisher (ADEME Base Carbone 2021). Keys: "rail:<ISO>",
# "rail:default", "air:short" (< 1000 km), "air:medium" (1000-3500 km), "air:long" (> 3500 km).
DEFAULT_FACTORS: Mapping[str, EmissionFactor] = {
    f.key: f
    for f in (
        EmissionFactor("rail:AT", 0.0235, "ADEME", "AT", 2021),
        EmissionFactor("rail:BE", 0.0484, "ADEME", "BE", 2021),
        EmissionFactor("rail:DE", 0.0668, "ADEME", "DE", 2021),
        EmissionFactor("rail:DK", 0.114, "ADEME", "DK", 2021),
        EmissionFactor("rail:ES", 0.0514, "ADEME", "ES", 2021),
        EmissionFactor("rail:FI", 0.0452, "ADEME", "FI", 2021),
        EmissionFactor("rail:GB", 0.075, "ADEME", "GB", 2021),
        EmissionFactor("rail:GR", 0.0662, "ADEME", "GR", 2021),
        EmissionFactor("rail:IE", 0.0388, "ADEME", "IE", 2021),
        EmissionFactor("rail:IT", 0.0317, "ADEME", "IT", 2021),
        EmissionFactor("rail:LU", 0.0397, "ADEME", "LU", 2021),
        EmissionFactor("rail:NL", 0.0763, "ADEME", "NL", 2021),
        EmissionFactor("rail:NO", 0.04, "ADEME", "NO", 2021),
        EmissionFactor("rail:PT", 0.0615, "ADEME", "PT", 2021),
        EmissionFactor("rail:SE", 0.0129, "ADEME", "SE", 2021),
        EmissionFactor("rail:FR", 0.00592, "ADEME", "FR", 2021),
        EmissionFactor("air:short", 0.258, "ADEME", "FR", 2021),
        EmissionFactor("air:medium", 0.187, "ADEME", "FR", 2021),
        EmissionFactor("air:long", 0.152, "ADEME", "FR", 2021),
    )
}


@dataclass(frozen=True, slots=True)
class Co2Estimate:
    """Rail and flight CO2 per passenger (kg) with the factors used."""

    rail_kg: float
    rail_factor_keys: tuple[str, ...]
    flight_kg: float | None
    flight_distance_km: float
    flight_factor_key: str


def flight_band(distance_km: float) -> str:
    """Return the ADEME distance band of a flight: short (< 1000 km), medium, long (> 3500)."""
    if distance_km < 1000:
        return "air:short"
    if distance_km <= 3500:
        return "air:medium"
    return "air:long"


def _rail_factor(country: str | None, factors: Mapping[str, EmissionFactor]) -> EmissionFactor:
    found = factors.get(f"rail:{country}") if country else None
    if found is not None:
        return found
    fallback = factors.get("rail:default")
    if fallback is not None:
        return fallback
    rail = [f.kg_per_pkm for k, f in factors.items() if k.startswith("rail:")]
    mean = sum(rail) / len(rail)
    return EmissionFactor("rail:default", mean, "mean of the country factors", "EU", 0)


def estimate_co2(
    *,
    legs: Sequence[tuple[float, str | None]],
    great_circle_km: float,
    factors: Mapping[str, EmissionFactor] = DEFAULT_FACTORS,
) -> Co2Estimate:
    """Return CO2 per passenger for the train and for the flight equivalent.

    ``legs`` are ``(distance_km, country)`` between consecutive stops: each leg uses the rail
    factor of the country it starts in, or the mean of the country factors when that country
    has none. The flight equivalent is ``great_circle_km × FLIGHT_DETOUR_FACTOR × air factor``
    of the distance band of the detoured distance, and None (no flight factor, 0 km) when
    origin and destination are less than MIN_FLIGHT_KM apart: no one flies there.
    """
    rail_kg = 0.0
    keys: list[str] = []
    for distance, country in legs:
        factor = _rail_factor(country, factors)
        rail_kg += distance * factor.kg_per_pkm
        if factor.key not in keys:
            keys.append(factor.key)
    if great_circle_km < MIN_FLIGHT_KM:
        return Co2Estimate(round(rail_kg, 3), tuple(keys), None, 0.0, "")
    flight_km = great_circle_km * FLIGHT_DETOUR_FACTOR
    band = flight_band(flight_km)
    flight_kg = flight_km * factors[band].kg_per_pkm
    return Co2Estimate(
        rail_kg=round(rail_kg, 3),
        rail_factor_keys=tuple(keys),
        flight_kg=round(flight_kg, 3),
        flight_distance_km=round(flight_km, 1),
        flight_factor_key=band,
    )
