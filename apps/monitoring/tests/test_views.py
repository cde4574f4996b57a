"""The service status page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError
from django.urls import reverse
from django.utils import timezone

from apps.monitoring.models import Incident
from apps.monitoring.tests.factories import make_incident


@pytest.mark.django_db
def test_status_page_says_all_is_well_in_french_with_its_tables(client):
    response = client.get(reverse("monitoring:status"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>État du service</h1>" in html
    assert "Tout fonctionne normalement." in html
    assert "Aucun incident en cours." in html
    assert html.count("<caption>") == 2
    assert '<th scope="row">API</th>' in html
    assert '<th scope="row">Pages web</th>' in html
    assert response.context["status"].database["status"] == "ok"


@pytest.mark.django_db
def test_status_page_lists_the_open_incident_and_the_resolved_one(client):
    make_incident(summary="Taux d'erreurs serveur élevé", severity=Incident.Severity.CRITICAL)
    make_incident(
        status=Incident.Status.RESOLVED,
        summary="Temps de réponse dégradé",
        severity=Incident.Severity.WARNING,
        starts_at=timezone.now() - dt.timedelta(days=1),
    )

    html = client.get(reverse("monitoring:status")).content.decode()

    assert "Service perturbé." in html
    assert "1 incident est en cours" in html
    assert "Taux d&#x27;erreurs serveur élevé" in html
    assert "critique" in html
    assert "Temps de réponse dégradé" in html
    assert "avertissement" in html
    assert "20\xa0minutes" in html  # timesince joins with a no-break space


@pytest.mark.django_db
def test_an_alert_storm_lists_the_most_recent_open_incidents_and_counts_them_all(client):
    from apps.monitoring.services import OPEN_INCIDENTS_LIMIT

    now = timezone.now()
    for minutes in range(OPEN_INCIDENTS_LIMIT + 30):
        make_incident(summary=f"Alerte {minutes}", starts_at=now - dt.timedelta(minutes=minutes))

    html = client.get(reverse("monitoring:status")).content.decode()

    assert f"{OPEN_INCIDENTS_LIMIT + 30} incidents sont en cours" in html
    assert f"(les {OPEN_INCIDENTS_LIMIT} plus récents sur {OPEN_INCIDENTS_LIMIT + 30})" in html
    assert "Alerte 0<" in html
    assert f"Alerte {OPEN_INCIDENTS_LIMIT - 1}<" in html
    assert f"Alerte {OPEN_INCIDENTS_LIMIT}<" not in html


@pytest.mark.django_db
def test_status_page_explains_a_database_outage_instead_of_failing(client, monkeypatch):
    from obrail import health

    def broken(*args, **kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr(health.connection, "cursor", broken)

    response = client.get(reverse("monitoring:status"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Service dégradé." in html
    assert "Indisponible" in html


@pytest.mark.django_db
def test_status_page_counts_requests_to_the_api(client):
    before = client.get(reverse("monitoring:status")).context["status"].http[0].requests
    client.get("/api/schema")
    client.get("/api/schema")

    after = client.get(reverse("monitoring:status")).context["status"].http[0]

    assert after.label == "API"
    assert after.requests == before + 2


@pytest.mark.django_db
def test_status_page_calls_an_ended_timetable_expired_however_recent_its_import(client):
    from apps.trajets.tests.factories import make_run, make_source

    today = timezone.localdate()
    sources = {
        "ended": (dt.date(2013, 12, 15), dt.date(2014, 12, 13)),
        "running": (today - dt.timedelta(days=30), today + dt.timedelta(days=30)),
        "coming": (today + dt.timedelta(days=3), today + dt.timedelta(days=300)),
    }
    for name, (first, last) in sources.items():
        make_run(make_source(name, runs_from=first, runs_until=last, dataset="full"))
    html = client.get(reverse("monitoring:status")).content.decode()
    assert "À jour" not in html
    rows = {name: html[html.index(f'<th scope="row">{name}') :][:600] for name in sources}
    assert "du 15 décembre 2013 au 13 décembre 2014" in rows["ended"]
    assert '<td class="status-fail">expirée</td>' in rows["ended"]
    assert '<td class="status-ok">en cours</td>' in rows["running"]
    assert '<td class="status-fail">à venir</td>' in rows["coming"]
    assert "<td>full</td>" in rows["ended"]
