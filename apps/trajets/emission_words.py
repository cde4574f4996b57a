"""An emission factor in the page's language: what it covers, where it is published, its
method; and why a trajet has no flight equivalent.

Factors carry their publisher's English labels (``Mainline train``); pages say what a factor
covers from its fields (mode, country, distance band) instead, so that a French page stays
French.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from apps.trajets.emission_factors import method_label
from apps.trajets.models import EmissionFactor, FlightEquivalent, ImportRun, Trajet
from obrail.formatting import country_name, decimal

__all__ = ["FactorText", "factor_text", "flight_equivalent_note"]


@dataclass(frozen=True)
class FactorText:
    """What a factor covers (``France``, ``vol de moins de 1 000 km``), its publication, the
    name of its method and its value (``0,258 kg par passager-km``)."""

    scope: str
    source: str
    method: str
    value: str = ""


def _km(value: float) -> str:
    return decimal(value, 0, grouping=True)


def factor_text(factor: EmissionFactor) -> FactorText:
    """The factor's scope from its mode, country and distance band, and its publication."""
    if factor.mode == EmissionFactor.Mode.RAIL:
        scope = country_name(factor.country) if factor.country else _("moyenne des pays européens")
    elif factor.max_distance_km is None:
        scope = _("vol de plus de %(km)s km") % {"km": _km(factor.min_distance_km)}
    elif not factor.min_distance_km:
        scope = _("vol de moins de %(km)s km") % {"km": _km(factor.max_distance_km)}
    else:
        scope = _("vol de %(low)s à %(high)s km") % {
            "low": _km(factor.min_distance_km),
            "high": _km(factor.max_distance_km),
        }
    value = _("%(value)s kg par passager-km") % {
        "value": number_format(factor.kg_co2e_per_passenger_km, use_l10n=True)
    }
    return FactorText(scope, factor.source_name, method_label(factor.method), value)


#: The air data's airports file (``apps.atlas.loading``): without a successful load of it,
#: no town is served by an airport.
AIRPORTS_SOURCE = "openflights-airports"


def _air_data_loaded() -> bool:
    return ImportRun.objects.filter(
        source__name=AIRPORTS_SOURCE, status=ImportRun.Status.SUCCEEDED
    ).exists()


def flight_equivalent_note(trajet: Trajet) -> str | None:
    """Why the trajet has no flight equivalent (None when it has one), in the page's words."""
    if trajet.co2_flight_kg is not None:
        return None
    if not FlightEquivalent.objects.exists() and not _air_data_loaded():
        return _(
            "Pas de vol équivalent : les données aériennes (aéroports et trafic) ne sont pas "
            "chargées, aucun trajet n'a donc de vol équivalent."
        )
    origin, destination = trajet.origin.place, trajet.destination.place
    if origin is None or destination is None:
        return _(
            "Pas de vol équivalent : une gare d'extrémité n'est rattachée à aucune ville, la "
            "règle de l'atlas ne peut pas s'appliquer."
        )
    if origin.pk == destination.pk:
        return _("Pas de vol équivalent : le départ et l'arrivée sont dans la même ville.")
    return _(
        "Pas de vol équivalent : %(origin)s et %(destination)s ne sont pas toutes deux "
        "desservies par un aéroport des données aériennes chargées (règle de l'atlas « Rail "
        "ou avion » : un aéroport dessert, dans un rayon de 70 km, la ville dont la population "
        "divisée par le carré de la distance est la plus grande)."
    ) % {"origin": origin.name, "destination": destination.name}
