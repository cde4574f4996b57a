"""The atlas endpoints: ``/api/pairs``, ``/api/pairs/{id}``, ``/api/policy``."""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.atlas.filters import ORDERINGS, CityPairFilterSet
from apps.atlas.models import CityPair
from apps.atlas.serializers import (
    METHOD_CHOICES,
    PairDetailSerializer,
    PairListSerializer,
    PairQuerySerializer,
    PolicyQuerySerializer,
    PolicyResultSerializer,
    pair_row,
)
from apps.atlas.services import (
    atlas_version,
    co2_all_methods,
    method_factors,
    pair_co2,
    policy_answer,
)
from apps.trajets.filters import filter_errors
from obrail.api_errors import THROTTLED, error_response
from obrail.api_schema import NO_NUL_PATTERN

METHOD_PARAMETER = OpenApiParameter(
    "method",
    str,
    enum=METHOD_CHOICES,
    default="ademe",
    description="CO2 method of every figure: ADEME Base Carbone (air with non-CO2 effects), "
    "UK DESNZ with or without the non-CO2 effects of aviation, EEA (CO2 only, one figure per "
    "mode for every distance and country).",
)
BAD_REQUEST = error_response(
    "A parameter outside its documented form",
    {"country": ["code pays ISO à deux lettres attendu."]},
)
POLICY_UNPROCESSABLE = error_response(
    "A rule with neither a threshold nor the night-train option",
    {"threshold_min": ["Indiquez un seuil en minutes ou l'option train de nuit."]},
)
NOT_FOUND = error_response("No such pair", {"detail": ["Pas trouvé."]})
PAIR_FILTERS = [
    OpenApiParameter(
        "q",
        {"type": "string", "pattern": NO_NUL_PATTERN, "maxLength": 100},
        description="Start of either city's name, in any language.",
    ),
    OpenApiParameter(
        "country", str, pattern="^$|^[A-Za-z]{2}$", description="Either country (empty: any)."
    ),
    OpenApiParameter("domestic", bool, description="Both cities in one country."),
    OpenApiParameter("rail", str, enum=["", *CityPair.RailStatus.values]),
    OpenApiParameter(
        "max_rail_min",
        {"type": "number", "minimum": 0, "maximum": 10080},
        description="Fastest train at most (minutes).",
    ),
    OpenApiParameter(
        "min_passengers",
        {"type": "number", "minimum": 0, "maximum": 100000000},
        description="Air passengers of the latest year, at least.",
    ),
    OpenApiParameter("night", bool, description="A direct night train links them."),
    OpenApiParameter(
        "ordering",
        str,
        enum=["", *ORDERINGS, *(f"-{key}" for key in ORDERINGS)],
        description="Sort key, `-` for descending (empty: the default order).",
    ),
]


def _method(request: Request) -> str:
    query = PairQuerySerializer(data={"method": request.query_params.get("method", "ademe")})
    query.is_valid(raise_exception=True)
    return query.validated_data["method"]


class PairListView(APIView):
    """``GET /api/pairs``: every city pair with air traffic or a rail link, filtered."""

    @extend_schema(
        operation_id="pairs_list",
        summary="City pairs: air traffic, rail time, CO2",
        description=(
            "Pairs of cities (GeoNames places served by an airport) with Eurostat air traffic "
            "between their airports or a train of a reference day between them: air passengers "
            "of the latest year, the fastest and typical rail journey of the reference day "
            "(`rail_status` says when the warehouse has no timetable for the pair), the "
            "flight's door-to-door time under stated assumptions, and CO2 per passenger under "
            "`method` (named in every `co2` object). Recomputed after each import."
        ),
        parameters=[METHOD_PARAMETER, *PAIR_FILTERS],
        responses={
            200: inline_serializer(
                "PairListPage",
                {
                    "count": serializers.IntegerField(),
                    "method": serializers.CharField(),
                    "results": PairListSerializer(many=True),
                },
            ),
            400: BAD_REQUEST,
            429: THROTTLED,
        },
    )
    def get(self, request: Request) -> Response:
        method = _method(request)
        data = request.query_params.copy()
        data.pop("method", None)
        filterset = CityPairFilterSet(data, queryset=CityPair.objects.all())
        filterset.renders_form = False
        errors = filter_errors(filterset)
        if errors is not None:
            raise errors
        key = (
            "atlas:api-pairs:"
            + hashlib.sha256(
                f"{atlas_version()}|{get_language()}|{method}|{sorted(data.lists())}".encode()
            ).hexdigest()
        )
        rows = cache.get(key)
        if rows is None:
            factors = method_factors(method)
            rows = [pair_row(pair, pair_co2(pair, factors)) for pair in filterset.qs]
            cache.set(key, rows, 3600)
        return Response({"count": len(rows), "method": method, "results": rows})


class PairDetailView(APIView):
    """``GET /api/pairs/{id}``: one pair in full."""

    @extend_schema(
        operation_id="pairs_retrieve",
        summary="One city pair in full",
        description=(
            "Airports of each city, air passengers per year and per airport pair, the journeys "
            "of the reference day, night trains with their times, the rail distance by "
            "country, and CO2 under `method` and under every method (`co2_by_method`)."
        ),
        parameters=[METHOD_PARAMETER],
        responses={200: PairDetailSerializer, 400: BAD_REQUEST, 404: NOT_FOUND, 429: THROTTLED},
    )
    def get(self, request: Request, pk: int) -> Response:
        method = _method(request)
        pair = get_object_or_404(CityPair, pk=pk)
        factors = method_factors(method)
        context = {"co2": lambda p: pair_co2(p, factors), "co2_all": co2_all_methods}
        return Response(PairDetailSerializer(pair, context=context).data)


class PolicyView(APIView):
    """``GET /api/policy``: the pairs a rule on flights affects, passengers and CO2 avoided."""

    @extend_schema(
        operation_id="policy_retrieve",
        summary="Policy simulator (e.g. the French 2h30 rule)",
        description=(
            "Pairs whose fastest train in the reference day takes at most `threshold_min` "
            "minutes (150: France's ban of domestic flights where a train takes under 2h30), "
            "or with `night_train=true` a direct night train; `scope=domestic` keeps pairs "
            "inside `country`, `international` pairs with one end in it. Passengers of the "
            "latest Eurostat year; CO2 avoided if all of them took the train, under `method`; "
            "the assumptions are returned with the answer."
        ),
        parameters=[PolicyQuerySerializer],
        responses={
            200: PolicyResultSerializer,
            400: BAD_REQUEST,
            422: POLICY_UNPROCESSABLE,
            429: THROTTLED,
        },
    )
    def get(self, request: Request) -> Response:
        query = PolicyQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        answer = policy_answer(**query.validated_data)
        return Response(PolicyResultSerializer(answer).data)
