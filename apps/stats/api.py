"""API of the indicators: ``/api/stats/volumes``."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response

from apps.stats.serializers import VolumesSerializer, period_data
from apps.stats.services import GROUP_BY_PATTERN, compute_volumes, parse_group_by
from apps.trajets.models import Trajet
from apps.trajets.web import TIME_PARAMETERS, TrajetFilterSet
from obrail.api.csv_export import stream_csv
from obrail.api.filters import ApiFilterBackend, filter_errors
from obrail.api.schema import FORMAT_PARAMETER, LIST_ERRORS
from obrail.api.views import ReadOnlyApiMixin
from obrail.errors import InvalidInput, UnprocessableInput

VOLUMES_EXAMPLE = {
    "period": {
        "kind": "reference",
        "start": None,
        "end": None,
        "label": (
            "semaine type de chaque source : db-fernverkehr du 17 au 23 novembre 2025, "
            "sncf-intercites du 16 au 22 décembre 2013"
        ),
        "sources": [
            {"source": "db-fernverkehr", "start": "2025-11-17", "end": "2025-11-23"},
            {"source": "sncf-intercites", "start": "2013-12-16", "end": "2013-12-22"},
        ],
    },
    "group_by": ["operator", "kind"],
    "results": [
        {
            "operator": "sncf",
            "operator_name": "SNCF Voyageurs",
            "kind": "day",
            "services": 2,
            "departures": 12,
            "km_served": 5124.0,
        },
        {
            "operator": "oebb",
            "operator_name": "ÖBB Personenverkehr",
            "kind": "night",
            "services": 1,
            "departures": 3,
            "km_served": 4195.2,
        },
    ],
    "total": {"services": 3, "departures": 15, "km_served": 9319.2},
}


class VolumesView(ReadOnlyApiMixin, generics.GenericAPIView):
    """Services, departures and train-km over a stated period, grouped, of the filtered
    trains."""

    queryset = Trajet.objects.all()
    filterset_class = TrajetFilterSet
    serializer_class = VolumesSerializer
    pagination_class = None

    @extend_schema(
        summary="Volumes of services, departures and km served over a period",
        description=(
            "Takes every filter of `/api/trajets` and a `group_by` list. Departures are the "
            "real running dates of each train (weekly pattern, added and removed dates) in "
            "the period: by default each train's source's typical week (the week with the "
            "most departures of that source, listed in `period.sources`); `date`, `week`, "
            "`month`, `start` and `end` choose a day, a week, a month or a range (366 days "
            "at most), `period=all` every date. Services are the trains running at least "
            "once in the period, each counted once across sources. `group_by=country` groups "
            "by country of origin. The response states its period in `period`."
        ),
        filters=True,
        parameters=[
            OpenApiParameter(
                "group_by",
                {"type": "string", "pattern": GROUP_BY_PATTERN},
                description=(
                    "Comma-separated subset of `operator`, `country`, `kind` "
                    "(e.g. `operator,kind`); default `operator`; empty for the total only; a "
                    "name given twice is a 422."
                ),
                examples=[
                    OpenApiExample("By operator and kind", value="operator,kind"),
                    OpenApiExample("By country", value="country"),
                ],
            ),
            FORMAT_PARAMETER,
            *TIME_PARAMETERS,
        ],
        responses={200: VolumesSerializer, **LIST_ERRORS},
        examples=[
            OpenApiExample("By operator and kind", value=VOLUMES_EXAMPLE, response_only=True)
        ],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        filterset = ApiFilterBackend().get_filterset(request, self.get_queryset(), self)
        filterset.narrows_to_period = False  # counted over the period, not narrowed to it
        invalid = filter_errors(filterset)
        try:
            group_by = parse_group_by(request.query_params.get("group_by", "operator"))
        except InvalidInput as exc:
            if invalid is None:
                raise
            both = {**invalid.errors, **exc.errors}
            refused = isinstance(invalid, UnprocessableInput) and isinstance(
                exc, UnprocessableInput
            )
            raise (UnprocessableInput(both) if refused else InvalidInput(both)) from None
        if invalid is not None:
            raise invalid
        table = compute_volumes(
            lambda: filterset.qs,
            group_by=group_by,
            filters=filterset.cleaned_filters,
            choice=filterset.period_choice,
        )
        period = period_data(table.choice, table.weeks)
        if request.accepted_renderer.format == "csv":
            columns = [
                name
                for name in ("operator", "operator_name", "country", "kind")
                if any(name.startswith(group) for group in table.group_by)
            ] + ["services", "departures", "km_served", "period"]
            return stream_csv(
                table.rows,
                columns=columns,
                flatten=lambda row: {**row, "period": period["label"]},
                filename="volumes.csv",
            )
        return Response(
            {
                "period": period,
                "group_by": list(table.group_by),
                "results": table.rows,
                "total": table.total,
            }
        )
