"""The trajets pages: list (page and HTMX fragment), detail, network map, data quality."""

from __future__ import annotations

import csv
import io
import re
from html import unescape

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.trajets.tests.factories import make_run, make_station, make_trajet
from tests.e2e.sample import build_sample_network

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def network():
    return build_sample_network()


def _train_links(html: str) -> list[str]:
    return re.findall(
        r'<th scope="row"><a class="train-link" href="/trajets/\d+">([^<]+)</a>', html
    )


def test_list_page_filters_by_kind_with_the_shared_filterset(client, network):
    response = client.get(reverse("trajets:trajet-list"), {"kind": "night"})
    assert response.status_code == 200
    html = response.content.decode()
    assert sorted(_train_links(html)) == sorted(
        f"NJ {trajet.train_number}" for trajet in network.trajets if trajet.kind == "night"
    )
    assert "2 trajets trouvés" in html
    assert html.count("<h1") == 1
    assert response["Vary"].count("HX-Request") == 1


def test_list_page_filters_by_country_served_by_a_stop(client, network):
    html = client.get(reverse("trajets:trajet-list"), {"country": "de"}).content.decode()
    assert sorted(_train_links(html)) == sorted(
        [f"NJ {network.nightjet.train_number}", f"NJ {network.trajets[2].train_number}"]
    )


def _options(html: str, name: str) -> list[tuple[str, str]]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)


def test_country_and_operator_are_lists_of_names_with_their_train_counts(client, network):
    html = client.get(reverse("trajets:trajet-list")).content.decode()
    countries = _options(html, "country")
    assert countries[0] == ("", "Tous les pays")
    assert ("AT", "Autriche (2 trains)") in countries
    assert ("FR", "France (2 trains)") in countries
    assert [label for _value, label in countries[1:]] == sorted(
        (label for _value, label in countries[1:]),
        key=lambda text: text.replace("É", "E"),
    )
    assert _options(html, "operator") == [
        ("", "Tous les opérateurs"),
        ("obb", "ÖBB (2 trains)"),
        ("sncf", "SNCF Voyageurs (3 trains)"),
    ]
    assert _options(html, "kind")[:3] == [
        ("", "Jour et nuit"),
        ("day", "Trains de jour"),
        ("night", "Trains de nuit"),
    ]


def test_the_filters_speak_words_not_codes(client, network):
    html = client.get(reverse("trajets:trajet-list")).content.decode()
    text = re.sub(r"<[^>]+>", " ", html)
    for jargon in ("---------", "code ISO", "departure_after", "préfixe -", "(day)", "reference"):
        assert jargon not in text
    assert 'name="ordering"' not in html  # sorting is done by clicking the column headers
    assert re.search(r'<details class="more-filters">\s*<summary>', html)  # folded


def test_the_advanced_filters_unfold_when_one_is_used_and_the_sort_is_kept(client, network):
    query = {"date": "2025-03-03", "ordering": "-duration"}
    html = client.get(reverse("trajets:trajet-list"), query).content.decode()
    assert '<details class="more-filters" open>' in html
    assert '<input type="hidden" name="ordering" value="-duration">' in html


def test_a_country_code_in_lower_case_is_selected_in_the_list(client, network):
    html = client.get(reverse("trajets:trajet-list"), {"country": "at"}).content.decode()
    assert '<option value="AT" selected>Autriche (2 trains)</option>' in html


def test_a_country_given_in_the_url_without_trains_stays_selected(client, network):
    html = client.get(reverse("trajets:trajet-list"), {"country": "PT"}).content.decode()
    assert ("PT", "Portugal") in _options(html, "country")
    assert '<option value="PT" selected>' in html
    assert "Aucun trajet ne correspond à ces filtres." in html


def test_a_town_name_in_french_english_or_german_finds_its_trains(client, network):
    for name in ("Vienne", "Vienna", "Wien"):
        query = {"origin": "Paris", "destination": name, "kind": "night"}
        html = client.get(reverse("trajets:trajet-list"), query).content.decode()
        assert _train_links(html) == [f"NJ {network.nightjet.train_number}"], name


