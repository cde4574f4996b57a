"""HTML pages: the list of scenarios and one page per scenario (editable, recomputed)."""

from __future__ import annotations

import csv

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from apps.ecology import pages, services
from apps.ecology.forms import BatchForm, ScenarioEditForm
from apps.ecology.models import Scenario
from obrail.errors import InvalidInput
from obrail.htmx import is_htmx_fragment_request


def scenario_list(request: HttpRequest) -> HttpResponse:
    """The course's scenarios, with their kind, conditions and species."""
    scenarios = Scenario.objects.prefetch_related("species")
    return render(request, "ecology/scenario_list.html", {"scenarios": scenarios})


def _report(
    request: HttpRequest, slug: str
) -> tuple[Scenario, ScenarioEditForm, services.Report | None]:
    scenario = get_object_or_404(Scenario.objects.prefetch_related("species"), slug=slug)
    form = ScenarioEditForm(services.parameters_from_scenario(scenario), request.GET or None)
    if form.is_bound and not form.is_valid():
        return scenario, form, None
    try:
        return scenario, form, services.build_report(form.edited_parameters())
    except InvalidInput as error:
        form.add_service_errors(error.errors)
        return scenario, form, None


def scenario_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """Time series, phase portrait and operating diagram of a scenario, with its edit form."""
    scenario, form, report = _report(request, slug)
    is_fragment = is_htmx_fragment_request(request)
    context = {
        "scenario": scenario,
        "form": form,
        "query": request.GET.urlencode(),
        "is_fragment": is_fragment,
    }
    if report is not None:
        context.update(pages.detail_context(report))
    template = (
        "ecology/partials/scenario_workspace.html"
        if is_fragment
        else "ecology/scenario_detail.html"
    )
    response = render(request, template, context, status=200 if report else 422)
    patch_vary_headers(response, ["HX-Request"])
    return response


def scenario_csv(request: HttpRequest, slug: str, figure: str) -> HttpResponse:
    """The numbers of one figure as CSV (same parameters as the page)."""
    if figure not in pages.FIGURES:
        raise Http404(_("Figure inconnue."))
    _scenario, form, report = _report(request, slug)
    if report is None:
        messages = [str(e) for f in (form.conditions, *form.species) for e in f.errors.values()]
        return HttpResponse("\n".join(messages), status=400, content_type="text/plain")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}-{figure}.csv"'
    csv.writer(response).writerows(pages.csv_rows(report, figure))
    return response


def _batch(request: HttpRequest) -> tuple[BatchForm, tuple | None]:
    form = BatchForm(request.GET or None, initial=vars(services.BatchParameters()))
    if not form.is_bound:
        return form, services.batch_growth(services.BatchParameters())
    if not form.is_valid():
        form.mark_errors()
        return form, None
    try:
        return form, services.batch_growth(form.parameters())
    except InvalidInput as error:
        for key, messages in error.errors.items():
            for message in messages:
                form.add_error(key if key in form.fields else None, message)
        form.mark_errors()
        return form, None


def batch_growth(request: HttpRequest) -> HttpResponse:
    """Batch growth: logistic curve (closed form and ODE) and Monod growth with a yield."""
    form, series = _batch(request)
    is_fragment = is_htmx_fragment_request(request)
    context = {"form": form, "query": request.GET.urlencode(), "is_fragment": is_fragment}
    if series is not None:
        params = form.parameters() if form.is_bound else services.BatchParameters()
        context.update(pages.batch_context(*series, params))
    template = "ecology/partials/batch_workspace.html" if is_fragment else "ecology/batch.html"
    response = render(request, template, context, status=200 if series else 422)
    patch_vary_headers(response, ["HX-Request"])
    return response


def batch_csv(request: HttpRequest) -> HttpResponse:
    """The batch-growth numbers as CSV."""
    form, series = _batch(request)
    if series is None:
        messages = [str(e) for e in form.errors.values()]
        return HttpResponse("\n".join(messages), status=400, content_type="text/plain")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="batch-growth.csv"'
    csv.writer(response).writerows(pages.batch_csv_rows(*series))
    return response
