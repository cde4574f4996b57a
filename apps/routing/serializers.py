"""DRF shapes of the routes endpoint: query parameters and the answer."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from apps.routing.pathfinding import JOURNEY_METHODS, METHODS, TRAIN_FILTERS
from apps.routing.services import CRITERIA
from obrail.query_fields import QueryCharField, QueryChoiceField, QueryIntegerField


def _station(help_text: str) -> serializers.CharField:
    """A station or town as typed; blanks are the resolver's to judge (a 422, not a 400: the
    schema allows any text without NUL)."""
    return serializers.CharField(max_length=200, trim_whitespace=False, help_text=help_text)


class RouteQuerySerializer(serializers.Serializer):
    """Query parameters of ``GET /api/routes``."""

    # "from" is a Python keyword: the field is declared under that name below.
    to = _station("Arrival station: id, UIC code or exact name.")
    depart = QueryCharField(
        required=False,
        trim_whitespace=False,
        help_text=(
            "Earliest departure, ISO 8601 (`2025-06-11T08:00`), in the origin's local time "
            "unless an offset is given. Without it: shortest path on the network."
        ),
    )
    criterion = QueryChoiceField(choices=CRITERIA, default="time")
    method = QueryChoiceField(
        choices=[*METHODS, *JOURNEY_METHODS],
        required=False,
        help_text="Static method (default scipy_limited) or, with `depart`, journey method "
        "(default blocks).",
    )
    trains = QueryChoiceField(choices=TRAIN_FILTERS, default="all")
    max_transfers = QueryIntegerField(required=False, min_value=0, max_value=10)

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["from"] = _station("Departure station: id, UIC code or exact name.")
        return fields

    def validate_depart(self, value: str) -> dt.datetime:
        return _parse_datetime(value)


class ParetoQuerySerializer(serializers.Serializer):
    """Query parameters of ``GET /api/routes/pareto``."""

    to = _station("Arrival station: id, UIC code or name.")
    depart = serializers.CharField(
        trim_whitespace=False, help_text="Start of the departure window, ISO 8601."
    )
    until = serializers.CharField(
        trim_whitespace=False, help_text="End of the departure window, ISO 8601."
    )
    trains = QueryChoiceField(choices=TRAIN_FILTERS, default="all")
    max_transfers = QueryIntegerField(default=3, min_value=0, max_value=6)

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["from"] = _station("Departure station: id, UIC code or exact name.")
        return fields

    def validate_depart(self, value: str) -> dt.datetime:
        return _parse_datetime(value)

    def validate_until(self, value: str) -> dt.datetime:
        return _parse_datetime(value)


def _parse_datetime(value: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        raise serializers.ValidationError(
            _("Date et heure ISO 8601 attendues, par exemple 2025-06-11T08:00.")
        ) from None


class RouteStationSerializer(serializers.Serializer):
    """A station on a route."""

    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    country = serializers.CharField()
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)


class LocalDateTimeField(serializers.DateTimeField):
    """A moment written in its own zone (the station's), not the server's: a train leaving
    București at 08:09 reads ``08:09+03:00``, never ``07:09+02:00``."""

    def enforce_timezone(self, value: dt.datetime) -> dt.datetime:
        if timezone.is_aware(value):
            return value
        return super().enforce_timezone(value)


class RouteLegSerializer(serializers.Serializer):
    """A leg: a train ridden (journeys) or a hop between two stations (network routes)."""

    from_station = RouteStationSerializer()
    to_station = RouteStationSerializer()
    departure = LocalDateTimeField(
        allow_null=True, help_text="Local time of the departure station, with its UTC offset."
    )
    arrival = LocalDateTimeField(
        allow_null=True, help_text="Local time of the arrival station, with its UTC offset."
    )
    duration_min = serializers.FloatField()
    distance_km = serializers.FloatField()
    train = serializers.CharField()
    operator = serializers.CharField()
    is_night = serializers.BooleanField()
    trajet_id = serializers.IntegerField(allow_null=True)


class RouteSerializer(serializers.Serializer):
    """A route: legs, totals, CO2 rail vs flight, and the solver's counters."""

    origin = RouteStationSerializer()
    destination = RouteStationSerializer()
    kind = serializers.CharField(
        help_text="`network` (shortest path, no timetable) or `journey` (timetable)."
    )
    criterion = serializers.CharField()
    method = serializers.CharField()
    cost = serializers.FloatField(help_text="Optimised value in the criterion's unit.")
    departure = LocalDateTimeField(
        allow_null=True, help_text="Local time of the origin, with its UTC offset."
    )
    arrival = LocalDateTimeField(
        allow_null=True, help_text="Local time of the destination, with its UTC offset."
    )
    duration_min = serializers.FloatField()
    distance_km = serializers.FloatField()
    transfers = serializers.IntegerField()
    uses_night_trains = serializers.BooleanField()
    co2_rail_kg = serializers.FloatField(help_text="kg per passenger by train, under `co2_method`.")
    co2_flight_kg = serializers.FloatField(
        allow_null=True,
        help_text=(
            "kg per passenger for the flight between the end stations' towns under `co2_method`, "
            "by the atlas's rule (both towns served by an airport, two different towns); null "
            "when the rule gives no flight or no air data is loaded."
        ),
    )
    flight_distance_km = serializers.FloatField(
        allow_null=True, help_text="Flown km of that flight (great circle × 1.1); null with it."
    )
    co2_method = serializers.CharField(help_text="CO2 method of both figures, e.g. `ademe`.")
    co2_method_label = serializers.CharField(help_text="The CO2 method's name.")
    legs = RouteLegSerializer(many=True)
    stations = RouteStationSerializer(many=True)
    solver_ms = serializers.FloatField()
    nodes_scanned = serializers.IntegerField()
    labels_improved = serializers.IntegerField()
    artifact_version = serializers.CharField()
