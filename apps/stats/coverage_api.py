"""API of the coverage scorecard: ``/api/stats/coverage``."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from apps.stats.coverage import coverage_scorecard
from apps.trajets.models import SourceScope
from obrail.api.views import ReadOnlyApiMixin
from obrail.errors import InvalidInput


class CoverageRowSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="Country code (ISO 3166-1) or operator code.")
    name = serializers.CharField()
    sources = serializers.ListField(child=serializers.CharField())
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=SourceScope.choices),
        help_text=(
            "Which trains its sources describe: "
            + ", ".join(v for v in SourceScope.values if v)
            + " (cross_border: a country reached only by trains from abroad), '' undeclared."
        ),
    )
    current_scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=SourceScope.choices),
        help_text="The same for its current sources only (empty: none is current).",
    )
    runs_from = serializers.DateField(
        allow_null=True, help_text="First running date of its sources."
    )
    runs_until = serializers.DateField(
        allow_null=True, help_text="Last running date of its sources."
    )
    validity = serializers.ChoiceField(
        choices=["current", "upcoming", "expired", "unknown"],
        help_text="current when one of its sources runs today.",
    )
    day_departures = serializers.IntegerField(
        help_text="Day trains running in the week (one per day run)."
    )
    night_departures = serializers.IntegerField(
        help_text="Night trains (sleepers or couchettes) running in the week."
    )
    overnight_departures = serializers.IntegerField(
        help_text="Trains running through the night whose couchettes are not known."
    )
    day_km = serializers.FloatField(
        help_text=(
            "Train-km of the day trains in the week: each train's whole length, counted in "
            "every country it serves (country rows do not add up to a European total)."
        )
    )
    night_km = serializers.FloatField(
        help_text="Train-km of the night trains in the week (whole length, as day_km)."
    )
    overnight_km = serializers.FloatField(
        help_text=(
            "Train-km of the night trains without known couchettes in the week (whole "
            "length, as day_km)."
        )
    )


class ScorecardSerializer(serializers.Serializer):
    week_start = serializers.DateField()
    week_end = serializers.DateField()
    today = serializers.DateField()
    countries = CoverageRowSerializer(many=True)
    operators = CoverageRowSerializer(many=True)
    gaps = serializers.ListField(
        child=serializers.CharField(), help_text="European countries with no current timetable."
    )
    partial = serializers.ListField(
        child=serializers.CharField(),
        help_text=(
            "Countries whose current timetable describes only some of their trains "
            "(long-distance, regional, night or cross-border only): the others are not known, "
            "not absent."
        ),
    )


class CoverageView(ReadOnlyApiMixin, generics.GenericAPIView):
    """Coverage per country and operator: sources, running dates, current or expired, trains
    and train-km of a stated week by day and night, and the countries without a current
    timetable. Trains only (no coach or tram-train)."""

    serializer_class = ScorecardSerializer
    pagination_class = None

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "week", dt.date, description="YYYY-MM-DD, any day of the week (default: this week)."
            )
        ],
        responses=ScorecardSerializer,
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        today = timezone.localdate()
        text = request.query_params.get("week")
        try:
            week = today if text is None else dt.date.fromisoformat(text)
        except ValueError:
            message = _("date AAAA-MM-JJ attendue, reçu « %(value)s ».") % {"value": text}
            raise InvalidInput({"week": [message]}) from None
        card = coverage_scorecard(week=week, today=today)
        return Response(ScorecardSerializer(dataclasses.asdict(card)).data)
