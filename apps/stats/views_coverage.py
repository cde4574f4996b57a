"""The coverage scorecard page: sources, validity and a stated week's trains per country
and operator, and the countries without a current timetable."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.stats.coverage import coverage_scorecard
from apps.trajets.models import SourceScope
from obrail.formatting import country_name

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

    context = {
        "card": card,
        "week_text": week.isoformat(),
        "countries": [(row, labels[row.validity], described(row.scopes)) for row in card.countries],
        "operators": [(row, labels[row.validity], described(row.scopes)) for row in card.operators],
        # A gap whose timetable has expired says until when it ran.
        "gaps": [(country_name(code), by_key.get(code)) for code in card.gaps],
        "partial": [
            (country_name(code), described(by_key[code].current_scopes)) for code in card.partial
        ],
    }
    return render(request, "stats/coverage.html", context)
