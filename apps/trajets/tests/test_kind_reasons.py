"""Why a trajet is day or night and which emission factors it uses, said in the page's
language: the ETL stores English sentences and names; the detail page words them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from apps.trajets.emission_words import FactorText, factor_text
from apps.trajets.etl.harmonise.classify import classify_service
from apps.trajets.etl.load_trajets import emission_factors
from apps.trajets.kinds import kind_reason_text
from apps.trajets.models import DataSource, EmissionFactor
from apps.trajets.same_train import REFERENCE_MARK, TIMETABLE_MARK
from apps.trajets.tests.factories import make_run, make_source, make_trajet
from tests.test_one_language import english_words


def _written_by_the_etl() -> dict[str, str]:
    """One reason of each form the ETL writes, made by the code that writes it."""
    night = classify_service(
        category="ICE",
        night_hint="",
        departure_local=dt.datetime(2025, 11, 24, 0, 0),
        duration_min=683,
    ).reason
    day = classify_service(
        category="ICE",
        night_hint="",
        departure_local=dt.datetime(2025, 11, 24, 13, 12),
        duration_min=365,
    ).reason
    product = classify_service(
        category="Corail Lunéa",
        night_hint="",
        departure_local=dt.datetime(2013, 12, 9, 21, 0),
        duration_min=600,
        labels=("3730",),
    ).reason
    accommodation = classify_service(
        category="NJ",
        night_hint="seat, couchette, sleeper",
        departure_local=dt.datetime(2024, 6, 24, 20, 0),
        duration_min=700,
    ).reason
    return {
        "night window": night,
        "day window": day,
        "product": product,
        "accommodation": accommodation,
        "reference": (
            f"{REFERENCE_MARK}3970 (trajet 60024 of back-on-track-ontd) is the same train"
            f"{TIMETABLE_MARK}{product}"
        ),
    }


@pytest.mark.parametrize("form", list(_written_by_the_etl()))
def test_each_reason_the_etl_writes_reads_in_french_without_an_english_word(form):
    reason = _written_by_the_etl()[form]
    with translation.override("fr"):
        text = kind_reason_text(reason)
    assert text is not None, reason
    assert english_words(f"<p>{text}</p>") == [], text


def test_reasons_read_in_french_and_in_english():
    reasons = _written_by_the_etl()
    with translation.override("fr"):
        assert kind_reason_text(reasons["night window"]) == (
            "circule 300 min entre 0 h et 5 h (seuil : 180 min), sans couchette ni "
            "voiture-lits connue"
        )
        assert kind_reason_text(reasons["accommodation"]) == (
            "la source indique des places de nuit : places assises, couchettes, voitures-lits"
        )
        assert kind_reason_text(reasons["reference"]) == (
            "la base des trains de nuit décrit le même train (3970 trajet 60024 de "
            "back-on-track-ontd) ; d'après l'horaire seul : LUNEA est une offre de train de "
            "nuit (libellés de la source : Corail Lunéa / 3730)"
        )
    with translation.override("en"):
        assert kind_reason_text(reasons["night window"]) == (
            "runs 300 min between midnight and 5 am (threshold: 180 min), with no known "
            "couchette or sleeper"
        )
    # A sentence cut at its 300 characters is not guessed at.
    assert kind_reason_text(reasons["reference"][:60]) is None


@pytest.mark.django_db
def test_the_detail_page_says_why_in_french_and_marks_an_unknown_reason_as_english(client):
    reason = _written_by_the_etl()["night window"]
    trajet = make_trajet(kind="overnight", kind_reason=reason)
    html = client.get(
        reverse("trajets:trajet-detail", args=[trajet.pk]), HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert "circule 300 min entre 0 h et 5 h" in html
    assert english_words(html) == []
    cut = make_trajet(kind="night", kind_reason="same run as EN 40 (record 7) on oth")
    html = client.get(
        reverse("trajets:trajet-detail", args=[cut.pk]), HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert '<span lang="en">same run as EN 40 (record 7) on oth</span>' in html


@pytest.mark.django_db
def test_emission_factors_are_described_in_the_page_language_not_by_their_labels(client):
    _factors, ids = emission_factors()  # the rows the ETL reads, with English labels
    rail = EmissionFactor.objects.get(pk=ids["rail:FR"])
    default = EmissionFactor.objects.get(pk=ids["rail:default"])
    short, long = (
        EmissionFactor.objects.get(method="ademe", mode="air", min_distance_km=km)
        for km in (0, 3500)
    )
    method = "ADEME Base Carbone (avion avec effets hors CO2)"
    with translation.override("fr"):
        assert factor_text(rail) == FactorText(
            "France",
            "ADEME Base Carbone 2021 (base climatiq OEFDB du 12/05/2022)",
            method,
            "0,00592 kg par passager-km",
        )
        assert factor_text(default) == FactorText(
            "moyenne des pays européens",
            "ADEME Base Carbone 2021 : moyenne de ses facteurs par pays",
            method,
            "0,04983 kg par passager-km",
        )
        assert factor_text(short).scope == "vol de moins de 1\u00a0000 km"
        assert factor_text(long).scope == "vol de plus de 3\u00a0500 km"
    with translation.override("en"):
        assert factor_text(short).scope == "flight under 1,000 km"
        assert factor_text(default).scope == "mean of the European countries"
    trajet = make_trajet(
        rail_emission_factor=default,
        flight_emission_factor=short,
        co2_rail_kg=4.2,
        co2_flight_kg=40.0,
    )
    html = client.get(
        reverse("trajets:trajet-detail", args=[trajet.pk]), HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert "Facteur avion : vol de moins de 1\u00a0000 km, 0,258 kg par passager-km (ADEME" in html
    assert f"Méthode : {method}." in html
    assert english_words(html) == []
    assert "Flight" not in html


@pytest.mark.django_db
def test_source_titles_written_in_french_are_marked_french_on_english_pages(client):
    trajet = make_trajet(run=make_run(make_source("sncf-intercites")))
    DataSource.objects.filter(pk=trajet.source_id).update(title="SNCF Intercités, horaires 2013")
    client.cookies["django_language"] = "en"
    detail = client.get(reverse("trajets:trajet-detail", args=[trajet.pk])).content.decode()
    assert '<th scope="row" lang="fr">SNCF Intercités, horaires 2013</th>' in detail
    status = client.get(reverse("monitoring:status")).content.decode()
    assert '<span class="help" lang="fr">SNCF Intercités, horaires 2013</span>' in status
    client.cookies["django_language"] = "fr"
    detail = client.get(reverse("trajets:trajet-detail", args=[trajet.pk])).content.decode()
    assert '<th scope="row">SNCF Intercités, horaires 2013</th>' in detail
