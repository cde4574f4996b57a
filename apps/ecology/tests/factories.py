"""Small factories for ecology rows."""

from __future__ import annotations

from typing import Any

from apps.ecology.models import Scenario, ScenarioSpecies


def make_scenario(
    slug: str = "test-monod", species: list[dict[str, Any]] | None = None, **fields: Any
) -> Scenario:
    """A stored scenario (Monod μmax = 1, K = 1, D = 0.5, s_in = 5 unless told otherwise)."""
    defaults: dict[str, Any] = {
        "title": slug,
        "dilution_rate": 0.5,
        "substrate_in": 5.0,
        "initial_substrate": 5.0,
        "horizon": 50.0,
    }
    scenario = Scenario.objects.create(slug=slug, **(defaults | fields))
    for position, data in enumerate(species or [{}], start=1):
        row = {
            "name": f"x{position}",
            "law": "monod",
            "mu_max": 1.0,
            "half_saturation": 1.0,
            "initial_biomass": 0.1,
        }
        ScenarioSpecies.objects.create(scenario=scenario, position=position, **(row | data))
    return scenario
