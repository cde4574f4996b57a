"""Admin for incidents (read-only: Alertmanager writes them) and declared service notices."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from apps.monitoring.models import Incident, ServiceNotice


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


class ServiceNoticeForm(forms.ModelForm):
    """The affected components as check boxes (stored as a list of codes); an empty choice
    is refused by :meth:`ServiceNotice.clean`, once (a required field said it a second time)."""

    components = forms.MultipleChoiceField(
        label=_("Éléments concernés"),
        choices=ServiceNotice.Component.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = ServiceNotice
        fields = (
            "kind",
            "state",
            "title",
            "title_en",
            "description",
            "description_en",
            "starts_at",
            "ends_at",
            "components",
        )


@admin.register(ServiceNotice)
class ServiceNoticeAdmin(admin.ModelAdmin):
    """Incidents, maintenance windows and data delays declared by hand, for the status page."""

    form = ServiceNoticeForm
    list_display = ("title", "kind", "state", "starts_at", "ends_at", "updated_at")
    list_filter = ("state", "kind")
    search_fields = ("title", "title_en", "description")
    date_hierarchy = "starts_at"
    fieldsets = (
        (None, {"fields": ("kind", "state", "components")}),
        (_("Période"), {"fields": ("starts_at", "ends_at")}),
        (_("Texte affiché"), {"fields": ("title", "description", "title_en", "description_en")}),
    )
