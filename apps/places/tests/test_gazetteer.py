"""The town a station serves, from GeoNames (no database)."""

from __future__ import annotations

import pytest

from apps.places.gazetteer import catchment_km, gazetteer


@pytest.fixture(scope="module")
def index():
    return gazetteer()


@pytest.mark.parametrize(
    ("names", "latitude", "longitude", "town"),
    [
        (["Lyon Part-Dieu"], 45.7606, 4.8594, "Lyon"),
        (["Hamburg-Altona"], 53.5525, 9.9354, "Hamburg"),
        (["Bernau (b Berlin)"], 52.675, 13.592, "Bernau bei Berlin"),
        (["Frankfurt (Main) Flughafen Fernbahnhof"], 50.0529, 8.5698, "Frankfurt am Main"),
        (["Hauptbahnhof (oben)", "Stuttgart Hbf"], 48.7849, 9.1828, "Stuttgart"),
        (["Kiev-Passajirskii"], 50.4401, 30.4889, "Kyiv"),
        (["Flughafen Wien"], 48.1209, 16.5631, "Vienna"),
    ],
)
def test_a_station_belongs_to_the_town_its_name_mentions(index, names, latitude, longitude, town):
    place = index.place_for(names=names, latitude=latitude, longitude=longitude)
    assert place is not None
    assert place.name == town


def test_a_town_answers_to_its_names_in_other_languages_and_scripts(index):
    vienna = next(p for p in index.named("Wien", "AT"))
    keys = vienna.name_keys()
    assert {"wien", "vienna", "vienne", "viena"} <= keys
    kyiv = index.named("Київ", "UA")[0]
    assert {"kyiv", "kiev", "kiiv"} <= kyiv.name_keys()


def test_names_in_other_scripts_are_not_searchable(index):
    paris = index.named("Paris", "FR")[0]
    assert all(not any("\u4e00" <= ch <= "\u9fff" for ch in n) for n in paris.searchable_names())


def test_a_station_at_sea_is_found_by_the_town_it_is_named_after(index):
    # SNCF's 2013 feed puts Port-Bou 70 km out in the Gulf of Lion.
    towns = index.mentioned_near(["gare de Port-Bou"], 43.0247, 3.8946, 100.0)
    assert [town.name for town in towns][:1] == ["Portbou"]


def test_catchment_grows_with_population():
    assert catchment_km(1_000) == pytest.approx(3.0)
    assert catchment_km(10_000) == pytest.approx(6.0)
    assert catchment_km(100_000) == pytest.approx(12.0)
    assert catchment_km(2_000_000) == 25.0


def test_codes_and_very_short_names_are_not_searchable(index):
    stuttgart = index.named("Stuttgart", "DE")[0]
    assert "STR" in stuttgart.names
    assert "str" not in stuttgart.name_keys()


def test_a_town_mentioned_inside_a_longer_name_is_found_in_its_country(index):
    # Renfe's list names the Portuguese station "VALENÇA DO MINHO"; GeoNames says "Valença".
    town = index.mentioned_in(["VALENÇA DO MINHO"], "PT")[0]
    assert "valenca" in town.name_keys()
    assert (round(town.latitude, 1), round(town.longitude, 1)) == (42.0, -8.6)
