"""The route search page: form, legs table, SVG with text alternative, errors in place."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

URL = reverse("routing:route-search")


def test_empty_page_shows_the_form_with_station_autocomplete(client, db):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Itinéraires</h1>" in html
    assert 'data-autocomplete="/api/stations"' in html
    assert 'list="origin-suggestions"' in html


def test_network_route_renders_the_table_the_svg_and_the_co2(client, line_network):
    response = client.get(
        URL, {"origin": "Paris Gare de Lyon", "destination": "Marseille Saint-Charles"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Chemin sur le réseau" in html
    assert html.count("<tr>") == 3
    assert "<svg" in html
    assert "Paris Gare de Lyon → Lyon Part-Dieu → Marseille Saint-Charles" in html
    assert "avion" in html
    # No air data here: no flight, and the reasons the atlas's rule gives none.
    assert "pas de vol équivalent selon la règle de l'atlas" in html
    assert "une gare n'est rattachée à aucune ville" in html


def test_journey_lists_trains_and_marks_night_trains(client, line_network):
    response = client.get(
        URL,
        {
            "origin": "Paris Gare de Lyon",
            "destination": "Marseille Saint-Charles",
            "depart": "2025-06-11T20:00",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Intercités de nuit" in html
    assert "badge-night" in html
    assert "21:00" in html


def test_unknown_station_is_reported_on_its_field_with_422(client, line_network):
    response = client.get(URL, {"origin": "Atlantis", "destination": "Lyon Part-Dieu"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "Gare ou ville inconnue" in html
    assert 'href="#id_origin"' in html


def test_htmx_request_gets_the_fragment_only(client, line_network):
    response = client.get(
        URL,
        {"origin": "Lyon Part-Dieu", "destination": "Marseille Saint-Charles"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="route-search"' in html
    assert 'hx-swap-oob="true"' in html
    assert response["Vary"] == "HX-Request" or "HX-Request" in response["Vary"]


def test_a_leg_on_another_day_than_the_departure_shows_its_date(client, line_network):
    response = client.get(
        URL,
        {
            "origin": "Paris Gare de Lyon",
            "destination": "Marseille Saint-Charles",
            "depart": "2025-06-11T20:00",
        },
    )
    html = response.content.decode()
    assert "<td>21:00</td>" in html
    assert "<td>jeudi 12 juin 07:00</td>" in html


def test_a_date_no_source_covers_is_reported_on_the_departure_field_with_422(client, line_network):
    response = client.get(
        URL,
        {
            "origin": "Paris Gare de Lyon",
            "destination": "Lyon Part-Dieu",
            "depart": "2031-03-02T08:00",
        },
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'href="#id_depart"' in html
    assert "Aucune source ne couvre le 2 mars 2031" in html
    assert "test-feed du 1 janvier 2025 au 31 décembre 2025" in html


def test_times_are_shown_in_each_stations_own_zone(client, db, artifact_dir):
    """A train leaving București at 08:09 local time reads 08:09 on the page and
    ``08:09+03:00`` in the API, not the server's Paris time (07:09)."""
    from apps.routing.services import build_routing_artifact
    from apps.trajets.tests.factories import make_station, make_trajet

    bucuresti = make_station(
        "București Nord",
        country="RO",
        latitude=44.4467,
        longitude=26.0756,
        time_zone="Europe/Bucharest",
    )
    constanta = make_station(
        "Constanța",
        country="RO",
        latitude=44.1781,
        longitude=28.6197,
        time_zone="Europe/Bucharest",
    )
    make_trajet([bucuresti, constanta], times=[(None, "08:09"), ("10:31", None)], category="IR")
    build_routing_artifact(run_id="test")
    query = {"origin": "București Nord", "destination": "Constanța", "depart": "2025-06-11T07:00"}

    html = client.get(URL, query).content.decode()
    assert "<td>08:09</td>" in html
    assert "<td>10:31</td>" in html
    assert "07:09" not in html
    api = client.get(
        "/api/routes",
        {"from": bucuresti.pk, "to": constanta.pk, "depart": "2025-06-11T07:00"},
    ).json()
    assert api["legs"][0]["departure"] == "2025-06-11T08:09:00+03:00"
    assert api["arrival"] == "2025-06-11T10:31:00+03:00"


