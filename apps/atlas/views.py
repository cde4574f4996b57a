"""The "Rail ou avion" pages: the pairs (table, map, CSV), one pair, the simulator."""

from __future__ import annotations

from django.core.paginator import EmptyPage
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from apps.atlas import presentation
from apps.atlas.co2 import co2_unit
from apps.atlas.exports import PAIR_HEADERS, pair_rows
from apps.atlas.filters import CityPairFilterSet
from apps.atlas.forms import MethodForm, PageForm, PolicyForm
from apps.atlas.geography import AIRPORT_RADIUS_KM
from apps.atlas.listing import pair_results
from apps.atlas.models import AtlasBuild, CityPair
from apps.atlas.services import (
    METHODS,
    co2_all_methods,
    method_factors,
    pair_co2,
    policy_answer,
    source_titles,
)
from obrail.errors import InvalidInput
from obrail.pages import add_service_errors
from obrail.spreadsheet import download_name, stream_spreadsheet_csv


def _filtered(request: HttpRequest) -> tuple[CityPairFilterSet, MethodForm]:
    data = request.GET.copy()
    method_form = MethodForm({"method": data.pop("method", [""])[-1]})
    data.pop("page", None)
    return CityPairFilterSet(data, queryset=CityPair.objects.all()), method_form


def pair_list(request: HttpRequest) -> HttpResponse:
    """The sortable, filterable table of city pairs with its map, by pages; 400 with the
    errors, 404 past the last page."""
    filterset, method_form = _filtered(request)
    page_form = PageForm({"page": request.GET.get("page", "")})
    valid = filterset.is_valid() and method_form.is_valid() and page_form.is_valid()
    results = ""
    if valid:
        try:
            results = pair_results(
                filterset.qs, request.GET, method_form.chosen_method(), page_form.number()
            )
        except EmptyPage as error:
            raise Http404(str(error)) from error
    context = {
        "form": filterset.form,
        "method_form": method_form,
        "page_form": page_form,
        "results": results,
        "build": AtlasBuild.objects.first(),
        "radius_km": int(AIRPORT_RADIUS_KM),
        "assumptions": presentation.flight_assumptions(),
        "station_note": presentation.rail_station_note(),
    }
    return render(request, "atlas/pair_list.html", context, status=200 if valid else 400)


def pair_export(request: HttpRequest) -> HttpResponse:
    """The filtered pairs as a French spreadsheet, CO2 under the chosen method."""
    filterset, method_form = _filtered(request)
    if not (filterset.is_valid() and method_form.is_valid()):
        return pair_list(request)
    method = method_form.chosen_method()
    factors = method_factors(method)
    return stream_spreadsheet_csv(
        PAIR_HEADERS,
        pair_rows(
            filterset.qs.iterator(),
            lambda p: pair_co2(p, factors),
            str(METHODS[method]),
            source_titles(),
        ),
        filename=download_name("rail-ou-avion", method),
    )


def pair_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One pair: air traffic series, the reference day's journeys, night trains, CO2."""
    pair = get_object_or_404(CityPair, pk=pk)
    method_form = MethodForm(request.GET or None)
    method = method_form.chosen_method()
    context = {
        "pair": pair,
        "method_form": method_form,
        "method": method,
        "co2": pair_co2(pair, method_factors(method)),
        "co2_all": [(METHODS[f.method], f) for f in co2_all_methods(pair)],
        "chart": presentation.air_chart(pair),
        "rail_words": presentation.rail_words(pair),
        "rail_provenance": presentation.rail_provenance(pair, source_titles()),
        "radius_km": int(AIRPORT_RADIUS_KM),
        "assumptions": presentation.flight_assumptions(),
        "station_note": presentation.rail_station_note(),
    }
    return render(request, "atlas/pair_detail.html", context)


def policy(request: HttpRequest) -> HttpResponse:
    """The simulator: the rule's form, then the affected pairs and totals (422 on refusal)."""
    form = PolicyForm(request.GET or None)
    answer, status = None, 200
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            answer = policy_answer(
                threshold_min=data["threshold_min"],
                night_train=data["night_train"],
                scope=data["scope"] or "domestic",
                country=data["country"] or "FR",
                method=form.chosen_method(),
            )
        except InvalidInput as error:
            add_service_errors(form, error)
            status = 422
    elif form.is_bound:
        status = 400
    context = {
        "form": form,
        "answer": answer,
        "co2_unit": co2_unit(answer["method"]) if answer else "",
    }
    return render(request, "atlas/policy.html", context, status=status)
