"""Forms of the ecology pages: edit a scenario's parameters for one computation (not saved)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from apps.ecology import services
from apps.ecology.models import ScenarioKind
from obrail.pages import add_service_errors


def _strictly_positive(value: float) -> None:
    if not value > 0:
        raise forms.ValidationError(_("La valeur doit être strictement positive."))


def _number(
    label: str,
    *,
    strict: bool,
    maximum: float,
    required: bool = True,
    minimum: float | None = None,
) -> forms.FloatField:
    validators = [MaxValueValidator(maximum)]
    if minimum is not None:
        validators.append(MinValueValidator(minimum))
    else:
        validators.append(_strictly_positive if strict else MinValueValidator(0.0))
    return forms.FloatField(
        label=label,
        required=required,
        localize=True,
        validators=validators,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


class AccessibleErrorsMixin:
    """Tie each field's errors to its input (``aria-invalid``, ``aria-describedby``)."""

    def mark_errors(self) -> None:
        for name in self.errors:  # type: ignore[attr-defined]
            if name in self.fields:  # type: ignore[attr-defined]
                bound = self[name]  # type: ignore[index]
                bound.field.widget.attrs.update(
                    {"aria-invalid": "true", "aria-describedby": f"{bound.auto_id}-error"}
                )


class ConditionsForm(AccessibleErrorsMixin, forms.Form):
    """Operating conditions and horizon (auxostat gains when the scenario has them)."""

    dilution_rate = _number(
        _("Taux de dilution D (1/h)"),
        strict=True,
        minimum=services.MIN_RATE,
        maximum=services.MAX_RATE,
    )
    substrate_in = _number(
        _("Substrat en entrée s_in (g/L)"), strict=False, maximum=services.MAX_CONCENTRATION
    )
    initial_substrate = _number(
        _("Substrat initial s(0) (g/L)"), strict=False, maximum=services.MAX_CONCENTRATION
    )
    horizon = _number(_("Horizon (h)"), strict=True, maximum=services.MAX_HORIZON_H)

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if kind == ScenarioKind.AUXOSTAT:
            self.fields["set_point"] = _number(_("Consigne s* (g/L)"), strict=True, maximum=1e6)
            self.fields["gain_k1"] = _number(_("Gain K1"), strict=True, maximum=1e4)
            self.fields["gain_k2"] = _number(_("Gain K2"), strict=True, maximum=1e4)
            self.fields["noise_std"] = _number(
                _("Écart-type du bruit (g/L)"), strict=False, maximum=1e3
            )
            self.fields["noise_seed"] = forms.IntegerField(
                label=_("Graine du bruit"), min_value=0, max_value=2**32 - 1
            )


class SpeciesForm(AccessibleErrorsMixin, forms.Form):
    """Parameters of one species."""

    mu_max = _number(
        _("μmax, μ̄ ou r (1/h)"),
        strict=True,
        minimum=services.MIN_RATE,
        maximum=services.MAX_RATE,
    )
    half_saturation = _number(
        _("K"), strict=True, minimum=services.MIN_CONSTANT, maximum=services.MAX_CONSTANT
    )
    inhibition = _number(
        _("Ki (g/L, vide : pas d'inhibition)"),
        strict=True,
        minimum=services.MIN_CONSTANT,
        maximum=services.MAX_INHIBITION,
        required=False,
    )
    yield_coefficient = _number(
        _("Rendement y"), strict=True, minimum=services.MIN_CONSTANT, maximum=services.MAX_CONSTANT
    )
    initial_biomass = _number(
        _("Biomasse initiale x(0) (g/L)"), strict=False, maximum=services.MAX_CONCENTRATION
    )


