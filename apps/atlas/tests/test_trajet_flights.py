"""The trajets' flight equivalent follows the atlas's rule and method (issue #15, item 5)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.atlas import co2 as co2_rules
from apps.atlas.models import Airport, AirTraffic, CityPair
from apps.atlas.refresh import atlas_inputs
from apps.atlas.services import method_factors, pair_co2, recompute_atlas
from apps.atlas.tests.conftest import RAW_AIRPORTS, RAW_TRAFFIC, place_named
from apps.atlas.tests.raw import city_pair_passengers, haversine_km, raw_airports, raw_passengers
from apps.routing.services import build_routing_artifact, find_route
from apps.trajets.models import EmissionFactor, FlightEquivalent, ImportRun, Trajet
from apps.trajets.tests.factories import make_station, make_trajet


def _pair(first: str, second: str) -> CityPair:
    return CityPair.objects.get(a_name__in=[first, second], b_name__in=[first, second])


def _hop(origin: tuple[str, str], destination: tuple[str, str]) -> Trajet:
    """A trajet between two new stations of the named towns."""
    stations = []
    for name, country in (origin, destination):
        place = place_named(name, country)
        station = make_station(
            f"{name} gare {len(stations)}",
            country=country,
            latitude=place.latitude,
            longitude=place.longitude,
        )
        station.place = place
        station.save(update_fields=["place"])
        stations.append(station)
    return make_trajet(stations, times=[(None, "09:00"), ("09:20", None)])


def test_a_paris_lyon_trajet_gets_its_atlas_pair_s_flight_as_the_raw_files_give_it(atlas):
    trajet = Trajet.objects.get(pk=atlas.day_first.pk)  # Paris Gare de Lyon -> Lyon Part-Dieu
    pair = _pair("Paris", "Lyon")
    figures = pair_co2(pair, method_factors("ademe"))
    assert trajet.co2_flight_kg == figures.air_kg
    assert trajet.flight_distance_km == pair.flown_km
    assert trajet.flight_emission_factor.method == "ademe"
    assert trajet.flight_emission_factor.kg_co2e_per_passenger_km == 0.258
    # From the raw files alone: the busiest 2019 airport pair between the two cities' airports,
    # great circle x 1.1, ADEME's short-haul factor (with non-CO2 effects).
    coords = raw_airports(RAW_AIRPORTS)
    _passengers, busiest = city_pair_passengers(
        raw_passengers(RAW_TRAFFIC, 2019), set(pair.airports_a), set(pair.airports_b), set(coords)
    )
    flown = haversine_km(coords[busiest[0]], coords[busiest[1]]) * 1.1
    assert trajet.flight_distance_km == pytest.approx(flown, abs=0.1)
    assert trajet.co2_flight_kg == pytest.approx(flown * 0.258, abs=0.03)


def test_every_trajet_between_two_airport_cities_has_its_pair_s_flight_and_no_other(atlas):
    flights = {
        t.pk: t.co2_flight_kg for t in Trajet.objects.select_related("origin", "destination")
    }
    factors = method_factors("ademe")
    for trajet, (first, second) in (
        (atlas.day_first, ("Paris", "Lyon")),
        (atlas.day_second, ("Lyon", "Marseille")),
        (atlas.night, ("Paris", "Marseille")),
        (atlas.geneva_train, ("Lyon", "Geneva")),
    ):
        assert flights[trajet.pk] == pair_co2(_pair(first, second), factors).air_kg, first
    # Stored once per direction for the towns at the ends of a trajet, nothing else.
    assert FlightEquivalent.objects.count() == 2 * 4


def test_a_border_hop_or_a_town_without_an_airport_gets_no_flight_equivalent(atlas, client):
    cross_border = _hop(("Strasbourg", "FR"), ("Kehl", "DE"))  # Kehl has no airport
    coast = _hop(("Cerbère", "FR"), ("Portbou", "ES"))
    same_town = _hop(("Paris", "FR"), ("Paris", "FR"))
    for trajet in (cross_border, coast, same_town):
        trajet.co2_flight_kg, trajet.flight_distance_km = 99.0, 300.0  # an old ETL figure
        trajet.save(update_fields=["co2_flight_kg", "flight_distance_km"])
    recompute_atlas(trigger="test")
    for trajet in (cross_border, coast, same_town):
        trajet.refresh_from_db()
        assert (
            trajet.co2_flight_kg,
            trajet.flight_distance_km,
            trajet.flight_emission_factor_id,
        ) == (None, None, None)
    html = client.get(reverse("trajets:trajet-detail", args=[cross_border.pk])).content.decode()
    # The towns named, the rule stated; no claim that nobody flies between them.
    assert "Pas de vol équivalent : Strasbourg et Kehl ne sont pas toutes deux desservies" in html
    assert "rayon de 70 km" in html
    assert "on n'y prend pas l'avion" not in html
    html = client.get(reverse("trajets:trajet-detail", args=[same_town.pk])).content.decode()
    assert "dans la même ville" in html


def test_switching_method_changes_the_trajet_figures_by_the_ratio_of_the_factors(
    atlas, monkeypatch
):
    ademe = Trajet.objects.get(pk=atlas.day_first.pk)
    monkeypatch.setattr(co2_rules, "DEFAULT_METHOD", "eea")
    recompute_atlas(trigger="test")
    eea = Trajet.objects.get(pk=atlas.day_first.pk)
    assert eea.flight_emission_factor.method == "eea"
    assert eea.flight_distance_km == ademe.flight_distance_km
    assert eea.co2_flight_kg / ademe.co2_flight_kg == pytest.approx(0.285 / 0.258, rel=1e-4)


def test_without_air_data_no_trajet_has_a_flight_equivalent_and_the_page_says_why(atlas, client):
    assert Trajet.objects.filter(co2_flight_kg__isnull=False).count() == 4
    AirTraffic.objects.all().delete()
    Airport.objects.all().delete()
    ImportRun.objects.filter(source__name="openflights-airports").update(
        status=ImportRun.Status.FAILED
    )
    recompute_atlas(trigger="test")
    assert not Trajet.objects.filter(co2_flight_kg__isnull=False).exists()
    assert not FlightEquivalent.objects.exists()
    html = client.get(reverse("trajets:trajet-detail", args=[atlas.day_first.pk])).content
    assert "les données aériennes (aéroports et trafic) ne sont pas chargées" in html.decode()


def test_air_data_loaded_but_no_town_pair_priced_is_not_called_air_data_missing(atlas, client):
    # Every trajet's towns lack an airport: no flight equivalent at all, yet the air data is
    # loaded, and the page must not say it is not.
    Trajet.objects.all().delete()
    hop = _hop(("Strasbourg", "FR"), ("Kehl", "DE"))
    recompute_atlas(trigger="test")
    assert not FlightEquivalent.objects.exists()
    html = client.get(reverse("trajets:trajet-detail", args=[hop.pk])).content.decode()
    assert "ne sont pas chargées" not in html
    assert "Strasbourg et Kehl ne sont pas toutes deux desservies" in html


def test_the_routing_answer_takes_the_flight_of_its_end_towns_with_its_method(atlas):
    build_routing_artifact(run_id="test-flights")
    answer = find_route(origin=atlas.paris, destination=atlas.marseille)
    figures = pair_co2(_pair("Paris", "Marseille"), method_factors("ademe"))
    assert answer.co2_flight_kg == figures.air_kg
    assert answer.flight_distance_km == _pair("Paris", "Marseille").flown_km
    assert answer.co2_method == "ademe"
    assert answer.co2_method_label.startswith("ADEME Base Carbone")


def test_the_trajet_api_and_page_name_the_method_of_their_figures(atlas, client):
    body = client.get(f"/api/trajets/{atlas.day_first.pk}").json()
    expected = pair_co2(_pair("Paris", "Lyon"), method_factors("ademe")).air_kg
    assert (body["co2"]["method"], body["co2"]["flight_kg"]) == ("ademe", expected)
    html = client.get(reverse("trajets:trajet-detail", args=[atlas.day_first.pk])).content
    assert "Méthode : ADEME Base Carbone" in html.decode()


def test_the_trajet_page_gives_what_its_flight_figure_is_computed_from(atlas, client):
    # The flown km and the factor's value: km x factor gives the figure shown.
    trajet = Trajet.objects.get(pk=atlas.day_first.pk)
    html = client.get(reverse("trajets:trajet-detail", args=[trajet.pk])).content.decode()
    flown = f"{trajet.flight_distance_km:,.0f}".replace(",", "\N{NO-BREAK SPACE}")
    assert f"Vol équivalent : {flown} km entre les aéroports" in html
    assert (
        "Facteur avion : vol de moins de 1\N{NO-BREAK SPACE}000 km, 0,258 kg par passager-km"
        in html
    )


def test_a_factor_correction_changes_the_atlas_fingerprint(atlas):
    before = atlas_inputs()
    EmissionFactor.objects.filter(method="ademe", mode="air", min_distance_km=0).update(
        kg_co2e_per_passenger_km=0.2
    )
    assert atlas_inputs() != before
