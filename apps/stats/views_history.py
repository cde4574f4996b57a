"""The night-train series page: Back-on-Track's list observed quarter by quarter."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from apps.trajets.models import DataSource
from apps.trajets.services import history_chart, night_history
from obrail.formatting import country_name


def night_history_page(request: HttpRequest) -> HttpResponse:
    """Routes per snapshot (chart and table), appeared and disappeared, top countries and
    operators of the latest snapshot."""
    try:
        source, rows = night_history()
    except DataSource.DoesNotExist:
        source, rows = None, []
    latest = rows[-1] if rows else None
    context = {
        "source": source,
        "rows": rows,
        "chart": history_chart(rows),
        "countries": [
            (country_name(code), count)
            for code, count in sorted(latest.by_country.items(), key=lambda kv: (-kv[1], kv[0]))
        ]
        if latest
        else [],
        "operators": sorted(latest.by_operator.items(), key=lambda kv: (-kv[1], kv[0]))[:20]
        if latest
        else [],
        "latest": latest,
    }
    return render(request, "stats/night_history.html", context)
