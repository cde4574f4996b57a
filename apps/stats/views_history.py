"""The night-train series page: Back-on-Track's list observed quarter by quarter."""

from __future__ import annotations

from collections.abc import Sequence

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from apps.trajets.models import DataSource
from apps.trajets.services import QuarterRow, history_chart, night_history
from obrail.formatting import country_name
from obrail.spreadsheet import download_name, french_date, stream_spreadsheet_csv, unknown_table

#: The page's tables a spreadsheet can download, by the slug of their address.
HISTORY_TABLES = ("releves", "pays", "operateurs")


def _series() -> tuple[DataSource | None, list[QuarterRow]]:
    try:
        return night_history()
    except DataSource.DoesNotExist:
        return None, []


def _ranked(counts: dict[str, int]) -> list[tuple[str, int]]:
    """Most routes first, then by name."""
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def _countries(latest: QuarterRow | None) -> list[tuple[str, int]]:
    """The latest snapshot's routes per country, by the country's name in the page's language."""
    if latest is None:
        return []
    return [(country_name(code), count) for code, count in _ranked(latest.by_country)]


def night_history_page(request: HttpRequest) -> HttpResponse:
    """Routes per snapshot (chart and table), appeared and disappeared, top countries and
    operators of the latest snapshot."""
    source, rows = _series()
    latest = rows[-1] if rows else None
    context = {
        "source": source,
        "rows": rows,
        "chart": history_chart(rows),
        "countries": _countries(latest),
        "operators": _ranked(latest.by_operator)[:20] if latest else [],
        "operator_total": len(latest.by_operator) if latest else 0,
        "latest": latest,
    }
    return render(request, "stats/night_history.html", context)


def history_table(
    table: str, rows: Sequence[QuarterRow]
) -> tuple[list[str], list[tuple[object, ...]]]:
    """One of the page's tables as headers and spreadsheet cells (the operators in full, where
    the page shows the first 20)."""
    latest = rows[-1] if rows else None
    if table == "releves":
        headers = [_("Relevé"), _("Relations"), _("Apparues"), _("Disparues"), _("Modifiées")]
        return headers, [
            (french_date(row.observed_on), row.routes, row.added, row.removed, row.changed)
            for row in rows
        ]
    observed = french_date(latest.observed_on) if latest else ""
    if table == "pays":
        cells = _countries(latest)
        first = _("Pays")
    else:
        cells = _ranked(latest.by_operator) if latest else []
        first = _("Opérateur")
    return [first, _("Relations"), _("Relevé")], [(name, n, observed) for name, n in cells]


def night_history_export(request: HttpRequest, table: str) -> HttpResponse:
    """One table of the night-train series page as a French spreadsheet CSV."""
    if table not in HISTORY_TABLES:
        raise unknown_table(table)
    _source, rows = _series()
    headers, cells = history_table(table, rows)
    when = ["releve", rows[-1].observed_on.isoformat()] if rows and table != "releves" else []
    return stream_spreadsheet_csv(
        headers, cells, filename=download_name("trains-de-nuit", table, *when)
    )
