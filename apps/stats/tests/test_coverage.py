"""Coverage scorecard: its figures equal a count of our own over the warehouse's trains."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import Counter
from html import unescape
from pathlib import Path

import pytest
from django.utils import timezone

from apps.places.names import fold
from apps.stats.coverage import EUROPEAN_COUNTRIES, coverage_scorecard
from apps.trajets.country_gaps import countries_without_current_timetable
from apps.trajets.etl.loader import load_source
from apps.trajets.etl.sources import DEFAULT_SOURCES_FILE, load_sources
from apps.trajets.models import Trajet
from tests.test_one_language import english_words

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]
WEEK = dt.date(2025, 3, 5)  # a Wednesday: the week of Monday 3 March 2025
TODAY = dt.date(2026, 12, 6)


@pytest.fixture(autouse=True)
def isolated_artefacts(settings, tmp_path: Path) -> None:
    settings.ROUTING_ARTIFACT_DIR = tmp_path / "routing"
    settings.ETL_CACHE_DIR = tmp_path / "etl-cache"


@pytest.fixture
def warehouse() -> None:
    """The bundled Romanian and TER slices (current and expired on TODAY)."""
    for spec in load_sources(DEFAULT_SOURCES_FILE):
        if spec.name in {"romania-datagovro", "sncf-ter"}:
            assert load_source(spec, path=ROOT / spec.path).status == "succeeded"


def _own_counts(week: dt.date = WEEK) -> tuple[Counter, Counter]:
    """Departures and km per (country, day|night|overnight) and (operator, …), counted
    trajet by trajet and day by day with the model's own calendar."""
    departures: Counter = Counter()
    km: Counter = Counter()
    monday = week - dt.timedelta(days=week.weekday())
    trains = Trajet.objects.filter(same_train_as__isnull=True, mode="rail")
    for trajet in trains.select_related("operator").prefetch_related(
        "countries", "calendar_exceptions"
    ):
        half = trajet.kind if trajet.kind in ("night", "overnight") else "day"
        keys = [("country", c.country) for c in trajet.countries.all()]
        keys.append(("operator", trajet.operator.code))
        for offset in range(7):
            if trajet.runs_on(monday + dt.timedelta(days=offset)):
                for key in keys:
                    departures[(*key, half)] += 1
                    km[(*key, half)] += trajet.distance_km or 0.0
    return departures, km


def test_the_scorecard_equals_the_warehouse_for_a_stated_week(warehouse) -> None:
    card = coverage_scorecard(week=WEEK, today=TODAY)
    assert (card.week_start, card.week_end) == (dt.date(2025, 3, 3), dt.date(2025, 3, 9))
    departures, km = _own_counts()
    assert departures  # the TER slice runs that week
    for kind, rows in (("country", card.countries), ("operator", card.operators)):
        for row in rows:
            assert row.day_departures == departures[(kind, row.key, "day")], row
            assert row.night_departures == departures[(kind, row.key, "night")], row
            assert row.overnight_departures == departures[(kind, row.key, "overnight")], row
            assert row.overnight_km == pytest.approx(km[(kind, row.key, "overnight")], abs=0.06)
            assert row.day_km == pytest.approx(km[(kind, row.key, "day")], abs=0.06)
            assert row.night_km == pytest.approx(km[(kind, row.key, "night")], abs=0.06)
    countries = {row.key: row for row in card.countries}
    # Romania's timetable runs until 2026-12-12: current; the TER one ended 2025-04-22.
    assert countries["RO"].validity == "current"
    assert countries["RO"].sources == ["romania-datagovro"]
    assert countries["FR"].validity == "expired"
    assert countries["FR"].sources == ["sncf-ter"]
    assert "FR" in card.gaps
    assert "RO" not in card.gaps
    assert set(card.gaps) == set(EUROPEAN_COUNTRIES) - {
        key for key, row in countries.items() if row.validity == "current"
    }
    # Coaches are not trains: no figure counts them.
    assert Trajet.objects.filter(mode="coach").exists()


def test_night_trains_without_known_couchettes_are_counted_apart_not_as_day_trains() -> None:
    spec = next(s for s in load_sources(DEFAULT_SOURCES_FILE) if s.name == "db-fernverkehr")
    assert load_source(spec, path=ROOT / spec.path).status == "succeeded"
    week = dt.date(2025, 11, 19)
    card = coverage_scorecard(week=week, today=TODAY)
    departures, km = _own_counts(week)
    germany = next(row for row in card.countries if row.key == "DE")
    assert germany.overnight_departures == departures[("country", "DE", "overnight")] > 0
    assert germany.day_departures == departures[("country", "DE", "day")]
    assert germany.overnight_km == pytest.approx(km[("country", "DE", "overnight")], abs=0.06)


