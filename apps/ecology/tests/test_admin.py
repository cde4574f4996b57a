"""The scenario admin shows the species inline and the grouped conditions and auxostat settings."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from apps.ecology.models import AUXOSTAT_FIELDS, SCENARIO_CONDITIONS, SPECIES_FIELDS, Scenario

pytestmark = pytest.mark.django_db


def test_a_scenario_change_page_has_every_species_and_scenario_field(client):
    client.force_login(get_user_model().objects.create_superuser("eco", "eco@example.org", "pw"))
    scenario = Scenario.objects.get(slug="auxostat-k1")
    page = client.get(f"/admin/ecology/scenario/{scenario.pk}/change/").content.decode()
    for name in (*SCENARIO_CONDITIONS, *AUXOSTAT_FIELDS):
        assert f'name="{name}"' in page
    for name in SPECIES_FIELDS:
        assert f'name="species-0-{name}"' in page


def test_the_species_list_shows_the_scenario_rank_name_law_and_parameters(client):
    client.force_login(get_user_model().objects.create_superuser("eco", "eco@example.org", "pw"))
    page = client.get("/admin/ecology/scenariospecies/").content.decode()
    shown = ("scenario", "position", "name", "law", "mu_max", "half_saturation", "inhibition")
    for column in shown:
        assert f"column-{column}" in page
