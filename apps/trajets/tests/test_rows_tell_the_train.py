"""Each row of the trajets list tells the train: number and category, running days in
words, validity, the variants other sources publish, station names written one way; the
day/night words and durations are the same on every page and in the spreadsheet."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.urls import reverse

from apps.routing.forms import TRAIN_LABELS
from apps.trajets.filter_choices import kind_choices
from apps.trajets.kinds import KIND_TRAINS, kind_trains, kind_word
from apps.trajets.models import CalendarException, ServiceKind
from apps.trajets.tests.factories import make_run, make_source, make_station, make_trajet

pytestmark = pytest.mark.django_db


@pytest.fixture
def grouped_train():
    """One train published by three sources: the first is counted, the others point to it."""
    origin = make_station("gare de Rodez")
    destination = make_station("PARIS-AUSTERLITZ")
    versions = [
        make_trajet(
            [origin, destination],
            times=[(None, "08:00"), ("08:57", None)],
            category="IC",
            weekdays=weekdays,
            valid_from=dt.date(2025, 11, 17),
            valid_to=dt.date(2025, 11, 23),
            run=make_run(make_source(source)),
        )
        for source, weekdays in (
            ("sncf-intercites", "1111100"),
            ("db-fernverkehr", "1111100"),
            ("back-on-track", "0000011"),
        )
    ]
    head, *others = versions
    for other in others:
        other.same_train_as = head
        other.save(update_fields=["same_train_as"])
    return versions


def _row_of(html: str, trajet_id: int) -> str:
    start = html.index(f'href="/trajets/{trajet_id}"')
    return html[html.rindex("<tr>", 0, start) : html.index("</tr>", start)]


def test_a_row_gives_train_running_days_validity_variants_and_station_names(client, grouped_train):
    head = grouped_train[0]
    html = client.get(reverse("trajets:trajet-list"), {"period": "all"}).content.decode()
    row = _row_of(html, head.pk)
    assert f">IC {head.train_number}</a>" in row
    assert f'href="/trajets/{head.pk}#variantes">3 variantes' in row
    assert "du 17 au 21 novembre 2025, 5 jours" in row
    assert "lun.–ven." in row
    assert "Gare de Rodez" in row
    assert "Paris-Austerlitz" in row
    assert "57 min" in row
    assert ">jour</span>" in row
    # The variants are not rows of their own: the list counts the train once.
    for other in grouped_train[1:]:
        assert f'href="/trajets/{other.pk}"' not in html


def test_the_detail_page_lists_every_variant_and_which_one_is_counted(client, grouped_train):
    head, db_version, _night_version = grouped_train
    html = client.get(reverse("trajets:trajet-detail", args=[db_version.pk])).content.decode()
    section = html.split('id="variantes"', 1)[1].split("</section>", 1)[0]
    assert "3 variantes de ce train" in section
    rows = re.findall(r"<tr><th scope=\"row\">(.*?)</tr>", section, re.S)
    assert len(rows) == 3
    assert f'href="/trajets/{head.pk}"' in rows[0]
    assert "comptée" in rows[0]
    assert "(cette page)" in rows[1 if "db-fernverkehr" in rows[1] else 2]
    assert "sam., dim." in section
    assert section.count("non comptée (doublon)") == 2
    assert "<h1>IC" in html
    assert "Gare de Rodez → Paris-Austerlitz" in html


def test_a_train_without_variants_has_no_variant_link_or_section(client):
    trajet = make_trajet()
    html = client.get(reverse("trajets:trajet-list"), {"period": "all"}).content.decode()
    assert "#variantes" not in html
    detail = client.get(reverse("trajets:trajet-detail", args=[trajet.pk])).content.decode()
    assert 'id="variantes"' not in detail


def test_the_spreadsheet_writes_durations_days_kinds_and_names_as_the_page_does(
    client, grouped_train
):
    response = client.get(reverse("trajets:trajet-export"), {"period": "all"})
    text = b"".join(response.streaming_content).decode("utf-8").removeprefix("\ufeff")
    header, *rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    (row,) = [dict(zip(header, values, strict=True)) for values in rows]
    assert row["Durée"] == "57 min"
    assert row["Durée (minutes)"] == "57"
    assert row["Jours de circulation"] == "lun.–ven."
    assert row["Jour ou nuit"] == "jour"
    assert row["Gare de départ"] == "Gare de Rodez"
    assert row["Gare d'arrivée"] == "Paris-Austerlitz"


def test_day_and_night_have_one_set_of_words_for_lists_cells_and_routing():
    assert kind_choices() == [(kind.value, kind_trains(kind)) for kind in ServiceKind]
    assert [label for _value, label in kind_choices()] == [
        "Trains de jour",
        "Trains de nuit",
        "Trains de nuit sans couchette connue",
    ]
    assert [kind_word(kind) for kind in ServiceKind] == [
        "jour",
        "nuit",
        "nuit sans couchette connue",
    ]
    assert str(TRAIN_LABELS["day"]) == str(KIND_TRAINS[ServiceKind.DAY])
    assert str(TRAIN_LABELS["night"]).startswith(str(KIND_TRAINS[ServiceKind.NIGHT]))


def test_the_busiest_links_chart_its_csv_and_the_map_write_station_names_as_rows_do(
    client, grouped_train
):
    head = grouped_train[0]
    rows = client.get(reverse("trajets:trajet-list"), {"period": "all"}).content.decode()
    assert "Gare de Rodez" in _row_of(rows, head.pk)
    dashboard = client.get(reverse("stats:dashboard"), {"period": "all"}).content.decode()
    pairs = dashboard.split('id="chart-pairs', 1)[1]
    assert "Paris-Austerlitz – Gare de Rodez" in pairs
    assert "Paris-Austerlitz – Gare de Rodez, avec 1 train (deux sens)." in pairs
    assert "gare de Rodez" not in dashboard
    response = client.get(reverse("stats:indicator-export", args=["pairs"]), {"period": "all"})
    download = b"".join(response.streaming_content).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(download), delimiter=";"))[1][0] == (
        "Paris-Austerlitz – Gare de Rodez"
    )
    network = client.get(reverse("trajets:network-map"), {"period": "all"}).content.decode()
    assert "Gare de Rodez" in network
    assert "gare de Rodez" not in network
    assert "PARIS-AUSTERLITZ" not in network


def test_a_row_joins_its_days_and_dated_exceptions_with_the_language_s_punctuation(client):
    trajet = make_trajet(weekdays="1111001")
    CalendarException.objects.create(trajet=trajet, date=dt.date(2025, 3, 1), is_added=True)
    CalendarException.objects.create(trajet=trajet, date=dt.date(2025, 3, 8), is_added=True)
    url = reverse("trajets:trajet-list")
    french = _row_of(client.get(url, {"period": "all"}).content.decode(), trajet.pk)
    assert "lun.–jeu., dim. ; 2 dates ajoutées" in french
    client.cookies["django_language"] = "en"
    english = _row_of(client.get(url, {"period": "all"}).content.decode(), trajet.pk)
    assert "Mon–Thu, Sun; 2 dates added" in english