def test_the_coverage_api_states_its_week_and_refuses_a_bad_one(client, warehouse) -> None:
    body = client.get("/api/stats/coverage", {"week": WEEK.isoformat()}).json()
    assert (body["week_start"], body["week_end"]) == ("2025-03-03", "2025-03-09")
    card = coverage_scorecard(week=WEEK, today=dt.date.fromisoformat(body["today"]))
    assert [r["day_departures"] for r in body["countries"]] == [
        r.day_departures for r in card.countries
    ]
    assert body["gaps"] == card.gaps
    assert body["partial"] == card.partial
    assert [r["scopes"] for r in body["countries"]] == [r.scopes for r in card.countries]
    # An empty week is not "this week" (the schema says a date): 400 like a bad one.
    assert client.get("/api/stats/coverage", {"week": ""}).status_code == 400
    bad = client.get("/api/stats/coverage", {"week": "2025-13-01"})
    assert bad.status_code == 400
    assert "week" in bad.json()["errors"]


def test_the_coverage_page_shows_each_country_its_validity_and_the_gaps(
    client, warehouse, monkeypatch
) -> None:
    # Judged on TODAY, while Romania's timetable is current, whatever the machine's date.
    monkeypatch.setattr("apps.stats.views_coverage.timezone.localdate", lambda: TODAY)
    page = client.get("/indicateurs/couverture", {"week": WEEK.isoformat()})
    html = page.content.decode()
    assert page.status_code == 200
    assert "du 3 mars 2025 au 9 mars 2025" in html
    assert "romania-datagovro" in html
    assert "expiré" in html
    assert "Pays sans horaire en cours" in html
    # Gaps and partial coverage are stated, never left to read as "no trains".
    text = unescape(html)
    assert "n'est pas un pays sans trains" in text
    assert "France (horaire expiré : trains jusqu'au 22 avril 2025)" in text
    assert "Pays couverts en partie" in text
    assert "Bulgarie : trains venus de l'étranger seulement" in text
    assert "trains régionaux seulement, sans grandes lignes" in text  # France's row
    # A train's km count in every country it serves (as _own_counts): the page says so.
    assert "la longueur entière de chaque train, comptée dans chaque pays qu'il dessert" in text
    assert english_words(html) == []
    # Countries by name in the table, in alphabetical order, never by their ISO codes (#17).
    table = html[html.index("<caption>Couverture par pays</caption>") :]
    table = table[: table.index("</table>")]
    names = re.findall(r'<th scope="row">([^<]+)</th>', table)
    assert names
    assert "Roumanie" in names
    assert not [name for name in names if re.fullmatch(r"[A-Z]{2}", name)]
    assert names == sorted(names, key=fold)
    bad = client.get("/indicateurs/couverture", {"week": "demain"})
    assert bad.status_code == 422
    assert 'aria-invalid="true"' in bad.content.decode()


def test_the_quality_page_states_the_countries_without_a_current_timetable(
    client, warehouse
) -> None:
    html = client.get("/trajets/qualite").content.decode()
    # Romania's timetable is current today (until 2026-12-12) only if today is before then:
    # the page states whatever the warehouse says for today.
    gaps = countries_without_current_timetable(timezone.localdate())
    assert "Couverture de l&#x27;Europe" in html or "Couverture de l'Europe" in html
    assert "Kosovo" in html  # no source covers Kosovo
    assert f"{len(gaps)} pays européens" in html


def test_the_scorecard_says_which_trains_each_country_s_timetable_describes(warehouse) -> None:
    card = coverage_scorecard(week=WEEK, today=TODAY)
    countries = {row.key: row for row in card.countries}
    # The declared scopes: Romania's national timetable, France's TER only.
    assert countries["RO"].scopes == ["national"]
    assert countries["FR"].scopes == ["regional"]
    # Every other country is reached only by trains from abroad (Romanian trains to Ruse,
    # Budapest or Chișinău; TER to Germany, Switzerland, Luxembourg): their rows say so.
    abroad = {key for key in countries if key not in {"RO", "FR"}}
    assert {"BG", "HU", "MD", "DE", "CH", "LU"} <= abroad
    for key in abroad:
        assert countries[key].scopes == ["cross_border"], key
    # Those reached by Romania's current timetable are partly covered, never fully; TER's
    # have expired.
    assert card.partial == ["BG", "HU", "MD"]
    # France's only timetable (TER) has expired: a gap, not a partly covered country.
    assert "FR" in card.gaps


