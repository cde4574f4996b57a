"""CO2 per passenger for a city pair under a named method (no Django).

A method is a set of published factors in kg CO2e (or CO2) per passenger-km, each with its
source, year and scope: air factors by distance band (and, for DESNZ, by route type: a flight
within one country is "domestic"), rail factors by country. :data:`PUBLISHED_FACTORS` holds the
values as published (copied from the Open Emission Factors DB, climatiq, CC BY-SA 4.0, snapshot
2022-05-12, whose rows cite their publisher); the database copy (``atlas.Co2Factor``) is what
the site uses, so a corrected factor needs no code change.

* ``ademe``: ADEME Base Carbone (2021). Air **with** its non-CO2 effects (radiative forcing),
  bands < 1000 km, 1000-3500 km, > 3500 km; rail per country (electricity mix).
* ``desnz``: UK Government GHG conversion factors (BEIS, now DESNZ, 2021). Air with radiative
  forcing: domestic, short-haul (< 3700 km) and long-haul; rail: UK national rail for a pair in
  one country, international rail (Eurostar) for a pair across a border.
* ``desnz_no_rf``: the same DESNZ factors **without** the non-CO2 effects of aviation.
* ``eea``: the European Environment Agency's infographic "CO2 emissions from passenger
  transport" (published with TERM 2014): CO2 only, no non-CO2 effects, **one figure per mode**
  for every distance and country (air 285 g, rail 14 g CO2 per passenger-km). Not in the
  OEFDB snapshot: copied from the EEA page (:data:`EEA_URL`).

The air distance is the great circle × 1.1 (:data:`apps.atlas.flight.FLIGHT_DETOUR_FACTOR`);
the rail distance is the shortest rail route of the warehouse, split by the country each
stretch starts in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

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

DEFAULT_METHOD = "ademe"
#: Methods whose factors count CO2 alone (not CO2e, the other greenhouse gases with it): the
#: pages name the gas of the method shown (:func:`co2_unit`).
CO2_ONLY_METHODS = frozenset({"eea"})


def co2_unit(method: str) -> str:
    """The gas a method counts: ``CO2`` alone, or ``CO2e`` (every greenhouse gas)."""
    return "CO2" if method in CO2_ONLY_METHODS else "CO2e"


_OEFDB = "https://github.com/climatiq/Open-Emission-Factors-DB"
_ADEME = "ADEME Base Carbone 2021 (base climatiq OEFDB du 12/05/2022)"
_DESNZ = (
    "Facteurs GES du gouvernement britannique 2021, BEIS/DESNZ (base climatiq OEFDB du 12/05/2022)"
)


@dataclass(frozen=True, slots=True)
class Factor:
    """One published factor.

    ``mode`` is "air" or "rail"; ``route`` "any", "domestic" or "international"; for air,
    the band is ``min_km <= flown km < max_km`` (``max_km`` None: no upper bound); for rail,
    ``country`` is an ISO code or "" for the factor used where the method has no country one.
    """

    method: str
    mode: str
    kg_per_pkm: float
    scope: str
    source: str
    year: int
    country: str = ""
    route: str = "any"
    min_km: float = 0.0
    max_km: float | None = None
    label: str = ""
    source_url: str = ""


_ADEME_RAIL = {
    "AT": 0.0235, "BE": 0.0484, "DE": 0.0668, "DK": 0.114, "ES": 0.0514, "FI": 0.0452,
    "GB": 0.075, "GR": 0.0662, "IE": 0.0388, "IT": 0.0317, "LU": 0.0397, "NL": 0.0763,
    "NO": 0.04, "PT": 0.0615, "SE": 0.0129, "FR": 0.00592,
}  # fmt: skip
_AIR_RF = "CO2e, avec effets hors CO2 (effet radiatif des traînées et des oxydes d'azote)"
_AIR_NO_RF = "CO2e, sans effets hors CO2"
_RAIL_SCOPE = "CO2e, électricité ou gazole de traction"
EEA_URL = "https://www.eea.europa.eu/media/infographics/co2-emissions-from-passenger-transport/view"
_EEA = (
    "Agence européenne pour l'environnement (AEE), infographie sur le CO2 du transport de "
    "passagers (TERM 2014)"
)
_EEA_AIR = "CO2 seul (pas CO2e), sans effets hors CO2 ; un seul chiffre pour toutes les distances"
_EEA_RAIL = "CO2 seul (pas CO2e), moyenne européenne ; un seul chiffre pour tous les pays"

PUBLISHED_FACTORS: tuple[Factor, ...] = (
    Factor("ademe", "air", 0.258, _AIR_RF, _ADEME, 2021, min_km=0, max_km=1000,
           label="Short-haul flight (<1000km) with RF effect"),
    Factor("ademe", "air", 0.187, _AIR_RF, _ADEME, 2021, min_km=1000, max_km=3500,
           label="Medium-haul flight (>1000km <3500km) with RF effect"),
    Factor("ademe", "air", 0.152, _AIR_RF, _ADEME, 2021, min_km=3500,
           label="Long-haul-flight (>3500km) with RF effect"),
    *(
        Factor("ademe", "rail", value, _RAIL_SCOPE, _ADEME, 2021, country=country,
               label="Mainline train" if country == "FR" else "Electric passenger train")
        for country, value in _ADEME_RAIL.items()
    ),
    Factor("ademe", "rail", round(sum(_ADEME_RAIL.values()) / len(_ADEME_RAIL), 5), _RAIL_SCOPE,
           "ADEME Base Carbone 2021: mean of its country factors", 2021,
           label="Mean of the country factors"),
    Factor("desnz", "air", 0.24455, _AIR_RF, _DESNZ, 2021, route="domestic",
           label="Domestic flight - with RF effect"),
    Factor("desnz", "air", 0.15276, _AIR_RF, _DESNZ, 2021, route="international", max_km=3700,
           label="International short-haul flight - with RF effect"),
    Factor("desnz", "air", 0.19212, _AIR_RF, _DESNZ, 2021, route="international", min_km=3700,
           label="International long-haul flight - with RF effect"),
    Factor("desnz", "rail", 0.0351, _RAIL_SCOPE, _DESNZ, 2021, route="domestic",
           label="National rail passenger train"),
    Factor("desnz", "rail", 0.00441, _RAIL_SCOPE, _DESNZ, 2021, route="international",
           label="International rail passenger train"),
    Factor("desnz_no_rf", "air", 0.12871, _AIR_NO_RF, _DESNZ, 2021, route="domestic",
           label="Domestic flight - without RF effect"),
    Factor("desnz_no_rf", "air", 0.0804, _AIR_NO_RF, _DESNZ, 2021, route="international",
           max_km=3700, label="International short-haul flight - without RF effect"),
    Factor("desnz_no_rf", "air", 0.10111, _AIR_NO_RF, _DESNZ, 2021, route="international",
           min_km=3700, label="International long-haul flight - without RF effect"),
    Factor("desnz_no_rf", "rail", 0.0351, _RAIL_SCOPE, _DESNZ, 2021, route="domestic",
           label="National rail passenger train"),
    Factor("desnz_no_rf", "rail", 0.00441, _RAIL_SCOPE, _DESNZ, 2021, route="international",
           label="International rail passenger train"),
    Factor("eea", "air", 0.285, _EEA_AIR, _EEA, 2014, label="Aircraft: 285 g CO2 per passenger-km",
           source_url=EEA_URL),
    Factor("eea", "rail", 0.014, _EEA_RAIL, _EEA, 2014, label="Rail: 14 g CO2 per passenger-km",
           source_url=EEA_URL),
)  # fmt: skip

SOURCE_URL = _OEFDB


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
