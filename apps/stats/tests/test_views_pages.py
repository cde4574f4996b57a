"""Home page and static pages: accessibility statement, legal notice."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.trajets.models import Trajet
from tests.e2e.sample import build_sample_network

pytestmark = pytest.mark.django_db


def test_home_shows_warehouse_counts_and_the_day_night_chart(client):
    build_sample_network()
    response = client.get(reverse("home"))
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["dashboard"].night_count == 2
    assert response.context["summary"].station_count == 10
    assert (
        "2 trains de nuit, 0 trains de nuit sans couchette connue et 3 trains de jour sur "
        "5 trains." in html
    )
    assert '<th scope="row">Trains de nuit</th><td class="num">2</td>' in html
    assert "circulent au moins un jour de la période : semaine type de chaque source" in html


def test_home_counts_each_train_once_and_only_in_its_period(client):
    network = build_sample_network()
    from apps.trajets.tests.factories import make_trajet

    make_trajet(run=network.nightjet.import_run, kind="night", same_train_as=network.nightjet)
    make_trajet(
        run=network.nightjet.import_run,
        kind="night",
        valid_from=dt.date(2026, 7, 1),  # after the source's typical week
        valid_to=dt.date(2026, 7, 31),
    )
    assert client.get(reverse("home")).context["dashboard"].night_count == 2


def test_accessibility_statement_states_compliance_and_recourse(client):
    html = client.get(reverse("pages:accessibility")).content.decode()
    assert "partiellement conforme" in html
    assert "Défenseur des droits" in html
    assert html.count("<h1") == 1


def test_legal_page_describes_personal_data_and_cookies(client):
    html = client.get(reverse("pages:legal")).content.decode()
    assert "RGPD" in html
    assert "Cookies" in html
    assert "Natural Earth" in html


def test_every_page_links_the_accessibility_statement_in_the_footer(client):
    html = client.get(reverse("stats:dashboard")).content.decode()
    assert f'href="{reverse("pages:accessibility")}">Accessibilité : partiellement conforme' in html


def test_pages_are_in_english_when_the_visitor_chooses_it(client):
    build_sample_network()
    client.cookies["django_language"] = "en"
    html = client.get(reverse("stats:dashboard")).content.decode()
    assert '<html lang="en">' in html
    assert "Skip to content" in html
    assert '<th scope="row">Night trains</th>' in html


def test_legal_texts_stay_french_and_say_so_in_the_english_interface(client):
    client.cookies["django_language"] = "en"
    html = client.get(reverse("pages:accessibility")).content.decode()
    assert '<html lang="en">' in html
    assert "<h1>Accessibility statement</h1>" in html
    assert '<div class="prose" lang="fr">' in html
    assert "partiellement conforme" in html


def test_every_chart_downloads_as_a_french_spreadsheet_for_its_period(client):
    build_sample_network()
    html = client.get(reverse("stats:dashboard"), {"period": "all"}).content.decode()
    assert 'href="/indicateurs/kind.csv?period=all" download' in html
    response = client.get(reverse("stats:indicator-export", args=["kind"]), {"period": "all"})
    assert response.status_code == 200
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == (
        "attachment; "
        f'filename="obrail-indicateurs-trains-de-jour-et-de-nuit-toutes-dates-{today}.csv"'
    )
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    assert rows[0] == ["Type de service", "Trains"]
    assert dict(rows[1:]) == {
        "Trains de jour": "3",
        "Trains de nuit": "2",
        "Trains de nuit sans couchette connue": "0",
    }


def test_each_chart_file_says_what_it_holds_in_french_and_its_period(client):
    build_sample_network()
    today = timezone.localdate().isoformat()
    names = {}
    for key in ("kind", "operators", "countries", "pairs", "co2"):
        response = client.get(reverse("stats:indicator-export", args=[key]), {"week": "2025-06-11"})
        disposition = response["Content-Disposition"]
        names[key] = disposition.removeprefix('attachment; filename="obrail-indicateurs-')
    suffix = f'-2025-06-09-au-2025-06-15-{today}.csv"'
    assert names == {
        "kind": "trains-de-jour-et-de-nuit" + suffix,
        "operators": "departs-par-operateur" + suffix,
        "countries": "trains-par-pays" + suffix,
        "pairs": "liaisons-les-plus-desservies" + suffix,
        "co2": "co2-train-et-avion" + suffix,
    }


def test_the_key_figures_download_as_a_french_spreadsheet(client):
    build_sample_network()
    html = client.get(reverse("stats:dashboard"), {"period": "all"}).content.decode()
    assert 'href="/indicateurs/chiffres-cles.csv?period=all" download' in html

    response = client.get(reverse("stats:key-figures-export"), {"period": "all"})

    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="obrail-indicateurs-chiffres-cles-toutes-dates-{today}.csv"'
    )
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    assert rows[0] == ["Indicateur", "Valeur", "Unité", "Période"]
    figures = {row[0]: row[1:] for row in rows[1:]}
    counted = Trajet.objects.counted()
    night = counted.filter(kind="night").count()
    assert figures["Trains en circulation"][:2] == [str(counted.count()), "trains"]
    assert figures["Trains de jour"][0] == str(counted.filter(kind="day").count())
    assert figures["Trains de nuit"][0] == str(night)
    share = f"{100 * night / counted.count():.1f}".replace(".", ",")
    assert figures["Part des trains de nuit"][:2] == [share, "%"]
    assert figures["Trains de nuit"][2] == "toutes les dates de circulation"
    # The averages compare train and plane over the same trains, whose number is given.
    compared = figures["Trains ayant un vol équivalent (base des moyennes de CO2e)"][0]
    assert compared == str(counted.filter(co2_flight_kg__isnull=False).count())
    rail = "CO2e moyen d'un passager en train, trains ayant un vol équivalent (ADEME Base Carbone"
    assert "," in next(value for key, value in figures.items() if key.startswith(rail))[0]


def test_a_bad_period_sends_the_key_figures_download_back_to_the_page(client, db):
    response = client.get(reverse("stats:key-figures-export"), {"week": "2025-13-45"})
    assert response.status_code == 302
    assert response["Location"] == "/indicateurs/?week=2025-13-45"


def test_an_unknown_indicator_is_a_404(client, db):
    assert client.get(reverse("stats:indicator-export", args=["nothing"])).status_code == 404


def test_the_legal_notice_names_director_host_contact_log_retention_and_rights(client, settings):
    settings.LEGAL_PUBLICATION_DIRECTOR = "Camille Martin"
    settings.LEGAL_HOST_NAME = "Hébergeur SAS"
    settings.LEGAL_HOST_ADDRESS = "1 rue de l'Exemple, 75001 Paris"
    settings.LEGAL_HOST_PHONE = "01 23 45 67 89"
    settings.LEGAL_DPO_EMAIL = "dpo@example.org"
    html = client.get(reverse("pages:legal")).content.decode()
    assert '<dd id="legal-legal_publication_director">Camille Martin</dd>' in html
    assert '<dd id="legal-legal_host_name">Hébergeur SAS</dd>' in html
    assert "1 rue de l&#x27;Exemple, 75001 Paris" in html
    assert '<dd id="legal-legal_host_phone">01 23 45 67 89</dd>' in html
    assert 'Pour l\'exercer : <a href="mailto:dpo@example.org">' in html
    assert "conservés 31 jours" in html
    assert "<h2>Contact</h2>" in html
    for right in ("accès", "rectification", "effacement", "limitation", "portabilité"):
        assert right in html
    assert "CNIL" in html


def test_the_log_retention_stated_is_the_one_loki_applies():
    from pathlib import Path

    from django.conf import settings as django_settings

    from obrail.legal import LOG_RETENTION_DAYS

    loki = (Path(django_settings.BASE_DIR) / "deploy" / "loki" / "loki.yml").read_text()
    hours = int(re.search(r"retention_period:\s*(\d+)h", loki)[1])
    assert hours == LOG_RETENTION_DAYS * 24


def test_a_top_ten_chart_downloads_its_whole_ranking_and_says_so(client):
    """The page shows the ten first operators, countries and pairs; the file holds them all,
    counted here straight from the trains."""
    from apps.trajets.models import Operator
    from apps.trajets.tests.factories import make_trajet

    build_sample_network()
    for number in range(12):
        operator = Operator.objects.create(code=f"op{number:02d}", name=f"Opérateur {number:02d}")
        make_trajet(operator=operator, weekdays="1111111")
    week = {"week": "2025-06-11"}
    html = client.get(reverse("stats:dashboard"), week).content.decode()
    running = {
        t.operator.name
        for t in Trajet.objects.counted().select_related("operator")
        if any(t.runs_on(dt.date(2025, 6, 9) + dt.timedelta(days=d)) for d in range(7))
    }
    assert len(running) > 10
    assert f"le classement complet : {len(running)} lignes" in html

    response = client.get(reverse("stats:indicator-export", args=["operators"]), week)
    rows = list(
        csv.reader(
            io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")), delimiter=";"
        )
    )
    assert {name for name, _departures in rows[1:]} == running
