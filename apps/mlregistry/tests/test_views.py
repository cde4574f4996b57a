"""The model pages, the atlas simulator's hook and the status page's freshness flag."""

from __future__ import annotations

import pytest
from django.utils import timezone

from apps.mlregistry.families import read_observations
from apps.mlregistry.tests.factories import city_pair, corrupt, in_production, trained
from apps.trajets.models import DataSource, ImportRun

pytestmark = pytest.mark.django_db


def test_the_model_page_shows_the_card_the_fit_with_its_tables_and_the_versions(client):
    version = in_production()
    trained(seed=5)
    response = client.get("/modeles/modal-share")
    assert response.status_code == 200
    html = response.content.decode()
    mae = f"{version.metrics['loo_mae_pp']:.1f}".replace(".", ",")
    assert f"{mae} points de part en moyenne absolue" in html
    assert 'class="fit-chart"' in html
    assert html.count('class="fit-point"') == len(read_observations()[0])
    for observation in read_observations()[0]:
        assert observation.share_url.replace("&", "&amp;") in html
    assert "Limites : où ne pas s" in html
    assert html.count('<tr><th scope="row">') >= 2


def test_the_list_page_links_each_model(client):
    in_production()
    html = client.get("/modeles/").content.decode()
    assert 'href="/modeles/modal-share"' in html


def test_an_unknown_model_page_is_a_404(client):
    assert client.get("/modeles/nope").status_code == 404


def test_a_refused_artefact_is_said_on_the_page_instead_of_a_chart(client):
    corrupt(in_production())
    html = client.get("/modeles/modal-share").content.decode()
    assert "checksum mismatch" in html
    assert 'class="fit-chart"' not in html


def test_the_simulator_page_shows_the_potential_in_a_section_of_its_own(client):
    in_production()
    city_pair("Paris", "Lyon", rail_min=120, passengers=1_000_000)
    html = client.get("/rail-ou-avion/simulateur", {"threshold_min": "150"}).content.decode()
    assert 'id="potential-heading"' in html
    assert "jamais une prévision" in html
    assert "Paris – Lyon" in html


def test_the_potential_figures_say_potential_and_the_floor_says_whose_floor_it_is(client):
    in_production()
    city_pair("Paris", "Lyon", rail_min=120, passengers=1_000_000)
    city_pair("Paris", "Brest", rail_min=200, passengers=500_000, upper_bound=True)
    html = " ".join(client.get("/rail-ou-avion/simulateur").content.decode().split())
    assert "potentiel de report vers le train, pas une prévision" in html
    assert "pourraient passer au train (bande" not in html
    assert "plancher de la lecture du modèle, pas des passagers qui changeront de mode" in html
    assert "ce chiffre surestime le report" in html
    english = " ".join(
        client.get("/rail-ou-avion/simulateur", HTTP_ACCEPT_LANGUAGE="en").content.decode().split()
    )
    assert "a potential shift to rail, not a forecast" in english
    assert "not of the passengers who will change mode" in english


def test_the_simulator_page_says_when_no_model_serves(client):
    html = client.get("/rail-ou-avion/simulateur").content.decode()
    assert "Aucune version du modèle de part du train" in html


def test_the_status_page_flags_a_model_older_than_the_imports(client):
    source = DataSource.objects.create(name="sncf", title="SNCF")
    now = timezone.now()
    ImportRun.objects.create(source=source, status="succeeded", started_at=now, finished_at=now)
    in_production()
    assert "À jour" in client.get("/etat-du-service/").content.decode()
    ImportRun.objects.create(source=source, status="succeeded", started_at=now, finished_at=now)
    html = client.get("/etat-du-service/").content.decode()
    assert "Périmées" in html
    assert "sncf" in html
