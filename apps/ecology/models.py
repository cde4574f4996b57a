"""Chemostat scenarios: species with their growth laws, operating conditions, controller gains."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ScenarioKind(models.TextChoices):
    CHEMOSTAT = "chemostat", _("chémostat (une ou plusieurs souches)")
    AUXOSTAT = "auxostat", _("auxostat (contrôleur adaptatif)")
    BIOAUGMENTATION = "bioaugmentation", _("bio-augmentation")


class GrowthLawKind(models.TextChoices):
    MONOD = "monod", _("Monod")
    HALDANE = "haldane", _("Haldane (Andrews)")
    CONTOIS = "contois", _("Contois")
    LINEAR = "linear", _("linéaire")


POSITIVE = MinValueValidator(0.0, _("La valeur doit être positive."))


class Scenario(models.Model):
    """A chemostat experiment of the course: conditions, horizon and, for the auxostat, gains."""

    slug = models.SlugField(_("identifiant"), max_length=80, unique=True)
    title = models.CharField(_("titre"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(
        _("type"), max_length=16, choices=ScenarioKind.choices, default=ScenarioKind.CHEMOSTAT
    )
    dilution_rate = models.FloatField(_("taux de dilution D (1/h)"))
    substrate_in = models.FloatField(_("concentration en entrée s_in (g/L)"), validators=[POSITIVE])
    initial_substrate = models.FloatField(_("substrat initial s(0) (g/L)"), validators=[POSITIVE])
    horizon = models.FloatField(_("horizon de simulation (h)"), default=100.0)
    set_point = models.FloatField(_("consigne s* (g/L)"), null=True, blank=True)
    gain_k1 = models.FloatField(_("gain K1"), null=True, blank=True)
    gain_k2 = models.FloatField(_("gain K2"), null=True, blank=True)
    initial_dilution_bar = models.FloatField(
        _("D̄ initial (1/h)"), default=0.0, validators=[POSITIVE]
    )
    noise_std = models.FloatField(
        _("écart-type du bruit de mesure sur s (g/L)"), default=0.0, validators=[POSITIVE]
    )
    sample_period = models.FloatField(_("période d'échantillonnage du bruit (h)"), default=0.1)
    noise_seed = models.PositiveIntegerField(_("graine du bruit"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["slug"]
        verbose_name = _("scénario")
        verbose_name_plural = _("scénarios")
        constraints = [
            models.CheckConstraint(
                condition=Q(dilution_rate__gt=0), name="ecology_scenario_dilution_positive"
            ),
            models.CheckConstraint(
                condition=Q(substrate_in__gte=0) & Q(initial_substrate__gte=0),
                name="ecology_scenario_substrate_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(horizon__gt=0) & Q(sample_period__gt=0),
                name="ecology_scenario_durations_positive",
            ),
            models.CheckConstraint(
                condition=~Q(kind=ScenarioKind.AUXOSTAT)
                | (Q(set_point__gt=0) & Q(gain_k1__gt=0) & Q(gain_k2__gt=0)),
                name="ecology_scenario_auxostat_has_gains",
            ),
        ]

    def __str__(self) -> str:
        return self.title


# A scenario's operating conditions and auxostat settings, in the order the admin and the API
# show them.
SCENARIO_CONDITIONS = ("dilution_rate", "substrate_in", "initial_substrate", "horizon")
AUXOSTAT_FIELDS = (
    "set_point",
    "gain_k1",
    "gain_k2",
    "initial_dilution_bar",
    "noise_std",
    "sample_period",
    "noise_seed",
)
# A species' own columns, in the order the admin and the API show them.
SPECIES_FIELDS = (
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


class ScenarioSpecies(models.Model):
    """One consumer of a scenario: growth law, parameters, yield and initial biomass."""

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="species")
    position = models.PositiveSmallIntegerField(_("rang"), default=1)
    name = models.CharField(_("nom"), max_length=80)
    law = models.CharField(_("loi de croissance"), max_length=10, choices=GrowthLawKind.choices)
    mu_max = models.FloatField(_("μmax, μ̄ ou r (1/h)"))
    half_saturation = models.FloatField(_("constante de demi-saturation K"), default=1.0)
    inhibition = models.FloatField(
        _("constante d'inhibition Ki (g/L)"),
        null=True,
        blank=True,
        help_text=_("Vide : pas d'inhibition (loi de Monod)."),
    )
    yield_coefficient = models.FloatField(_("rendement y"), default=1.0)
    initial_biomass = models.FloatField(_("biomasse initiale x(0) (g/L)"), validators=[POSITIVE])
    is_added = models.BooleanField(
        _("souche ajoutée (bio-augmentation)"),
        default=False,
        help_text=_("Sa biomasse initiale est la dose ajoutée."),
    )

    class Meta:
        ordering = ["scenario", "position"]
        verbose_name = _("souche")
        verbose_name_plural = _("souches")
        constraints = [
            models.UniqueConstraint(
                fields=["scenario", "position"], name="ecology_species_unique_position"
            ),
            models.CheckConstraint(
                condition=Q(mu_max__gt=0)
                & Q(half_saturation__gt=0)
                & Q(yield_coefficient__gt=0)
                & Q(initial_biomass__gte=0)
                & (Q(inhibition__isnull=True) | Q(inhibition__gt=0)),
                name="ecology_species_parameters_in_domain",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_law_display()})"
