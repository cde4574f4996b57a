"""API of the indicators: ``/api/stats/volumes``."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import exceptions, generics
from rest_framework.request import Request
from rest_framework.response import Response

from apps.stats.serializers import VolumesSerializer
from apps.stats.services import compute_volumes, parse_group_by
from apps.trajets.api import FORMAT_PARAMETER, LIST_ERRORS, TIME_PARAMETERS, ReadOnlyApiMixin
from apps.trajets.filters import ApiFilterBackend, TrajetFilterSet
from apps.trajets.models import Trajet
from apps.trajets.renderers import stream_csv
from obrail.errors import InvalidInput

VOLUMES_EXAMPLE = {
    "group_by": ["operator", "kind"],
    "results": [
        {
            "operator": "sncf",
            "operator_name": "SNCF Voyageurs",
            "kind": "day",
            "services": 2,
            "weekly_departures": 12,
            "km_served": 5124.0,
        },
        {
            "operator": "oebb",
            "operator_name": "ÖBB Personenverkehr",
            "kind": "night",
            "services": 1,
            "weekly_departures": 3,
            "km_served": 4195.2,
        },
    ],
    "total": {"services": 3, "weekly_departures": 15, "km_served": 9319.2},
}


class VolumesView(ReadOnlyApiMixin, generics.GenericAPIView):
    """Services, weekly departures and weekly train-km, grouped, over the filtered trajets."""

    queryset = Trajet.objects.all()
    filterset_class = TrajetFilterSet
    serializer_class = VolumesSerializer
    pagination_class = None

    @extend_schema(
        summary="Volumes of services, departures and km served",
        description=(
            "Takes every filter of `/api/trajets` and a `group_by` list. Weekly figures come "
            "from the weekday calendar; `country` groups by country of origin."
        ),
        filters=True,
        parameters=[
            OpenApiParameter(
                "group_by",
                OpenApiTypes.STR,
                description=(
                    "Comma-separated subset of `operator`, `country`, `kind` "
                    "(e.g. `operator,kind`); default `operator`; empty for the total only."
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
        errors = {} if filterset.is_valid() else dict(filterset.errors)
        try:
            group_by = parse_group_by(request.query_params.get("group_by", "operator"))
        except InvalidInput as exc:
            errors.update(exc.errors)
        if errors:
            raise exceptions.ValidationError(errors)
        table = compute_volumes(
            lambda: filterset.qs, group_by=group_by, filters=filterset.cleaned_filters
        )
        if request.accepted_renderer.format == "csv":
            columns = [
                name
                for name in ("operator", "operator_name", "country", "kind")
                if any(name.startswith(group) for group in table.group_by)
            ] + ["services", "weekly_departures", "km_served"]
            return stream_csv(
                table.rows, columns=columns, flatten=lambda row: row, filename="volumes.csv"
            )
        return Response(
            {"group_by": list(table.group_by), "results": table.rows, "total": table.total}
        )
