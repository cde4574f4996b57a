"""The atlas endpoints: ``/api/pairs``, ``/api/pairs/{id}``, ``/api/policy``."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.cache import cache
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from apps.atlas.filters import CityPairFilterSet
from apps.atlas.models import CityPair
from apps.atlas.serializers import (
    METHOD_CHOICES,
    PAIR_ROW_VALUES,
    PairDetailSerializer,
    PairListSerializer,
    PairQuerySerializer,
    PolicyQuerySerializer,
    PolicyResultSerializer,
    pair_rows,
)
from apps.atlas.services import (
    atlas_version,
    co2_all_methods,
    method_factors,
    pair_co2,
    policy_answer,
)
from obrail.api.pagination import Pagination
from obrail.api.schema import PAGE_NOT_FOUND
from obrail.api_errors import THROTTLED, error_response

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
    {"country": ["code pays ISO 3166-1 à deux lettres attendu (ex. FR, DE)."]},
)
POLICY_UNPROCESSABLE = error_response(
    "A rule with neither a threshold nor the night-train option",
    {"threshold_min": ["Indiquez un seuil en minutes ou l'option train de nuit."]},
)
NOT_FOUND = error_response("No such pair", {"detail": ["Pas trouvé."]})


class PairPagination(Pagination):
    """The project's pages (``page``, ``page_size``, counts, links), plus the CO2 ``method``
    every figure of the page is in."""

    def paginate_queryset(
        self, queryset: QuerySet, request: Request, view: Any = None
    ) -> list[Any] | None:
        self.method = _method(request)
        return super().paginate_queryset(queryset, request, view)

    def page_data(self, rows: list[dict[str, Any]]) -> dict[str, Any]:
        """The page without its links: what is cached (the links follow each request's own
        host and scheme, :meth:`with_links`)."""
        paginator = self.page.paginator
        return {
            "method": self.method,
            "count": paginator.count,
            "count_exact": paginator.count_exact,
            "page": self.page.number,
            "page_size": paginator.per_page,
            "has_next": self.page.has_next(),
            "results": rows,
        }

    def with_links(self, data: dict[str, Any], request: Request) -> dict[str, Any]:
        """The page as the API answers it: :meth:`page_data` with the links of
        ``request`` (as DRF's ``get_next_link`` and ``get_previous_link`` make them)."""
        url = request.build_absolute_uri()
        number = data["page"]
        previous = None
        if number == 2:
            previous = remove_query_param(url, self.page_query_param)
        elif number > 2:
            previous = replace_query_param(url, self.page_query_param, number - 1)
        links = {
            "next": replace_query_param(url, self.page_query_param, number + 1)
            if data["has_next"]
            else None,
            "previous": previous,
        }
        head = {name: data[name] for name in ("method", "count", "count_exact", "page")}
        return {**head, "page_size": data["page_size"], **links, "results": data["results"]}

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        base = super().get_paginated_response_schema(schema)
        base["properties"] = {
            "method": {"type": "string", "enum": METHOD_CHOICES, "example": "ademe"},
            **base["properties"],
        }
        base["required"] = ["method", *base["required"]]
        return base


def _method(request: Request) -> str:
    query = PairQuerySerializer(data={"method": request.query_params.get("method", "ademe")})
    query.is_valid(raise_exception=True)
    return query.validated_data["method"]


class PairListView(generics.ListAPIView):
    """``GET /api/pairs``: every city pair with air traffic or a rail link, filtered, by pages.

    The filters and their schema come from :class:`CityPairFilterSet`, the page's own.
    """

    queryset = CityPair.objects.order_by(*CityPair._meta.ordering, "id")
    # A page's rows are read as values of the columns of a list row only (the paginator): no
    # model instances, and the day's journeys and the yearly series stay unread.
    page_row_values = PAIR_ROW_VALUES
    #: The count follows the atlas, which a recomputation changes without an import.
    page_rows_version = staticmethod(atlas_version)
    serializer_class = PairListSerializer
    filterset_class = CityPairFilterSet
    pagination_class = PairPagination

    @extend_schema(
        operation_id="pairs_list",
        summary="City pairs: air traffic, rail time, CO2",
        description=(
            "Pairs of cities (GeoNames places served by an airport) with Eurostat air traffic "
            "between their airports or a train of a reference day between them: air passengers "
            "of the latest year, the fastest and typical rail journey of the reference day "
            "(`rail_status` says when the warehouse has no timetable for the pair), the "
            "flight's door-to-door time under stated assumptions, and CO2 per passenger under "
            "`method` (named in the page and in every `co2` object). By pages (`page`, "
            "`page_size`). Recomputed after each import."
        ),
        parameters=[METHOD_PARAMETER],
        responses={
            200: PairListSerializer(many=True),
            400: BAD_REQUEST,
            404: PAGE_NOT_FOUND,
            429: THROTTLED,
        },
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(self.paginator.with_links(self.cached_page(request), request))

    def cached_page(self, request: Request) -> dict[str, Any]:
        """The asked page without its links, cached per atlas version, language and query."""
        key = (
            "atlas:api-pairs:"
            + hashlib.sha256(
                f"{atlas_version()}|{get_language()}|{_method(request)}|"
                f"{sorted(request.query_params.lists())}".encode()
            ).hexdigest()
        )
        data = cache.get(key)
        if data is None:
            page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
            factors = method_factors(_method(request))
            data = self.paginator.page_data(pair_rows(page, factors))
            cache.set(key, data, 3600)
        return data


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
