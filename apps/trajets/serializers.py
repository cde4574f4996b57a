"""DRF shapes of stations, operators and trajets (list rows and full detail)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.trajets.models import (
    CalendarException,
    DataSource,
    EmissionFactor,
    ImportRun,
    Operator,
    Station,
    Stop,
    Trajet,
    TrajetProvenance,
)


@extend_schema_field(
    {
        "type": "string",
        "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$",
        "example": "19:10:00",
        "description": "Local time at the station, HH:MM:SS (no offset).",
    }
)
class LocalTimeField(serializers.TimeField):
    """A wall-clock time without offset (OpenAPI's ``format: time`` demands one)."""


WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class OperatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Operator
        fields = ("id", "code", "name", "country", "website")


class OperatorRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Operator
        fields = ("id", "code", "name")


class StationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Station
        fields = (
            "id",
            "uic_code",
            "name",
            "country",
            "latitude",
            "longitude",
            "time_zone",
            "match_method",
        )


class StationRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Station
        fields = ("id", "uic_code", "name", "country")


class StopsSummarySerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Number of stops, origin and destination included.")
    via = serializers.ListField(
        child=serializers.CharField(), help_text="Names of the intermediate stops, in order."
    )


class Co2Serializer(serializers.Serializer):
    rail_kg = serializers.FloatField(allow_null=True, help_text="kg CO2e per passenger by train.")
    flight_kg = serializers.FloatField(
        allow_null=True, help_text="kg CO2e per passenger for the equivalent flight."
    )
    saved_kg = serializers.FloatField(
        allow_null=True, help_text="flight_kg − rail_kg (null when either is unknown)."
    )
    rail_to_flight_ratio = serializers.FloatField(
        allow_null=True, help_text="rail_kg / flight_kg (null when unknown or flight is 0)."
    )


def co2_summary(trajet: Trajet) -> dict[str, float | None]:
    """The CO2 comparison of one trajet, rounded to grams."""
    rail, flight = trajet.co2_rail_kg, trajet.co2_flight_kg
    known = rail is not None and flight is not None
    return {
        "rail_kg": rail,
        "flight_kg": flight,
        "saved_kg": round(flight - rail, 3) if known else None,
        "rail_to_flight_ratio": round(rail / flight, 4) if known and flight else None,
    }


class TrajetBaseSerializer(serializers.ModelSerializer):
    """Fields shared by the list rows and the detail of a trajet."""

    departure_time = LocalTimeField()
    arrival_time = LocalTimeField()
    operator = OperatorRefSerializer()
    origin = StationRefSerializer()
    destination = StationRefSerializer()
    weekdays = serializers.SerializerMethodField()
    stops = serializers.SerializerMethodField()
    co2 = serializers.SerializerMethodField()

    class Meta:
        model = Trajet
        fields = (
            "id",
            "operator",
            "train_number",
            "category",
            "kind",
            "origin",
            "destination",
            "departure_time",
            "arrival_time",
            "arrival_day_offset",
            "duration_min",
            "distance_km",
            "valid_from",
            "valid_to",
            "weekdays",
            "stops",
            "co2",
        )

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(WEEKDAY_NAMES)))
    def get_weekdays(self, trajet: Trajet) -> list[str]:
        return [name for name, runs in zip(WEEKDAY_NAMES, trajet.weekdays, strict=True) if runs]

    @extend_schema_field(StopsSummarySerializer)
    def get_stops(self, trajet: Trajet) -> dict[str, object]:
        summaries = self.context.get("stop_summaries")
        if summaries is not None:
            return summaries.get(trajet.pk, {"count": 0, "via": []})
        stops = list(trajet.stops.all())
        return {"count": len(stops), "via": [stop.station.name for stop in stops[1:-1]]}

    @extend_schema_field(Co2Serializer)
    def get_co2(self, trajet: Trajet) -> dict[str, float | None]:
        return co2_summary(trajet)


