"""The trajets filter form as the pages show it: the shared FilterSet's fields (the API's
codes stay the values) presented in plain French — lists of names instead of typed codes,
help in words, the sort left to the column headers, the advanced fields folded away.

There is still one filter definition (:class:`apps.trajets.filters.TrajetFilterSet`); this
module only changes how its form is presented on the pages.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.forms import BoundField
from django.utils.translation import gettext_lazy as _

from apps.trajets.filter_choices import country_choices, kind_choices, operator_choices
from apps.trajets.filters import TrajetFilterSet
from obrail.formatting import country_name

__all__ = [
    "ADVANCED_FIELDS",
    "MAIN_FIELDS",
    "FilterLayout",
    "present_filter_form",
]

#: Always shown, in this order.
MAIN_FIELDS = ("origin", "destination", "kind", "country", "operator")
#: Folded in "Plus de critères" unless one of them is used.
ADVANCED_FIELDS = (
    "q",
    "mode",
    "period",
    "date",
    "week",
    "month",
    "start",
    "end",
    "departure_after",
    "departure_before",
    "min_duration",
    "max_duration",
    "min_distance",
    "max_distance",
)
#: Set by clicking a column header; carried as a hidden field so that filtering keeps it.
SORT_FIELD = "ordering"

PAGE_LABELS = {
    "origin": _("Départ de"),
    "destination": _("Arrivée à"),
    "kind": _("Jour ou nuit"),
    "mode": _("Modes"),
    "q": _("Numéro ou catégorie de train"),
    "start": _("Début de la période"),
    "end": _("Fin de la période"),
    "departure_after": _("Départ à partir de"),
    "departure_before": _("Départ au plus tard à"),
    "min_duration": _("Durée minimale (minutes)"),
    "max_duration": _("Durée maximale (minutes)"),
    "min_distance": _("Distance minimale (km)"),
    "max_distance": _("Distance maximale (km)"),
}
PAGE_HELP = {
    "origin": _("Ville ou gare, en français, en anglais ou dans la langue du pays (Vienne, "
                "Vienna, Wien)."),
    "destination": _("Ville ou gare, dans la langue de votre choix."),
    "country": _(
        "Au départ, à l'arrivée ou à un arrêt. Entre parenthèses, les trains de la semaine type."
    ),
    "operator": _("Entre parenthèses, les trains de la semaine type."),
    "kind": "",
    "mode": _("Sans choix, les trains seulement : les cars et tram-trains des horaires ne "
              "sont comptés que si vous les cochez."),
    "q": _("Par exemple 453, TGV ou Nightjet."),
    "period": _("Par défaut, la semaine type de chaque source : la semaine où ses trains "
                "font le plus de départs."),
    "date": _("Les trains qui circulent ce jour-là."),
    "week": _("Du lundi au dimanche autour de ce jour."),
    "month": _("Les trains qui circulent au moins un jour de ce mois."),
    "start": _("Avec une date de fin, un an au plus."),
    "end": _("Ce jour compris."),
    "departure_after": _("Heure locale de la gare de départ."),
    "departure_before": _("Plus tôt que l'heure « à partir de » : la plage passe minuit "
                          "(par exemple de 22:00 à 02:00)."),
    "min_duration": "",
    "max_duration": "",
    "min_distance": "",
    "max_distance": "",
}  # fmt: skip


@dataclass(frozen=True)
class FilterLayout:
    """The form's fields in the groups the page shows."""

    main: tuple[BoundField, ...]
    advanced: tuple[BoundField, ...]
    is_advanced_open: bool
    sort: str
    #: How many filters the request sets (shown on the folded panel of small screens).
    active_count: int


class _CodeSelect(forms.Select):
    """A list of codes that shows a code typed in another case as selected (``fr`` is FR)."""

    def format_value(self, value: object) -> list[str]:
        return [str(item).upper() for item in super().format_value(value)]


def _select(
    empty_label: str,
    options: list[tuple[str, str]],
    current: str,
    current_label: str,
    *,
    widget: type[forms.Select] = forms.Select,
) -> forms.Select:
    """A list whose first option means "no filter"; a value given in the URL that the list
    lacks (a country without trains) is kept as an option, so filtering again keeps it."""
    if current and current not in {value for value, _label in options}:
        options = [*options, (current, current_label)]
    return widget(choices=[("", empty_label), *options])


PERIOD_FIELDS = ("period", "date", "week", "month", "start", "end")


def present_period_fields(form: forms.Form) -> None:
    """Give the period fields their page help (the indicators page shows only those), and
    let the form's messages name fields by their labels."""
    form.names_fields_by_label = True
    for name in ("start", "end"):
        form.fields[name].label = PAGE_LABELS[name]
    for name in PERIOD_FIELDS:
        form.fields[name].help_text = PAGE_HELP[name]


def present_filter_form(filterset: TrajetFilterSet) -> FilterLayout:
    """Give the shared filter form its page labels, lists and help; return its layout."""
    form = filterset.form
    data = filterset.data
    fields = form.fields
    country = (data.get("country") or "").strip().upper()
    fields["country"].widget = _select(
        str(_("Tous les pays")),
        [(c.value, c.label) for c in country_choices()],
        country,
        country_name(country),
        widget=_CodeSelect,
    )
    operator = (data.get("operator") or "").strip()
    fields["operator"].widget = _select(
        str(_("Tous les opérateurs")),
        [(c.value, c.label) for c in operator_choices()],
        operator,
        operator,
    )
    fields["kind"].empty_label = _("Jour et nuit")  # django-filter puts it first
    fields["kind"].choices = kind_choices()
    fields["kind"].error_messages["invalid_choice"] = _(
        "choisissez dans la liste : trains de jour, de nuit, ou de nuit sans couchette connue."
    )
    fields["mode"].widget = forms.CheckboxSelectMultiple(choices=fields["mode"].choices)
    present_period_fields(form)
    for name, label in PAGE_LABELS.items():
        fields[name].label = label
    for name, help_text in PAGE_HELP.items():
        fields[name].help_text = help_text
    main = tuple(form[name] for name in MAIN_FIELDS)
    advanced = tuple(form[name] for name in ADVANCED_FIELDS)
    used = [field for field in (*main, *advanced) if str(data.get(field.name) or "").strip()]
    return FilterLayout(
        main=main,
        advanced=advanced,
        is_advanced_open=any(field in used or field.errors for field in advanced),
        # A sort the form refused is not sent back: the next "Filtrer" drops it.
        sort="" if form.errors.get(SORT_FIELD) else str(data.get(SORT_FIELD) or ""),
        active_count=len(used),
    )
