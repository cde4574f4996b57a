"""Project-level pages: home, accessibility statement, legal notice."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from apps.stats.dashboard import compute_dashboard
from obrail.services import compute_home_summary


def home(request: HttpRequest) -> HttpResponse:
    """The home page: what the warehouse holds, the day/night split, where to go next."""
    dashboard = compute_dashboard()
    context = {
        "summary": compute_home_summary(),
        "dashboard": dashboard,
        "kind_chart": dashboard.charts[0],
    }
    return render(request, "home.html", context)


def accessibility(request: HttpRequest) -> HttpResponse:
    """The accessibility statement (déclaration d'accessibilité, RGAA model)."""
    return render(request, "pages/accessibility.html")


def legal(request: HttpRequest) -> HttpResponse:
    """Legal notice, licences and personal data (RGPD)."""
    return render(request, "pages/legal.html")


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404: the API's JSON error schema under /api/, the site's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"errors": {"detail": [f"No API endpoint at {request.path}: see /api/docs."]}},
            status=404,
        )
    return render(request, "404.html", status=404)
