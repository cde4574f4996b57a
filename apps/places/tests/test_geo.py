"""Country, border distance and time zone of points near Europe's borders (no database)."""

from __future__ import annotations

import pytest

from apps.places.geo import locate, locate_many, zone_country
from apps.places.geo.distance import great_circle_km


@pytest.mark.parametrize(
    ("place", "latitude", "longitude", "country", "zone"),
    [
        # Border stations the former matcher got wrong or could get wrong.
        ("Basel Badischer Bahnhof (Swiss soil, DB station)", 47.567, 7.607, "CH", "Europe/Zurich"),
        ("Portbou", 42.4258, 3.1589, "ES", "Europe/Madrid"),
        ("Cerbère", 42.4416, 3.1669, "FR", "Europe/Paris"),
        ("Chop", 48.4327, 22.2055, "UA", "Europe/Kyiv"),
        ("Čierna nad Tisou", 48.42, 22.10, "SK", "Europe/Bratislava"),
        ("Mukachevo", 48.44, 22.72, "UA", "Europe/Kyiv"),
        ("Břeclav", 48.75, 16.88, "CZ", "Europe/Prague"),
        ("Salzburg Hbf", 47.813, 13.046, "AT", "Europe/Vienna"),
        ("Vaduz", 47.14, 9.52, "LI", "Europe/Vaduz"),
        ("Büsingen (German exclave)", 47.697, 8.69, "DE", "Europe/Busingen"),
        ("Monaco", 43.7384, 7.4246, "MC", "Europe/Monaco"),
        ("Pristina", 42.66, 21.16, "XK", "Europe/Belgrade"),
        ("Marseille harbour (territorial waters)", 43.30, 5.36, "FR", "Europe/Paris"),
    ],
)
def test_country_and_zone_come_from_the_coordinates(place, latitude, longitude, country, zone):
    fix = locate(latitude, longitude)
    assert (fix.country, fix.time_zone) == (country, zone), place


def test_border_distance_is_given_near_a_border_and_none_far_from_any():
    chop, paris = locate_many([(48.4327, 22.2055), (48.8566, 2.3522)])
    assert chop.border_km is not None
    assert chop.border_km < 2
    assert chop.is_near_border
    assert paris.border_km is None
    assert not paris.is_near_border


def test_open_sea_has_no_country_nor_zone():
    fix = locate(45.0, -10.0)
    assert (fix.country, fix.time_zone, fix.border_km) == (None, None, None)


def test_zone_countries_are_tzdata_s():
    assert zone_country("Europe/Vaduz") == "LI"
    assert zone_country("Europe/Kiev") == "UA"
    assert zone_country("Mars/Olympus") is None


def test_great_circle_distance_matches_a_known_pair():
    # Paris Notre-Dame to London Charing Cross: 343.5 km on the IUGG sphere.
    assert great_circle_km(48.853, 2.3499, 51.5073, -0.1277) == pytest.approx(343.5, abs=1.0)
