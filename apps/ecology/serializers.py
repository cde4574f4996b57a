"""DRF shapes of the ecology API: scenario rows, computation inputs (bounded) and results."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.ecology import services
from apps.ecology.chemostat import REGION_NAMES
from apps.ecology.models import (
    AUXOSTAT_FIELDS,
    SCENARIO_CONDITIONS,
    SPECIES_FIELDS,
    GrowthLawKind,
    Scenario,
    ScenarioKind,
    ScenarioSpecies,
)
from obrail.query_fields import QueryFloatField, QueryIntegerField


class ScenarioSpeciesSerializer(serializers.ModelSerializer):
    class Meta:
        model = ScenarioSpecies
        fields = SPECIES_FIELDS


@extend_schema_field({"type": "string", "enum": ScenarioKind.values})
class ScenarioKindField(serializers.ChoiceField):
    """The scenario kind, documented inline (a shared ``kind`` enum name exists elsewhere)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=ScenarioKind.choices, **kwargs)


class ScenarioSerializer(serializers.ModelSerializer):
    species = ScenarioSpeciesSerializer(many=True, read_only=True)
    kind = ScenarioKindField(read_only=True)
    max_t_end = serializers.SerializerMethodField(
        help_text="Longest `t_end` its simulation accepts, h (a noisy auxostat is bounded by "
        "its number of sampling periods)."
    )

    class Meta:
        model = Scenario
        fields = (
            "slug",
            "title",
            "description",
            "kind",
            *SCENARIO_CONDITIONS,
            *AUXOSTAT_FIELDS,
            "max_t_end",
            "species",
        )

    def get_max_t_end(self, scenario: Scenario) -> float:
        return services.horizon_limit(
            scenario.kind, noise_std=scenario.noise_std, sample_period=scenario.sample_period
        )


class JSONFloatField(serializers.FloatField):
    """A number of a JSON body: a string or a boolean is refused, not converted."""

    def to_internal_value(self, data: Any) -> float:
        if isinstance(data, bool | str):
            self.fail("invalid")
        return super().to_internal_value(data)


class JSONIntegerField(serializers.IntegerField):
    """An integer of a JSON body: a string or a boolean is refused, not converted."""

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool | str):
            self.fail("invalid")
        return super().to_internal_value(data)


class JSONBooleanField(serializers.BooleanField):
    """A JSON boolean: 0, 1, "true" or "yes" are refused, not converted."""

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


def _rate(**kwargs: Any) -> serializers.FloatField:
    return JSONFloatField(min_value=services.MIN_RATE, max_value=services.MAX_RATE, **kwargs)


def _constant(**kwargs: Any) -> serializers.FloatField:
    return JSONFloatField(
        min_value=services.MIN_CONSTANT, max_value=services.MAX_CONSTANT, **kwargs
    )


def _concentration(**kwargs: Any) -> serializers.FloatField:
    return JSONFloatField(min_value=0.0, max_value=services.MAX_CONCENTRATION, **kwargs)


def _ki(**kwargs: Any) -> serializers.FloatField:
    return JSONFloatField(
        min_value=services.MIN_CONSTANT, max_value=services.MAX_INHIBITION, **kwargs
    )


#: OpenAPI rule across fields (merged by obrail/api_schema.py): a Haldane species needs a
#: number ``Ki``; the other laws take it or not.
HALDANE_NEEDS_KI = {
    "anyOf": [
        {"properties": {"law": {"not": {"enum": [GrowthLawKind.HALDANE.value]}}}},
        {
            "properties": {
                "Ki": {
                    "type": "number",
                    "minimum": services.MIN_CONSTANT,
                    "maximum": services.MAX_INHIBITION,
                }
            },
            "required": ["Ki"],
        },
    ]
}


