"""The method picker of the pages and the simulator's form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.atlas.services import METHODS

THRESHOLDS = (
    ("150", _("2 h 30 (loi française de 2021)")),
    ("180", _("3 h")),
    ("240", _("4 h")),
    ("360", _("6 h")),
    ("", _("aucun seuil (train de nuit seulement)")),
)


#: The simulator's scopes and country codes, for the page's form and the API's serializer.
SCOPES = (
    ("domestic", _("intérieures au pays")),
    ("international", _("au départ ou à destination du pays")),
)
COUNTRY_PATTERN = r"^[A-Za-z]{2}$"


class MethodForm(forms.Form):
    """Which CO2 method the page shows."""

    method = forms.ChoiceField(
        label=_("Méthode de calcul du CO2"),
        choices=list(METHODS.items()),
        initial="ademe",
        required=False,
    )

    def chosen_method(self) -> str:
        """The chosen method (the default when the form is empty)."""
        return (self.cleaned_data.get("method") if self.is_valid() else "") or "ademe"


class PageForm(forms.Form):
    """The page of the pair list (the first when absent)."""

    page = forms.IntegerField(label=_("Page"), min_value=1, max_value=10_000_000, required=False)

    def number(self) -> int:
        """The page asked for (1 when the form is empty or invalid)."""
        return (self.cleaned_data.get("page") if self.is_valid() else None) or 1


class PolicyForm(MethodForm):
    """A rule on flights: a rail-time threshold, the night-train option, the scope."""

    threshold_min = forms.TypedChoiceField(
        label=_("Interdire le vol quand le train met au plus"),
        choices=THRESHOLDS,
        coerce=int,
        empty_value=None,
        initial="150",
        required=False,
    )
    night_train = forms.BooleanField(
        label=_("… ou quand un train de nuit direct relie les deux villes"), required=False
    )
    scope = forms.ChoiceField(
        label=_("Liaisons concernées"),
        choices=SCOPES,
        initial="domestic",
        required=False,
    )
    country = forms.RegexField(
        label=_("Pays (code ISO)"),
        regex=COUNTRY_PATTERN,
        initial="FR",
        max_length=2,
        required=False,
        error_messages={"invalid": _("code pays ISO à deux lettres attendu.")},
    )
