"""Admin: scenarios are edited with their species inline."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from apps.ecology.models import (
    AUXOSTAT_FIELDS,
    SCENARIO_CONDITIONS,
    SPECIES_FIELDS,
    Scenario,
    ScenarioSpecies,
)


class ScenarioSpeciesInline(admin.TabularInline):
    model = ScenarioSpecies
    extra = 0
    fields = SPECIES_FIELDS


@admin.register(Scenario)
class ScenarioAdmin(admin.ModelAdmin):
    list_display = ("slug", "title", "kind", "dilution_rate", "substrate_in", "horizon")
    list_filter = ("kind",)
    search_fields = ("slug", "title", "description")
    prepopulated_fields = {"slug": ("title",)}
    inlines = [ScenarioSpeciesInline]
    fieldsets = (
        (None, {"fields": ("slug", "title", "description", "kind")}),
        (_("Conditions"), {"fields": SCENARIO_CONDITIONS}),
        (_("Auxostat"), {"fields": AUXOSTAT_FIELDS}),
    )


@admin.register(ScenarioSpecies)
class ScenarioSpeciesAdmin(admin.ModelAdmin):
    # Rank, name, growth law and its three parameters.
    list_display = ("scenario", *SPECIES_FIELDS[:6])
    list_filter = ("law", "scenario__kind")
    search_fields = ("name", "scenario__slug", "scenario__title")
    list_select_related = ("scenario",)
