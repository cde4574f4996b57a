"""HTML pages of the stats app."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from apps.stats.dashboard import compute_dashboard


def dashboard(request: HttpRequest) -> HttpResponse:
    """The indicators dashboard: every chart with its text summary and data table."""
    return render(request, "stats/dashboard.html", {"dashboard": compute_dashboard()})
