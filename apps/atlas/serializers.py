"""DRF shapes of the city pairs, their CO2 by method and the simulator's answer."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from rest_framework import serializers

from apps.atlas.co2 import Co2Figures, Factor, MethodFactors, co2_for_pair
from apps.atlas.forms import COUNTRY_PATTERN, SCOPES
from apps.atlas.models import CityPair, pair_label, rail_is_upper_bound
from apps.atlas.services import METHODS

METHOD_CHOICES = list(METHODS)


class FactorSerializer(serializers.Serializer):
    """A factor used, with its source, year and scope."""

    mode = serializers.CharField()
    kg_per_pkm = serializers.FloatField()
    scope = serializers.CharField()
    source = serializers.CharField()
    year = serializers.IntegerField()
    country = serializers.CharField(help_text="Rail: the country of the stretch ('' = default).")
    route = serializers.CharField()
    label = serializers.CharField()
    source_url = serializers.CharField(help_text="Where the factor is published.")


class Co2Serializer(serializers.Serializer):
    """kg CO2e per passenger by train and by plane (CO2 alone under ``eea``), and the method
    that gives them."""

    method = serializers.ChoiceField(choices=METHOD_CHOICES)
    method_label = serializers.SerializerMethodField()
    rail_kg = serializers.FloatField(allow_null=True)
    air_kg = serializers.FloatField(allow_null=True)
    avoided_kg = serializers.FloatField(allow_null=True)
    rail_factors = FactorSerializer(many=True)
    air_factor = FactorSerializer(allow_null=True)

    def get_method_label(self, figures: Co2Figures) -> str:
        return str(METHODS[figures.method])


class PairListSerializer(serializers.ModelSerializer):
    """A pair in a list: cities, air passengers of the latest year, rail and flight times."""

    label = serializers.CharField(read_only=True)
    rail_is_upper_bound = serializers.BooleanField(
        read_only=True,
        help_text="The rail time is only an upper bound: a country in `rail_missing_main` has "
        "no current timetable of its main long-distance operator in the warehouse.",
    )
    co2 = serializers.SerializerMethodField()

    class Meta:
        model = CityPair
        fields = [
            "id", "label", "a_name", "a_country", "b_name", "b_country", "is_domestic",
            "distance_km", "air_year", "air_passengers", "rail_status", "rail_day",
            "rail_fastest_min", "rail_typical_min", "rail_direct_per_day", "night_train",
            "rail_distance_km", "rail_sources", "rail_missing_main", "rail_is_upper_bound",
            "flight_door_min", "co2",
        ]  # fmt: skip

    def get_co2(self, pair: CityPair) -> dict[str, Any]:
        figures = self.context["co2"](pair)
        return Co2Serializer(figures).data


class PairDetailSerializer(PairListSerializer):
    """A pair in full: airports, yearly series, the day's journeys, CO2 under every method."""

    co2_by_method = serializers.SerializerMethodField()

    class Meta(PairListSerializer.Meta):
        fields = [
            *PairListSerializer.Meta.fields,
            "a_geonames_id", "b_geonames_id", "airports_a", "airports_b", "air_series",
            "air_routes", "flown_km", "flight_block_min", "access_a_km", "access_b_km",
            "rail_journeys", "rail_min_transfers", "rail_km_by_country", "rail_journey_list",
            "night_trains", "computed_at", "co2_by_method",
        ]  # fmt: skip

    def get_co2_by_method(self, pair: CityPair) -> list[dict[str, Any]]:
        return [Co2Serializer(f).data for f in self.context["co2_all"](pair)]


class PairQuerySerializer(serializers.Serializer):
    """``method`` of the pair endpoints."""

    method = serializers.ChoiceField(choices=METHOD_CHOICES, default="ademe")


class PolicyQuerySerializer(serializers.Serializer):
    """The simulator's parameters."""

    threshold_min = serializers.IntegerField(required=False, min_value=1, max_value=1440)
    night_train = serializers.BooleanField(default=False)
    scope = serializers.ChoiceField(choices=[key for key, _label in SCOPES], default="domestic")
    country = serializers.RegexField(COUNTRY_PATTERN, default="FR", max_length=2)
    method = serializers.ChoiceField(choices=METHOD_CHOICES, default="ademe")


