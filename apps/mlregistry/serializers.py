"""DRF shapes of the registry: models, versions, events, predictions, promotions."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from apps.mlregistry.models import ModelVersion, RegisteredModel, RegistryEvent


class VersionSerializer(serializers.ModelSerializer):
    """A version: status, checksum, data version, parameters, metrics and card."""

    class Meta:
        model = ModelVersion
        fields = [
            "number", "status", "sha256", "seed", "trained_at", "trained_by", "parameters",
            "metrics", "card", "data_version",
        ]  # fmt: skip


class EventSerializer(serializers.ModelSerializer):
    """One audited change."""

    version = serializers.IntegerField(source="version.number")
    previous = serializers.IntegerField(source="previous.number", allow_null=True, default=None)

    class Meta:
        model = RegistryEvent
        fields = ["at", "action", "version", "previous", "actor", "reason"]


class ModelSummarySerializer(serializers.ModelSerializer):
    """A model in the list, with the version in production (null: none)."""

    version = serializers.SerializerMethodField(
        help_text="The version in production (null when none is)."
    )
    versions = serializers.IntegerField(source="versions.count", help_text="Versions stored.")

    class Meta:
        model = RegisteredModel
        fields = ["name", "title", "family", "version", "versions"]

    def get_version(self, model: RegisteredModel) -> int | None:
        production = [v for v in model.versions.all() if v.status == "production"]
        return production[0].number if production else None


class ModelDetailSerializer(ModelSummarySerializer):
    """A model with every version and its audit log."""

    all_versions = VersionSerializer(source="versions", many=True)
    events = EventSerializer(many=True)

    class Meta(ModelSummarySerializer.Meta):
        fields = [*ModelSummarySerializer.Meta.fields, "all_versions", "events"]


#: A number written in ASCII digits: Python's float() and int() also take "1_2_0" and
#: full-width or Arabic-Indic digits, which an API parameter should refuse.
_ASCII_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_ASCII_INTEGER = re.compile(r"[+-]?[0-9]+")


class AsciiFloatField(serializers.FloatField):
    """A float parameter written with ASCII digits only."""

    def to_internal_value(self, data: Any) -> float:
        if isinstance(data, str) and not _ASCII_NUMBER.fullmatch(data.strip()):
            self.fail("invalid")
        return super().to_internal_value(data)


class AsciiIntegerField(serializers.IntegerField):
    """An integer parameter written with ASCII digits only."""

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, str) and not _ASCII_INTEGER.fullmatch(data.strip()):
            self.fail("invalid")
        return super().to_internal_value(data)


class PredictQuerySerializer(serializers.Serializer):
    """Input of the modal-share model; a parameter given twice is refused (which one
    would count is not the caller's choice to leave to the server)."""

    rail_time_min = AsciiFloatField(
        min_value=1, max_value=1440, help_text="Fastest rail journey time between the cities, "
        "in minutes (1 to 1440)."
    )  # fmt: skip
    air_passengers = AsciiIntegerField(
        required=False, min_value=0, max_value=100_000_000,
        help_text="Air passengers a year between the cities: the answer then gives the "
        "passengers that could shift to rail, with their band.",
    )  # fmt: skip

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        getlist = getattr(self.initial_data, "getlist", None)
        if getlist is not None:
            repeated = {
                name: [_("Paramètre donné plusieurs fois : une seule valeur est acceptée.")]
                for name in self.fields
                if len(getlist(name)) > 1
            }
            if repeated:
                raise serializers.ValidationError(repeated)
        return attrs


class PredictionSerializer(serializers.Serializer):
    """Rail's share with its band, and optionally the passengers that could shift."""

    model = serializers.CharField()
    version = serializers.IntegerField(help_text="The version that answered.")
    rail_time_min = serializers.FloatField()
    rail_share_pct = serializers.FloatField(help_text="Rail's share of the rail+air market, %.")
    band_pct = serializers.ListField(
        child=serializers.FloatField(), min_length=2, max_length=2,
        help_text="Central 90 % of the bootstrap curves' shares, %.",
    )  # fmt: skip
    is_extrapolated = serializers.BooleanField(
        help_text="The rail time is outside the range of the observations."
    )
    air_passengers = serializers.IntegerField(required=False)
    shift_potential = serializers.IntegerField(
        required=False, help_text="Air passengers × share: a potential, not a forecast."
    )
    shift_potential_band = serializers.ListField(
        child=serializers.IntegerField(), min_length=2, max_length=2, required=False
    )


class PromoteSerializer(serializers.Serializer):
    """Put a version in production."""

    version = serializers.IntegerField(min_value=1, max_value=1_000_000)
    reason = serializers.CharField(max_length=1000, help_text="Why (kept in the audit log).")


class RollbackSerializer(serializers.Serializer):
    """Put back the version that was in production before the current one."""

    reason = serializers.CharField(max_length=1000, help_text="Why (kept in the audit log).")


class ChangeResultSerializer(serializers.Serializer):
    """The version now in production."""

    model = serializers.CharField()
    version = serializers.IntegerField()
    previous = serializers.IntegerField(allow_null=True)
