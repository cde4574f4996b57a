"""An emission factor in the page's language: what it covers and where it is published.

The ETL names its factors in English (``Train FR``, ``Flight short``, a publication
``ADEME (mean of country factors) 2021 via …``); pages say what a factor covers from its
fields (mode, country, distance band) instead, so that a French page stays French.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from apps.trajets.models import EmissionFactor
from obrail.formatting import country_name, decimal

__all__ = ["FactorText", "factor_text"]

# The ETL's note on the European rail default: the scope says it in words.
_MEAN_NOTE = re.compile(r"\s*\(mean of country factors\)")


@dataclass(frozen=True)
class FactorText:
    """What a factor covers (``France``, ``vol de moins de 1 000 km``) and its publication."""

    scope: str
    source: str


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
    return FactorText(scope, _MEAN_NOTE.sub("", factor.source_name))