class TrajetListSerializer(TrajetBaseSerializer):
    """One row of the trajet list, built by hand: a page holds up to 500 rows.

    Same output as the declared fields (a test compares both); the stop summaries come from the
    ``stop_summaries`` context (see ``stop_summaries``), or from prefetched stops.
    """

    def to_representation(self, trajet: Trajet) -> dict[str, Any]:
        operator, origin, destination = trajet.operator, trajet.origin, trajet.destination
        return {
            "id": trajet.pk,
            "operator": {"id": operator.pk, "code": operator.code, "name": operator.name},
            "train_number": trajet.train_number,
            "category": trajet.category,
            "kind": trajet.kind,
            "origin": _station_ref(origin),
            "destination": _station_ref(destination),
            "departure_time": trajet.departure_time.isoformat(),
            "arrival_time": trajet.arrival_time.isoformat(),
            "arrival_day_offset": trajet.arrival_day_offset,
            "duration_min": trajet.duration_min,
            "distance_km": trajet.distance_km,
            "valid_from": trajet.valid_from.isoformat(),
            "valid_to": trajet.valid_to.isoformat(),
            "weekdays": self.get_weekdays(trajet),
            "stops": self.get_stops(trajet),
            "co2": co2_summary(trajet),
        }


def _station_ref(station: Station) -> dict[str, Any]:
    return {
        "id": station.pk,
        "uic_code": station.uic_code,
        "name": station.name,
        "country": station.country,
    }


def stop_summaries(trajet_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Stop count and intermediate station names of each trajet, in two index lookups."""
    stops = list(
        Stop.objects.filter(trajet_id__in=trajet_ids)
        .order_by("trajet_id", "sequence")
        .values_list("trajet_id", "station_id")
    )
    names = dict(
        Station.objects.filter(pk__in={station for _, station in stops}).values_list("pk", "name")
    )
    by_trajet: dict[int, list[int]] = {}
    for trajet_id, station_id in stops:
        by_trajet.setdefault(trajet_id, []).append(station_id)
    return {
        trajet_id: {"count": len(stations), "via": [names[s] for s in stations[1:-1]]}
        for trajet_id, stations in by_trajet.items()
    }


class StopSerializer(serializers.ModelSerializer):
    station = StationRefSerializer()
    arrival_time = LocalTimeField(allow_null=True)
    departure_time = LocalTimeField(allow_null=True)

    class Meta:
        model = Stop
        fields = (
            "sequence",
            "station",
            "arrival_time",
            "arrival_day_offset",
            "departure_time",
            "departure_day_offset",
            "distance_from_origin_km",
        )


class CalendarExceptionSerializer(serializers.ModelSerializer):
    class Meta:
        model = CalendarException
        fields = ("date", "is_added")


class CalendarSerializer(serializers.Serializer):
    valid_from = serializers.DateField()
    valid_to = serializers.DateField()
    weekdays = serializers.ListField(child=serializers.ChoiceField(WEEKDAY_NAMES))
    exceptions = CalendarExceptionSerializer(many=True)


class SourceSerializer(serializers.ModelSerializer):
    class Meta:
        model = DataSource
        fields = ("name", "title", "licence", "attribution", "homepage")


class ImportRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = ImportRun
        fields = ("id", "status", "started_at", "finished_at")


class ProvenanceSerializer(serializers.ModelSerializer):
    source = SourceSerializer()
    import_run = ImportRunSerializer()

    class Meta:
        model = TrajetProvenance
        fields = ("source", "source_record_id", "import_run")


class EmissionFactorSerializer(serializers.ModelSerializer):
    class Meta:
        model = EmissionFactor
        fields = ("label", "kg_co2e_per_passenger_km", "source_name", "source_url", "year")


class TrajetDetailSerializer(TrajetBaseSerializer):
    """A trajet with its ordered stops, calendar, CO2 factors and every source record merged."""

    stops = StopSerializer(many=True)
    calendar = serializers.SerializerMethodField()
    source = SourceSerializer()
    import_run = ImportRunSerializer()
    provenance = ProvenanceSerializer(many=True, source="provenances")
    rail_emission_factor = EmissionFactorSerializer(allow_null=True)
    flight_emission_factor = EmissionFactorSerializer(allow_null=True)

    class Meta(TrajetBaseSerializer.Meta):
        fields = (
            *(f for f in TrajetBaseSerializer.Meta.fields if f not in {"valid_from", "valid_to"}),
            "kind_reason",
            "origin_country",
            "destination_country",
            "flight_distance_km",
            "rail_emission_factor",
            "flight_emission_factor",
            "calendar",
            "source",
            "source_record_id",
            "import_run",
            "provenance",
        )

    @extend_schema_field(CalendarSerializer)
    def get_calendar(self, trajet: Trajet) -> dict[str, object]:
        return {
            "valid_from": trajet.valid_from,
            "valid_to": trajet.valid_to,
            "weekdays": self.get_weekdays(trajet),
            "exceptions": CalendarExceptionSerializer(
                trajet.calendar_exceptions.all(), many=True
            ).data,
        }
