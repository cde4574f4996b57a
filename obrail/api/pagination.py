"""The API's pagination: page numbers with a total count cached per data version, exact up to a
limit and the planner's estimate above it."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.core.paginator import EmptyPage, Page, PageNotAnInteger
from django.core.paginator import Paginator as DjangoPaginator
from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import ModelIterable
from django.utils.formats import number_format
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from obrail.caching import cache_seconds, cached_per_query

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
    #: A version of the rows beside the data version (e.g. the atlas's, bumped by a
    #: recomputation that no import precedes): the cached count follows it too.
    rows_version: Callable[[], object] | None = None

    @cached_property
    def count_and_exactness(self) -> tuple[int, bool]:
        if not isinstance(self.object_list, QuerySet):
            return self._count()
        version = "" if self.rows_version is None else f":{self.rows_version()}"
        return cached_per_query(
            f"api-count:{self.exact_count_limit}{version}",
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
    row_values: tuple[str, ...] = ()
    rows_version: Callable[[], object] | None = None

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
            message = _("doit être un nombre entier de 1 à %(highest)s.") % {
                "highest": number_format(highest, force_grouping=True)
            }
            raise exceptions.ValidationError({name: [message]})
        return int(raw)

    def paginate_queryset(
        self, queryset: QuerySet, request: Request, view: Any = None
    ) -> list[Any] | None:
        """The page's rows; as dicts of ``view.page_row_values`` when the view has them."""
        self.check_parameters(request)
        self.row_values = getattr(view, "page_row_values", ())
        self.rows_version = getattr(view, "page_rows_version", None)
        return super().paginate_queryset(queryset, request, view)

    def django_paginator_class(self, queryset: QuerySet, page_size: int) -> DjangoPaginator:
        """DRF builds its paginator through this name."""
        paginator = EstimatingCountPaginator(queryset, page_size)
        paginator.row_values = self.row_values
        paginator.rows_version = self.rows_version
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
