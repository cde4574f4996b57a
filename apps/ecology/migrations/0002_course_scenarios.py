"""Load the course's cases (chemostat course, Montpellier 2015) as scenarios."""

from django.db import migrations

HALDANE = {"law": "haldane", "mu_max": 1.0, "half_saturation": 1.0, "inhibition": 2.0}
MONOD = {"law": "monod", "mu_max": 1.0, "half_saturation": 1.0}
MONOD_CROSSING = {"law": "monod", "mu_max": 0.8, "half_saturation": 0.4}

SCENARIOS = [
    {
        "slug": "monod",
        "title": "Monod : un équilibre positif stable",
        "description": "μmax = 1, K = 1, D = 0,5, s_in = 5 : s* = 1, x* = 4.",
        "dilution_rate": 0.5,
        "substrate_in": 5.0,
        "initial_substrate": 5.0,
        "horizon": 50.0,
        "species": [{"name": "Souche Monod", **MONOD, "initial_biomass": 0.1}],
    },
    {
        "slug": "haldane-lessivage",
        "title": "Haldane : D > max μ, lessivage seul",
        "description": "μ̄ = 1, K = 1, Ki = 2 ; D = 0,45 dépasse max μ = 1/(1+√2) ≈ 0,414.",
        "dilution_rate": 0.45,
        "substrate_in": 5.0,
        "initial_substrate": 1.0,
        "horizon": 200.0,
        "species": [{"name": "Souche Haldane", **HALDANE, "initial_biomass": 2.0}],
    },
    {
        "slug": "haldane-bistabilite",
        "title": "Haldane : μ(s_in) < D < max μ, bistabilité",
        "description": "D = 0,35 : trois équilibres, lessivage et équilibre positif stables.",
        "dilution_rate": 0.35,
        "substrate_in": 5.0,
        "initial_substrate": 4.5,
        "horizon": 300.0,
        "species": [{"name": "Souche Haldane", **HALDANE, "initial_biomass": 0.3}],
    },
    {
        "slug": "haldane-stable",
        "title": "Haldane : D < μ(s_in), équilibre positif stable",
        "description": "D = 0,2 < μ(5) ≈ 0,270 : deux équilibres, le positif est stable.",
        "dilution_rate": 0.2,
        "substrate_in": 5.0,
        "initial_substrate": 5.0,
        "horizon": 300.0,
        "species": [{"name": "Souche Haldane", **HALDANE, "initial_biomass": 0.01}],
    },
    {
        "slug": "competition-d1",
        "title": "Compétition de deux souches Monod, D = D1 = 0,3",
        "description": "Les graphes se croisent en s = 2 : au-dessous, la souche rouge l'emporte.",
        "dilution_rate": 0.3,
        "substrate_in": 5.0,
        "initial_substrate": 5.0,
        "horizon": 1000.0,
        "species": [
            {"name": "Souche bleue", **MONOD, "initial_biomass": 0.1},
            {"name": "Souche rouge", **MONOD_CROSSING, "initial_biomass": 0.1},
        ],
    },
    {
        "slug": "competition-d2",
        "title": "Compétition de deux souches Monod, D = D2 = 0,7",
        "description": "Au-dessus du croisement, la souche bleue a le plus petit seuil λ.",
        "dilution_rate": 0.7,
        "substrate_in": 5.0,
        "initial_substrate": 5.0,
        "horizon": 1000.0,
        "species": [
            {"name": "Souche bleue", **MONOD, "initial_biomass": 0.1},
            {"name": "Souche rouge", **MONOD_CROSSING, "initial_biomass": 0.1},
        ],
    },
    *[
        {
            "slug": f"haldane-monod-cas-{case}",
            "title": f"Haldane contre Monod, cas {case}",
            "description": description,
            "dilution_rate": 0.35,
            "substrate_in": 5.0,
            "initial_substrate": 4.0,
            "horizon": 1000.0,
            "species": [
                {"name": "Souche Haldane", **HALDANE, "initial_biomass": 0.5},
                {
                    "name": "Souche Monod",
                    "law": "monod",
                    "mu_max": 0.6,
                    "half_saturation": K,
                    "initial_biomass": 0.5,
                },
            ],
        }
        for case, K, description in (
            (1, 0.3, "λ Monod = 0,42 < λ⁻ = 0,653 : la souche Monod l'emporte."),
            (2, 1.0, "λ⁻ < λ Monod = 1,4 < λ⁺ = 3,061 : la souche Haldane l'emporte."),
            (3, 3.0, "λ Monod = 4,2 > λ⁺ : deux composantes, l'issue dépend de l'état initial."),
        )
    ],
    *[
        {
            "slug": f"auxostat-k{gain}",
            "title": f"Auxostat avec bruit de mesure, K1 = K2 = {gain}",
            "description": "Consigne s* = 2 sur la branche décroissante de Haldane ; D̄ → μ(s*) = 0,4.",
            "kind": "auxostat",
            "dilution_rate": 0.2,
            "substrate_in": 5.0,
            "initial_substrate": 4.0,
            "horizon": 100.0,
            "set_point": 2.0,
            "gain_k1": float(gain),
            "gain_k2": float(gain),
            "initial_dilution_bar": 0.2,
            "noise_std": 0.02,
            "sample_period": 0.1,
            "noise_seed": 2015,
            "species": [{"name": "Souche Haldane", **HALDANE, "initial_biomass": 0.5}],
        }
        for gain in (1, 10)
    ],
    *[
        {
            "slug": f"bioaugmentation-{slug}",
            "title": title,
            "description": description,
            "kind": "bioaugmentation",
            "dilution_rate": 0.35,
            "substrate_in": 5.0,
            "initial_substrate": 4.5,
            "horizon": 1000.0,
            "species": [
                {"name": "Souche rouge (Haldane)", **HALDANE, "initial_biomass": 0.3},
                {
                    "name": name,
                    "law": "monod",
                    "mu_max": 0.6,
                    "half_saturation": K,
                    "initial_biomass": 0.01,
                    "is_added": True,
                },
            ],
        }
        for slug, title, description, name, K in (
            (
                "stabilisation",
                "Bio-augmentation : λ dans E, stabilisation globale",
                "λ = 1,4 ∈ E = (0,653 ; 3,061) : la souche rouge est stabilisée.",
                "Souche verte (Monod)",
                1.0,
            ),
            (
                "invasion",
                "Bio-augmentation : λ hors de E, invasion",
                "λ = 0,42 < λ⁻ : la souche ajoutée envahit le chémostat.",
                "Souche bleue (Monod)",
                0.3,
            ),
        )
    ],
]


def load(apps, schema_editor):
    Scenario = apps.get_model("ecology", "Scenario")
    ScenarioSpecies = apps.get_model("ecology", "ScenarioSpecies")
    for data in SCENARIOS:
        fields = {key: value for key, value in data.items() if key != "species"}
        scenario = Scenario.objects.create(**fields)
        for position, species in enumerate(data["species"], start=1):
            ScenarioSpecies.objects.create(scenario=scenario, position=position, **species)


def unload(apps, schema_editor):
    Scenario = apps.get_model("ecology", "Scenario")
    Scenario.objects.filter(slug__in=[data["slug"] for data in SCENARIOS]).delete()


class Migration(migrations.Migration):
    dependencies = [("ecology", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