class SpeciesInputSerializer(serializers.Serializer):
    """One species; ``yield`` is the yield y (g biomass per g substrate)."""

    law = serializers.ChoiceField(choices=GrowthLawKind.choices)
    mu_max = _rate(
        help_text="μmax (Monod, Contois), μ̄ (Haldane) or r (linear, with r × max(s_in, s0) "
        "≤ 10), 1/h."
    )
    K = _constant(default=1.0, help_text="Half-saturation constant.")
    Ki = _ki(
        required=False,
        allow_null=True,
        default=None,
        help_text="Haldane inhibition constant: required (a number) for the Haldane law, "
        "ignored by the others.",
    )
    x0 = _concentration(default=0.1, help_text="Initial biomass, g/L.")

    #: Merged into the OpenAPI component (obrail/api_schema.py).
    schema_extra = HALDANE_NEEDS_KI

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["yield"] = _constant(default=1.0, help_text="Yield y.")
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["law"] == GrowthLawKind.HALDANE and attrs.get("Ki") is None:
            raise serializers.ValidationError({"Ki": [_("Ki est requis pour la loi de Haldane.")]})
        return attrs


#: Laws with a break-even concentration: those competition can rank.
COMPETITION_LAWS = [law for law in GrowthLawKind.values if law != GrowthLawKind.CONTOIS]


class CompetitionSpeciesSerializer(SpeciesInputSerializer):
    """A competing species: any law but Contois, whose growth depends on the biomass."""

    law = serializers.ChoiceField(
        choices=[(law, label) for law, label in GrowthLawKind.choices if law in COMPETITION_LAWS],
        error_messages={
            "invalid_choice": _(
                "« {input} » : la compétition se prédit pour les lois monod, haldane et linear "
                "(la loi de Contois n'a pas de seuil de rentabilité)."
            )
        },
    )


class ChemostatInputSerializer(serializers.Serializer):
    """A chemostat given inline: species, D, s_in and the initial substrate."""

    species = SpeciesInputSerializer(many=True, min_length=1, max_length=services.MAX_SPECIES)
    D = _rate(help_text="Dilution rate, 1/h.")
    s_in = _concentration(help_text="Input substrate, g/L.")
    s0 = _concentration(required=False, help_text="Initial substrate, g/L (s_in if absent).")

    def to_parameters(self) -> services.ScenarioParameters:
        """Turn validated data into service parameters."""
        data = self.validated_data
        species = tuple(
            services.SpeciesParameters(
                name=f"x{index}",
                law=sp["law"],
                mu_max=sp["mu_max"],
                K=sp["K"],
                Ki=sp.get("Ki"),
                yield_=sp["yield"],
                x0=sp["x0"],
            )
            for index, sp in enumerate(data["species"], start=1)
        )
        return services.ScenarioParameters(
            title="inline",
            kind="chemostat",
            D=data["D"],
            s_in=data["s_in"],
            s0=data.get("s0", data["s_in"]),
            horizon=data.get("t_end", 100.0),
            species=species,
        )


class SimulationQuerySerializer(serializers.Serializer):
    t_end = QueryFloatField(
        min_value=1e-9,
        max_value=services.MAX_HORIZON_H,
        required=False,
        help_text="Horizon, h (the scenario's when absent; at most the scenario's `max_t_end`, "
        "else a 422).",
    )
    n_points = QueryIntegerField(min_value=2, max_value=services.MAX_POINTS, default=201)


class SimulationInputSerializer(ChemostatInputSerializer):
    t_end = JSONFloatField(min_value=1e-9, max_value=services.MAX_HORIZON_H, default=100.0)
    n_points = JSONIntegerField(min_value=2, max_value=services.MAX_POINTS, default=201)


class OperatingDiagramQuerySerializer(serializers.Serializer):
    grid = QueryIntegerField(min_value=2, max_value=services.MAX_GRID, default=100)
    d_max = QueryFloatField(min_value=1e-9, max_value=1e6, required=False)
    s_in_max = QueryFloatField(min_value=1e-9, max_value=1e6, required=False)