class PolicyPairSerializer(serializers.Serializer):
    """An affected pair."""

    pair_id = serializers.IntegerField()
    label = serializers.CharField()
    rail_fastest_min = serializers.FloatField(allow_null=True)
    has_night_train = serializers.BooleanField()
    passengers = serializers.IntegerField()
    air_kg = serializers.FloatField(allow_null=True)
    rail_kg = serializers.FloatField(allow_null=True)
    rail_upper_bound = serializers.BooleanField()


class PolicyResultSerializer(serializers.Serializer):
    """The simulator's answer, with its assumptions and method."""

    method = serializers.CharField()
    method_label = serializers.CharField()
    threshold_min = serializers.IntegerField(allow_null=True)
    night_train = serializers.BooleanField()
    scope = serializers.CharField()
    country = serializers.CharField()
    pairs = PolicyPairSerializer(many=True)
    passengers = serializers.IntegerField()
    co2_avoided_t = serializers.FloatField()
    pairs_without_co2 = serializers.IntegerField()
    year = serializers.IntegerField(allow_null=True, help_text="The year of the passengers.")
    not_judged = PolicyPairSerializer(
        many=True,
        help_text="Pairs in scope with air traffic that the warehouse cannot judge: no rail "
        "time, or only an upper bound above the threshold.",
    )
    not_judged_passengers = serializers.IntegerField()
    assumptions = serializers.ListField(child=serializers.CharField())


_FACTOR_FIELDS = (
    "mode", "kg_per_pkm", "scope", "source", "year", "country", "route", "label", "source_url"
)  # fmt: skip


def factor_data(factor: Factor) -> dict[str, Any]:
    """A factor as :class:`FactorSerializer` shows it, without the serializer's cost."""
    return {name: getattr(factor, name) for name in _FACTOR_FIELDS}


#: The columns a list row reads besides ``id``: its fields but the computed ones, and the
#: CO2's inputs. ``/api/pairs`` reads them as values (``page_row_values``), without model
#: instances.
_COMPUTED = ("id", "label", "rail_is_upper_bound", "co2")
PAIR_ROW_VALUES = (
    *(name for name in PairListSerializer.Meta.fields if name not in _COMPUTED),
    "flown_km",
    "rail_km_by_country",
)


def pair_rows(rows: Iterable[Mapping[str, Any]], factors: MethodFactors) -> list[dict[str, Any]]:
    """Pairs read as values (``id`` and :data:`PAIR_ROW_VALUES`) as
    :class:`PairListSerializer` shows them under ``factors``' method.

    What is the same for every row is made once per page: the method's label and each
    factor's dict (a page of 500 rows shows a few factors 1,000 times). A test compares the
    rows with the serializer's.
    """
    method_label = str(METHODS[factors.method])
    shown: dict[int, dict[str, Any]] = {}

    def shown_factor(factor: Factor) -> dict[str, Any]:
        data = shown.get(id(factor))
        if data is None:
            data = shown[id(factor)] = factor_data(factor)
        return data

    fields = PairListSerializer.Meta.fields
    results = []
    for row in rows:
        figures = co2_for_pair(
            factors,
            flown_km=row["flown_km"],
            rail_km_by_country=row["rail_km_by_country"],
            domestic=row["is_domestic"],
        )
        day = row["rail_day"]
        computed = {
            "label": pair_label(row["a_name"], row["b_name"]),
            "rail_day": day.isoformat() if day else None,
            "rail_is_upper_bound": rail_is_upper_bound(
                row["rail_fastest_min"], row["rail_missing_main"]
            ),
            "co2": {
                "method": figures.method,
                "method_label": method_label,
                "rail_kg": figures.rail_kg,
                "air_kg": figures.air_kg,
                "avoided_kg": figures.avoided_kg,
                "rail_factors": [shown_factor(f) for f in figures.rail_factors],
                "air_factor": shown_factor(figures.air_factor) if figures.air_factor else None,
            },
        }
        results.append({name: computed[name] if name in computed else row[name] for name in fields})
    return results
