"""Indicator tables derived from the trajets."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.trajets.models import ServiceKind


class VolumeSummary(models.Model):
    """Volumes of the trains in their source's typical week, per source, operator, country of
    origin, kind and country served.

    Rebuilt after each import for the ``data_version`` it was computed from (see
    ``apps.stats.services.rebuild_volume_summary``): indicators of the default period filtered
    only on operator, kind and country are summed from a few thousand rows instead of scanning
    every trajet. Rows with an empty ``served_country`` count every train once; the others
    count the trains serving that country (origin, destination or any stop), once per country.
    ``week_start`` is the Monday of the source's typical week the row counts.
    """

    data_version = models.PositiveBigIntegerField(_("version des données"))
    source = models.ForeignKey(
        "trajets.DataSource", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    source_name = models.CharField(_("source"), max_length=80)
    week_start = models.DateField(_("semaine type (lundi)"))
    operator = models.ForeignKey(
        "trajets.Operator", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    operator_code = models.CharField(_("code de l'opérateur"), max_length=40)
    operator_name = models.CharField(_("nom de l'opérateur"), max_length=200)
    origin_country = models.CharField(_("pays d'origine"), max_length=2)
    kind = models.CharField(_("type"), max_length=9, choices=ServiceKind.choices)
    served_country = models.CharField(_("pays desservi"), max_length=2, blank=True)
    services = models.PositiveIntegerField(_("trains circulant dans la semaine"))
    departures = models.PositiveBigIntegerField(_("départs dans la semaine"))
    km_served = models.FloatField(_("train-km dans la semaine"))

    class Meta:
        verbose_name = _("synthèse des volumes")
        verbose_name_plural = _("synthèses des volumes")
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "data_version",
                    "served_country",
                    "source",
                    "operator",
                    "origin_country",
                    "kind",
                ],
                name="volumesummary_unique_cell",
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.source_name} {self.operator_code} {self.origin_country} {self.kind} "
            f"{self.served_country}"
        )
