"""Admin: airports and air traffic as loaded (read-only), the city pairs and their
computations (derived, read-only). The CO2 factors are the trajets' ``EmissionFactor``."""

from __future__ import annotations

from django.contrib import admin

from apps.atlas.models import Airport, AirTraffic, AtlasBuild, CityPair
from obrail.admin import ReadOnlyAdmin


@admin.register(Airport)
class AirportAdmin(ReadOnlyAdmin):
    list_display = ("icao", "iata", "name", "city", "country_name", "run")
    search_fields = ("icao", "iata", "name", "city")


@admin.register(AirTraffic)
class AirTrafficAdmin(ReadOnlyAdmin):
    list_display = ("reporting_icao", "partner_icao", "year", "passengers", "location")
    list_filter = ("year", "reporting_country")
    search_fields = ("reporting_icao", "partner_icao", "label")


@admin.register(CityPair)
class CityPairAdmin(ReadOnlyAdmin):
    list_display = ("label", "air_year", "air_passengers", "rail_status", "rail_fastest_min")
    list_filter = ("rail_status", "is_domestic", "night_train")
    search_fields = ("a_name", "b_name")


@admin.register(AtlasBuild)
class AtlasBuildAdmin(ReadOnlyAdmin):
    list_display = ("started_at", "duration_s", "pairs", "trigger")
