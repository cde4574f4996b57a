"""The "Rail ou avion" pages: table, filters, sort, map, detail, simulator, CSV, one language."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.atlas.filters import CityPairFilterSet
from apps.atlas.listing import PAGE_ROWS
from apps.atlas.models import CityPair
from apps.atlas.tests.conftest import copy_every_pair
from tests.test_one_language import english_words


def _get(client, name, *args, **query):
    return client.get(reverse(name, args=args), query, HTTP_ACCEPT_LANGUAGE="fr")


def test_the_list_shows_pairs_the_method_and_the_map(atlas, client):
    response = _get(client, "atlas:pair-list")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Paris – Lyon" in html
    assert "ADEME Base Carbone" in html
    assert 'class="network-map atlas-map"' in html
    assert "Données de la carte" in html


def test_the_list_names_the_method_chosen(atlas, client):
    html = _get(client, "atlas:pair-list", method="desnz_no_rf").content.decode()
    assert "sans effets hors CO2" in html


def test_a_sorted_column_says_so(atlas, client):
    html = _get(client, "atlas:pair-list", ordering="-rail").content.decode()
    assert 'aria-sort="descending"' in html


def test_the_sort_choices_read_as_words_not_as_codes(atlas, client):
    html = _get(client, "atlas:pair-list").content.decode()
    select = html[
        html.index('name="ordering"') : html.index("</select>", html.index('name="ordering"'))
    ]
    labels = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)
    assert len(labels) == 11
    for value, label in labels:
        assert label.strip(), value
        assert label.strip() != value, value
    assert ("-rail", "train le plus rapide, décroissant") in labels
    assert ("name", "villes de A à Z") in labels


def test_bad_filters_answer_400_with_the_errors_tied_to_their_fields(atlas, client):
    response = _get(client, "atlas:pair-list", country="F1", method="icao")
    assert response.status_code == 400
    html = response.content.decode()
    assert "code pays ISO 3166-1 à deux lettres attendu" in html
    assert 'href="#id_method"' in html


def test_a_pair_without_timetable_says_so_plainly(atlas, client):
    pair = CityPair.objects.get(b_name="Paris", a_name="London")
    html = _get(client, "atlas:pair-detail", pair.pk).content.decode()
    assert "pas d'horaire actuel pour cette liaison" in html
    assert "Passagers aériens par année" in html


def test_the_detail_lists_the_journeys_the_night_train_and_every_method(atlas, client):
    pair = CityPair.objects.get(a_name="Paris", b_name="Marseille")
    html = _get(client, "atlas:pair-detail", pair.pk, method="desnz").content.decode()
    assert "Départ 21:00 de Paris Gare de Lyon" in html
    assert html.count("(méthode choisie)") == 1
    assert "DESNZ, gouvernement britannique (avion avec effets hors CO2) <strong>" in html


def test_the_simulator_lists_the_affected_pairs_and_refuses_an_empty_rule(atlas, client):
    result = _get(client, "atlas:policy", threshold_min="150", scope="domestic", country="FR")
    assert result.status_code == 200
    assert "Paris – Lyon" in result.content.decode()
    empty = _get(client, "atlas:policy", threshold_min="", scope="domestic")
    assert empty.status_code == 422
    assert "Indiquez un seuil" in empty.content.decode()
    assert _get(client, "atlas:policy", country="F1").status_code == 400


def test_the_spreadsheet_is_french_excel_with_the_method_on_each_row(atlas, client):
    response = _get(client, "atlas:pair-export", q="Paris", method="ademe")
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeffVille A;Pays A;Ville B")
    lyon = next(line for line in body.splitlines() if line.startswith("Paris;France;Lyon"))
    assert "ADEME Base Carbone" in lyon
    assert ";2 h 00 au plus;120;" in lyon
    assert "Horaires utilisés : test-feed. Borne haute" in lyon


def test_the_menu_leads_to_the_atlas_after_the_indicators(atlas, client):
    html = _get(client, "home").content.decode()
    assert html.index(">Indicateurs<") < html.index(">Rail ou avion<") < html.index(">Itinéraires<")


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("atlas:pair-list", {}),
        ("atlas:pair-list", {"country": "zz9", "ordering": "-flight"}),
        ("atlas:policy", {"threshold_min": "240", "night_train": "on"}),
        ("atlas:policy", {"threshold_min": ""}),
    ],
)
def test_the_pages_hold_no_english_word(atlas, client, name, query):
    assert english_words(_get(client, name, **query).content.decode()) == []


def test_the_detail_holds_no_english_word(atlas, client):
    for pair in CityPair.objects.filter(b_name__in=["Marseille", "Paris", "Toulouse"])[:3]:
        assert english_words(_get(client, "atlas:pair-detail", pair.pk).content.decode()) == []


def test_an_upper_bound_rail_time_reads_as_one_with_its_sources(atlas, client):
    lyon = CityPair.objects.get(a_name="Paris", b_name="Lyon")
    html = _get(client, "atlas:pair-detail", lyon.pk).content.decode()
    assert "2 h 00 au plus" in html
    assert "Horaires utilisés : test-feed." in html
    assert "Borne haute :" in html
    assert "opérateur grandes lignes principal pour France ;" in html
    listing = _get(client, "atlas:pair-list").content.decode()
    assert "120 min au plus" in listing


def test_the_simulator_says_how_many_pairs_it_could_not_judge(atlas, client):
    html = _get(client, "atlas:policy", threshold_min=150).content.decode()
    assert "passagers aériens en 2019" in html
    assert "liaisons non jugées" in html
    assert "Paris – Marseille" in html


def test_the_eea_method_is_offered_and_stated_on_list_detail_simulator_and_spreadsheet(
    atlas, client
):
    lyon = CityPair.objects.get(a_name="Paris", b_name="Lyon")
    scope = "CO2 seul, sans effets hors CO2"
    listed = _get(client, "atlas:pair-list", method="eea").content.decode()
    assert '<option value="eea" selected>' in listed
    assert scope in listed
    detail = _get(client, "atlas:pair-detail", lyon.pk, method="eea").content.decode()
    assert "0.28500 kg/pkm" in detail or "0,28500 kg/pkm" in detail
    assert "un seul chiffre pour toutes les distances" in detail
    simulated = _get(client, "atlas:policy", threshold_min="150", method="eea").content.decode()
    assert scope in simulated
    response = _get(client, "atlas:pair-export", q="Paris", method="eea")
    body = b"".join(response.streaming_content).decode("utf-8")
    row = next(line for line in body.splitlines() if line.startswith("Paris;France;Lyon"))
    assert scope in row


def test_the_flight_assumptions_are_shown_with_their_sources(atlas, client):
    lyon = CityPair.objects.get(a_name="Paris", b_name="Lyon")
    for response in (_get(client, "atlas:pair-detail", lyon.pk), _get(client, "atlas:pair-list")):
        html = unescape(response.content.decode())
        assert "118 min à l'aéroport avant le départ" in html
        assert "39 min de l'atterrissage à la sortie de l'aéroport" in html
        assert 'href="https://opentransportationjournal.com/VOLUME/13/PAGE/48/FULLTEXT"' in html
        assert "EUROCONTROL" in html
        assert html.count("aucune source publiée trouvée") == 1


def test_the_pages_say_the_rail_time_is_station_to_station(atlas, client):
    lyon = CityPair.objects.get(a_name="Paris", b_name="Lyon")
    listed = unescape(_get(client, "atlas:pair-list").content.decode())
    detail = unescape(_get(client, "atlas:pair-detail", lyon.pk).content.decode())
    for html in (listed, detail):
        assert "Le temps du train va de gare à gare" in html
        assert "32 min passées en gare" in html
        assert "157 min aux aéroports" in html
    assert "Train le plus rapide, de gare à gare" in listed
    assert "en train de gare à gare" in detail
    response = _get(client, "atlas:pair-export", q="Paris")
    header = b"".join(response.streaming_content).decode("utf-8").splitlines()[0]
    assert "Train le plus rapide, de gare à gare (minutes)" in header


def test_the_tables_name_co2_alone_under_the_eea_method_and_co2e_otherwise(atlas, client):
    for method, unit, other in (("eea", "CO2", "CO2e"), ("ademe", "CO2e", "CO2 ")):
        listed = _get(client, "atlas:pair-list", method=method).content.decode()
        simulated = _get(client, "atlas:policy", threshold_min="150", method=method)
        simulated = simulated.content.decode()
        assert f"{unit} train (kg)" in listed
        assert f"{unit} avion (kg)" in listed
        assert f"{other}train (kg)" not in listed.replace(f"{unit} train", "")
        assert f"{unit} avion (kg)" in simulated
        assert f"de {unit} évitées par an" in simulated


def _table_labels(html: str) -> list[str]:
    body = html[html.index('id="pair-table"') :]
    body = body[: body.index("</tbody>")]
    return [unescape(label) for label in re.findall(r'<th scope="row"><a [^>]*>([^<]*)</a>', body)]


def test_the_list_comes_by_pages_that_follow_each_other_without_javascript(atlas, client):
    total = CityPair.objects.count()
    assert total > PAGE_ROWS
    first = _get(client, "atlas:pair-list", ordering="name").content.decode()
    second = _get(client, "atlas:pair-list", ordering="name", page="2").content.decode()
    ordered = [p.label for p in CityPair.objects.order_by("a_name", "b_name", "id")]
    assert _table_labels(first) == ordered[:PAGE_ROWS]
    assert _table_labels(second) == ordered[PAGE_ROWS : 2 * PAGE_ROWS]
    pages = -(-total // PAGE_ROWS)
    assert f"Page 1 sur {pages} : liaisons 1 à {PAGE_ROWS}." in first
    assert 'href="/rail-ou-avion/?ordering=name&amp;page=2" aria-label="Page suivante"' in first
    assert 'href="/rail-ou-avion/?ordering=name" aria-label="Page précédente"' in second
    assert '<span aria-current="page">2</span>' in second
    # The map draws the pairs of the page, and its data table says so.
    assert second.count('<line class="atlas-') == PAGE_ROWS


def test_a_sort_starts_again_from_the_first_page(atlas, client):
    html = _get(client, "atlas:pair-list", ordering="name", page="2").content.decode()
    assert 'href="?ordering=-name"' in html
    assert "page=2&amp;ordering" not in html


def test_a_page_that_is_not_a_number_is_400_and_one_past_the_end_404(atlas, client):
    refused = _get(client, "atlas:pair-list", page="deux")
    assert refused.status_code == 400
    assert "Page : Saisissez un nombre entier." in unescape(refused.content.decode())
    assert _get(client, "atlas:pair-list", page="0").status_code == 400
    assert _get(client, "atlas:pair-list", page="1000").status_code == 404
    assert _get(client, "atlas:pair-list", q="Nowhere-sur-Mer", page="1").status_code == 200


def test_an_empty_filter_form_shows_the_landing_page_from_the_same_cache(atlas, client):
    empty = dict.fromkeys(CityPairFilterSet.base_filters, "")
    landing = _get(client, "atlas:pair-list").content.decode()
    with CaptureQueriesContext(connection) as context:
        submitted = _get(client, "atlas:pair-list", **empty).content.decode()
    assert not [q for q in context.captured_queries if "atlas_citypair" in q["sql"]]
    assert _table_labels(submitted) == _table_labels(landing)


def test_the_list_costs_the_same_queries_for_more_pairs(atlas, client):
    def queries() -> int:
        cache.clear()
        with CaptureQueriesContext(connection) as context:
            assert _get(client, "atlas:pair-list", page="2").status_code == 200
        # The count and the page's rows, no deferred column read row by row.
        assert len([q for q in context.captured_queries if "atlas_citypair" in q["sql"]]) == 2
        return len(context)

    before = queries()
    copy_every_pair()
    assert queries() == before


def test_the_simulator_reads_the_pairs_in_one_query(atlas, client):
    cache.clear()
    with CaptureQueriesContext(connection) as context:
        assert _get(client, "atlas:policy", threshold_min="150").status_code == 200
    # The latest year, then the pairs with their columns (none read row by row).
    assert len([q for q in context.captured_queries if "atlas_citypair" in q["sql"]]) == 2
