"""Project-level pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from obrail.services import compute_home_summary


def home(request: HttpRequest) -> HttpResponse:
    """The home page: what the warehouse holds and where to go next."""
    return render(request, "home.html", {"summary": compute_home_summary()})
