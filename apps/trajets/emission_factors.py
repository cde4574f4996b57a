"""The one table of CO2 factors: its methods, its seeding, its fingerprint.

``ensure_factors`` writes :data:`~apps.trajets.etl.harmonise.co2.PUBLISHED_FACTORS` to
``EmissionFactor``: a missing row is created, and a row whose published values (factor, band,
scope, label, source, year) differ from the code's is corrected, so a correction made in the
code reaches the database at the next ETL run or atlas refresh. Rows the code does not publish
(added through the admin) are left alone.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from apps.trajets.etl.harmonise.co2 import DEFAULT_METHOD, PUBLISHED_FACTORS, SOURCE_URL, Factor
from apps.trajets.models import EmissionFactor
from obrail import derived

__all__ = [
    "DEFAULT_METHOD",
    "METHODS",
    "FactorSeeding",
    "ensure_factors",
    "factors_fingerprint",
    "method_label",
]

logger = logging.getLogger(__name__)

#: Every method of the factor table and what it counts, in the pages' words.
METHODS = {
    "ademe": _("ADEME Base Carbone (avion avec effets hors CO2)"),
    "desnz": _("DESNZ, gouvernement britannique (avion avec effets hors CO2)"),
    "desnz_no_rf": _("DESNZ, gouvernement britannique (avion sans effets hors CO2)"),
    "eea": _(
        "AEE, Agence européenne pour l'environnement (CO2 seul, sans effets hors CO2 ; "
        "un seul chiffre par mode, quels que soient la distance et le pays)"
    ),
}


def method_label(method: str) -> str:
    """The method's name for pages and API answers (the code itself when it is unknown)."""
    return str(METHODS.get(method, method))


@dataclass(frozen=True, slots=True)
class FactorSeeding:
    """How many published factors ``ensure_factors`` created and corrected."""

    created: int
    updated: int


def _published_values(factor: Factor) -> dict[str, object]:
    return {
        "max_distance_km": factor.max_km,
        "kg_co2e_per_passenger_km": factor.kg_per_pkm,
        "scope": factor.scope,
        "label": factor.label,
        "source_name": factor.source,
        "source_url": factor.source_url or SOURCE_URL,
        "year": factor.year,
    }


@derived.bulk_change()  # the published factors are not an edit
def ensure_factors() -> FactorSeeding:
    """Write the published factors: create the missing ones, correct those whose published
    values changed (idempotent: a second call writes nothing)."""
    stored = {
        (r.method, r.mode, r.route, r.country, float(r.min_distance_km)): r
        for r in EmissionFactor.objects.all()
    }
    created: list[EmissionFactor] = []
    changed: list[EmissionFactor] = []
    for factor in PUBLISHED_FACTORS:
        values = _published_values(factor)
        row = stored.get(factor.key)
        if row is None:
            created.append(
                EmissionFactor(
                    method=factor.method,
                    mode=factor.mode,
                    route=factor.route,
                    country=factor.country,
                    min_distance_km=factor.min_km,
                    **values,
                )
            )
            continue
        if any(getattr(row, name) != value for name, value in values.items()):
            logger.info(
                "emission factor corrected to its published values",
                extra={"factor_id": row.pk, "method": factor.method, "mode": factor.mode},
            )
            for name, value in values.items():
                setattr(row, name, value)
            changed.append(row)
    if created or changed:
        with transaction.atomic():
            # save(): the admin's and the atlas's receivers see each change.
            for row in (*created, *changed):
                row.save()
    return FactorSeeding(created=len(created), updated=len(changed))


def factors_fingerprint() -> str:
    """A digest of every stored factor: it changes when a factor is corrected."""
    rows = EmissionFactor.objects.order_by("pk").values_list(
        "pk",
        "method",
        "mode",
        "route",
        "country",
        "min_distance_km",
        "max_distance_km",
        "kg_co2e_per_passenger_km",
    )
    return hashlib.sha256(repr(list(rows)).encode()).hexdigest()