def test_route_searches_count_against_the_compute_throttle_page_and_api(
    client, line_network, settings
):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**rates, "compute": "1/minute"},
    }
    query = {"origin": "Paris Gare de Lyon", "destination": "Marseille Saint-Charles"}
    assert client.get(URL, query).status_code == 200
    throttled = client.get(URL, query)
    assert throttled.status_code == 429
    assert "Trop de calculs demandés" in throttled.content.decode()
    assert int(throttled["Retry-After"]) > 0
    api = client.get(reverse("api:route"), {"from": query["origin"], "to": query["destination"]})
    assert api.status_code == 429
    assert client.get(URL).status_code == 200


def test_a_journey_is_answered_in_a_sentence_with_hours_and_its_change(client, line_network):
    query = {
        "origin": "Paris Gare de Lyon",
        "destination": "Marseille Saint-Charles",
        "depart": "2025-06-11T07:00",
    }
    html = client.get(URL, query).content.decode()
    assert '<p class="answer-sentence">4 h 10, 1 correspondance à Lyon Part-Dieu</p>' in html
    assert '<td class="num">2 h 00</td>' in html  # each leg in hours too
    assert " min<" not in html


def test_the_algorithm_and_the_solver_statistics_are_folded_in_an_expert_panel(
    client, line_network
):
    query = {"origin": "Paris Gare de Lyon", "destination": "Marseille Saint-Charles"}
    html = client.get(URL, query).content.decode()
    assert '<p class="answer-sentence">' in html
    assert "de trajet sur le réseau" in html
    panels = re.findall(r'<details class="expert-panel"[^>]*>(.*?)</details>', html, re.S)
    assert len(panels) == 2
    assert 'name="method"' in panels[0]
    assert "éléments examinés" in panels[1]
    assert 'name="method"' not in html.replace(panels[0], "")


def test_the_route_map_draws_the_countries_and_names_every_station(client, line_network):
    query = {"origin": "Paris Gare de Lyon", "destination": "Marseille Saint-Charles"}
    html = client.get(URL, query).content.decode()
    svg = re.search(r'<svg class="route-map-svg".*?</svg>', html, re.S).group(0)
    assert svg.count('<path class="country"') > 20
    labels = re.findall(r"<text [^>]*>([^<]+)</text>", svg)
    assert labels == ["Paris Gare de Lyon", "Lyon Part-Dieu", "Marseille Saint-Charles"]
    *_corner, width, height = (float(v) for v in re.search(r'viewBox="([^"]+)"', svg)[1].split())
    assert width / height == pytest.approx(1.6, abs=0.01)