class OperatingDiagramInputSerializer(serializers.Serializer):
    grid = JSONIntegerField(min_value=2, max_value=services.MAX_GRID, default=100)
    d_max = JSONFloatField(min_value=1e-9, max_value=1e6, required=False)
    s_in_max = JSONFloatField(min_value=1e-9, max_value=1e6, required=False)
    species = SpeciesInputSerializer(help_text="The single species.")

    def to_parameters(self) -> services.ScenarioParameters:
        """One-species parameters (D and s_in are the grid's, not used here)."""
        sp = self.validated_data["species"]
        return services.inline_parameters(
            law=sp["law"],
            mu_max=sp["mu_max"],
            K=sp["K"],
            Ki=sp.get("Ki"),
            s_in=1.0,
            D=1.0,
            yield_=sp["yield"],
        )


class CompetitionInputSerializer(ChemostatInputSerializer):
    species = CompetitionSpeciesSerializer(
        many=True,
        min_length=2,
        max_length=services.MAX_SPECIES,
        error_messages={"min_length": _("Il faut au moins deux souches en compétition.")},
    )
    check = JSONBooleanField(
        default=False, help_text="Also simulate from the initial state and report survivors."
    )
    t_end = JSONFloatField(min_value=1e-9, max_value=services.MAX_HORIZON_H, default=1000.0)


# --- Responses (documentation shapes; views build plain dicts) ------------------------------


class EquilibriumSerializer(serializers.Serializer):
    s = serializers.FloatField()
    x = serializers.ListField(child=serializers.FloatField())
    eigenvalues = serializers.ListField(
        child=serializers.JSONField(),
        help_text='Numbers, or {"re": …, "im": …} when complex.',
    )
    stable = serializers.BooleanField()
    stability = serializers.ChoiceField(choices=["stable", "unstable", "non-hyperbolic"])
    survivors = serializers.ListField(child=serializers.IntegerField())


class BreakEvenSerializer(serializers.Serializer):
    lower = serializers.FloatField(allow_null=True, help_text="λ⁻(D); null when μ ≤ D.")
    upper = serializers.FloatField(allow_null=True, help_text="λ⁺(D); null for +∞.")


@extend_schema_field(
    {
        "type": "array",
        "items": {
            "type": "object",
            "nullable": True,
            "properties": {
                "lower": {
                    "type": "number",
                    "nullable": True,
                    "description": "λ⁻(D); null when μ ≤ D.",
                },
                "upper": {"type": "number", "nullable": True, "description": "λ⁺(D); null for +∞."},
            },
            "required": ["lower", "upper"],
        },
    }
)
class _BreakEvenList(serializers.ListField):
    """Break-even concentrations per species, null items included (documented as such)."""


def _break_even_per_species() -> serializers.ListField:
    return _BreakEvenList(
        child=BreakEvenSerializer(allow_null=True),
        help_text=(
            "One per species, in order; null for a law depending on biomass (Contois): it has "
            "no break-even concentration."
        ),
    )


class EquilibriaResponseSerializer(serializers.Serializer):
    equilibria = EquilibriumSerializer(many=True)
    break_even = _break_even_per_species()


class SimulationResponseSerializer(serializers.Serializer):
    t = serializers.ListField(child=serializers.FloatField())
    columns = serializers.DictField(child=serializers.ListField(child=serializers.FloatField()))
    is_washout = serializers.BooleanField()
    notes = serializers.ListField(child=serializers.CharField())


class OperatingDiagramResponseSerializer(serializers.Serializer):
    D = serializers.ListField(child=serializers.FloatField())
    s_in = serializers.ListField(child=serializers.FloatField())
    regions = serializers.ListField(child=serializers.ChoiceField(choices=list(REGION_NAMES)))
    region = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField()),
        help_text="region[i][j] indexes `regions` at s_in[i], D[j].",
    )
    counts = serializers.DictField(child=serializers.IntegerField())


class CompetitionResponseSerializer(serializers.Serializer):
    break_even = _break_even_per_species()
    components = serializers.ListField(
        child=serializers.ListField(child=serializers.FloatField(allow_null=True)),
        help_text="Intervals of D with the same winner, [lower, upper]; null upper for +∞.",
    )
    possible_winners = serializers.ListField(child=serializers.IntegerField())
    is_washout_possible = serializers.BooleanField()
    survivors = serializers.ListField(
        child=serializers.IntegerField(), allow_null=True, help_text="Simulated survivors."
    )
