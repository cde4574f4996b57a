"""Admin for the harmonised schema: searchable, filterable, provenance read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from apps.trajets.models import (
    CalendarException,
    DataSource,
    EmissionFactor,
    FlightEquivalent,
    ImportRun,
    ObservedChange,
    ObservedItem,
    Operator,
    RejectedRecord,
    SourceObservation,
    SourceStation,
    Station,
    StationName,
    StationWarning,
    Stop,
    Trajet,
    TrajetCountry,
    TrajetProvenance,
)
from apps.trajets.rows import STOP_COLUMNS
from obrail.admin import ReadOnlyAdmin

PROVENANCE_FIELDS = ("source", "source_record_id", "import_run", "content_hash")


@admin.register(DataSource)
class DataSourceAdmin(admin.ModelAdmin):
    list_display = ("name", "title", "format", "licence", "location")
    list_filter = ("format", "licence")
    search_fields = ("name", "title", "location", "attribution")


class RejectedRecordInline(admin.TabularInline):
    model = RejectedRecord
    fields = ("location", "reason_code", "reason")
    readonly_fields = fields
    extra = 0
    max_num = 0
    show_change_link = True


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = (
        "source",
        "started_at",
        "finished_at",
        "status",
        "rows_read",
        "rows_inserted",
        "rows_updated",
        "rows_unchanged",
        "rows_rejected",
    )
    list_filter = ("status", "source")
    search_fields = ("source__name", "input_checksum", "message")
    date_hierarchy = "started_at"
    readonly_fields = [field.name for field in ImportRun._meta.fields]
    list_select_related = ("source",)

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(RejectedRecord)
class RejectedRecordAdmin(admin.ModelAdmin):
    list_display = ("run", "location", "reason_code", "reason")
    list_filter = ("reason_code", "run__source")
    search_fields = ("location", "reason", "raw")
    readonly_fields = ("run", "location", "reason_code", "reason", "raw")
    list_select_related = ("run__source",)


@admin.register(Operator)
class OperatorAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "legal_name", "country", "website", "is_registered")
    list_filter = ("is_registered", "country")
    search_fields = ("code", "name", "legal_name")
    readonly_fields = ("fact_sources", "source_ids")


class SourceStationInline(admin.TabularInline):
    model = SourceStation
    fields = (
        "source", "source_record_id", "name", "uic_code", "latitude", "longitude", "country",
        "merge_rule", "merge_detail", "merged_with", "merge_distance_km",
    )  # fmt: skip
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class StationWarningInline(admin.TabularInline):
    model = StationWarning
    fields = ("kind", "detail", "distance_km")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Station)
class StationAdmin(admin.ModelAdmin):
    """Stations are derived from their sources' records (regrouped after every import and
    by ``manage.py repair_identity``): identity fields are read-only here."""

    list_display = ("name", "uic_code", "country", "time_zone", "place", "match_method")
    list_filter = ("match_method", "country", "time_zone")
    search_fields = ("name", "normalised_name", "uic_code", "names__key")
    readonly_fields = (
        "name", "normalised_name", "name_key", "uic_code", "latitude", "longitude", "country",
        "time_zone", "border_km", "place", "match_method", "source_ids",
    )  # fmt: skip
    inlines = [SourceStationInline, StationWarningInline]


@admin.register(StationName)
class StationNameAdmin(admin.ModelAdmin):
    list_display = ("name", "station", "key", "name_key")
    search_fields = ("key", "name_key")
    raw_id_fields = ("station",)
    readonly_fields = ("key", "name_key")


@admin.register(SourceStation)
class SourceStationAdmin(admin.ModelAdmin):
    list_display = ("name", "source", "source_record_id", "station", "merge_rule")
    list_filter = ("source", "merge_rule")
    search_fields = ("name", "source_record_id", "uic_code")
    raw_id_fields = ("station",)
    readonly_fields = ("merge_rule", "merge_detail", "merged_with", "merge_distance_km")


@admin.register(StationWarning)
class StationWarningAdmin(admin.ModelAdmin):
    list_display = ("kind", "station", "detail", "distance_km")
    list_filter = ("kind",)
    search_fields = ("detail",)
    raw_id_fields = ("station", "source_station")


class StopInline(admin.TabularInline):
    model = Stop
    fields = tuple(column.name for column in STOP_COLUMNS)  # the published columns (rows.py)
    raw_id_fields = ("station",)
    extra = 0


class CalendarExceptionInline(admin.TabularInline):
    model = CalendarException
    extra = 0


class TrajetProvenanceInline(admin.TabularInline):
    model = TrajetProvenance
    fields = ("source", "source_record_id", "import_run")
    readonly_fields = fields
    extra = 0
    max_num = 0


@admin.register(Trajet)
class TrajetAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "operator",
        "kind",
        "departure_time",
        "arrival_time",
        "duration_min",
        "distance_km",
        "source",
    )
    list_filter = ("kind", "mode", "operator", "origin_country", "source", "category")
    search_fields = ("train_number", "category", "origin__name", "destination__name")
    raw_id_fields = ("origin", "destination", "rail_emission_factor", "flight_emission_factor")
    readonly_fields = PROVENANCE_FIELDS
    list_select_related = ("operator", "origin", "destination", "source")
    inlines = (StopInline, CalendarExceptionInline, TrajetProvenanceInline)
    show_full_result_count = False


@admin.register(Stop)
class StopAdmin(admin.ModelAdmin):
    list_display = ("trajet", "sequence", "station", "arrival_time", "departure_time")
    search_fields = ("station__name", "trajet__train_number")
    raw_id_fields = ("trajet", "station")
    list_select_related = ("trajet__origin", "trajet__destination", "station")
    show_full_result_count = False


@admin.register(TrajetCountry)
class TrajetCountryAdmin(admin.ModelAdmin):
    list_display = ("trajet", "country")
    list_filter = ("country",)
    raw_id_fields = ("trajet",)
    search_fields = ("trajet__train_number",)
    show_full_result_count = False


@admin.register(TrajetProvenance)
class TrajetProvenanceAdmin(admin.ModelAdmin):
    list_display = ("trajet", "source", "source_record_id", "import_run")
    list_filter = ("source",)
    search_fields = ("source_record_id",)
    readonly_fields = ("trajet", "source", "source_record_id", "import_run")


@admin.register(EmissionFactor)
class EmissionFactorAdmin(admin.ModelAdmin):
    """The one table of CO2 factors: an edit is used at once by the atlas's pages; a published
    factor edited here is set back to the code's value at the next seeding (ETL run, atlas
    refresh): a correction of a published value goes in the code."""

    list_display = (
        "method",
        "mode",
        "route",
        "country",
        "min_distance_km",
        "max_distance_km",
        "kg_co2e_per_passenger_km",
        "source_name",
        "year",
    )
    list_filter = ("method", "mode", "route", "country")
    search_fields = ("label", "source_name", "scope")


@admin.register(FlightEquivalent)
class FlightEquivalentAdmin(ReadOnlyAdmin):
    """The flights between towns at the ends of trajets, priced by the atlas's rule: rewritten
    by each atlas recomputation (``apps.atlas.trajet_flights``), so never edited here."""

    list_display = ("origin_place", "destination_place", "flown_km", "co2_kg", "emission_factor")
    list_select_related = ("origin_place", "destination_place", "emission_factor")


@admin.register(CalendarException)
class CalendarExceptionAdmin(admin.ModelAdmin):
    list_display = ("trajet", "date", "is_added")
    list_filter = ("is_added",)
    raw_id_fields = ("trajet",)
    date_hierarchy = "date"
    search_fields = ("trajet__train_number",)


class ObservedChangeInline(admin.TabularInline):
    model = ObservedChange
    fields = ("change", "key", "label", "detail")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False


@admin.register(SourceObservation)
class SourceObservationAdmin(admin.ModelAdmin):
    """Observations are written by the ETL only: read-only here."""

    list_display = ("source", "observed_on", "item_count", "added", "removed", "changed")
    list_filter = ("source",)
    date_hierarchy = "observed_on"
    readonly_fields = (
        "source", "observed_on", "import_run", "snapshot", "item_count", "added", "removed",
        "changed", "compared_with",
    )  # fmt: skip
    inlines = (ObservedChangeInline,)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(ObservedItem)
class ObservedItemAdmin(admin.ModelAdmin):
    list_display = ("label", "observation", "countries", "operators")
    search_fields = ("label", "key", "numbers")
    raw_id_fields = ("observation",)
    list_select_related = ("observation__source",)
    show_full_result_count = False


@admin.register(ObservedChange)
class ObservedChangeAdmin(admin.ModelAdmin):
    list_display = ("label", "change", "observation", "detail")
    list_filter = ("change",)
    search_fields = ("label", "key")
    raw_id_fields = ("observation",)
    list_select_related = ("observation__source",)
    show_full_result_count = False
