"""The menu puts rail first and the chemostat models apart; the home page leads to every task."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from obrail.context_processors import MAIN_SECTIONS, OTHER_SECTIONS

pytestmark = pytest.mark.django_db


def _menu(html: str) -> list[str]:
    nav = re.search(r'<nav class="main-nav".*?</nav>', html, re.S).group(0)
    return re.findall(r"<a [^>]*>([^<]+)</a>", nav)


def test_the_menu_lists_the_rail_sections_first_and_the_ecological_models_last(client):
    assert _menu(client.get(reverse("pages:legal")).content.decode()) == [
        "Accueil",
        "Trajets",
        "Indicateurs",
        "Rail ou avion",
        "Modèles prédictifs",
        "Itinéraires",
        "Carte du réseau",
        "Qualité des données",
        "État du service",
        "API",
        "Modèles écologiques",
    ]


def test_a_chemostat_page_marks_the_ecological_models_section(client):
    html = client.get(reverse("ecology:scenario-list")).content.decode()
    assert re.search(r'<li class="nav-other"><a href="[^"]+" aria-current="page">', html)


def test_the_home_page_leads_to_every_task(client):
    """Every section of the menu has its card (a section added to the menu and forgotten on
    the home page fails here), and so has the API."""
    html = client.get(reverse("home")).content.decode()
    section = html[html.index('id="home-next"') :]
    for name in (*(n for n, _label in MAIN_SECTIONS + OTHER_SECTIONS), "api:swagger-ui"):
        assert f'<a href="{reverse(name)}">' in section, name
