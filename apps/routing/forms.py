"""The route search form: shared validation for the page and the API."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.routing.pathfinding import JOURNEY_METHODS, METHODS, TRAIN_FILTERS
from apps.routing.services import CRITERIA
from apps.trajets.models import ServiceKind
from apps.trajets.services import KIND_TRAINS, NIGHT_TRAINS_ANY, DataCoverage

CRITERION_LABELS = {"time": _("Durée"), "distance": _("Distance"), "co2": _("CO2e")}
TRAIN_LABELS = {
    "all": _("Tous les trains"),
    "day": KIND_TRAINS[ServiceKind.DAY],
    "night": NIGHT_TRAINS_ANY,
}
#: The algorithms in words (the expert panel); the value stays the API's name.
METHOD_LABELS = {
    "dijkstra": _("Dijkstra"),
    "bellman_ford": _("Bellman-Ford (correction d'étiquettes, file)"),
    "lifo": _("correction d'étiquettes, pile"),
    "pape": _("correction d'étiquettes, D'Esopo-Pape"),
    "slf": _("correction d'étiquettes, petite étiquette en tête (SLF)"),
    "slf_lll": _("correction d'étiquettes, SLF et LLL"),
    "astar": _("A* (estimation à vol d'oiseau)"),
    "branch_and_bound": _("séparation et évaluation"),
    "backward_chaining": _("chaînage arrière (graphe sans circuit)"),
    "forward_chaining": _("chaînage avant (graphe sans circuit)"),
    "reaching": _("atteinte (graphe sans circuit)"),
    "scipy_limited": _("Dijkstra de SciPy, borné"),
    "blocks": _("horaires : CSA par blocs d'heures de départ"),
    "reference": _("horaires : CSA de référence, en Python"),
    "time_expanded": _("horaires : Dijkstra sur le graphe espace-temps"),
}
METHOD_CHOICES = [("", _("Automatique (méthode rapide)"))] + [
    (name, METHOD_LABELS.get(name, name)) for name in (*METHODS, *JOURNEY_METHODS)
]


DEPART_HELP = _("Laissez vide pour le plus court chemin sur le réseau, sans horaire.")


def present_depart_field(form: forms.Form, coverage: DataCoverage) -> None:
    """The departure picker opens on the dates the data covers (``min``/``max``) and its
    help names them; a date outside is still accepted and answered in words."""
    field = form.fields["depart"]
    if coverage.first is None or coverage.last is None:
        return
    field.widget.attrs.update(
        {"min": f"{coverage.first.isoformat()}T00:00", "max": f"{coverage.last.isoformat()}T23:59"}
    )
    field.help_text = _("%(help)s Horaires chargés : %(spans)s.") % {
        "help": DEPART_HELP,
        "spans": coverage.summary(),
    }


class RouteForm(forms.Form):
    """From, to, optional departure and options; stations stay text (id, UIC or name)."""

    origin = forms.CharField(label=_("Départ de"), max_length=200)
    destination = forms.CharField(label=_("Arrivée à"), max_length=200)
    depart = forms.DateTimeField(
        label=_("Partir après (heure locale)"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=DEPART_HELP,
    )
    criterion = forms.ChoiceField(
        label=_("Critère"),
        choices=[(c, CRITERION_LABELS[c]) for c in CRITERIA],
        initial="time",
        required=False,
    )
    trains = forms.ChoiceField(
        label=_("Trains"),
        choices=[(t, TRAIN_LABELS[t]) for t in TRAIN_FILTERS],
        initial="all",
        required=False,
    )
    max_transfers = forms.IntegerField(
        label=_("Correspondances au plus"), required=False, min_value=0, max_value=10
    )
    method = forms.ChoiceField(label=_("Algorithme"), choices=METHOD_CHOICES, required=False)

    def clean_criterion(self) -> str:
        """Default to time when the field is left out of the query string."""
        return self.cleaned_data["criterion"] or "time"

    def clean_trains(self) -> str:
        """Default to every train when the field is left out of the query string."""
        return self.cleaned_data["trains"] or "all"

    def clean_depart(self) -> dt.datetime | None:
        """Keep the wall-clock time: it is read in the origin station's time zone."""
        value = self.cleaned_data["depart"]
        return value.replace(tzinfo=None) if value is not None else None
