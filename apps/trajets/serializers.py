"""DRF shapes of stations, operators and trajets (list rows and full detail)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.trajets.calendars import Validity, validity_of
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
from apps.trajets.rows import (
    DETAIL_COLUMNS,
    DETAIL_READS,
    LIST_COLUMNS,
    LIST_READS,
    STOP_COLUMNS,
    STOP_READS,
    WEEKDAY_NAMES,
    co2_comparison,
    json_fields,
    json_row,
    row_of,
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


_LIST_JSON = json_fields(LIST_COLUMNS)
_STOP_JSON = json_fields(STOP_COLUMNS)


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
        fields = tuple(column.name for column in LIST_COLUMNS)
        extra_kwargs = {
            column.name: {"help_text": column.help_text}
            for column in (*LIST_COLUMNS, *DETAIL_COLUMNS)
            if column.help_text
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
        """The row of a trajet, from its values (``LIST_READS``: an API page, read without
        model instances) or from a model instance (tests)."""
        if not isinstance(trajet, Mapping):
            trajet = row_of(trajet, LIST_READS)
        return json_row(_LIST_JSON, trajet)


class StopSerializer(serializers.ModelSerializer):
    station = StationRefSerializer()
    arrival_time = LocalTimeField(allow_null=True)
    departure_time = LocalTimeField(allow_null=True)

    class Meta:
        model = Stop
        fields = tuple(column.name for column in STOP_COLUMNS)


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
        fields = tuple(column.name for column in DETAIL_COLUMNS)

    def to_representation(self, trajet: Trajet) -> dict[str, Any]:
        """Built by hand: DRF would rebuild the fields of six nested serializers for every
        request (a test compares both outputs). The plain columns come from the row spec,
        the nested objects from ``_DETAIL_OBJECTS`` (DRF shapes the spec does not hold)."""
        row = row_of(trajet, DETAIL_READS)
        return {
            column.name: (
                _DETAIL_OBJECTS[column.name](trajet)
                if column.json is None or column.name in _DETAIL_OBJECTS
                else column.json(row)
            )
            for column in DETAIL_COLUMNS
        }

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


def _stops(trajet: Trajet) -> list[dict[str, Any]]:
    return [json_row(_STOP_JSON, row_of(stop, STOP_READS)) for stop in trajet.stops.all()]


def _calendar(trajet: Trajet) -> dict[str, Any]:
    return {
        "valid_from": trajet.valid_from.isoformat(),
        "valid_to": trajet.valid_to.isoformat(),
        "weekdays": [day for day, runs in zip(WEEKDAY_NAMES, trajet.weekdays, strict=True) if runs],
        "exceptions": [
            {"date": day.date.isoformat(), "is_added": day.is_added}
            for day in trajet.calendar_exceptions.all()
        ],
    }


def _provenance(trajet: Trajet) -> list[dict[str, Any]]:
    return [
        {
            "source": _source(record.source),
            "source_record_id": record.source_record_id,
            "import_run": _run(record.import_run),
        }
        for record in trajet.provenances.all()
    ]


#: The detail's nested objects, built from the instance (``nested`` columns of the spec,
#: and ``stops``, whose list row is a summary).
_DETAIL_OBJECTS: dict[str, Callable[[Trajet], Any]] = {
    "stops": _stops,
    "rail_emission_factor": lambda trajet: _factor(trajet.rail_emission_factor),
    "flight_emission_factor": lambda trajet: _factor(trajet.flight_emission_factor),
    "calendar": _calendar,
    "source": lambda trajet: _source(trajet.source),
    "import_run": lambda trajet: _run(trajet.import_run),
    "provenance": _provenance,
}
