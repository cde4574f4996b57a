"""An emission factor in the page's language: what it covers, where it is published, its
method; and why a trajet has no flight equivalent.

Factors carry their publisher's English labels (``Mainline train``); pages say what a factor
covers from its fields (mode, country, distance band) instead, so that a French page stays
French.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from apps.trajets.emission_factors import method_label
from apps.trajets.models import EmissionFactor, FlightEquivalent, Trajet
from obrail.formatting import country_name, decimal

__all__ = ["FactorText", "factor_text", "flight_equivalent_note"]


@dataclass(frozen=True)
class FactorText:
    """What a factor covers (``France``, ``vol de moins de 1 000 km``), its publication and
    the name of its method."""

    scope: str
    source: str
    method: str


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
    return FactorText(scope, factor.source_name, method_label(factor.method))


def flight_equivalent_note(trajet: Trajet) -> str | None:
    """Why the trajet has no flight equivalent (None when it has one), in the page's words."""
    if trajet.co2_flight_kg is not None:
        return None
    if not FlightEquivalent.objects.exists():
        return _(
            "Pas de vol équivalent : les données aériennes (aéroports et trafic) ne sont pas "
            "chargées, aucun trajet n'a donc de vol équivalent."
        )
    origin, destination = trajet.origin.place_id, trajet.destination.place_id
    if origin is None or destination is None:
        return _(
            "Pas de vol équivalent : une gare d'extrémité n'est rattachée à aucune ville, la "
            "règle de l'atlas ne peut pas s'appliquer."
        )
    if origin == destination:
        return _("Pas de vol équivalent : le départ et l'arrivée sont dans la même ville.")
    return _(
        "Pas de vol équivalent : les villes de départ et d'arrivée ne sont pas desservies "
        "chacune par un aéroport (règle de l'atlas « Rail ou avion »), on n'y prend pas "
        "l'avion entre elles."
    )