def test_htmx_request_gets_the_fragment_with_an_out_of_band_live_region(client, network):
    response = client.get(reverse("trajets:trajet-list"), {"kind": "day"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert html.startswith('<div id="trajet-search">')
    live_region = '<div id="live-region" hx-swap-oob="innerHTML">3 trajets trouvés, page 1 sur 1.'
    assert live_region in html
    assert len(_train_links(html)) == 3


def test_full_page_has_no_out_of_band_fragment(client, network):
    html = client.get(reverse("trajets:trajet-list")).content.decode()
    assert "hx-swap-oob" not in html
    assert html.count('id="live-region"') == 1


def test_invalid_filters_give_422_with_errors_tied_to_their_fields(client, network):
    filters = {"kind": "tram", "min_duration": "600", "max_duration": "60"}
    response = client.get(reverse("trajets:trajet-list"), filters)
    assert response.status_code == 422
    html = response.content.decode()
    kind_input = re.search(r"<select[^>]*name=\"kind\"[^>]*>", html).group(0)
    assert 'aria-invalid="true"' in kind_input
    assert 'aria-describedby="id_kind-error"' in kind_input
    assert re.search(r'<p class="error-message" id="id_kind-error">choisissez dans la liste', html)
    assert 'id="id_max_duration-error"' in html
    assert '<a href="#id_kind">' in html
    assert "Corrigez les filtres" in html


def test_invalid_filters_in_a_fragment_also_give_422(client, network):
    response = client.get(reverse("trajets:trajet-list"), {"date": "demain"}, **HTMX)
    assert response.status_code == 422
    assert "Les filtres contiennent des erreurs." in response.content.decode()


def test_sorting_by_duration_descending_marks_the_column(client, network):
    html = client.get(reverse("trajets:trajet-list"), {"ordering": "-duration"}).content.decode()
    trains = _train_links(html)
    by_duration = sorted(network.trajets, key=lambda trajet: (-trajet.duration_min, trajet.pk))
    assert trains == [f"{t.category} {t.train_number}" for t in by_duration]
    sorted_header = r'<th scope="col" aria-sort="descending" class="num"><a[^>]*id="sort-duration"'
    assert re.search(sorted_header, html)
    # The next click sorts ascending.
    assert 'href="/trajets/?ordering=duration"' in html


def test_the_default_order_marks_the_departure_column_ascending(client, network):
    html = client.get(reverse("trajets:trajet-list")).content.decode()
    trains = _train_links(html)
    by_departure = sorted(network.trajets, key=lambda trajet: (trajet.departure_time, trajet.pk))
    assert trains == [f"{t.category} {t.train_number}" for t in by_departure]
    assert re.search(r'<th scope="col" aria-sort="ascending"><a[^>]*id="sort-departure"', html)
    assert html.count("aria-sort=") == 1
    # As after a click on "Départ": the next click sorts descending.
    assert 'href="/trajets/?ordering=-departure"' in html


def test_pagination_keeps_the_filters_in_its_links(client):
    build_sample_network(extra_day_trajets=30)
    first = client.get(reverse("trajets:trajet-list"), {"kind": "day"}).content.decode()
    assert "33 trajets trouvés" in first
    assert len(_train_links(first)) == 25
    assert 'href="/trajets/?kind=day&amp;page=2"' in first
    second = client.get(reverse("trajets:trajet-list"), {"kind": "day", "page": 2}).content.decode()
    assert len(_train_links(second)) == 8
    assert '<span aria-current="page">2</span>' in second


def test_list_query_count_does_not_grow_with_rows(client, network):
    url = reverse("trajets:trajet-list")
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(10):
        make_trajet(run=network.tgv.import_run)
    cache.clear()  # the total count is cached until the next import
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more.captured_queries) == len(few.captured_queries)


def test_detail_page_shows_stops_calendar_co2_and_provenance(client, network):
    response = client.get(reverse("trajets:trajet-detail", args=[network.tgv.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    stops = re.findall(r'<span class="stop-name">([^<]+)</span>', html)
    assert stops == ["Paris Gare de Lyon", "Lyon Part-Dieu", "Milano Centrale"]
    assert "6 h 50" in html  # 06:15 → 13:05
    assert "850 km" in html
    assert "lundi, mardi, mercredi, jeudi, vendredi" in html
    assert "circulation supprimée" in html
    assert "66 fois moins en train" in html  # 139.4 / 2.1
    assert "SNCF horaires GTFS" in html
    assert html.count("<h1") == 1


def test_detail_page_shows_night_arrival_on_the_next_day(client, network):
    html = client.get(reverse("trajets:trajet-detail", args=[network.nightjet.pk])).content.decode()
    assert "10:22 (+1)" in html
    assert "NJ-468" in html  # provenance record id


def test_total_count_is_reused_until_the_next_import(client, network):
    url = reverse("trajets:trajet-list")
    assert "5 trajets trouvés" in client.get(url).content.decode()
    make_trajet(run=network.tgv.import_run)  # written outside an import: not seen yet
    assert "5 trajets trouvés" in client.get(url).content.decode()
    make_trajet(run=make_run(network.tgv.source))  # a new successful import
    assert "7 trajets trouvés" in client.get(url).content.decode()


def test_unknown_trajet_is_a_404(client, network):
    assert client.get(reverse("trajets:trajet-detail", args=[999_999])).status_code == 404


def test_network_map_draws_day_and_night_links_and_lists_them(client, network):
    response = client.get(reverse("trajets:network-map"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="link-day"') == 3
    assert html.count('class="link-night"') == 2
    # Ends of links only (Lyon and München are intermediate stops); Milano and Wien are shared.
    assert html.count('class="station"') == 8
    assert '<path class="country"' in html
    # SVG coordinates are never localised (a French decimal comma is not a length).
    assert re.search(r'<line class="link-night" x1="\d+\.\d" y1="\d+\.\d"', html)
    assert '<th scope="row">Paris Est (FR)</th><td>Wien Hbf (AT)</td><td>nuit</td>' in html


def test_a_night_train_without_known_couchette_is_drawn_and_listed_as_night(client, network):
    stations = [
        make_station("Bucuresti Nord", country="RO", latitude=44.446, longitude=26.075),
        make_station("Timisoara Nord", country="RO", latitude=45.750, longitude=21.207),
    ]
    make_trajet(stations, kind="overnight", times=[(None, "22:00"), ("07:30", None)])
    cache.clear()
    html = client.get(reverse("trajets:network-map")).content.decode()
    assert html.count('class="link-night"') == 3
    assert html.count('class="link-day"') == 3
    assert (
        '<th scope="row">Bucuresti Nord (RO)</th><td>Timisoara Nord (RO)</td>'
        "<td>nuit sans couchette connue</td>"
    ) in html


@pytest.mark.parametrize("url_name", ["trajets:network-map", "trajets:quality", "stats:dashboard"])
def test_aggregate_pages_query_count_does_not_grow_with_rows(client, network, url_name):
    url = reverse(url_name)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(10):
        make_trajet(run=network.tgv.import_run)
    cache.clear()
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more.captured_queries) == len(few.captured_queries)


def test_night_layer_shows_only_the_night_network(client, network):
    response = client.get(reverse("trajets:network-map"), {"kind": "night"}, **HTMX)
    html = response.content.decode()
    assert html.count('class="link-night"') == 2
    assert 'class="link-day"' not in html
    assert 'id="layer-night" href="/trajets/carte?kind=night"' in html
    assert re.search(r'id="layer-night"[^>]*aria-current="true"', html)
    assert 'hx-swap-oob="innerHTML">0 liaisons de jour et 2 liaisons de nuit' in html


def test_network_map_rejects_invalid_filters_with_422(client, network):
    response = client.get(reverse("trajets:network-map"), {"country": "France"})
    assert response.status_code == 422
    assert 'id="id_country-error"' in response.content.decode()


def test_quality_page_shows_the_etl_report_by_source_and_reject_reason(client, network):
    response = client.get(reverse("trajets:quality"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<th scope="row">sncf-gtfs</th>' in html
    assert '<th scope="row">back-on-track</th>' in html
    rejects = r'<th scope="row">sncf-gtfs</th><td>gare inconnue</td><td class="num">2</td>'
    assert re.search(rejects, html)
    assert "trips.txt:14" in html  # where an example of the reason is
    assert "is not in stops.txt" not in html  # the ETL's own English words stay off the page
    assert "2 enregistrements ont été rejetés lors des derniers imports." in html
    report = response.context["report"]
    assert {source.source: source.trajets for source in report.sources} == {
        "back-on-track": 2,
        "sncf-gtfs": 3,
    }
    assert 'Trajets : distance</th><td class="num">100,0 %' in html


def _quality_download(client, table: str, **headers: str) -> tuple[object, list[list[str]]]:
    response = client.get(reverse("trajets:quality-export", args=[table]), **headers)
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return response, list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))


def test_each_quality_table_downloads_as_a_french_spreadsheet(client, network):
    response = client.get(reverse("trajets:quality"))
    html = response.content.decode()
    report = response.context["report"]
    for table in ("sources", "validite", "completude", "rejets"):
        assert f'href="/trajets/qualite/{table}.csv" download' in html
    assert "Télécharger « Enregistrements rejetés par motif » pour un tableur" in html
    today = timezone.localdate().isoformat()

    response, rows = _quality_download(client, "sources")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="obrail-qualite-sources-{today}.csv"'
    )
    assert rows[0][:3] == ["Source", "Dernier import", "Résultat"]
    assert rows[0][9:] == ["Trajets en base", "dont de nuit", "Licence"]
    by_source = {row[0]: row for row in rows[1:]}
    gtfs = next(source for source in report.sources if source.source == "sncf-gtfs")
    assert by_source["sncf-gtfs"][3:11] == [
        str(gtfs.rows_read),
        str(gtfs.rows_inserted),
        str(gtfs.rows_updated),
        str(gtfs.rows_unchanged),
        str(gtfs.rows_folded),
        str(gtfs.rows_rejected),
        "3",
        str(gtfs.night_trajets),
    ]
    assert re.fullmatch(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}", by_source["sncf-gtfs"][1])

    response, rows = _quality_download(client, "rejets")
    assert response["Content-Disposition"].endswith(f'obrail-qualite-rejets-{today}.csv"')
    assert rows[0] == ["Source", "Motif", "Nombre", "Exemple"]
    assert ["sncf-gtfs", "gare inconnue", "2", "trips.txt:14"] in rows[1:]

    _response, rows = _quality_download(client, "completude")
    assert rows[0] == ["Source", "Champ", "Renseigné (%)"]
    assert "Trajets : distance" in {row[1] for row in rows[1:] if row[2] == "100,0"}

    _response, rows = _quality_download(client, "validite")
    assert rows[0] == [
        "Source",
        "Jeu de données",
        "Période de circulation",
        "Semaine type (lundi)",
        "Horaires",
    ]
    assert {row[0] for row in rows[1:]} == {"back-on-track", "sncf-gtfs"}

    _response, rows = _quality_download(client, "rejets", HTTP_ACCEPT_LANGUAGE="en")
    assert rows[0] == ["Source", "Reason", "Count", "Example"]
    assert client.get("/trajets/qualite/nope.csv").status_code == 404


@pytest.mark.django_db
def test_map_with_a_station_name_matching_nothing_shows_no_links_not_a_500(client, network):
    response = client.get(reverse("trajets:network-map"), {"origin": "zzz-nowhere"})
    assert response.status_code == 200
    assert response.context["links"].rows == ()


@pytest.mark.django_db
def test_an_unknown_origin_is_answered_with_the_nearest_names(client):
    from apps.trajets.tests.factories import make_station, make_trajet

    make_trajet([make_station("Lille Flandres"), make_station("Paris Gare du Nord")])
    response = client.get(reverse("trajets:trajet-list"), {"origin": "Lile Flandres"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Aucune gare ni ville ne s&#x27;appelle « Lile Flandres »" in html
    assert "origin=Lille+Flandres" in html


@pytest.mark.django_db
def test_the_quality_page_shows_the_identity_checks(client):
    from apps.trajets.tests.factories import make_station

    make_station("Berlin Hbf", country="DE", latitude=52.5256, longitude=13.3695)
    response = client.get(reverse("trajets:quality"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Justesse des gares et des opérateurs" in html
    assert "Gares dont le pays diffère de celui de leurs coordonnées" in html


def test_the_accuracy_tables_download_as_french_spreadsheets(client, network):
    from apps.trajets.tests.factories import make_station

    # Two stations 50 m apart with similar names: a near pair nothing explains.
    make_station("Berlin Hbf", country="DE", latitude=52.5256, longitude=13.3695)
    make_station("Berlin Hbf (tief)", country="DE", latitude=52.5260, longitude=13.3699)
    response = client.get(reverse("trajets:quality"))
    html = unescape(response.content.decode())
    identity = response.context["report"].identity
    slugs = (
        "verifications", "rattachements", "exemples-de-rattachements", "avertissements",
        "gares-proches", "gares-sans-correspondance", "operateurs",
    )  # fmt: skip
    today = timezone.localdate().isoformat()
    for slug in slugs:
        response, rows = _quality_download(client, slug)
        assert response.status_code == 200, slug
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"] == (
            f'attachment; filename="obrail-qualite-{slug}-{today}.csv"'
        )
    assert "Télécharger « Vérifications de justesse » pour un tableur" in html
    for slug in ("verifications", "operateurs", "gares-proches"):
        assert f'href="/trajets/qualite/{slug}.csv" download' in html

    _response, rows = _quality_download(client, "verifications")
    assert rows[0] == ["Vérification", "Résultat"]
    assert len(rows) - 1 == 12
    stations = next(row for row in rows[1:] if row[0] == "Gares")
    assert stations[1] == str(identity.stations)
    assert f'<th scope="row">Gares</th><td class="num">{identity.stations}</td>' in html
    assert identity.stations > 0

    _response, rows = _quality_download(client, "gares-proches")
    assert rows[0] == ["Gare", "Autre gare", "Distance (m)", "Explication"]
    pair = next(row for row in rows[1:] if "Berlin Hbf" in row[0] and "Berlin Hbf" in row[1])
    shown = next(p for p in identity.near_pair_examples if {p.first, p.second} == set(pair[:2]))
    assert pair[2:] == [str(shown.distance_m), shown.explanation]
    assert (
        f'<th scope="row">{shown.first}</th><td>{shown.second}</td>'
        f'<td class="num">{shown.distance_m}</td><td>{shown.explanation}</td>'
    ) in html

    _response, rows = _quality_download(client, "operateurs")
    assert rows[0] == [
        "Opérateur", "Code", "Pays", "Site web", "Au registre", "Noms dans les sources",
    ]  # fmt: skip
    assert [(row[0], row[1]) for row in rows[1:]] == [
        (row.name, row.code) for row in identity.operator_rows
    ]
    assert identity.operator_rows
    assert {row[4] for row in rows[1:]} <= {"oui", "non, à vérifier"}

    _response, rows = _quality_download(client, "gares-sans-correspondance")
    assert rows[0] == ["Source", "Gare de la source", "Gare la plus proche", "Distance (km)"]
    assert len(rows) - 1 == len(identity.unmatched_examples)
    _response, rows = _quality_download(client, "rattachements")
    assert rows[1:] == [[rule, str(count)] for rule, count in identity.merges_by_rule.items()]
    _response, rows = _quality_download(client, "avertissements")
    assert rows[0] == ["Type", "Nombre", "Exemples"]
    assert len(rows) - 1 == len(identity.warning_rows)

    _response, rows = _quality_download(client, "verifications", HTTP_ACCEPT_LANGUAGE="en")
    assert rows[0] == ["Check", "Outcome"]
    assert rows[1][0] == "Stations"
    assert client.get("/trajets/qualite/gares.csv").status_code == 404


def _spreadsheet(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))


def test_the_filtered_list_downloads_as_a_french_spreadsheet(client, network):
    response = client.get(reverse("trajets:trajet-export"), {"kind": "night"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="obrail-trajets-{today}.csv"'
    header, *rows = _spreadsheet(response)
    assert header[:5] == ["Train", "Opérateur", "Jour ou nuit", "Mode", "Gare de départ"]
    assert len(rows) == 2
    nightjet = dict(zip(header, rows[0], strict=True))
    assert nightjet["Train"] == f"NJ {network.nightjet.train_number}"
    assert nightjet["Jour ou nuit"] == "nuit"
    assert nightjet["Mode"] == "train"
    assert nightjet["Pays d'arrivée"] == "Autriche"
    assert nightjet["Heure d'arrivée"] == "10:22 (+1)"
    assert nightjet["Durée"] == "14 h 24"
    assert nightjet["Jours de circulation"] == "lun., mer., ven."
    assert nightjet["CO2e en train (kg par passager, méthode ADEME Base Carbone)"] == "19,6"
    assert nightjet["Distance (km)"] == "1400"


def test_the_spreadsheet_neutralises_formulas_in_every_cell(client, network):
    station = network.nightjet.origin
    station.name = "=cmd|' /C calc'!A0"
    station.save()
    header, *rows = _spreadsheet(client.get(reverse("trajets:trajet-export"), {"kind": "night"}))
    assert rows[0][header.index("Gare de départ")] == "'=cmd|' /C calc'!A0"


def test_the_list_links_both_downloads_with_its_filters(client, network):
    html = client.get(reverse("trajets:trajet-list"), {"kind": "night", "page": "1"})
    html = html.content.decode()
    assert 'href="/trajets/export.csv?kind=night" download' in html
    assert 'href="/api/trajets?kind=night&amp;format=csv" download' in html


def test_a_download_with_invalid_filters_goes_back_to_the_list(client, network):
    response = client.get(reverse("trajets:trajet-export"), {"kind": "tram"})
    assert response.status_code == 302
    assert response["Location"] == "/trajets/?kind=tram"


def test_every_reject_code_of_the_etl_has_an_explanation_in_french():
    from apps.trajets.etl.records import RejectCode
    from apps.trajets.reject_reasons import REJECT_REASONS

    assert set(RejectCode) <= set(REJECT_REASONS)


def test_a_refused_sort_is_not_sent_back_by_the_form(client, db):
    # The review found /trajets/?ordering=foo stuck: the hidden field sent "foo" back on every
    # "Filtrer", and the error summary linked to a field the page does not show.
    response = client.get(reverse("trajets:trajet-list"), {"ordering": "foo"})
    html = response.content.decode()
    assert response.status_code == 422
    assert 'name="ordering"' not in html
    assert 'href="#id_ordering"' not in html
    assert "Le tri est retiré au prochain filtrage." in html


def test_coaches_are_asked_for_on_the_page_and_every_row_says_its_mode(client, network):
    coach = make_trajet(mode="coach", category="Car TER")
    label = f"Car TER {coach.train_number}"
    url = reverse("trajets:trajet-list")
    html = client.get(url, {"period": "all"}).content.decode()
    assert label not in _train_links(html)
    # The choice is a group of check boxes with its legend, trains only by default.
    group = re.search(r'<fieldset class="choice-group".*?</fieldset>', html, re.S).group(0)
    assert "<legend>Modes</legend>" in group
    assert re.findall(r'type="checkbox" name="mode" value="([a-z_]+)"', group) == [
        "rail",
        "tram_train",
        "coach",
    ]
    asked = client.get(url, {"period": "all", "mode": ["rail", "coach"]}).content.decode()
    assert label in _train_links(asked)
    row = asked.split(f'href="/trajets/{coach.pk}"', 1)[1].split("</tr>", 1)[0]
    assert '<span class="badge badge-mode">car</span>' in row
    assert (
        "badge-mode"
        not in asked.split(f'href="/trajets/{network.tgv.pk}"', 1)[1].split("</tr>", 1)[0]
    )

    detail = client.get(reverse("trajets:trajet-detail", args=[coach.pk])).content.decode()
    assert '<span class="badge badge-mode">car</span>' in detail

    api = client.get("/api/trajets", {"period": "all", "mode": ["rail", "coach"]}).json()
    modes = {row["id"]: row["mode"] for row in api["results"]}
    assert modes[coach.pk] == "coach"
    assert modes[network.tgv.pk] == "rail"
    api_csv = client.get("/api/trajets", {"period": "all", "mode": "coach", "format": "csv"})
    lines = list(csv.DictReader(io.StringIO(b"".join(api_csv.streaming_content).decode())))
    assert [line["mode"] for line in lines if line["id"].isdigit()] == ["coach"]
    sheet = client.get(reverse("trajets:trajet-export"), {"period": "all", "mode": "coach"})
    rows = list(
        csv.reader(
            io.StringIO(b"".join(sheet.streaming_content).decode("utf-8-sig")), delimiter=";"
        )
    )
    assert rows[0][3] == "Mode"
    assert [row[3] for row in rows[1:] if len(row) > 3] == ["car"]
