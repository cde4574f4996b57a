"""The route search page (and its HTMX fragment). The search runs its solver in the compute
pool: beyond its CPU budget the form says so (422); a busy pool or a loaded machine is a 503
with ``Retry-After``."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from apps.routing import presentation
from apps.routing.forms import RouteForm, present_depart_field
from apps.routing.services import (
    Endpoint,
    RouteAnswer,
    RoutingUnavailable,
    find_route,
    resolve_station,
)
from apps.routing.services.alternatives import day_alternatives
from apps.routing.services.sentences import next_departures_sentence
from apps.trajets.services import data_coverage
from obrail.api_errors import BUSY_RETRY_AFTER_S
from obrail.compute import BudgetExceeded, ComputeBusy, budget_message, is_retryable
from obrail.errors import InvalidInput
from obrail.pages import add_service_errors, render_page_or_fragment
from obrail.throttling import throttle_computation

logger = logging.getLogger(__name__)

_FIELD_OF = {"from": "origin", "to": "destination"}


@throttle_computation
def route_search(request: HttpRequest) -> HttpResponse:
    """Form with station autocomplete; on submit, the legs table, the SVG and the CO2."""
    form = RouteForm(request.GET or None)
    present_depart_field(form, data_coverage())
    station_api = reverse("api:station-list")
    for name in ("origin", "destination"):
        form.fields[name].widget.attrs.update(
            {"list": f"{name}-suggestions", "autocomplete": "off", "data-autocomplete": station_api}
        )
    context: dict[str, object] = {
        "form": form,
        "answer": None,
        "unavailable": False,
    }
    if form.is_bound and form.is_valid():
        context.update(_answer(form))
    if form.is_bound:
        context["live_message"] = (
            context["sentence"] if context["answer"] else _("Aucun itinéraire affiché.")
        )
    status = 503 if "retry_after" in context else 422 if form.errors else 200
    response = render_page_or_fragment(
        request,
        page="routing/route_search.html",
        fragment="routing/partials/route_result.html",
        context=context,
        status=status,
    )
    if status == 503:
        response["Retry-After"] = str(context["retry_after"])
    return response


def _answer(form: RouteForm) -> dict[str, object]:
    data = form.cleaned_data
    try:
        origin = resolve_station(data["origin"], parameter="from")
        destination = resolve_station(data["destination"], parameter="to")
        answer = find_route(
            origin=origin,
            destination=destination,
            criterion=data["criterion"],
            method=data["method"] or None,
            depart=data["depart"],
            trains=data["trains"],
            max_transfers=data["max_transfers"],
        )
    except InvalidInput as error:
        add_service_errors(form, error, field_of=_FIELD_OF)
        return {}
    except RoutingUnavailable as error:
        logger.warning("route search unavailable: %s", error)
        return {"unavailable": True}
    except (BudgetExceeded, ComputeBusy) as error:
        form.add_error(None, budget_message(error))
        return {"retry_after": BUSY_RETRY_AFTER_S} if is_retryable(error) else {}
    return {
        **presentation.answer_context(answer),
        **_alternatives(form, origin, destination, answer),
    }


def _alternatives(
    form: RouteForm, origin: Endpoint, destination: Endpoint, answer: RouteAnswer
) -> dict[str, object]:
    """The day's journeys as table rows and the next departures in words; nothing without
    a departure time, or when the solvers refuse them (the answer above stands)."""
    data = form.cleaned_data
    if data["depart"] is None:
        return {"alternatives": [], "next_departures": ""}
    try:
        found = day_alternatives(
            origin=origin,
            destination=destination,
            depart=data["depart"],
            trains=data["trains"],
            max_transfers=data["max_transfers"],
        )
    except (InvalidInput, BudgetExceeded, ComputeBusy) as error:
        logger.info("day alternatives left out", extra={"reason": type(error).__name__})
        return {"alternatives": [], "next_departures": ""}
    return {
        "alternatives": [presentation.alternative_row(item, answer) for item in found],
        "next_departures": next_departures_sentence(answer, [item.answer for item in found]),
    }
