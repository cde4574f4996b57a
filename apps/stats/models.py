"""Indicator tables derived from the trajets."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.trajets.models import ServiceKind


class VolumeSummary(models.Model):
    """Volumes of the trajets per operator, country of origin, kind and country served.

    Rebuilt after each import for the ``data_version`` it was computed from (see
    ``apps.stats.services.rebuild_volume_summary``): indicators filtered only on these
    dimensions are summed from a few thousand rows instead of scanning every trajet. Rows with
    an empty ``served_country`` count every trajet once; the others count the trajets serving
    that country (origin, destination or any stop), once per country.
    """

    data_version = models.PositiveBigIntegerField(_("version des données"))
    operator = models.ForeignKey(
        "trajets.Operator", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    operator_code = models.CharField(_("code de l'opérateur"), max_length=40)
    operator_name = models.CharField(_("nom de l'opérateur"), max_length=200)
    origin_country = models.CharField(_("pays d'origine"), max_length=2)
    kind = models.CharField(_("type"), max_length=9, choices=ServiceKind.choices)
    served_country = models.CharField(_("pays desservi"), max_length=2, blank=True)
    services = models.PositiveIntegerField(_("services"))
    weekly_departures = models.PositiveBigIntegerField(_("départs par semaine"))
    km_served = models.FloatField(_("km par semaine"))

    class Meta:
        verbose_name = _("synthèse des volumes")
        verbose_name_plural = _("synthèses des volumes")
        constraints = [
            models.UniqueConstraint(
                fields=["data_version", "served_country", "operator", "origin_country", "kind"],
                name="volumesummary_unique_cell",
            )
        ]

    def __str__(self) -> str:
        return f"{self.operator_code} {self.origin_country} {self.kind} {self.served_country}"
