from django.contrib import admin

from apps.places.models import Place, PlaceName


class PlaceNameInline(admin.TabularInline):
    model = PlaceName
    fields = ("name", "key")
    readonly_fields = ("key",)
    extra = 0


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ("name", "country", "population", "geonames_id")
    list_filter = ("country",)
    search_fields = ("name", "names__key")
    readonly_fields = ("geonames_id",)
    inlines = [PlaceNameInline]