CONDITION_FIELDS = {
    "dilution_rate": "D",
    "substrate_in": "s_in",
    "initial_substrate": "s0",
    "horizon": "horizon",
    "set_point": "set_point",
    "gain_k1": "K1",
    "gain_k2": "K2",
    "noise_std": "noise_std",
    "noise_seed": "noise_seed",
}
SPECIES_FIELDS = {
    "mu_max": "mu_max",
    "half_saturation": "K",
    "inhibition": "Ki",
    "yield_coefficient": "yield_",
    "initial_biomass": "x0",
}
#: Service error keys → (form, field) so that a solver error lands on its input.
SERVICE_ERROR_FIELDS = {
    "D": "dilution_rate",
    "s_in": "substrate_in",
    "s0": "initial_substrate",
    "t_end": "horizon",
}


class ScenarioEditForm:
    """The conditions form plus one species form per species, bound to the query string."""

    def __init__(self, params: services.ScenarioParameters, data: Any = None) -> None:
        self.params = params
        initial = {name: getattr(params, attr) for name, attr in CONDITION_FIELDS.items()}
        self.conditions = ConditionsForm(data, initial=initial, kind=params.kind)
        self.species = [
            SpeciesForm(
                data,
                prefix=f"sp{index}",
                initial={name: getattr(sp, attr) for name, attr in SPECIES_FIELDS.items()},
            )
            for index, sp in enumerate(params.species, start=1)
        ]
        self.species_names = [sp.name for sp in params.species]

    @property
    def is_bound(self) -> bool:
        return self.conditions.is_bound

    def is_valid(self) -> bool:
        """Validate every form and tie errors to their inputs."""
        valid = all([self.conditions.is_valid(), *(f.is_valid() for f in self.species)])
        for form in (self.conditions, *self.species):
            form.mark_errors()
        return valid

    def edited_parameters(self) -> services.ScenarioParameters:
        """The scenario's parameters with the submitted values."""
        if not self.is_bound:
            return self.params
        changes = {
            CONDITION_FIELDS[name]: value for name, value in self.conditions.cleaned_data.items()
        }
        species = tuple(
            replace(sp, **{SPECIES_FIELDS[n]: v for n, v in form.cleaned_data.items()})
            for sp, form in zip(self.params.species, self.species, strict=True)
        )
        return replace(self.params, species=species, **changes)

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        """Show errors raised by the computation next to the matching input."""
        add_service_errors(self.conditions, errors, field_of=SERVICE_ERROR_FIELDS)
        self.conditions.mark_errors()

    @property
    def rows(self) -> list[tuple[str, SpeciesForm]]:
        """(species name, form) pairs for the template."""
        return list(zip(self.species_names, self.species, strict=True))


class BatchForm(AccessibleErrorsMixin, forms.Form):
    """Parameters of the batch-growth page (logistic and Monod with yield)."""

    t_end = _number(_("Durée (h)"), strict=True, maximum=services.MAX_HORIZON_H)
    x0 = _number(_("Biomasse initiale x0 (g/L)"), strict=True, maximum=services.MAX_CONCENTRATION)
    r = _number(
        _("Taux logistique r (1/h)"),
        strict=True,
        minimum=services.MIN_RATE,
        maximum=services.MAX_RATE,
    )
    x_max = _number(_("Capacité x_max (g/L)"), strict=True, maximum=services.MAX_CONCENTRATION)
    s0 = _number(_("Substrat initial s0 (g/L)"), strict=False, maximum=services.MAX_CONCENTRATION)
    mu_max = _number(
        _("μmax de Monod (1/h)"),
        strict=True,
        minimum=services.MIN_RATE,
        maximum=services.MAX_RATE,
    )
    K = _number(
        _("K de Monod (g/L)"),
        strict=True,
        minimum=services.MIN_CONSTANT,
        maximum=services.MAX_CONSTANT,
    )
    yield_ = _number(
        _("Rendement y"), strict=True, minimum=services.MIN_CONSTANT, maximum=services.MAX_CONSTANT
    )

    def parameters(self) -> services.BatchParameters:
        """Validated parameters (call after ``is_valid``)."""
        return services.BatchParameters(**self.cleaned_data)
