"""The one name normaliser: keys, similarity and display names (pure, no database)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apps.places.names import (
    Similarity,
    display_name,
    fold,
    is_generic_station_name,
    name_similarity,
    name_variants,
    search_key,
    station_key,
    station_name,
)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Köln Hbf", "koln"),
        ("Köln Hauptbahnhof", "koln"),
        ("Koeln Hbf", "koln"),
        ("gare de Belfort-Ville", "belfort ville"),
        ("Milano Centrale", "milano"),
        ("Amsterdam Centraal", "amsterdam"),
        ("St. Pölten Hbf", "st polten"),
        ("Sankt Pölten", "st polten"),
        ("Saint-Étienne Châteaucreux", "st etienne chateaucreux"),
        ("Praha hl.n.", "praha"),
        ("Prague hl.n. (main station)", "praha"),
        ("Bratislava hl.st.", "bratislava"),
        ("Bratislava hlavná stanica", "bratislava"),
        ("Breclav(Gr)", "breclav"),
        ("S+U Berlin Hauptbahnhof", "berlin"),
        ("Hamburg, Hamburg Hbf", "hamburg"),
        ("Stuttgart Hauptbahnhof (oben)", "stuttgart"),
        ("Madrid-Puerta de Atocha", "madrid atocha"),
        ("PARIS GARE LYON", "paris lyon"),
        ("Paris Gare de Lyon", "paris lyon"),
        ("Paris Gare d'Austerlitz", "paris austerlitz"),
        ("Frankfurt (Main) Flughafen Fernbahnhof", "frankfurt flughafen fern"),
        ("Frankfurt(M) Flughafen Fernbf", "frankfurt flughafen fern"),
        ("Friedrichsh. Stadtbahnhof", "friedrichsh stadt"),
        ("Göteborg C", "goteborg"),
        ("København H", "kobenhavn"),
        ("Oslo S", "oslo"),
        ("Hamburg-Altona (S)", "hamburg altona sbahn"),
        ("Berlin Hbf (tief)", "berlin tief"),
        ("Київ Пасажирський", "kiiv"),
        ("Kyiv Pasazhyrskyi", "kyiv"),
        ("Bucureşti Basarab h.", "bucuresti basarab"),
        ("Gare", "gare"),
    ],
)
def test_station_names_normalise_to_one_matching_key(name: str, expected: str) -> None:
    assert station_key(name) == expected


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ("Berlin Hbf", "S+U Berlin Hauptbahnhof", Similarity.EXACT),
        ("Hamburg Hbf", "Hamburg, Hamburg Hbf", Similarity.EXACT),
        ("Paris Nord", "Paris Gare du Nord", Similarity.EXACT),
        ("Innichen", "Innichen / San Candido", Similarity.EXACT),
        ("Basel Bad Bf", "Basel Badischer Bahnhof", Similarity.CONTAINED),
        ("Firenze S. M. N.", "Firenze Santa Maria Novella", Similarity.CONTAINED),
        ("Lubin", "Lubin Górniczy", Similarity.CONTAINED),
        ("Canyaveral", "Cañaveral", Similarity.SPELLING),
        ("Karlovac", "Krlovac", Similarity.SPELLING),
        ("Київ Пасажирський", "Kiev-Passajirskii", Similarity.SPELLING),
        # Different stops at the same place are told apart.
        ("Hamburg Hbf", "Hamburg Hbf ZOB", Similarity.NONE),
        ("Hamburg Hbf", "Hamburg Hbf (S-Bahn)", Similarity.NONE),
        ("Berlin Hbf", "Berlin Hbf (tief)", Similarity.NONE),
        ("Madrid Atocha", "Madrid - Atocha Cercanías", Similarity.NONE),
        ("Frankfurt(M) Flughafen Fernbf", "Frankfurt(M) Flughafen Regionalbf", Similarity.NONE),
        ("Paris Gare du Nord", "Paris Gare du Nord 2", Similarity.NONE),
        ("Paris Nord", "Paris Est", Similarity.NONE),
        ("Wien West", "Wien Mitte", Similarity.NONE),
    ],
)
def test_similarity_tells_one_station_from_another(first: str, second: str, expected) -> None:
    assert name_similarity(first, second) == expected


@given(st.text(max_size=30), st.text(max_size=30))
def test_similarity_is_symmetric(first: str, second: str) -> None:
    assert name_similarity(first, second) == name_similarity(second, first)


@given(st.text(max_size=40))
def test_keys_are_lower_case_ascii_words(text: str) -> None:
    for key in (fold(text), station_key(text), search_key(text)):
        assert key == key.strip()
        assert all(ch.isascii() and (ch.islower() or ch.isdigit() or ch == " ") for ch in key)
        assert "  " not in key


def test_fold_transliterates_cyrillic_and_greek_and_unifies_digraphs() -> None:
    assert fold("Київ") == "kiiv"
    assert fold("Αθήνα") == "athina"
    assert fold("Koeln") == fold("Köln") == "koln"
    assert fold("L'Hospitalet") == "l hospitalet"
    assert fold("Kam'yanets") == "kamyanets"


def test_slash_names_are_variants_unless_a_word_is_shared() -> None:
    assert name_variants("Alicante/alacant") == ("Alicante/alacant", "Alicante", "alacant")
    assert name_variants("Innichen / San Candido")[1:] == ("Innichen", "San Candido")
    assert name_variants("Köln/Bonn Flughafen") == ("Köln/Bonn Flughafen",)


def test_generic_names_need_their_town() -> None:
    assert is_generic_station_name("Hauptbahnhof (oben)")
    assert is_generic_station_name("Gare")
    assert not is_generic_station_name("Stuttgart Hbf")


def test_display_name_title_cases_capitals_only() -> None:
    assert display_name("MADRID-PUERTA DE ATOCHA") == "Madrid-Puerta de Atocha"
    assert display_name("L'AMPOLLA-PERELLO-DELTEBRE") == "L'Ampolla-Perello-Deltebre"
    assert display_name("Berlin Hbf") == "Berlin Hbf"
    assert display_name("gare de Belfort-Ville") == "gare de Belfort-Ville"


def test_digraphs_fold_wherever_the_word_stands() -> None:
    assert fold("Ørestad") == fold("København Ørestad").split()[-1] == "orestad"
    assert name_similarity("Ørestad St.", "København Ørestad") == Similarity.CONTAINED


def test_a_line_letter_is_not_taken_for_central() -> None:
    assert station_key("Porte-Maillot-RER C") == "porte maillot rer c"
    assert name_similarity("Porte-Maillot-RER C", "Neuilly Porte Maillot RER E") == Similarity.NONE


def test_a_marshalling_yard_is_not_the_passenger_station() -> None:
    assert name_similarity("Dej", "Dej Triaj") == Similarity.NONE
    assert name_similarity("Dej", "Dej Călători") == Similarity.EXACT


def test_names_of_punctuation_only_match_nothing() -> None:
    assert name_similarity("?", "-") == Similarity.NONE


def test_display_name_keeps_acronyms_and_tells_latin_script() -> None:
    from apps.places.names import is_latin

    assert display_name("AIX EN PROVENCE TGV") == "Aix en Provence TGV"
    assert display_name("PUERTOLLANO (AV)") == "Puertollano (AV)"
    assert is_latin("Kraków")
    assert not is_latin("Ужгород")


def test_station_names_follow_one_capitalisation_rule():
    assert station_name("MADRID-PUERTA DE ATOCHA") == "Madrid-Puerta de Atocha"
    assert station_name("CERBERE") == "Cerbere"
    assert station_name("gare de Rodez") == "Gare de Rodez"
    assert station_name("Berlin Hbf") == "Berlin Hbf"
    assert station_name("’s-Hertogenbosch") == "’s-Hertogenbosch"
