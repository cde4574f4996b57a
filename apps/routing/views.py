"""The route search page (and its HTMX fragment). The search runs its solver in the compute
pool: beyond its CPU budget the form says so (422); a busy pool or a loaded machine is a 503
with ``Retry-After``."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from apps.routing.forms import METHOD_LABELS, RouteForm
from apps.routing.services import RoutingUnavailable, draw_route, find_route, resolve_station
from apps.routing.services.sentences import answer_sentence
from obrail.api_errors import BUSY_RETRY_AFTER_S
from obrail.compute import BudgetExceeded, ComputeBusy, budget_message, is_retryable
from obrail.errors import InvalidInput
from obrail.formatting import duration
from obrail.htmx import is_htmx_fragment_request
from obrail.throttling import throttle_computation

logger = logging.getLogger(__name__)

_FIELD_OF = {"from": "origin", "to": "destination"}


@throttle_computation
def route_search(request: HttpRequest) -> HttpResponse:
    """Form with station autocomplete; on submit, the legs table, the SVG and the CO2."""
    form = RouteForm(request.GET or None)
    station_api = reverse("api:station-list")
    for name in ("origin", "destination"):
        form.fields[name].widget.attrs.update(
            {"list": f"{name}-suggestions", "autocomplete": "off", "data-autocomplete": station_api}
        )
    context: dict[str, object] = {
        "form": form,
        "answer": None,
        "unavailable": False,
        "is_fragment": is_htmx_fragment_request(request),
    }
    if form.is_bound and form.is_valid():
        context.update(_answer(form))
    if form.is_bound:
        context["live_message"] = (
            context["sentence"] if context["answer"] else _("Aucun itinéraire affiché.")
        )
    is_fragment = context["is_fragment"]
    template = "routing/partials/route_result.html" if is_fragment else "routing/route_search.html"
    status = 503 if "retry_after" in context else 422 if form.errors else 200
    response = render(request, template, context, status=status)
    if status == 503:
        response["Retry-After"] = str(context["retry_after"])
    patch_vary_headers(response, ("HX-Request",))
    return response


def _answer(form: RouteForm) -> dict[str, object]:
    data = form.cleaned_data
    try:
        answer = find_route(
            origin=resolve_station(data["origin"], parameter="from"),
            destination=resolve_station(data["destination"], parameter="to"),
            criterion=data["criterion"],
            method=data["method"] or None,
            depart=data["depart"],
            trains=data["trains"],
            max_transfers=data["max_transfers"],
        )
    except InvalidInput as error:
        for parameter, messages in error.errors.items():
            field = _FIELD_OF.get(parameter, parameter)
            for message in messages:
                form.add_error(field if field in form.fields else None, message)
        return {}
    except RoutingUnavailable:
        logger.warning("route search without a routing artefact")
        return {"unavailable": True}
    except (BudgetExceeded, ComputeBusy) as error:
        form.add_error(None, budget_message(error))
        return {"retry_after": BUSY_RETRY_AFTER_S} if is_retryable(error) else {}
    return {
        "answer": answer,
        "sentence": answer_sentence(answer),
        "total_duration": duration(round(answer.duration_min)),
        "legs": [(leg, duration(round(leg.duration_min))) for leg in answer.legs],
        "drawing": draw_route(answer),
        "method_label": METHOD_LABELS.get(answer.method, answer.method),
    }
