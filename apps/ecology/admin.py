"""Admin: scenarios are edited with their species inline."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from apps.ecology.models import Scenario, ScenarioSpecies


class ScenarioSpeciesInline(admin.TabularInline):
    model = ScenarioSpecies
    extra = 0
    fields = (
        "position",
        "name",
        "law",
        "mu_max",
        "half_saturation",
        "inhibition",
        "yield_coefficient",
        "initial_biomass",
        "is_added",
    )


@admin.register(Scenario)
class ScenarioAdmin(admin.ModelAdmin):
    list_display = ("slug", "title", "kind", "dilution_rate", "substrate_in", "horizon")
    list_filter = ("kind",)
    search_fields = ("slug", "title", "description")
    prepopulated_fields = {"slug": ("title",)}
    inlines = [ScenarioSpeciesInline]
    fieldsets = (
        (None, {"fields": ("slug", "title", "description", "kind")}),
        (
            _("Conditions"),
            {"fields": ("dilution_rate", "substrate_in", "initial_substrate", "horizon")},
        ),
        (
            _("Auxostat"),
            {
                "fields": (
                    "set_point",
                    "gain_k1",
                    "gain_k2",
                    "initial_dilution_bar",
                    "noise_std",
                    "sample_period",
                    "noise_seed",
                )
            },
        ),
    )


@admin.register(ScenarioSpecies)
class ScenarioSpeciesAdmin(admin.ModelAdmin):
    list_display = (
        "scenario",
        "position",
        "name",
        "law",
        "mu_max",
        "half_saturation",
        "inhibition",
    )
    list_filter = ("law", "scenario__kind")
    search_fields = ("name", "scenario__slug", "scenario__title")
    list_select_related = ("scenario",)
