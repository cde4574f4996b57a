"""What a typed name designates, the same way for lists, filters and routing."""

from __future__ import annotations

import pytest
from django.http import QueryDict

from apps.places.models import Place, PlaceName
from apps.places.names import search_key
from apps.trajets.filters import StationFilterSet, TrajetFilterSet
from apps.trajets.models import StationName
from apps.trajets.station_search import resolve_stations, station_ids_for, suggest_names
from apps.trajets.tests.factories import make_station, make_trajet

pytestmark = pytest.mark.django_db


def make_place(name: str, country: str, population: int, *aliases: str) -> Place:
    place = Place.objects.create(
        geonames_id=abs(hash((name, country))) % 10_000_000,
        name=name,
        country=country,
        latitude=0.0,
        longitude=0.0,
        population=population,
    )
    for alias in (name, *aliases):
        PlaceName.objects.create(place=place, name=alias, key=search_key(alias))
    return place


@pytest.fixture
def towns():
    paris = make_place("Paris", "FR", 2_138_551, "Parigi", "Париж")
    vienna = make_place("Vienna", "AT", 1_691_468, "Wien", "Vienne", "Vídeň")
    vienne = make_place("Vienne", "FR", 29_306)
    kyiv = make_place("Kyiv", "UA", 2_952_301, "Kiev", "Київ")
    stations = {
        "nord": make_station("Paris Gare du Nord"),
        "lyon": make_station("Paris Gare de Lyon"),
        "wien": make_station("Wien Hbf", country="AT", time_zone="Europe/Vienna"),
        "meidling": make_station("Wien Meidling", country="AT", time_zone="Europe/Vienna"),
        "vienne": make_station("Vienne"),
        "kyiv": make_station("Київ Пасажирський", country="UA", time_zone="Europe/Kyiv"),
        "lille": make_station("Lille Flandres"),
    }
    for key, place in (("nord", paris), ("lyon", paris), ("wien", vienna),
                       ("meidling", vienna), ("vienne", vienne), ("kyiv", kyiv)):  # fmt: skip
        stations[key].place = place
        stations[key].save()
    StationName.objects.create(
        station=stations["kyiv"], name="Kyiv Pasazhyrskyi", key="kyiv pasazhyrskyi",
        name_key="kyiv",
    )  # fmt: skip
    return stations


def test_a_town_name_in_any_language_stands_for_all_its_stations(towns) -> None:
    for text in ("Paris", "paris", "Parigi", "Париж"):
        query = resolve_stations(text)
        assert [t.kind for t in query.targets] == ["place"], text
        assert query.station_ids == sorted([towns["nord"].pk, towns["lyon"].pk])
    for text in ("Kyiv", "Kiev", "Київ"):
        assert resolve_stations(text).station_ids == [towns["kyiv"].pk]


def test_a_name_several_towns_answer_to_is_ambiguous(towns) -> None:
    query = resolve_stations("Vienne")
    assert query.is_ambiguous
    assert [t.name for t in query.targets] == ["Vienna", "Vienne"]  # the largest first
    # The station named Vienne is inside the town Vienne: the town covers it.
    assert all(t.kind == "place" for t in query.targets)


def test_a_station_name_and_the_names_sources_give_it(towns) -> None:
    assert resolve_stations("Paris Gare du Nord").station_ids == [towns["nord"].pk]
    assert resolve_stations("kyiv pasazhyrskyi").station_ids == [towns["kyiv"].pk]
    assert resolve_stations(str(towns["lille"].pk)).station_ids == [towns["lille"].pk]


def test_lists_fall_back_to_name_prefixes(towns) -> None:
    assert set(station_ids_for("Paris Gare")) == {towns["nord"].pk, towns["lyon"].pk}
    assert station_ids_for("Atlantis") == []


def test_an_unknown_name_gets_the_nearest_names_as_suggestions(towns) -> None:
    query = resolve_stations("Pariss")
    assert query.targets == ()
    assert query.suggestions[0].name == "Paris"
    assert [s.name for s in suggest_names("Lile Flandres")] == ["Lille Flandres"]


def test_trajet_filters_and_station_search_resolve_names_the_same_way(towns) -> None:
    wien_to_paris = make_trajet([towns["meidling"], towns["nord"]])
    make_trajet([towns["lille"], towns["lyon"]])
    trajets = TrajetFilterSet(QueryDict("origin=Vienna&destination=Paris"))
    assert list(trajets.qs.values_list("pk", flat=True)) == [wien_to_paris.pk]
    stations = StationFilterSet(QueryDict("q=Wien"))
    assert set(stations.qs.values_list("pk", flat=True)) == {
        towns["wien"].pk,
        towns["meidling"].pk,
    }


def test_stations_of_one_name_close_together_are_one_answer(towns) -> None:
    first = make_station("Madrid Chamartín", country="ES", latitude=40.4721,
                         longitude=-3.6825, time_zone="Europe/Madrid")  # fmt: skip
    second = make_station("Madrid Chamartín", country="ES", latitude=40.4729,
                          longitude=-3.6818, time_zone="Europe/Madrid")  # fmt: skip
    query = resolve_stations("Madrid Chamartín")
    assert not query.is_ambiguous
    assert query.station_ids == sorted([first.pk, second.pk])


def test_a_town_is_not_made_ambiguous_by_a_placeless_station_of_its_name(towns) -> None:
    make_station("Paris", latitude=None, longitude=None)  # a reference row: no position, no train
    query = resolve_stations("Paris")
    assert [t.kind for t in query.targets] == ["place"]


def test_a_town_named_so_in_its_own_language_wins_over_a_smaller_alias(towns) -> None:
    for place in (
        make_place("Valencia", "ES", 791_413),
        make_place("Valence", "FR", 64_726, "Valencia"),
    ):
        station = make_station(f"{place.name} Gare", country=place.country)
        station.place = place
        station.save()
    query = resolve_stations("Valencia")
    assert [t.country for t in query.targets] == ["ES"]


def test_the_autocomplete_offers_the_exact_name_and_the_names_it_begins(towns) -> None:
    ham = make_station("Ham")
    hamburg = make_station("Hamburg Hbf", country="DE")
    stations = StationFilterSet(QueryDict("q=Ham"))
    assert set(stations.qs.values_list("pk", flat=True)) == {ham.pk, hamburg.pk}
    trajet_origins = station_ids_for("Ham")
    assert trajet_origins == [ham.pk]  # a filter keeps the exact answer only
