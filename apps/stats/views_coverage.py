"""The coverage scorecard page: sources, validity and a stated week's trains per country
and operator, and the countries without a current timetable."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.places.services import fold
from apps.stats.coverage import coverage_scorecard
from apps.stats.coverage_map import build_coverage_map
from apps.trajets.models import SourceScope
from obrail.formatting import country_name

#: The map's states as its legend, its tooltips and its table say them.
STATE_LABELS = {
    "national": gettext_lazy("horaire national en cours"),
    "partial": gettext_lazy("horaire en cours pour une partie des trains"),
    "none": gettext_lazy("aucun horaire en cours"),
    "outside": gettext_lazy("hors du champ de l'observatoire"),
}

VALIDITY_LABELS = {
    "current": gettext_lazy("en cours"),
    "upcoming": gettext_lazy("à venir"),
    "expired": gettext_lazy("expiré"),
    "unknown": gettext_lazy("inconnu"),
}


def coverage_page(request: HttpRequest) -> HttpResponse:
    """The scorecard of the week holding ``?week=`` (this week by default); a bad date is a
    422 with the field's error."""
    today = timezone.localdate()
    text = request.GET.get("week", "")
    try:
        week = dt.date.fromisoformat(text) if text else today
    except ValueError:
        context = {"week_text": text, "week_error": _("date AAAA-MM-JJ attendue.")}
        return render(request, "stats/coverage.html", context, status=422)
    card = coverage_scorecard(week=week, today=today)
    labels = {key: str(label) for key, label in VALIDITY_LABELS.items()}
    scopes = {key: str(label) for key, label in SourceScope.choices}
    by_key = {row.key: row for row in card.countries}

    def described(row_scopes: list[str]) -> str:
        return " ; ".join(scopes[s] for s in row_scopes)

    coverage_map = build_coverage_map(card)
    state_labels = {key: str(label) for key, label in STATE_LABELS.items()}
    context = {
        "card": card,
        "map": coverage_map,
        "map_countries": [
            (country, country_name(country.code), state_labels[country.state])
            for country in coverage_map.countries
        ],
        "map_table": [
            (state, state_labels[state], [country_name(code) for code in codes])
            for state, codes in coverage_map.by_state.items()
        ],
        "week_text": week.isoformat(),
        # Countries by their names in the page's language, in that order (the API keeps codes).
        "countries": sorted(
            (
                (row, country_name(row.key), labels[row.validity], described(row.scopes))
                for row in card.countries
            ),
            key=lambda item: fold(item[1]),
        ),
        "operators": [
            (row, row.name, labels[row.validity], described(row.scopes)) for row in card.operators
        ],
        # A gap whose timetable has expired says until when it ran.
        "gaps": [(country_name(code), by_key.get(code)) for code in card.gaps],
        "partial": [
            (country_name(code), described(by_key[code].current_scopes)) for code in card.partial
        ],
    }
    return render(request, "stats/coverage.html", context)
