"""DRF shapes of stations, operators and trajets (list rows and full detail)."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.trajets.calendars import Validity, validity_of
from apps.trajets.emission_factors import DEFAULT_METHOD, method_label
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
from apps.trajets.periods import PeriodChoice, PeriodKind, SourceWeek, describe_choice
from apps.trajets.querysets import API_LIST_VALUES


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


class SourceWeekSerializer(serializers.Serializer):
    source = serializers.CharField(help_text="Source name.")
    start = serializers.DateField(help_text="Monday of the source's typical week.")
    end = serializers.DateField(help_text="Sunday of the source's typical week.")


class PeriodSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        [kind.value for kind in PeriodKind],
        help_text=(
            "`reference`: each source's typical week (the default; see `sources`); `all`: "
            "every running date; `date`, `week`, `month`, `range`: the dates from `start` "
            "to `end`."
        ),
    )
    start = serializers.DateField(allow_null=True, help_text="First date (null: per source).")
    end = serializers.DateField(allow_null=True, help_text="Last date, included.")
    label = serializers.CharField(help_text="The period in words, in the request's language.")
    sources = SourceWeekSerializer(
        many=True,
        help_text="With `reference`: the typical week of each source counted; else empty.",
    )


def period_data(choice: PeriodChoice, weeks: tuple[SourceWeek, ...] = ()) -> dict[str, Any]:
    """The period of a figure as the API states it."""
    return {
        "kind": choice.kind.value,
        "start": choice.period.start.isoformat() if choice.period else None,
        "end": choice.period.end.isoformat() if choice.period else None,
        "label": describe_choice(choice, weeks),
        "sources": [
            {"source": week.source, "start": week.start.isoformat(), "end": week.end.isoformat()}
            for week in weeks
        ],
    }


WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class ColumnsSerializer(serializers.ModelSerializer):
    """A serializer of model columns whose values JSON holds as they are (text, numbers).

    A list page reads its rows as values (``row_values``, besides ``id``) and each row is
    its fields copied: DRF builds its fields for every request, about 1.5 ms. A test
    compares both outputs.
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.row_values = tuple(name for name in cls.Meta.fields if name != "id")

    def to_representation(self, instance: Any) -> dict[str, Any]:
        if isinstance(instance, Mapping):
            return {name: instance[name] for name in self.Meta.fields}
        return super().to_representation(instance)


class OperatorSerializer(ColumnsSerializer):
    class Meta:
        model = Operator
        fields = ("id", "code", "name", "country", "website")


class OperatorRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Operator
        fields = ("id", "code", "name")


class StationSerializer(ColumnsSerializer):
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
    rail_kg = serializers.FloatField(
        allow_null=True, help_text="kg CO2e per passenger by train, under `method`."
    )
    flight_kg = serializers.FloatField(
        allow_null=True,
        help_text=(
            "kg CO2e per passenger for the flight between the towns of the end stations, under "
            "`method`, by the atlas's rule: null when both towns are not served by an airport, "
            "are the same town, or no air data is loaded (no flight equivalent at all)."
        ),
    )
    saved_kg = serializers.FloatField(
        allow_null=True, help_text="flight_kg − rail_kg (null when either is unknown)."
    )
    rail_to_flight_ratio = serializers.FloatField(
        allow_null=True, help_text="rail_kg / flight_kg (null when unknown or flight is 0)."
    )
    method = serializers.CharField(help_text="CO2 method of both figures, e.g. `ademe`.")
    method_label = serializers.CharField(help_text="The CO2 method's name.")


def co2_summary(trajet: Trajet) -> dict[str, float | str | None]:
    """The CO2 comparison of one trajet, rounded to grams."""
    return co2_comparison(trajet.co2_rail_kg, trajet.co2_flight_kg)