def _alternative_rows(html: str) -> dict[str, list[str]]:
    """Departure → the texts of the other cells of each row of the day's trains table."""
    table = html.split('id="alternatives-table"', 1)[1].split("</table>", 1)[0]
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table.split("<tbody>", 1)[1], re.S):
        cells = [
            " ".join(re.sub(r"<[^>]+>", " ", cell).split())
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        rows[cells[0].split()[0]] = cells[1:]
    return rows


def test_a_journey_is_followed_by_the_days_trains_and_the_best_choice_for_each_criterion(
    client, line_network
):
    query = {
        "origin": "Paris Gare de Lyon",
        "destination": "Marseille Saint-Charles",
        "depart": "2025-06-11T07:00",
    }
    html = client.get(URL, query).content.decode()
    # The one-line answer stays first, then the later trains in words.
    assert html.index('class="answer-sentence"') < html.index('class="next-departures"')
    assert "Trains suivants dans la journée : 21:00." in html
    assert '<caption id="alternatives-caption">2 trajets de la journée' in html
    rows = _alternative_rows(html)
    assert list(rows) == ["08:00", "21:00"]
    # 08:00 → 12:10 with a change at Lyon is the quickest ride (and the detailed answer);
    # the 21:00 night train is direct, and arrives the next morning.
    first, second = line_network.day_first, line_network.day_second
    assert rows["08:00"][:4] == [
        "12:10 Marseille Saint-Charles",
        "4 h 10",
        "1",
        f"TGV {first.train_number} → TER {second.train_number}",
    ]
    assert rows["08:00"][-1].startswith("le plus rapide")
    assert rows["08:00"][-1].endswith("l'itinéraire détaillé ci-dessus")
    assert rows["21:00"][:3] == ["07:00 (+1) Marseille Saint-Charles", "10 h 00", "0"]
    assert "le moins de correspondances" in rows["21:00"][-1]
    assert [cells[4] for cells in rows.values()] == ["4,7 kg", "4,7 kg"]
    assert sum("le moins de CO2e" in cells[-1] for cells in rows.values()) == 1


def test_a_network_path_without_a_departure_time_has_no_table_of_the_days_trains(
    client, line_network
):
    query = {"origin": "Paris Gare de Lyon", "destination": "Marseille Saint-Charles"}
    html = client.get(URL, query).content.decode()
    assert "alternatives-table" not in html
    assert "next-departures" not in html


def test_the_departure_picker_opens_on_the_dates_the_data_covers(client, line_network):
    html = client.get(URL).content.decode()
    field = re.search(r'<input type="datetime-local" name="depart"[^>]*>', html).group(0)
    assert 'min="2025-01-01T00:00"' in field
    assert 'max="2025-12-31T23:59"' in field
    assert "Horaires chargés : du 1er janvier au 31 décembre 2025." in html
    outside = client.get(
        URL,
        {
            "origin": "Paris Gare de Lyon",
            "destination": "Marseille Saint-Charles",
            "depart": "2030-03-03T07:00",
        },
    )
    assert outside.status_code == 422
    assert "Aucune source ne couvre le 3 mars 2030." in outside.content.decode()


def test_the_answer_stands_when_the_days_trains_run_out_of_budget(
    client, line_network, monkeypatch
):
    from obrail.budget import BudgetExceeded

    def over_budget(**_kwargs):
        raise BudgetExceeded("cpu", 2.0, 2.1)

    monkeypatch.setattr("apps.routing.views.day_alternatives", over_budget)
    query = {
        "origin": "Paris Gare de Lyon",
        "destination": "Marseille Saint-Charles",
        "depart": "2025-06-11T07:00",
    }
    response = client.get(URL, query)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<p class="answer-sentence">4 h 10, 1 correspondance à Lyon Part-Dieu</p>' in html
    assert "alternatives-table" not in html
    assert "next-departures" not in html


def test_an_artefact_naming_a_station_the_database_lost_says_unavailable_not_a_500(
    client, line_network, monkeypatch
):
    """An artefact older than an identity repair (or built from another database) names
    stations that are gone: the page says the search is unavailable and the API answers
    503, as without an artefact, never a 500 (a KeyError before)."""
    import dataclasses

    import numpy as np

    from apps.routing.services import network as network_module
    from apps.routing.services import routes

    stale = network_module.load_network()
    gone = np.where(stale.station_ids == line_network.lyon.pk, 10**9, stale.station_ids)
    stale = dataclasses.replace(stale, station_ids=gone)
    monkeypatch.setattr(routes, "load_network", lambda: stale)
    query = {"origin": "Paris Gare de Lyon", "destination": "Marseille Saint-Charles"}
    page = client.get(URL, query)
    assert page.status_code == 200
    assert "Le calcul d'itinéraires est indisponible" in page.content.decode()
    api = client.get("/api/routes", {"from": query["origin"], "to": query["destination"]})
    assert api.status_code == 503
