"""The published CO2 factors of every method, and the rail CO2 of a trip (no Django).

:data:`PUBLISHED_FACTORS` is the one set of factors of the project, in kg CO2e (or CO2, for the
EEA) per passenger-km, each with its method, source, year and scope; ``ensure_factors``
(:mod:`apps.trajets.emission_factors`) writes them to the ``EmissionFactor`` table, which the
ETL, the atlas and the routing answers read. Values copied from the Open Emission Factors DB
(climatiq, CC BY-SA 4.0, snapshot 2022-05-12, whose rows cite their publisher), except the EEA's.

* ``ademe``: ADEME Base Carbone (2021). Air **with** its non-CO2 effects (radiative forcing),
  bands < 1000 km, 1000-3500 km, > 3500 km; rail per country (electricity mix).
* ``desnz``: UK Government GHG conversion factors (BEIS, now DESNZ, 2021). Air with radiative
  forcing: domestic, short-haul (< 3700 km) and long-haul; rail: UK national rail for a pair in
  one country, international rail (Eurostar) for a pair across a border.
* ``desnz_no_rf``: the same DESNZ factors **without** the non-CO2 effects of aviation.
* ``eea``: the European Environment Agency's infographic "CO2 emissions from passenger
  transport" (published with TERM 2014): CO2 only, no non-CO2 effects, **one figure per mode**
  for every distance and country (air 285 g, rail 14 g CO2 per passenger-km): :data:`EEA_URL`.

The ETL prices a trajet's rail CO2 under :data:`DEFAULT_METHOD` (:func:`estimate_rail_co2`);
its flight equivalent follows the atlas's rule and is written after each atlas recomputation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = [
    "DEFAULT_FACTORS",
    "DEFAULT_METHOD",
    "EEA_URL",
    "PUBLISHED_FACTORS",
    "SOURCE_URL",
    "EmissionFactor",
    "Factor",
    "RailCo2",
    "estimate_rail_co2",
]

#: The method of the figures the trajets, the dashboard and the routing answers show.
DEFAULT_METHOD = "ademe"

SOURCE_URL = "https://github.com/climatiq/Open-Emission-Factors-DB"
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

    @property
    def key(self) -> tuple[str, str, str, str, float]:
        """What identifies the factor in the table (its unique constraint)."""
        return (self.method, self.mode, self.route, self.country, float(self.min_km))


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
           "ADEME Base Carbone 2021 : moyenne de ses facteurs par pays", 2021,
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


@dataclass(frozen=True, slots=True)
class EmissionFactor:
    """A rail factor of the default method as the ETL keys it (``rail:<ISO>``, ``rail:default``)."""

    key: str
    kg_per_pkm: float
    source: str
    region: str
    year: int


#: The rail factors of :data:`DEFAULT_METHOD` by ETL key: ``rail:<ISO>``, and ``rail:default``
#: (the method's factor without a country) where a country has none.
DEFAULT_FACTORS: Mapping[str, EmissionFactor] = {
    f"rail:{f.country or 'default'}": EmissionFactor(
        f"rail:{f.country or 'default'}", f.kg_per_pkm, f.source, f.country, f.year
    )
    for f in PUBLISHED_FACTORS
    if f.method == DEFAULT_METHOD and f.mode == "rail" and f.route == "any"
}


@dataclass(frozen=True, slots=True)
class RailCo2:
    """Rail CO2 per passenger (kg) with the factors used."""

    rail_kg: float
    rail_factor_keys: tuple[str, ...]


def _rail_factor(country: str | None, factors: Mapping[str, EmissionFactor]) -> EmissionFactor:
    found = factors.get(f"rail:{country}") if country else None
    if found is not None:
        return found
    fallback = factors.get("rail:default")
    if fallback is not None:
        return fallback
    rail = [f.kg_per_pkm for k, f in factors.items() if k.startswith("rail:")]
    mean = sum(rail) / len(rail)
    return EmissionFactor("rail:default", mean, "mean of the country factors", "", 0)


def estimate_rail_co2(
    *,
    legs: Sequence[tuple[float, str | None]],
    factors: Mapping[str, EmissionFactor] = DEFAULT_FACTORS,
) -> RailCo2:
    """Return CO2 per passenger for the train.

    ``legs`` are ``(distance_km, country)`` between consecutive stops: each leg uses the rail
    factor of the country it starts in, or the method's factor without a country when that
    country has none.
    """
    rail_kg = 0.0
    keys: list[str] = []
    for distance, country in legs:
        factor = _rail_factor(country, factors)
        rail_kg += distance * factor.kg_per_pkm
        if factor.key not in keys:
            keys.append(factor.key)
    return RailCo2(round(rail_kg, 3), tuple(keys))
