"""Places (towns and cities) that stations serve, with their names in several languages."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

COUNTRY_CODE_PATTERN = r"^[A-Z]{2}$"


class Place(models.Model):
    """A town or city from GeoNames; its stations are the stations that serve it."""

    geonames_id = models.PositiveIntegerField(_("identifiant GeoNames"), unique=True)
    name = models.CharField(_("nom"), max_length=200)
    country = models.CharField(_("pays"), max_length=2)
    latitude = models.FloatField(
        _("latitude"), validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    longitude = models.FloatField(
        _("longitude"), validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    population = models.PositiveIntegerField(_("population"), default=0)

    class Meta:
        ordering = ["name", "country"]
        verbose_name = _("lieu")
        verbose_name_plural = _("lieux")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__gte=-90, latitude__lte=90)
                & models.Q(longitude__gte=-180, longitude__lte=180),
                name="place_coordinates_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.country})"


class PlaceName(models.Model):
    """One name of a place (any language, Latin, Cyrillic or Greek script) and its search key."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="names")
    name = models.CharField(_("nom"), max_length=200)
    key = models.CharField(_("clé de recherche"), max_length=200)

    class Meta:
        ordering = ["place", "name"]
        verbose_name = _("nom de lieu")
        verbose_name_plural = _("noms de lieux")
        constraints = [
            models.UniqueConstraint(fields=["place", "name"], name="placename_unique_name"),
        ]
        indexes = [models.Index(fields=["key"], name="placename_key")]

    def __str__(self) -> str:
        return self.name