def test_the_coverage_map_colours_each_country_by_what_the_scorecard_says(warehouse) -> None:
    from apps.stats.coverage_map import OUTLINE_CODES, build_coverage_map, coverage_state

    card = coverage_scorecard(week=WEEK, today=TODAY)
    coverage_map = build_coverage_map(card)
    states = {country.code: country.state for country in coverage_map.countries}
    assert states["RO"] == "national"  # its whole national timetable is current
    assert states["BG"] == states["HU"] == states["MD"] == "partial"
    assert states["FR"] == "none"  # TER only, expired on TODAY
    assert states["RU"] == states["DZ"] == "outside"
    # Every European country with a railway is in exactly one group of the map's table,
    # and every one of them has an outline to colour.
    grouped = [code for codes in coverage_map.by_state.values() for code in codes]
    assert sorted(grouped) == sorted(EUROPEAN_COUNTRIES)
    assert set(EUROPEAN_COUNTRIES) <= set(OUTLINE_CODES.values())
    assert coverage_map.by_state["partial"] == tuple(card.partial)
    assert set(coverage_map.by_state["none"]) == set(card.gaps)
    assert all(coverage_state(code, card) == s for code, s in states.items())


def test_the_coverage_page_draws_the_map_with_its_table(client, warehouse, monkeypatch) -> None:
    monkeypatch.setattr("apps.stats.views_coverage.timezone.localdate", lambda: TODAY)
    html = unescape(
        client.get("/indicateurs/couverture", {"week": WEEK.isoformat()}).content.decode()
    )
    assert 'id="coverage-map" viewBox="0 0 1000 1000" role="img"' in html
    assert '<path class="coverage-national"' in html
    assert "<title>Roumanie : horaire national en cours</title>" in html
    assert "<title>France : aucun horaire en cours</title>" in html
    assert (
        '<tr><th scope="row">horaire en cours pour une partie des trains</th>'
        "<td>Bulgarie, Hongrie, Moldavie</td></tr>"
    ) in html
    assert (
        "Pays européens avec leur horaire national en cours : 1 ; avec un horaire en cours pour "
        "une partie de leurs trains : 3 ; sans aucun horaire en cours : 34."
    ) in html


def _spreadsheet(response) -> tuple[str, list[list[str]]]:
    """The raw text (BOM kept) and its rows read with ``;``."""
    text = b"".join(response.streaming_content).decode("utf-8")
    return text, list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))


