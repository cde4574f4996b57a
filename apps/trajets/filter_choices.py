"""The lists the trajets page offers for the shared filters: countries and operators by name,
with how many trains each has, and service kinds in words.

The API keeps its codes (``country=AT``, ``operator=obb``, ``kind=night``); the page shows the
same values under the names people know ("Autriche (12 trains)", "ÖBB (8 trains)"). A count
is what the list shows for that choice by default: the trains of each source's typical week
(``period`` empty); a country or operator whose trains all run on other dates is listed with
0. Counts read every counted trajet, so they are cached until the next import.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.utils.formats import number_format
from django.utils.translation import ngettext

from apps.trajets.kinds import kind_trains
from apps.trajets.models import ServiceKind, Trajet, TrajetCountry
from apps.trajets.periods import PeriodChoice, PeriodKind, restrict_to_period
from obrail.caching import cached_until_next_import
from obrail.formatting import country_name

__all__ = [
    "Choice",
    "country_choices",
    "kind_choices",
    "operator_choices",
]


@dataclass(frozen=True)
class Choice:
    """One option of a list: the API's value, the name shown, and its number of trains."""

    value: str
    name: str
    count: int

    @property
    def label(self) -> str:
        """``Autriche (12 trains)``."""
        count = number_format(self.count, 0, use_l10n=True, force_grouping=True)
        return ngettext("%(name)s (%(count)s train)", "%(name)s (%(count)s trains)", self.count) % {
            "name": self.name,
            "count": count,
        }


def _sorted_by_name(choices: list[Choice]) -> list[Choice]:
    """Alphabetical order as a reader expects it ("Égypte" next to "Espagne", not after "Z")."""
    return sorted(choices, key=lambda choice: (_fold(choice.name), choice.value))


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _default_listing() -> QuerySet[Trajet]:
    """The trains the list shows without a period: one per train, in its source's typical
    week (as ``TrajetFilterSet`` restricts them)."""
    return restrict_to_period(Trajet.objects.counted(), PeriodChoice(PeriodKind.REFERENCE))


def _compute_country_choices() -> list[Choice]:
    def counts(trajets: QuerySet[Trajet]) -> dict[str, int]:
        rows = (
            TrajetCountry.objects.filter(trajet__in=trajets)
            .order_by()
            .values_list("country")
            .annotate(count=Count("trajet_id"))
        )
        return dict(rows)

    shown = counts(_default_listing())
    return _sorted_by_name(
        [
            Choice(code, country_name(code), shown.get(code, 0))
            for code in counts(Trajet.objects.counted())
        ]
    )


def _compute_operator_choices() -> list[Choice]:
    shown = dict(
        _default_listing().order_by().values_list("operator__code").annotate(count=Count("pk"))
    )
    rows = (
        Trajet.objects.counted()
        .order_by()
        .values_list("operator__code", "operator__name")
        .distinct()
    )
    return _sorted_by_name([Choice(code, name or code, shown.get(code, 0)) for code, name in rows])


def country_choices() -> list[Choice]:
    """Every country a counted train serves, by its name in the page's language."""
    return cached_until_next_import("filter-choices:countries", _compute_country_choices)


def operator_choices() -> list[Choice]:
    """Every operator running a counted train, by its common name."""
    return cached_until_next_import(
        "filter-choices:operators", _compute_operator_choices, per_language=False
    )


def kind_choices() -> list[tuple[str, str]]:
    """Service kinds in words, as the ``kind`` filter takes them."""
    return [(kind.value, kind_trains(kind)) for kind in ServiceKind]
