"""The route search page (and its HTMX fragment). The search runs its solver in the compute
pool: beyond its CPU budget the form says so (422); a busy pool or a loaded machine is a 503
with ``Retry-After``."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from apps.routing.forms import METHOD_LABELS, RouteForm, present_depart_field
from apps.routing.services import (
    Endpoint,
    RouteAnswer,
    RoutingUnavailable,
    draw_route,
    find_route,
    resolve_station,
)
from apps.routing.services.alternatives import DayAlternative, day_alternatives
from apps.routing.services.sentences import answer_sentence, next_departures_sentence
from apps.trajets.coverage import data_coverage
from apps.trajets.kinds import kind_word
from apps.trajets.models import ServiceKind
from obrail.api_errors import BUSY_RETRY_AFTER_S
from obrail.compute import BudgetExceeded, ComputeBusy, budget_message, is_retryable
from obrail.errors import InvalidInput
from obrail.formatting import clock, duration, kilograms, station_name
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
    except RoutingUnavailable:
        logger.warning("route search without a routing artefact")
        return {"unavailable": True}
    except (BudgetExceeded, ComputeBusy) as error:
        form.add_error(None, budget_message(error))
        return {"retry_after": BUSY_RETRY_AFTER_S} if is_retryable(error) else {}
    return {
        "answer": answer,
        "sentence": answer_sentence(answer),
        "total_duration": duration(answer.duration_min),
        "origin_name": station_name(answer.origin.name),
        "destination_name": station_name(answer.destination.name),
        "legs": [
            (
                leg,
                duration(leg.duration_min),
                station_name(leg.from_station.name),
                station_name(leg.to_station.name),
            )
            for leg in answer.legs
        ],
        "drawing": draw_route(answer),
        "method_label": METHOD_LABELS.get(answer.method, answer.method),
        "night_word": kind_word(ServiceKind.NIGHT),
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
        "alternatives": [_alternative_row(item, answer) for item in found],
        "next_departures": next_departures_sentence(answer, [item.answer for item in found]),
    }


def _alternative_row(item: DayAlternative, answer: RouteAnswer) -> dict[str, object]:
    journey = item.answer
    is_answer = (journey.departure, journey.arrival, journey.transfers) == (
        answer.departure,
        answer.arrival,
        answer.transfers,
    )
    days_later = (journey.arrival.date() - journey.departure.date()).days
    return {
        "departure": clock(journey.departure.time()),
        "arrival": clock(journey.arrival.time(), days_later),
        "origin": station_name(journey.origin.name),
        "destination": station_name(journey.destination.name),
        "duration": duration(journey.duration_min),
        "transfers": journey.transfers,
        "trains": " → ".join(leg.train for leg in journey.legs if leg.train),
        "has_night_train": journey.uses_night_trains,
        "co2": kilograms(journey.co2_rail_kg),
        "choices": item.choice_labels,
        "is_answer": is_answer,
    }
