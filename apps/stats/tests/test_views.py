"""The indicators dashboard page."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from apps.trajets.tests.factories import make_run
from tests.e2e.sample import build_sample_network

pytestmark = pytest.mark.django_db


def _rows(dashboard, key: str) -> dict[str, float]:
    chart = next(chart for chart in dashboard.charts if chart.key == key)
    return {row.label: row.value for row in chart.rows}


def test_dashboard_shows_counts_split_and_busiest_operator(client):
    build_sample_network()
    response = client.get(reverse("stats:dashboard"))
    assert response.status_code == 200
    dashboard = response.context["dashboard"]
    assert (dashboard.service_count, dashboard.day_count, dashboard.night_count) == (5, 3, 2)
    # TGV 5 days + EC 7 + EUR 7 for SNCF; Nightjet 3 days + Berlin-Wien 7 for ÖBB.
    assert dashboard.departures == 29
    assert dashboard.period_label == (
        "semaine type de chaque source : back-on-track du 6 au 12 janvier 2025, "
        "sncf-gtfs du 6 au 12 janvier 2025"
    )
    operators = next(chart for chart in dashboard.charts if chart.key == "operators")
    assert [(row.label, row.value) for row in operators.rows] == [
        ("SNCF Voyageurs", 19),
        ("ÖBB", 10),
    ]
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert '<svg class="bar-chart"' in html
    assert '<th scope="row">SNCF Voyageurs</th>' in html


def test_dashboard_counts_countries_served_by_any_stop(client):
    build_sample_network()
    dashboard = client.get(reverse("stats:dashboard")).context["dashboard"]
    countries = _rows(dashboard, "countries")
    assert countries["France"] == 2
    assert countries["Autriche"] == 2
    assert countries["Allemagne"] == 2  # München (a stop) and Berlin


def test_dashboard_groups_city_pairs_in_both_directions(client):
    network = build_sample_network()
    from apps.trajets.tests.factories import make_trajet

    make_trajet(
        [network.tgv.destination, network.tgv.origin],
        times=[(None, "14:00"), ("21:00", None)],
        run=network.tgv.import_run,
    )
    cache.clear()
    dashboard = client.get(reverse("stats:dashboard")).context["dashboard"]
    pairs = next(chart for chart in dashboard.charts if chart.key == "pairs")
    assert (pairs.rows[0].label, pairs.rows[0].value) == (
        "Milano Centrale – Paris Gare de Lyon",
        2,
    )


def test_dashboard_compares_average_rail_and_flight_co2_by_kind(client):
    build_sample_network()
    dashboard = client.get(reverse("stats:dashboard")).context["dashboard"]
    co2 = _rows(dashboard, "co2")
    assert co2["Train, nuit"] == pytest.approx((19.6 + 9.5) / 2)
    assert co2["Avion équivalent, jour"] == pytest.approx((139.4 + 55.0 + 48.0) / 3)
    assert dashboard.co2_saving_percent == pytest.approx(
        100 * (1 - (2.1 + 19.6 + 9.5 + 1.2 + 0.9) / (139.4 + 203 + 110 + 55 + 48))
    )


def test_dashboard_is_recomputed_after_an_import(client):
    network = build_sample_network()
    assert client.get(reverse("stats:dashboard")).context["dashboard"].service_count == 5
    from apps.trajets.tests.factories import make_trajet

    make_trajet(run=make_run(network.tgv.source))
    assert client.get(reverse("stats:dashboard")).context["dashboard"].service_count == 6


def test_dashboard_renders_an_empty_warehouse(client):
    response = client.get(reverse("stats:dashboard"))
    assert response.status_code == 200
    assert "Aucune donnée à représenter pour le moment." in response.content.decode()
