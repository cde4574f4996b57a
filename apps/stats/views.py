"""HTML pages of the stats app."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from apps.stats.dashboard import compute_dashboard
from apps.trajets.filters import TrajetFilterSet

# The parameters of the shared trajet filters that choose the dashboard's period.
PERIOD_FIELDS = ("period", "date", "week", "month", "start", "end")


def dashboard(request: HttpRequest) -> HttpResponse:
    """The indicators dashboard over a period (each source's typical week by default): every
    chart with its text summary and data table; a bad period re-renders with its errors."""
    filterset = TrajetFilterSet(request.GET)
    filterset.is_valid()
    form = filterset.form
    fields = [form[name] for name in PERIOD_FIELDS]
    errors = [field for field in fields if field.errors]
    for field in errors:
        field.field.widget.attrs.update(
            {"aria-invalid": "true", "aria-describedby": f"{field.auto_id}-error"}
        )
    context = {"period_fields": fields, "period_errors": errors}
    if not errors:
        context["dashboard"] = compute_dashboard(filterset.period_choice)
    return render(request, "stats/dashboard.html", context, status=422 if errors else 200)
