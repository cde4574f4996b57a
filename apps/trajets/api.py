"""Read-only API of trajets, stations and operators, plus the API documentation pages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from apps.trajets.filters import OperatorFilterSet, StationFilterSet, TrajetFilterSet
from apps.trajets.models import (
    CalendarException,
    Operator,
    Station,
    Stop,
    Trajet,
    TrajetProvenance,
)
from apps.trajets.periods import PeriodKind, typical_weeks
from apps.trajets.rows import CSV_COLUMNS, LIST_READS, LIST_VALUES, csv_cells
from apps.trajets.serializers import (
    OperatorSerializer,
    StationSerializer,
    TrajetDetailSerializer,
    TrajetListSerializer,
    period_data,
)
from obrail.api.pagination import Pagination
from obrail.api.schema import (
    DETAIL_ERRORS,
    FORMAT_PARAMETER,
    PAGED_LIST_ERRORS,
)
from obrail.api.views import CsvListMixin


class PeriodPagination(Pagination):
    """The trajet list's pages also state the period their trains run in (``period``)."""

    def paginate_queryset(
        self, queryset: QuerySet, request: Request, view: Any = None
    ) -> list[Any] | None:
        self.period = view.period_statement() if view is not None else None
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data: list[Any]) -> Response:
        response = super().get_paginated_response(data)
        response.data = {"period": self.period, **response.data}
        return response

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        base = super().get_paginated_response_schema(schema)
        base["properties"] = {"period": PERIOD_SCHEMA, **base["properties"]}
        base["required"] = ["period", *base["required"]]
        return base


PERIOD_SCHEMA = {
    "type": "object",
    "description": (
        "The period the listed trains run in (at least one date each): by default each "
        "train's source's typical week (`period.sources`); chosen by `date`, `week`, `month`, "
        "`start`/`end`, or `period=all` for every date."
    ),
    "properties": {
        "kind": {
            "type": "string",
            "enum": ["reference", "all", "date", "week", "month", "range"],
            "example": "week",
        },
        "start": {"type": "string", "format": "date", "nullable": True, "example": "2025-11-17"},
        "end": {"type": "string", "format": "date", "nullable": True, "example": "2025-11-23"},
        "label": {"type": "string", "example": "semaine du 17 au 23 novembre 2025"},
        "sources": {
            "type": "array",
            "example": [],
            "items": {
                "type": "object",
                "properties": {
                    "source": {"type": "string"},
                    "start": {"type": "string", "format": "date"},
                    "end": {"type": "string", "format": "date"},
                },
                "required": ["source", "start", "end"],
            },
        },
    },
    "required": ["kind", "start", "end", "label", "sources"],
}


TIME_PARAMETERS = [
    OpenApiParameter(
        name,
        OpenApiTypes.STR,
        # Empty: no bound (the page's form sends its empty fields).
        pattern=r"^$|^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$",
        # No `examples`: Swagger UI's "Try it out" would fill the first one in, and the first
        # call would be silently filtered by time (issue #17). The example is in the text.
        description=description,
    )
    for name, description in (
        ("departure_after", "Earliest local departure time, HH:MM (e.g. 07:00)."),
        (
            "departure_before",
            "Latest local departure time, HH:MM (e.g. 09:30); earlier than departure_after, "
            "the window wraps past midnight (22:00 to 02:00).",
        ),
    )
]
# The API's CSV line of a trajet: (column, value of its row), from the row spec.
_CSV_CELLS = tuple((str(cell.header), cell.value) for cell in csv_cells(CSV_COLUMNS))

TRAJET_LIST_EXAMPLE = {
    "period": {
        "kind": "reference",
        "start": None,
        "end": None,
        "label": "semaine type de chaque source : oebb-nightjet du 15 au 21 décembre 2025",
        "sources": [{"source": "oebb-nightjet", "start": "2025-12-15", "end": "2025-12-21"}],
    },
    "count": 1,
    "count_exact": True,
    "page": 1,
    "page_size": 50,
    "next": None,
    "previous": None,
    "results": [
        {
            "id": 42,
            "operator": {"id": 3, "code": "oebb", "name": "ÖBB Personenverkehr"},
            "train_number": "NJ 466",
            "category": "Nightjet",
            "kind": "night",
            "origin": {"id": 10, "uic_code": "8101003", "name": "Wien Hbf", "country": "AT"},
            "destination": {
                "id": 11,
                "uic_code": "8727100",
                "name": "Paris Est",
                "country": "FR",
            },
            "departure_time": "19:10:00",
            "arrival_time": "09:55:00",
            "arrival_day_offset": 1,
            "duration_min": 885,
            "distance_km": 1398.4,
            "valid_from": "2025-12-14",
            "valid_to": "2026-12-12",
            "weekdays": ["monday", "wednesday", "friday"],
            "runs_from": "2025-12-15",
            "runs_until": "2026-12-11",
            "running_days": 154,
            "stops": {"count": 4, "via": ["Salzburg Hbf", "München Hbf"]},
            "co2": {
                "rail_kg": 9.1,
                "flight_kg": 185.3,
                "saved_kg": 176.2,
                "rail_to_flight_ratio": 0.0491,
                "method": "ademe",
                "method_label": "ADEME Base Carbone (avion avec effets hors CO2)",
            },
        }
    ],
}