def co2_comparison(rail: float | None, flight: float | None) -> dict[str, float | str | None]:
    """Rail and flight kg CO2e per passenger, the saving and their ratio, rounded to grams,
    with their method (every trajet figure is computed under the default method)."""
    known = rail is not None and flight is not None
    return {
        "rail_kg": rail,
        "flight_kg": flight,
        "saved_kg": round(flight - rail, 3) if known else None,
        "rail_to_flight_ratio": round(rail / flight, 4) if known and flight else None,
        "method": DEFAULT_METHOD,
        "method_label": method_label(DEFAULT_METHOD),
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
            "mode",
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
            "runs_from",
            "runs_until",
            "running_days",
            "stops",
            "co2",
        )
        extra_kwargs = {
            "valid_from": {"help_text": "First date of the weekly pattern's stretch."},
            "valid_to": {
                "help_text": (
                    "Last date of the weekly pattern's stretch. The train runs on the pattern's "
                    "weekdays in this stretch, plus the added dates (which may lie outside "
                    "it), minus the removed dates: see runs_from, runs_until, running_days."
                )
            },
            "mode": {
                "help_text": (
                    "rail (a train), tram_train or coach (a coach timetabled with the trains): "
                    "lists hold trains only unless mode= asks for the others."
                )
            },
            "runs_from": {"help_text": "First date the train really runs."},
            "runs_until": {"help_text": "Last date the train really runs."},
            "running_days": {
                "help_text": "Number of dates it runs, exceptions included (added and removed)."
            },
        }

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(WEEKDAY_NAMES)))
    def get_weekdays(self, trajet: Trajet) -> list[str]:
        return [name for name, runs in zip(WEEKDAY_NAMES, trajet.weekdays, strict=True) if runs]

    @extend_schema_field(StopsSummarySerializer)
    def get_stops(self, trajet: Trajet) -> dict[str, object]:
        return {"count": trajet.stop_count, "via": trajet.via_names}

    @extend_schema_field(Co2Serializer)
    def get_co2(self, trajet: Trajet) -> dict[str, float | str | None]:
        return co2_summary(trajet)


class TrajetListSerializer(TrajetBaseSerializer):
    """One row of the trajet list, built by hand: a page holds up to 500 rows.

    Same output as the declared fields (a test compares both); the stops summary is the one
    stored on the trajet (``apps.trajets.stop_summaries``).
    """

    def to_representation(self, trajet: Trajet | Mapping[str, Any]) -> dict[str, Any]:
        """The row of a trajet, from its values (``API_LIST_VALUES`` and ``id``: an API page,
        read without model instances) or from a model instance (the detail, tests)."""
        if isinstance(trajet, Mapping):
            return _list_row(trajet)
        return _list_row({name: _follow(trajet, name) for name in ("id", *API_LIST_VALUES)})


def _follow(instance: object, path: str) -> Any:
    """The value at a values() path of ``instance`` (``operator__code`` → operator.code)."""
    return functools.reduce(getattr, path.split("__"), instance)


def _list_row(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "operator": {
            "id": row["operator_id"],
            "code": row["operator__code"],
            "name": row["operator__name"],
        },
        "train_number": row["train_number"],
        "category": row["category"],
        "kind": row["kind"],
        "mode": row["mode"],
        "origin": {
            "id": row["origin_id"],
            "uic_code": row["origin__uic_code"],
            "name": row["origin__name"],
            "country": row["origin__country"],
        },
        "destination": {
            "id": row["destination_id"],
            "uic_code": row["destination__uic_code"],
            "name": row["destination__name"],
            "country": row["destination__country"],
        },
        "departure_time": row["departure_time"].isoformat(),
        "arrival_time": row["arrival_time"].isoformat(),
        "arrival_day_offset": row["arrival_day_offset"],
        "duration_min": row["duration_min"],
        "distance_km": row["distance_km"],
        "valid_from": row["valid_from"].isoformat(),
        "valid_to": row["valid_to"].isoformat(),
        "weekdays": [day for day in WEEKDAY_NAMES if row[f"runs_{day}"]],
        "runs_from": row["runs_from"].isoformat(),
        "runs_until": row["runs_until"].isoformat(),
        "running_days": row["running_days"],
        "stops": {"count": row["stop_count"], "via": row["via_names"]},
        "co2": co2_comparison(row["co2_rail_kg"], row["co2_flight_kg"]),
    }


