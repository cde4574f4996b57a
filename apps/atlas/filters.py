"""The one FilterSet of the city-pair list, shared by ``/api/pairs`` and the page."""

from __future__ import annotations

from typing import Any

import django_filters
from django.core.validators import RegexValidator
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from apps.atlas.models import CityPair
from apps.places.models import Place
from apps.places.services import search_key
from apps.trajets.web import CountryFilter
from obrail.api.filters import LightFilterSet

__all__ = ["ORDERINGS", "CityPairFilterSet"]

#: ``ordering`` values -> the fields they sort by (ties by id).
ORDERINGS = {
    "passengers": ("air_passengers",),
    "rail": ("rail_fastest_min",),
    "distance": ("distance_km",),
    "name": ("a_name", "b_name"),
    "flight": ("flight_door_min",),
}
_ORDERING_LABELS = {
    "passengers": _("passagers aériens croissants"),
    "rail": _("train le plus rapide, croissant"),
    "distance": _("distance croissante"),
    "name": _("villes de A à Z"),
    "flight": _("avion de porte à porte, croissant"),
    "-passengers": _("passagers aériens décroissants"),
    "-rail": _("train le plus rapide, décroissant"),
    "-distance": _("distance décroissante"),
    "-name": _("villes de Z à A"),
    "-flight": _("avion de porte à porte, décroissant"),
}
_ORDERING_CHOICES = [
    (value, _ORDERING_LABELS[value]) for value in (*ORDERINGS, *(f"-{key}" for key in ORDERINGS))
]


class YesNoFilter(django_filters.ChoiceFilter):
    """``true`` or ``false`` (empty: either); any other value is refused, never read as
    "either" (django-filter's BooleanFilter ignores ``night=-1``: found by schemathesis)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("choices", [("true", _("oui")), ("false", _("non"))])
        kwargs.setdefault("empty_label", "—")
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet, value: str) -> QuerySet:
        if value in ("", None):
            return qs
        return qs.filter(**{self.field_name: value == "true"})


class CityPairFilterSet(LightFilterSet):
    """Filters of the city pairs: a city, a country, the rail status and time, traffic."""

    q = django_filters.CharFilter(
        method="filter_city",
        label=_("Ville"),
        max_length=100,
        validators=[RegexValidator(r"^[^\x00]*$", _("caractère nul interdit."))],
        help_text=_("Nom d'une des deux villes, dans toute langue (Wien, Vienne, Vienna)."),
    )
    country = CountryFilter(
        method="filter_country",
        label=_("Pays"),
        max_length=2,
        help_text=_("Code ISO à deux lettres d'un des deux pays (FR, ES…)."),
    )
    domestic = YesNoFilter(field_name="is_domestic", label=_("Liaison intérieure"))
    rail = django_filters.ChoiceFilter(
        field_name="rail_status",
        label=_("Train"),
        choices=CityPair.RailStatus.choices,
        empty_label="—",
    )
    max_rail_min = django_filters.NumberFilter(
        field_name="rail_fastest_min",
        lookup_expr="lte",
        label=_("Train le plus rapide, au plus (minutes)"),
        min_value=0,
        max_value=10080,
    )
    min_passengers = django_filters.NumberFilter(
        field_name="air_passengers",
        lookup_expr="gte",
        label=_("Passagers aériens, au moins"),
        min_value=0,
        max_value=100_000_000,
    )
    night = YesNoFilter(field_name="night_train", label=_("Train de nuit direct"))
    ordering = django_filters.ChoiceFilter(
        method="filter_ordering",
        label=_("Tri"),
        choices=_ORDERING_CHOICES,
        empty_label=_("passagers aériens décroissants"),
    )

    class Meta:
        model = CityPair
        fields: list[str] = []

    def filter_city(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        ids = Place.objects.filter(names__key__startswith=search_key(value)).values("geonames_id")
        return queryset.filter(
            Q(a_geonames_id__in=ids)
            | Q(b_geonames_id__in=ids)
            | Q(a_name__istartswith=value)
            | Q(b_name__istartswith=value)
        )

    def filter_country(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Q(a_country=value) | Q(b_country=value))

    def filter_ordering(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        descending = value.startswith("-")
        expressions = [
            F(field).desc(nulls_last=True) if descending else F(field).asc(nulls_last=True)
            for field in ORDERINGS[value.lstrip("-")]
        ]
        return queryset.order_by(*expressions, "id")
