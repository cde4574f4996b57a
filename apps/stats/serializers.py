"""DRF shapes of the indicators."""

from __future__ import annotations

from rest_framework import serializers

from apps.trajets.models import ServiceKind
from apps.trajets.web import PeriodSerializer, period_data

__all__ = ["VolumesSerializer", "period_data"]


class VolumeRowSerializer(serializers.Serializer):
    operator = serializers.CharField(required=False, help_text="Operator code (group_by operator).")
    operator_name = serializers.CharField(required=False, help_text="Operator name.")
    country = serializers.CharField(required=False, help_text="Country of origin (ISO code).")
    kind = serializers.ChoiceField(ServiceKind.values, required=False)
    services = serializers.IntegerField(
        help_text="Trains running at least once in the period (one per train across sources)."
    )
    departures = serializers.IntegerField(
        help_text="Their departures in the period: every date each train runs, exactly."
    )
    km_served = serializers.FloatField(
        help_text="Train-km in the period: distance × departures (unknown distance: 0)."
    )


class VolumeTotalSerializer(serializers.Serializer):
    services = serializers.IntegerField()
    departures = serializers.IntegerField()
    km_served = serializers.FloatField()


class VolumesSerializer(serializers.Serializer):
    period = PeriodSerializer()
    group_by = serializers.ListField(child=serializers.ChoiceField(["operator", "country", "kind"]))
    results = VolumeRowSerializer(many=True)
    total = VolumeTotalSerializer()