def _station_ref(station: Station) -> dict[str, Any]:
    return {
        "id": station.pk,
        "uic_code": station.uic_code,
        "name": station.name,
        "country": station.country,
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
    valid_from = serializers.DateField(help_text="First date of the weekly pattern's stretch.")
    valid_to = serializers.DateField(help_text="Last date of the weekly pattern's stretch.")
    weekdays = serializers.ListField(child=serializers.ChoiceField(WEEKDAY_NAMES))
    exceptions = CalendarExceptionSerializer(many=True)


class SourceSerializer(serializers.ModelSerializer):
    validity = serializers.SerializerMethodField(
        help_text=(
            "Where today falls in the source's running dates: expired (its timetable has "
            "ended), current, upcoming, or unknown (no running dates)."
        )
    )

    class Meta:
        model = DataSource
        fields = (
            "name",
            "title",
            "licence",
            "attribution",
            "homepage",
            "dataset",
            "runs_from",
            "runs_until",
            "reference_week",
            "validity",
        )
        extra_kwargs = {
            "runs_from": {"help_text": "First date any train of the source runs."},
            "runs_until": {"help_text": "Last date any train of the source runs."},
            "reference_week": {
                "help_text": "Monday of the source's typical week (its busiest Monday–Sunday)."
            },
        }

    @extend_schema_field(serializers.ChoiceField([status.value for status in Validity]))
    def get_validity(self, source: DataSource) -> str:
        return source_validity(source)


def source_validity(source: DataSource) -> str:
    """``expired``, ``current``, ``upcoming`` or ``unknown`` for ``source`` today."""
    return validity_of(source.runs_from, source.runs_until, timezone.localdate()).value


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

    def to_representation(self, trajet: Trajet) -> dict[str, Any]:
        """Built by hand: DRF would rebuild the fields of six nested serializers for every
        request (a test compares both outputs)."""
        row = TrajetListSerializer.to_representation(self, trajet)
        del row["valid_from"], row["valid_to"]
        row["stops"] = [
            {
                "sequence": stop.sequence,
                "station": _station_ref(stop.station),
                "arrival_time": _time(stop.arrival_time),
                "arrival_day_offset": stop.arrival_day_offset,
                "departure_time": _time(stop.departure_time),
                "departure_day_offset": stop.departure_day_offset,
                "distance_from_origin_km": stop.distance_from_origin_km,
            }
            for stop in trajet.stops.all()
        ]
        row.update(
            kind_reason=trajet.kind_reason,
            origin_country=trajet.origin_country,
            destination_country=trajet.destination_country,
            flight_distance_km=trajet.flight_distance_km,
            rail_emission_factor=_factor(trajet.rail_emission_factor),
            flight_emission_factor=_factor(trajet.flight_emission_factor),
            calendar={
                "valid_from": trajet.valid_from.isoformat(),
                "valid_to": trajet.valid_to.isoformat(),
                "weekdays": row["weekdays"],
                "exceptions": [
                    {"date": day.date.isoformat(), "is_added": day.is_added}
                    for day in trajet.calendar_exceptions.all()
                ],
            },
            source=_source(trajet.source),
            source_record_id=trajet.source_record_id,
            import_run=_run(trajet.import_run),
            provenance=[
                {
                    "source": _source(record.source),
                    "source_record_id": record.source_record_id,
                    "import_run": _run(record.import_run),
                }
                for record in trajet.provenances.all()
            ],
        )
        return row

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


_DATETIME = serializers.DateTimeField()


def _time(value: dt.time | None) -> str | None:
    return None if value is None else value.isoformat()


def _plain(instance: object, fields: tuple[str, ...]) -> dict[str, Any]:
    """The fields of ``instance`` that are plain values (text, numbers), by name."""
    return {name: getattr(instance, name) for name in fields}


def _factor(factor: EmissionFactor | None) -> dict[str, Any] | None:
    return None if factor is None else _plain(factor, EmissionFactorSerializer.Meta.fields)


def _source(source: DataSource) -> dict[str, Any]:
    row = _plain(source, tuple(name for name in SourceSerializer.Meta.fields if name != "validity"))
    for name in ("runs_from", "runs_until", "reference_week"):
        row[name] = row[name].isoformat() if row[name] else None
    row["validity"] = source_validity(source)
    return row


def _run(run: ImportRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "status": run.status,
        "started_at": _DATETIME.to_representation(run.started_at),
        "finished_at": _DATETIME.to_representation(run.finished_at),
    }