@extend_schema_view(
    list=extend_schema(
        summary="List rail services (trajets)",
        description=(
            "Filtered, ordered and paginated list of trains, each counted once across "
            "sources. By default the trains running in their source's typical week (stated "
            "in `period`); `date`, `week`, `month`, `start`/`end` keep the trains running at "
            "least once in that period, `period=all` every train. Every filter can be "
            "combined. Bad values give a 400 naming each bad parameter."
        ),
        parameters=[FORMAT_PARAMETER, *TIME_PARAMETERS],
        responses={200: TrajetListSerializer(many=True), **PAGED_LIST_ERRORS},
        examples=[OpenApiExample("A night train", value=TRAJET_LIST_EXAMPLE, response_only=True)],
    ),
    retrieve=extend_schema(
        summary="One rail service in full",
        description=(
            "Ordered stops, calendar with dated exceptions, CO2 against the flight equivalent "
            "with the factors used, and every source record merged into the service."
        ),
        responses={200: TrajetDetailSerializer, **DETAIL_ERRORS},
    ),
)
class TrajetViewSet(CsvListMixin, viewsets.ReadOnlyModelViewSet):
    """Rail services: ``/api/trajets`` and ``/api/trajets/{id}``."""

    filterset_class = TrajetFilterSet
    pagination_class = PeriodPagination
    page_row_values = LIST_VALUES  # list rows without model instances
    lookup_value_regex = r"[0-9]+"
    csv_filename = "trajets.csv"
    csv_columns = tuple(name for name, _ in _CSV_CELLS)

    def get_queryset(self) -> QuerySet:
        if self.action == "retrieve":
            return Trajet.objects.select_related(
                "operator",
                "origin",
                "destination",
                "source",
                "import_run",
                "rail_emission_factor",
                "flight_emission_factor",
            ).prefetch_related(
                # explicit order: Stop's default ordering by trajet would join the trajets
                Prefetch(
                    "stops",
                    queryset=Stop.objects.select_related("station").order_by(
                        "trajet_id", "sequence"
                    ),
                ),
                Prefetch(
                    "calendar_exceptions", queryset=CalendarException.objects.order_by("date")
                ),
                Prefetch(
                    "provenances",
                    queryset=TrajetProvenance.objects.select_related(
                        "source", "import_run"
                    ).order_by("id"),
                ),
            )
        return Trajet.objects.for_api_list()

    def get_serializer_class(self) -> type:
        return TrajetDetailSerializer if self.action == "retrieve" else TrajetListSerializer

    def period_statement(self) -> dict[str, Any]:
        """The period of the list, as its pages state it."""
        filterset = TrajetFilterSet(self.request.query_params)
        filterset.is_valid()
        choice = filterset.period_choice
        weeks = typical_weeks().of() if choice.kind == PeriodKind.REFERENCE else ()
        return period_data(choice, weeks)

    def csv_queryset(self, queryset: QuerySet) -> QuerySet:
        """The lines as values (``LIST_READS``): no model instances."""
        return queryset.values(*LIST_READS)

    def csv_row(self, row: Mapping[str, Any]) -> Mapping[str, Any]:
        return {name: value(row) for name, value in _CSV_CELLS}


@extend_schema_view(
    list=extend_schema(
        summary="Search stations (autocomplete)",
        parameters=[FORMAT_PARAMETER],
        responses={200: StationSerializer(many=True), **PAGED_LIST_ERRORS},
    ),
    retrieve=extend_schema(
        summary="One station", responses={200: StationSerializer, **DETAIL_ERRORS}
    ),
)
class StationViewSet(CsvListMixin, viewsets.ReadOnlyModelViewSet):
    """Stations: ``/api/stations`` (search by name prefix, UIC code, id; country)."""

    queryset = Station.objects.order_by("name", "id")
    serializer_class = StationSerializer
    page_row_values = StationSerializer.row_values
    filterset_class = StationFilterSet
    pagination_class = Pagination
    lookup_value_regex = r"[0-9]+"
    csv_filename = "stations.csv"
    csv_columns = StationSerializer.Meta.fields


@extend_schema_view(
    list=extend_schema(
        summary="Search operators (autocomplete)",
        parameters=[FORMAT_PARAMETER],
        responses={200: OperatorSerializer(many=True), **PAGED_LIST_ERRORS},
    ),
    retrieve=extend_schema(
        summary="One operator", responses={200: OperatorSerializer, **DETAIL_ERRORS}
    ),
)
class OperatorViewSet(CsvListMixin, viewsets.ReadOnlyModelViewSet):
    """Operators: ``/api/operators`` (search by code or name prefix; country)."""

    queryset = Operator.objects.order_by("name", "id")
    serializer_class = OperatorSerializer
    page_row_values = OperatorSerializer.row_values
    filterset_class = OperatorFilterSet
    pagination_class = Pagination
    lookup_value_regex = r"[0-9]+"
    csv_filename = "operators.csv"
    csv_columns = OperatorSerializer.Meta.fields
