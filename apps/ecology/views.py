"""HTML pages: the list of scenarios and one page per scenario (editable, recomputed).

Pages that compute run the solver in the compute pool (``run_bounded``: budget and cache) and
count against the compute throttle when they carry parameters; a computation cut by its budget
is shown as a form error (422 for its CPU budget), a busy pool or a loaded machine as a 503
with ``Retry-After``.
"""

from __future__ import annotations

import csv

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from apps.ecology import presentation, services
from apps.ecology.forms import BatchForm, ScenarioEditForm
from apps.ecology.models import Scenario
from obrail.api_errors import BUSY_RETRY_AFTER_S
from obrail.compute import (
    BudgetExceeded,
    ComputeBusy,
    budget_message,
    is_retryable,
    run_bounded,
)
from obrail.errors import InvalidInput
from obrail.pages import add_service_errors, render_page_or_fragment
from obrail.throttling import throttle_computation

#: Error status of a page whose computation could not run.
INVALID, BUSY = 422, 503


def scenario_list(request: HttpRequest) -> HttpResponse:
    """The course's scenarios, with their kind, conditions and species."""
    scenarios = Scenario.objects.prefetch_related("species")
    return render(request, "ecology/scenario_list.html", {"scenarios": scenarios})


def _report(
    request: HttpRequest, slug: str
) -> tuple[Scenario, ScenarioEditForm, services.Report | None, int]:
    scenario = get_object_or_404(Scenario.objects.prefetch_related("species"), slug=slug)
    form = ScenarioEditForm(services.parameters_from_scenario(scenario), request.GET or None)
    if form.is_bound and not form.is_valid():
        return scenario, form, None, INVALID
    try:
        report = run_bounded("ecology.report", services.build_report, form.edited_parameters())
    except InvalidInput as error:
        form.add_service_errors(error.errors)
        return scenario, form, None, INVALID
    except (BudgetExceeded, ComputeBusy) as error:
        form.add_service_errors({"detail": [budget_message(error)]})
        return scenario, form, None, BUSY if is_retryable(error) else INVALID
    return scenario, form, report, 200


def _with_retry_after(response: HttpResponse) -> HttpResponse:
    if response.status_code == BUSY:
        response["Retry-After"] = str(BUSY_RETRY_AFTER_S)
    return response


@throttle_computation
def scenario_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """Time series, phase portrait and operating diagram of a scenario, with its edit form."""
    scenario, form, report, status = _report(request, slug)
    context = {"scenario": scenario, "form": form, "query": request.GET.urlencode()}
    if report is not None:
        context.update(presentation.detail_context(report))
    response = render_page_or_fragment(
        request,
        page="ecology/scenario_detail.html",
        fragment="ecology/partials/scenario_workspace.html",
        context=context,
        status=status,
    )
    return _with_retry_after(response)


@throttle_computation
def scenario_csv(request: HttpRequest, slug: str, figure: str) -> HttpResponse:
    """The numbers of one figure as CSV (same parameters as the page)."""
    if figure not in presentation.FIGURES:
        raise Http404(_("Figure inconnue."))
    _scenario, form, report, status = _report(request, slug)
    if report is None:
        messages = [str(e) for f in (form.conditions, *form.species) for e in f.errors.values()]
        response = HttpResponse(
            "\n".join(messages), status=BUSY if status == BUSY else 400, content_type="text/plain"
        )
        return _with_retry_after(response)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}-{figure}.csv"'
    csv.writer(response).writerows(presentation.csv_rows(report, figure))
    return response


def _batch(request: HttpRequest) -> tuple[BatchForm, tuple | None, int]:
    form = BatchForm(request.GET or None, initial=vars(services.BatchParameters()))
    if form.is_bound and not form.is_valid():
        form.mark_errors()
        return form, None, INVALID
    params = form.parameters() if form.is_bound else services.BatchParameters()
    try:
        return form, run_bounded("ecology.batch", services.batch_growth, params), 200
    except InvalidInput as error:
        errors = error.errors
        status = INVALID
    except (BudgetExceeded, ComputeBusy) as error:
        errors = {"detail": [budget_message(error)]}
        status = BUSY if is_retryable(error) else INVALID
    add_service_errors(form, errors)
    form.mark_errors()
    return form, None, status


@throttle_computation
def batch_growth(request: HttpRequest) -> HttpResponse:
    """Batch growth: logistic curve (closed form and ODE) and Monod growth with a yield."""
    form, series, status = _batch(request)
    context = {"form": form, "query": request.GET.urlencode()}
    if series is not None:
        params = form.parameters() if form.is_bound else services.BatchParameters()
        context.update(presentation.batch_context(*series, params))
    response = render_page_or_fragment(
        request,
        page="ecology/batch.html",
        fragment="ecology/partials/batch_workspace.html",
        context=context,
        status=status,
    )
    return _with_retry_after(response)


@throttle_computation
def batch_csv(request: HttpRequest) -> HttpResponse:
    """The batch-growth numbers as CSV."""
    form, series, status = _batch(request)
    if series is None:
        messages = [str(e) for e in form.errors.values()]
        response = HttpResponse(
            "\n".join(messages), status=BUSY if status == BUSY else 400, content_type="text/plain"
        )
        return _with_retry_after(response)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="batch-growth.csv"'
    csv.writer(response).writerows(presentation.batch_csv_rows(*series))
    return response
