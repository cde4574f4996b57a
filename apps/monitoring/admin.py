"""Admin for incidents: read-only, since Alertmanager is their only writer."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from apps.monitoring.models import Incident


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    """Incidents recorded from Alertmanager notifications."""

    list_display = ("alertname", "severity", "status", "starts_at", "ends_at", "summary")
    list_filter = ("status", "severity", "alertname")
    search_fields = ("alertname", "summary", "description", "fingerprint")
    date_hierarchy = "starts_at"
    readonly_fields = [field.name for field in Incident._meta.get_fields()]

    def has_add_permission(self, request: HttpRequest) -> bool:
        """Incidents come from Alertmanager only."""
        return False

    def has_change_permission(self, request: HttpRequest, obj: Incident | None = None) -> bool:
        """Incidents are a record of what Alertmanager reported: never edited by hand."""
        return False