def test_the_scorecard_tables_download_as_french_spreadsheets_for_the_page_s_week(
    client, warehouse, monkeypatch
) -> None:
    monkeypatch.setattr("apps.stats.views_coverage.timezone.localdate", lambda: TODAY)
    html = client.get("/indicateurs/couverture", {"week": WEEK.isoformat()}).content.decode()
    for table in ("pays", "operateurs"):
        assert f'href="/indicateurs/couverture/{table}.csv?week=2025-03-05" download' in html
    assert "Télécharger « Couverture par pays » pour un tableur" in html
    response = client.get("/indicateurs/couverture/pays.csv", {"week": WEEK.isoformat()})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.localdate().isoformat()  # the day the file is made (the test's clock)
    assert response["Content-Disposition"] == (
        "attachment; filename="
        f'"obrail-couverture-pays-semaine-2025-03-03-au-2025-03-09-{today}.csv"'
    )
    text, rows = _spreadsheet(response)
    assert text.startswith("\ufeff")
    assert rows[0] == [
        "Pays", "Sources", "Trains décrits", "Circulation", "Horaire", "Trains de jour",
        "Trains de nuit", "Trains de nuit sans couchette connue", "Trains-km de jour",
        "Trains-km de nuit", "Trains-km de nuit sans couchette connue",
    ]  # fmt: skip
    # France's row (expired on TODAY, trains in the stated week): the scorecard's figures,
    # as the page shows them.
    card = coverage_scorecard(week=WEEK, today=TODAY)
    france = next(row for row in card.countries if row.key == "FR")
    row = next(row for row in rows[1:] if row[0] == "France")
    assert row[1] == ", ".join(france.sources)
    assert row[3] == f"{france.runs_from:%d/%m/%Y} – {france.runs_until:%d/%m/%Y}"
    assert row[4] == "expiré"
    assert [int(cell) for cell in row[5:8]] == [
        france.day_departures,
        france.night_departures,
        france.overnight_departures,
    ]
    assert int(row[8]) == round(france.day_km)
    assert france.day_departures > 0
    page_row = html[html.index('<th scope="row">France</th>') :]
    page_cells = re.findall(r"<td[^>]*>([^<]*)</td>", page_row[: page_row.index("</tr>")])
    assert [cell.replace("\u202f", "").replace("\xa0", "") for cell in page_cells[4:]] == row[5:]
    assert [name for name, *_rest in rows[1:]] == sorted(
        (name for name, *_rest in rows[1:]), key=fold
    )

    _text, rows = _spreadsheet(
        client.get("/indicateurs/couverture/operateurs.csv", {"week": WEEK.isoformat()})
    )
    assert rows[0][0] == "Opérateur"
    assert [row[0] for row in rows[1:]] == [row.name for row in card.operators]
    assert [int(row[6]) for row in rows[1:]] == [row.night_departures for row in card.operators]

    english = client.get(
        "/indicateurs/couverture/pays.csv", {"week": WEEK.isoformat()}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert _spreadsheet(english)[1][0][:2] == ["Country", "Sources"]
    # A bad week is the page's own answer: 422 with the field's error, no file.
    bad = client.get("/indicateurs/couverture/pays.csv", {"week": "demain"})
    assert bad.status_code == 422
    assert bad["Content-Type"].startswith("text/html")
    assert 'aria-invalid="true"' in bad.content.decode()
    assert client.get("/indicateurs/couverture/nope.csv").status_code == 404


def test_the_map_table_and_the_lists_of_countries_download_as_french_spreadsheets(
    client, warehouse, monkeypatch
) -> None:
    monkeypatch.setattr("apps.stats.views_coverage.timezone.localdate", lambda: TODAY)
    html = unescape(
        client.get("/indicateurs/couverture", {"week": WEEK.isoformat()}).content.decode()
    )
    for table in ("etats", "lacunes"):
        assert f'href="/indicateurs/couverture/{table}.csv?week=2025-03-05" download' in html
    assert "Télécharger « Pays européens par état de la couverture » pour un tableur" in html
    assert (
        "Télécharger « Pays sans horaire en cours ou couverts en partie » pour un tableur" in html
    )
    today = timezone.localdate().isoformat()

    response = client.get("/indicateurs/couverture/etats.csv", {"week": WEEK.isoformat()})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        "attachment; filename="
        f'"obrail-couverture-etats-semaine-2025-03-03-au-2025-03-09-{today}.csv"'
    )
    text, rows = _spreadsheet(response)
    assert text.startswith("\ufeff")
    assert ";" in text.splitlines()[0]
    assert rows[0] == ["État", "Pays"]
    # One line per country; the partly covered ones as the page's table says them.
    partly = [
        name for state, name in rows[1:] if state == "horaire en cours pour une partie des trains"
    ]
    assert partly == ["Bulgarie", "Hongrie", "Moldavie"]
    assert (
        '<tr><th scope="row">horaire en cours pour une partie des trains</th>'
        f"<td>{', '.join(partly)}</td></tr>"
    ) in html
    assert ["horaire national en cours", "Roumanie"] in rows
    assert len(rows) - 1 == 1 + 3 + 34

    response = client.get("/indicateurs/couverture/lacunes.csv", {"week": WEEK.isoformat()})
    assert response["Content-Disposition"].endswith(
        f'"obrail-couverture-lacunes-semaine-2025-03-03-au-2025-03-09-{today}.csv"'
    )
    _text, rows = _spreadsheet(response)
    assert rows[0] == ["Pays", "État", "Horaire", "Circulation", "Trains décrits"]
    by_name = {row[0]: row for row in rows[1:]}
    # France: without a current timetable, expired after 22 April 2025, as the page says.
    assert "France (horaire expiré : trains jusqu'au 22 avril 2025)" in html
    france = by_name["France"]
    assert france[1:3] == ["aucun horaire en cours", "expiré"]
    assert france[3].endswith("– 22/04/2025")
    assert "Bulgarie : trains venus de l'étranger seulement" in html
    assert by_name["Bulgarie"][1:3] == ["horaire en cours pour une partie des trains", "en cours"]
    assert by_name["Bulgarie"][4] == "trains venus de l'étranger seulement"
    assert len(rows) - 1 == 34 + 3

    english = client.get(
        "/indicateurs/couverture/lacunes.csv", {"week": WEEK.isoformat()}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert _spreadsheet(english)[1][0] == [
        "Country",
        "Status",
        "Timetable",
        "Running dates",
        "Trains described",
    ]
    assert client.get("/indicateurs/couverture/etat.csv").status_code == 404
