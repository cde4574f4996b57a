"""Read-only API of trajets, stations and operators, plus the API documentation pages."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.core.paginator import EmptyPage, Page, PageNotAnInteger
from django.core.paginator import Paginator as DjangoPaginator
from django.db import connections
from django.db.models import Prefetch, QuerySet
from django.db.models.query import ModelIterable
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, viewsets
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from apps.stats.services import cache_seconds
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
from apps.trajets.renderers import CSV_CHUNK_SIZE, CSVRenderer, stream_csv
from apps.trajets.rows import CSV_COLUMNS, LIST_READS, LIST_VALUES, csv_cells
from apps.trajets.serializers import (
    OperatorSerializer,
    StationSerializer,
    TrajetDetailSerializer,
    TrajetListSerializer,
    period_data,
)
from obrail.api_errors import BAD_REQUEST, NOT_FOUND, THROTTLED, error_response
from obrail.authentication import BasicAuthentication, SessionAuthentication
from obrail.caching import cached_per_query
from obrail.renderers import FastJSONRenderer
from obrail.throttling import AnonThrottle, UserThrottle

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
# Above this many rows a list's total is the planner's estimate (flagged by count_exact).
DEFAULT_EXACT_COUNT_LIMIT = 10_000
# A planner estimate this many times above the limit is trusted without counting up to the
# limit (measured estimates were within 7 %, at worst 42 % low, and at most tenfold high).
ESTIMATE_TRUST_FACTOR = 10


class CachedCountPaginator(DjangoPaginator):
    """Exact total counts, cached per query and data version.

    Counting a broad filter over a million services costs a scan however it is indexed; the
    data only changes on import, so the count is kept until the next successful import run
    (or ``API_COUNT_CACHE_SECONDS``, 0 to disable).

    With ``exact_count_limit`` set (the API's paginator), results are counted exactly up to
    that many rows only (``COUNT`` over a ``LIMIT``: the scan stops there); above it, and
    without counting at all when the planner expects ``ESTIMATE_TRUST_FACTOR`` times more,
    ``count`` is PostgreSQL's planner estimate (never below the limit) and ``count_exact`` is
    False. Pages are then not bounded by the estimate: a page past the end is empty. A short
    page needs no count: its offset plus its rows is the exact count.
    """

    exact_count_limit: int | None = None
    #: Read the page's rows as dicts of these values (and ``id``) instead of model instances.
    row_values: tuple[str, ...] = ()

    @cached_property
    def count_and_exactness(self) -> tuple[int, bool]:
        if not isinstance(self.object_list, QuerySet):
            return self._count()
        return cached_per_query(
            f"api-count:{self.exact_count_limit}",
            self.object_list,
            self._count,
            seconds=cache_seconds(),
            per_language=False,
        )

    @cached_property
    def count(self) -> int:
        return self.count_and_exactness[0]

    @property
    def count_exact(self) -> bool:
        return self.count_and_exactness[1]

    def _count(self) -> tuple[int, bool]:
        queryset = self.object_list
        limit = self.exact_count_limit
        if (
            not limit
            or not isinstance(queryset, QuerySet)
            or connections[queryset.db].vendor != "postgresql"
        ):
            return super().count, True
        trusted = limit * ESTIMATE_TRUST_FACTOR
        # A table smaller than that can't give a trusted estimate: count without asking.
        estimate = self._planner_estimate(queryset) if _table_rows(queryset) >= trusted else 0
        if estimate >= trusted:
            return estimate, False  # far above the limit: counting to it would be wasted
        capped = queryset.order_by()[: limit + 1].count()
        if capped <= limit:
            return capped, True
        return max(estimate, capped), False

    @staticmethod
    def _planner_estimate(queryset: QuerySet) -> int:
        """PostgreSQL's estimate of the number of rows of ``queryset`` (an EXPLAIN, ~1 ms)."""
        try:
            sql, params = queryset.order_by().values("pk").query.sql_with_params()
        except EmptyResultSet:  # e.g. pk__in=[]: matches nothing by construction
            return 0
        with connections[queryset.db].cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            plan = cursor.fetchone()[0]
        if isinstance(plan, str):
            plan = json.loads(plan)
        return int(plan[0]["Plan"]["Plan Rows"])

    def validate_number(self, number: int | str) -> int:
        if self.count_exact:
            return super().validate_number(number)
        return self._positive_number(number)

    def _positive_number(self, number: int | str) -> int:
        try:
            number = int(number)
        except (TypeError, ValueError) as error:
            raise PageNotAnInteger(_("That page number is not an integer")) from error
        if number < 1:
            raise EmptyPage(_("That page number is less than 1"))
        return number

    def _set_count(self, count: int, *, exact: bool) -> None:
        """Record a count learnt from the rows themselves (replaces any estimate)."""
        self.__dict__["count_and_exactness"] = (count, exact)
        for name in ("count", "num_pages"):
            self.__dict__.pop(name, None)

    def page(self, number: int | str) -> Page:
        """Read the page's rows, and count the list only when the page is full.

        With joins (``select_related``), a page after the first selects its ids first and then
        its rows ("deferred join"): it skips its offset in the ordering index alone, instead of
        joining operators and stations for every row before the offset.
        """
        queryset = self.object_list
        if (
            not isinstance(queryset, QuerySet)
            or queryset._iterable_class is not ModelIterable
            or self.orphans
        ):
            return super().page(number)  # values() or a list
        number = self._positive_number(number)
        bottom = (number - 1) * self.per_page
        window = slice(bottom, bottom + self.per_page)
        joins = queryset.query.select_related
        if joins and bottom > 0:
            ids = list(queryset.values_list("pk", flat=True)[window])
            rows = queryset.model._default_manager.filter(pk__any_of=ids)
            if self.row_values:
                by_id = {row["id"]: row for row in rows.values("id", *self.row_values)}
            else:
                rows.query.select_related = joins
                rows.query.deferred_loading = queryset.query.deferred_loading
                by_id = {row.pk: row for row in rows}
            # a row deleted between the two queries (by an import) is left out, not an error
            page_rows = [by_id[pk] for pk in ids if pk in by_id]
            found = len(ids)
        else:  # no offset to skip, or no joins to defer: the rows in one query
            rows = queryset.values("id", *self.row_values) if self.row_values else queryset
            page_rows = list(rows[window])
            found = len(page_rows)
        if found < self.per_page and (found or bottom == 0):
            # A short page ends the list: its offset plus its rows is the exact count, no
            # counting query needed (the usual case of a narrow filter).
            self._set_count(bottom + found, exact=True)
        elif not found:
            self.validate_number(number)  # past the end: 404 when the count is exact
        return self._get_page(page_rows, number, self)


_table_sizes: dict[tuple[str, str], tuple[float, int]] = {}
TABLE_SIZE_SECONDS = 300


def _table_rows(queryset: QuerySet) -> int:
    """PostgreSQL's row count of the queryset's table (``pg_class.reltuples``, as of the last
    ANALYZE), read at most every ``TABLE_SIZE_SECONDS`` per process; a large number when
    unknown. Only decides whether a planner estimate is worth asking for."""
    key = (queryset.db, queryset.model._meta.db_table)
    now = time.monotonic()
    known = _table_sizes.get(key)
    if known is None or known[0] < now:
        with connections[queryset.db].cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = to_regclass(%s)", [key[1]])
            row = cursor.fetchone()
        rows = int(row[0]) if row and row[0] is not None and row[0] >= 0 else 2**62
        known = _table_sizes[key] = (now + TABLE_SIZE_SECONDS, rows)
    return known[1]


class EstimatingCountPaginator(CachedCountPaginator):
    """The API's paginator: exact counts up to ``API_EXACT_COUNT_LIMIT`` rows, then estimates."""

    @property
    def exact_count_limit(self) -> int:
        return getattr(settings, "API_EXACT_COUNT_LIMIT", DEFAULT_EXACT_COUNT_LIMIT)


# Highest page number asked for: its row offset must fit the database's bigint with the
# largest page size (a page past the end is an empty page or a 404, never a 500).
MAX_PAGE_NUMBER = 10_000_000


class Pagination(PageNumberPagination):
    """Page numbers with a total count; bad ``page``/``page_size`` are 400s, not silent."""

    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        return self.page_size if raw is None else self._number(raw, "page_size", self.max_page_size)

    def check_parameters(self, request: Request) -> None:
        """400 for a ``page`` or ``page_size`` that is not an integer within its bounds (also
        for a CSV export, which ignores them), given empty included."""
        self.get_page_size(request)
        raw = request.query_params.get(self.page_query_param)
        if raw is not None:
            self._number(raw, self.page_query_param, MAX_PAGE_NUMBER)

    @staticmethod
    def _number(raw: str, name: str, highest: int) -> int:
        if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= highest:
            raise exceptions.ValidationError({name: [f"must be an integer from 1 to {highest:,}."]})
        return int(raw)

    def paginate_queryset(
        self, queryset: QuerySet, request: Request, view: Any = None
    ) -> list[Any] | None:
        """The page's rows; as dicts of ``view.page_row_values`` when the view has them."""
        self.check_parameters(request)
        self.row_values = getattr(view, "page_row_values", ())
        return super().paginate_queryset(queryset, request, view)

    def django_paginator_class(self, queryset: QuerySet, page_size: int) -> DjangoPaginator:
        """DRF builds its paginator through this name."""
        paginator = EstimatingCountPaginator(queryset, page_size)
        paginator.row_values = self.row_values
        return paginator

    def get_paginated_response(self, data: list[Any]) -> Response:
        return Response(
            {
                "count": self.page.paginator.count,
                "count_exact": self.page.paginator.count_exact,
                "page": self.page.number,
                "page_size": self.page.paginator.per_page,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        bounds = {
            self.page_query_param: {"minimum": 1, "maximum": MAX_PAGE_NUMBER},
            self.page_size_query_param: {"minimum": 1, "maximum": self.max_page_size},
        }
        for parameter in parameters:
            parameter["schema"] = {**parameter["schema"], **bounds.get(parameter["name"], {})}
        return parameters

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        base = super().get_paginated_response_schema(schema)
        base["properties"]["page"] = {"type": "integer", "example": 1}
        base["properties"]["page_size"] = {"type": "integer", "example": DEFAULT_PAGE_SIZE}
        base["properties"]["count"]["description"] = (
            f"Total number of results: exact up to {DEFAULT_EXACT_COUNT_LIMIT:,} by default "
            "(`API_EXACT_COUNT_LIMIT`), above it the database's estimate (see `count_exact`)."
        )
        base["properties"]["count_exact"] = {
            "type": "boolean",
            "example": True,
            "description": (
                "False when `count` is an estimate (the result exceeds the exact-count limit); "
                "the page links then follow the estimate and a page past the end is empty."
            ),
        }
        base["required"] = [
            "count",
            "count_exact",
            "page",
            "page_size",
            "next",
            "previous",
            "results",
        ]
        return base


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


class ReadOnlyApiMixin:
    """JSON or CSV, configurable throttles, 405 before any permission check, JSON errors."""

    renderer_classes = (FastJSONRenderer, CSVRenderer)
    throttle_classes = (AnonThrottle, UserThrottle)
    authentication_classes = (BasicAuthentication, SessionAuthentication)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # A method the view never serves is a 405 for everyone, not a 403 for anonymous users.
        if not hasattr(self, request.method.lower()):
            raise exceptions.MethodNotAllowed(request.method)
        super().initial(request, *args, **kwargs)

    def perform_content_negotiation(self, request: Request, force: bool = False) -> tuple:
        # DRF answers an unknown ?format= with a 404 and ignores an empty one: both are 400s.
        asked = request.query_params.get("format")
        if not force and asked is not None:
            formats = [renderer.format for renderer in self.get_renderers()]
            if asked not in formats:
                raise exceptions.ValidationError(
                    {
                        "format": [
                            _("doit être l'une des valeurs : %(choices)s.")
                            % {"choices": ", ".join(formats)}
                        ]
                    }
                )
        return super().perform_content_negotiation(request, force)

    def handle_exception(self, exc: Exception) -> Response:
        """Errors are always JSON, even when CSV was asked for."""
        self.request.accepted_renderer = FastJSONRenderer()
        self.request.accepted_media_type = FastJSONRenderer.media_type
        return super().handle_exception(exc)


class CsvListMixin(ReadOnlyApiMixin):
    """List views that stream the whole filtered list as CSV for ``?format=csv``."""

    csv_columns: tuple[str, ...] = ()
    csv_filename = "export.csv"

    def csv_row(self, obj: Any) -> Mapping[str, Any]:
        """One CSV line: the ``csv_columns`` attributes of ``obj`` (override for more)."""
        return {name: getattr(obj, name) for name in self.csv_columns}

    def csv_queryset(self, queryset: QuerySet) -> QuerySet:
        """The queryset streamed as CSV (add what ``csv_row`` reads)."""
        return queryset

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        queryset = self.filter_queryset(self.get_queryset())
        if request.accepted_renderer.format == "csv":
            if self.paginator is not None:
                self.paginator.check_parameters(request)
            rows = self.csv_queryset(queryset).iterator(chunk_size=CSV_CHUNK_SIZE)
            return stream_csv(
                rows, columns=self.csv_columns, flatten=self.csv_row, filename=self.csv_filename
            )
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


FORMAT_PARAMETER = OpenApiParameter(
    "format",
    OpenApiTypes.STR,
    enum=["json", "csv"],
    description="`csv` streams the whole filtered list (no pagination) as a CSV download.",
)
BAD_CREDENTIALS = error_response(
    "Invalid credentials (only when a bad Authorization header is sent; reading needs none)",
    {"detail": ["Nom d'utilisateur et/ou mot de passe non valide(s)."]},
)
BAD_FORMAT = error_response(
    "Unknown format", {"format": ["doit être l'une des valeurs : json, csv."]}
)
PAGE_NOT_FOUND = error_response("Page past the end of the list", {"detail": ["Page non valide."]})
LIST_ERRORS = {400: BAD_REQUEST, 403: BAD_CREDENTIALS, 429: THROTTLED}
PAGED_LIST_ERRORS = {**LIST_ERRORS, 404: PAGE_NOT_FOUND}
DETAIL_ERRORS = {400: BAD_FORMAT, 403: BAD_CREDENTIALS, 404: NOT_FOUND, 429: THROTTLED}
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
CSV_RESPONSE = OpenApiResponse(
    response=OpenApiTypes.STR, description="CSV export when `format=csv` (text/csv)."
)

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
