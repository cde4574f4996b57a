"""Admin of the indicator tables: read-only, they are rebuilt from the trajets."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from apps.stats.models import VolumeSummary


@admin.register(VolumeSummary)
class VolumeSummaryAdmin(admin.ModelAdmin):
    """The volume summary (each source's typical week), to check what the indicators sum;
    rebuilt after each import."""

    list_display = (
        "source_name",
        "week_start",
        "operator_code",
        "origin_country",
        "kind",
        "served_country",
        "services",
        "departures",
        "km_served",
        "data_version",
    )
    list_filter = ("kind", "served_country")
    search_fields = ("source_name", "operator_code", "operator_name")
    readonly_fields = [field.name for field in VolumeSummary._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
