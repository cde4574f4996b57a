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
from apps.stats.coverage import CoverageRow, Scorecard, coverage_scorecard
from apps.stats.coverage_map import CoverageMap, build_coverage_map
from apps.trajets.models import SourceScope
from obrail.formatting import country_name
from obrail.spreadsheet import (
    download_name,
    french_date,
    french_number,
    stream_spreadsheet_csv,
    unknown_table,
)

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


#: The page's tables a spreadsheet can download, by the slug of their address.
COVERAGE_TABLES = ("pays", "operateurs", "etats", "lacunes")

CoverageLine = tuple[CoverageRow, str, str, str]


def _week(request: HttpRequest) -> dt.date | HttpResponse:
    """The day of ``?week=`` (today by default), or the page's 422 with the field's error."""
    text = request.GET.get("week", "")
    try:
        return dt.date.fromisoformat(text) if text else timezone.localdate()
    except ValueError:
        context = {"week_text": text, "week_error": _("date AAAA-MM-JJ attendue.")}
        return render(request, "stats/coverage.html", context, status=422)


def _in_words(scopes: list[str]) -> str:
    """A row's scopes (the trains its timetables describe) in the page's language."""
    labels = dict(SourceScope.choices)
    return " ; ".join(str(labels[scope]) for scope in scopes)


def _running(row: CoverageRow | None) -> str:
    """A row's running dates as the spreadsheet writes them, empty when it has none."""
    if row is None or not row.runs_from:
        return ""
    return f"{french_date(row.runs_from)} – {french_date(row.runs_until)}"


def coverage_lines(card: Scorecard) -> dict[str, list[CoverageLine]]:
    """The countries (by their names in the page's language, in that order; the API keeps
    codes) and the operators: each row with its name, validity and scopes in words."""

    def line(row: CoverageRow, name: str) -> CoverageLine:
        return (row, name, str(VALIDITY_LABELS[row.validity]), _in_words(row.scopes))

    return {
        "pays": sorted(
            (line(row, country_name(row.key)) for row in card.countries),
            key=lambda item: fold(item[1]),
        ),
        "operateurs": [line(row, row.name) for row in card.operators],
    }


def map_table(coverage_map: CoverageMap) -> list[tuple[str, str, list[str]]]:
    """The map's table: each state, its label and its countries' names, as the map says them."""
    return [
        (state, str(STATE_LABELS[state]), [country_name(code) for code in codes])
        for state, codes in coverage_map.by_state.items()
    ]


def gap_lines(card: Scorecard) -> dict[str, list[tuple[str, object]]]:
    """The countries without a current timetable (name and row: an expired timetable says until
    when it ran) and the partly covered ones (name and the trains their timetable describes)."""
    by_key = {row.key: row for row in card.countries}
    return {
        "gaps": [(country_name(code), by_key.get(code)) for code in card.gaps],
        "partial": [
            (country_name(code), _in_words(by_key[code].current_scopes)) for code in card.partial
        ],
    }


def coverage_page(request: HttpRequest) -> HttpResponse:
    """The scorecard of the week holding ``?week=`` (this week by default); a bad date is a
    422 with the field's error."""
    week = _week(request)
    if isinstance(week, HttpResponse):
        return week
    card = coverage_scorecard(week=week, today=timezone.localdate())
    coverage_map = build_coverage_map(card)
    state_labels = {key: str(label) for key, label in STATE_LABELS.items()}
    lines = coverage_lines(card)
    context = {
        "card": card,
        "map": coverage_map,
        "map_countries": [
            (country, country_name(country.code), state_labels[country.state])
            for country in coverage_map.countries
        ],
        "map_table": map_table(coverage_map),
        "week_text": week.isoformat(),
        "countries": lines["pays"],
        "operators": lines["operateurs"],
        **gap_lines(card),
    }
    return render(request, "stats/coverage.html", context)


def coverage_export(request: HttpRequest, table: str) -> HttpResponse:
    """The page's table by country or by operator, its map's table or its two lists of countries,
    for the same week, as a French spreadsheet CSV; a bad date is the page's 422."""
    if table not in COVERAGE_TABLES:
        raise unknown_table(table)
    week = _week(request)
    if isinstance(week, HttpResponse):
        return week
    card = coverage_scorecard(week=week, today=timezone.localdate())
    week_slug = f"semaine-{card.week_start.isoformat()}-au-{card.week_end.isoformat()}"
    headers, rows = (
        _list_table(card, table) if table in ("etats", "lacunes") else _scorecard_table(card, table)
    )
    return stream_spreadsheet_csv(
        headers, rows, filename=download_name("couverture", table, week_slug)
    )


def _list_table(card: Scorecard, table: str) -> tuple[list[str], list[tuple[object, ...]]]:
    """The map's table (one line per country, in the page's order) or the two lists (countries
    without a current timetable, then the partly covered ones) as headers and cells."""
    if table == "etats":
        return [_("État"), _("Pays")], [
            (label, name)
            for _state, label, names in map_table(build_coverage_map(card))
            for name in names
        ]
    lists = gap_lines(card)
    none, partial = str(STATE_LABELS["none"]), str(STATE_LABELS["partial"])
    rows: list[tuple[object, ...]] = [
        (name, none, str(VALIDITY_LABELS[row.validity]) if row else "", _running(row), "")
        for name, row in lists["gaps"]
    ]
    current = str(VALIDITY_LABELS["current"])
    rows += [(name, partial, current, "", described) for name, described in lists["partial"]]
    headers = [_("Pays"), _("État"), _("Horaire"), _("Circulation"), _("Trains décrits")]
    return headers, rows


def _scorecard_table(card: Scorecard, table: str) -> tuple[list[str], list[tuple[object, ...]]]:
    """The scorecard by country or by operator as headers and cells."""
    headers = [
        _("Pays") if table == "pays" else _("Opérateur"),
        _("Sources"),
        _("Trains décrits"),
        _("Circulation"),
        _("Horaire"),
        _("Trains de jour"),
        _("Trains de nuit"),
        _("Trains de nuit sans couchette connue"),
        _("Trains-km de jour"),
        _("Trains-km de nuit"),
        _("Trains-km de nuit sans couchette connue"),
    ]
    rows = [
        (
            name,
            ", ".join(row.sources),
            described,
            _running(row),
            validity,
            row.day_departures,
            row.night_departures,
            row.overnight_departures,
            french_number(row.day_km, 0),
            french_number(row.night_km, 0),
            french_number(row.overnight_km, 0),
        )
        for row, name, validity, described in coverage_lines(card)[table]
    ]
    return headers, rows
