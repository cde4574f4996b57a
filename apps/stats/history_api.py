"""API of the night-train series: ``/api/stats/night-trains``."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from apps.trajets.models import DataSource
from apps.trajets.services import HISTORY_SOURCE, night_history
from obrail.api.views import ReadOnlyApiMixin
from obrail.api_schema import NO_NUL_PATTERN
from obrail.errors import InvalidInput, UnprocessableInput

#: A source's name is at most this long (``DataSource.name``, a slug).
SOURCE_MAX_LENGTH = 80


class QuarterSerializer(serializers.Serializer):
    observed_on = serializers.DateField(help_text="Date of the snapshot (or of the import).")
    snapshot = serializers.CharField(help_text="File the observation was read from.")
    routes = serializers.IntegerField(help_text="Night-train routes listed.")
    added = serializers.IntegerField(help_text="Routes absent from the previous observation.")
    removed = serializers.IntegerField(help_text="Routes of the previous observation gone.")
    changed = serializers.IntegerField(
        help_text="Routes renamed or with other countries, operators or itinerary."
    )
    by_country = serializers.DictField(
        child=serializers.IntegerField(), help_text="Routes serving each country."
    )
    by_operator = serializers.DictField(
        child=serializers.IntegerField(), help_text="Routes run by each operator."
    )


class NightTrainHistorySerializer(serializers.Serializer):
    source = serializers.CharField()
    attribution = serializers.CharField()
    licence = serializers.CharField()
    results = QuarterSerializer(many=True)


class NightTrainHistoryView(ReadOnlyApiMixin, generics.GenericAPIView):
    """Night-train routes per dated observation of a source (Back-on-Track's quarterly
    snapshots by default), with routes appeared, disappeared and changed."""

    serializer_class = NightTrainHistorySerializer
    pagination_class = None

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "source",
                {"type": "string", "pattern": NO_NUL_PATTERN, "maxLength": SOURCE_MAX_LENGTH},
                description=f"Observed source (default {HISTORY_SOURCE}); unknown: 422.",
            )
        ],
        responses=NightTrainHistorySerializer,
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        name = request.query_params.get("source") or HISTORY_SOURCE
        if "\x00" in name or len(name) > SOURCE_MAX_LENGTH:
            message = _("nom de source invalide (caractère nul ou plus de %(max)s caractères).")
            raise InvalidInput({"source": [message % {"max": SOURCE_MAX_LENGTH}]})
        try:
            source, rows = night_history(name)
        except DataSource.DoesNotExist:
            message = _("aucune source observée ne s'appelle « %(name)s ».") % {"name": name}
            raise UnprocessableInput({"source": [message]}) from None
        data = {
            "source": source.name,
            "attribution": source.attribution,
            "licence": source.licence,
            "results": [
                {
                    "observed_on": row.observed_on,
                    "snapshot": row.snapshot,
                    "routes": row.routes,
                    "added": row.added,
                    "removed": row.removed,
                    "changed": row.changed,
                    "by_country": row.by_country,
                    "by_operator": row.by_operator,
                }
                for row in rows
            ],
        }
        return Response(NightTrainHistorySerializer(data).data)
