"""The model pages: the list of models, and one model's card, fit, metrics and versions."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from apps.mlregistry.artefacts import ArtefactError
from apps.mlregistry.models import ModelVersion, RegisteredModel
from apps.mlregistry.presentation import card_of, fit_chart
from apps.mlregistry.services import model_freshness


def model_list(request: HttpRequest) -> HttpResponse:
    """Every registered model and the version it serves."""
    models = RegisteredModel.objects.prefetch_related("versions")
    return render(request, "mlregistry/model_list.html", {"models": models})


def model_detail(request: HttpRequest, name: str) -> HttpResponse:
    """A model: card, fit chart with its tables, metrics, versions and audit log."""
    model = get_object_or_404(RegisteredModel, name=name)
    versions = list(model.versions.order_by("-number"))
    if not versions:
        raise Http404(name)
    shown = next((v for v in versions if v.status == ModelVersion.Status.PRODUCTION), versions[0])
    try:
        chart, error = fit_chart(shown), None
    except ArtefactError as refused:
        chart, error = None, str(refused)
    freshness = next((f for f in model_freshness() if f.name == name), None)
    context = {
        "model": model,
        "version": shown,
        "versions": versions,
        "card": card_of(shown),
        "chart": chart,
        "artefact_error": error,
        "freshness": freshness,
        "events": model.events.select_related("version", "previous")[:50],
    }
    return render(request, "mlregistry/model_detail.html", context)
