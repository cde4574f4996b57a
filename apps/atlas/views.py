"""The "Rail ou avion" pages: the pairs (table, map, CSV), one pair, the simulator."""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from apps.atlas import presentation
from apps.atlas.co2 import co2_unit
from apps.atlas.exports import PAIR_HEADERS, pair_rows
from apps.atlas.filters import CityPairFilterSet
from apps.atlas.forms import MethodForm, PolicyForm
from apps.atlas.geography import AIRPORT_RADIUS_KM
from apps.atlas.models import AtlasBuild, CityPair
from apps.atlas.services import (
    METHODS,
    atlas_version,
    co2_all_methods,
    method_factors,
    pair_co2,
    policy_answer,
    source_titles,
)
from obrail.errors import InvalidInput
from obrail.pages import add_service_errors
from obrail.spreadsheet import download_name, stream_spreadsheet_csv

#: Rows of the table and lines of the map (the CSV has them all).
PAGE_ROWS = 200
RESULTS_CACHE_SECONDS = 3600


def _filtered(request: HttpRequest) -> tuple[CityPairFilterSet, MethodForm]:
    data = request.GET.copy()
    method_form = MethodForm({"method": data.pop("method", [""])[-1]})
    return CityPairFilterSet(data, queryset=CityPair.objects.all()), method_form


def _results(request: HttpRequest, filterset: CityPairFilterSet, method: str) -> str:
    """The table and the map of the filtered pairs (cached per atlas version, language and
    query: the pages only read what the recomputation stored)."""
    key = (
        "atlas:results:"
        + hashlib.sha256(
            f"{atlas_version()}|{get_language()}|{method}|{sorted(request.GET.lists())}".encode()
        ).hexdigest()
    )
    html = cache.get(key)
    if html is None:
        pairs = list(filterset.qs[:PAGE_ROWS])
        factors = method_factors(method)
        context = {
            "method": method,
            "method_label": METHODS[method],
            "co2_unit": co2_unit(method),
            "rows": [(p, pair_co2(p, factors), presentation.band_of(p)) for p in pairs],
            "total": filterset.qs.count(),
            "page_rows": PAGE_ROWS,
            "map": presentation.map_layout(pairs),
            "bands": presentation.BANDS,
            "query": request.GET.urlencode(),
            "sort_columns": presentation.sort_columns(request.GET, request.GET.get("ordering", "")),
        }
        html = render_to_string("atlas/partials/pair_results.html", context)
        cache.set(key, html, RESULTS_CACHE_SECONDS)
    return mark_safe(html)  # noqa: S308 - rendered by our own template, autoescaped


def pair_list(request: HttpRequest) -> HttpResponse:
    """The sortable, filterable table of city pairs with its map; 400 with the errors."""
    filterset, method_form = _filtered(request)
    valid = filterset.is_valid() and method_form.is_valid()
    method = method_form.chosen_method()
    context = {
        "form": filterset.form,
        "method_form": method_form,
        "results": _results(request, filterset, method) if valid else "",
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
