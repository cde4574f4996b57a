"""Project-level pages: accessibility statement, site map, legal notice, the 404s."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from obrail.accessibility import (
    KNOWN_DEFECTS,
    RGAA_GRID,
    RGAA_TOTALS,
    audited_pages,
    conformance_rate,
)
from obrail.legal import LOG_RETENTION_DAYS, personal_data_contact, published_facts
from obrail.site_pages import site_pages


def accessibility(request: HttpRequest) -> HttpResponse:
    """The accessibility statement (déclaration d'accessibilité, RGAA model): every page with
    its audit state, the known defects and the totals of the RGAA self-assessment grid."""
    context = {
        "audited_pages": audited_pages(),
        "known_defects": KNOWN_DEFECTS,
        "rgaa_totals": RGAA_TOTALS,
        "rgaa_grid": RGAA_GRID,
        "conformance_rate": conformance_rate(),
    }
    return render(request, "pages/accessibility.html", context)


def sitemap(request: HttpRequest) -> HttpResponse:
    """The site map: every page of the menus and of the footer, with what it is for."""
    return render(request, "pages/sitemap.html", {"pages": site_pages()})


def legal(request: HttpRequest) -> HttpResponse:
    """Legal notice (publisher, publication director, host), licences, personal data (RGPD):
    the deployment's facts as configured, a missing one named only with DEBUG on."""
    context = {
        "facts": published_facts(show_missing=settings.DEBUG),
        "dpo_fact": personal_data_contact(),
        "log_retention_days": LOG_RETENTION_DAYS,
    }
    return render(request, "pages/legal.html", context)


@csrf_exempt
def api_not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    """The API's JSON error schema for an address under /api/ that names no endpoint (any
    method: a POST with a session cookie gets this 404, not the CSRF page)."""
    message = _("Aucun point d'accès de l'API à l'adresse %(path)s : voir /api/docs.") % {
        "path": request.path
    }
    return JsonResponse({"errors": {"detail": [message]}}, status=404)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404: the API's JSON error schema under /api/, the site's page elsewhere."""
    if request.path.startswith("/api/"):
        return api_not_found(request, exception)
    return render(request, "404.html", status=404)
