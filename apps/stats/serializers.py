"""DRF shapes of the indicators."""

from __future__ import annotations

from rest_framework import serializers


class VolumeRowSerializer(serializers.Serializer):
    operator = serializers.CharField(required=False, help_text="Operator code (group_by operator).")
    operator_name = serializers.CharField(required=False, help_text="Operator name.")
    country = serializers.CharField(required=False, help_text="Country of origin (ISO code).")
    kind = serializers.ChoiceField(["day", "night"], required=False)
    services = serializers.IntegerField(help_text="Number of services.")
    weekly_departures = serializers.IntegerField(
        help_text="Departures in a normal week, from the weekday calendars."
    )
    km_served = serializers.FloatField(
        help_text="Train-km in a normal week: distance × weekly departures."
    )


class VolumeTotalSerializer(serializers.Serializer):
    services = serializers.IntegerField()
    weekly_departures = serializers.IntegerField()
    km_served = serializers.FloatField()


class VolumesSerializer(serializers.Serializer):
    group_by = serializers.ListField(child=serializers.ChoiceField(["operator", "country", "kind"]))
    results = VolumeRowSerializer(many=True)
    total = VolumeTotalSerializer()
