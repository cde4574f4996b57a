"""The network map layout (plain module behind the map page)."""

from __future__ import annotations

import pytest

from apps.trajets.map import (
    MAX_Y_KM,
    MIN_X_KM,
    SCALE,
    VIEW_HEIGHT,
    VIEW_WIDTH,
    LinkRow,
    build_network_map,
    load_outlines,
    project,
)


def _row(origin, destination, kind="day", count=1, origin_at=(2.35, 48.85), to=(16.37, 48.2)):
    return LinkRow(origin, "FR", *origin_at, destination, "AT", *to, kind, count)


def test_projection_centre_maps_to_the_origin_of_the_projected_plane():
    x, y = project(10.0, 52.0)
    assert x == pytest.approx(-MIN_X_KM * SCALE)
    assert y == pytest.approx(MAX_Y_KM * SCALE)


def test_projection_keeps_europe_in_view_and_in_order():
    lisbon, moscow, palermo, oslo = (
        project(-9.14, 38.72),
        project(37.62, 55.75),
        project(13.36, 38.12),
        project(10.75, 59.91),
    )
    for x, y in (lisbon, moscow, palermo, oslo):
        assert 0 <= x <= VIEW_WIDTH
        assert 0 <= y <= VIEW_HEIGHT
    assert lisbon[0] < palermo[0] < moscow[0]  # west to east
    assert oslo[1] < palermo[1]  # north is up


def test_projection_preserves_a_known_distance_near_the_centre():
    # Paris–Berlin is 878 km on the sphere; an equal-area azimuthal map keeps it within 1 %.
    (x1, y1), (x2, y2) = project(2.35, 48.86), project(13.40, 52.52)
    distance_km = ((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5 / SCALE
    assert distance_km == pytest.approx(878, rel=0.01)


def test_links_split_by_kind_and_stations_accumulate_services():
    network = build_network_map(
        [
            _row("Paris Est", "Wien Hbf", "night", 3),
            _row("Paris Gare de Lyon", "Wien Hbf", "day", 1, origin_at=(2.37, 48.84)),
        ]
    )
    assert [link.origin for link in network.night_links] == ["Paris Est"]
    assert [link.origin for link in network.day_links] == ["Paris Gare de Lyon"]
    assert network.stations[0].name == "Wien Hbf"
    assert network.stations[0].service_count == 4
    assert network.night_links[0].stroke_width == pytest.approx(4.0)  # busiest: 1 + 3
    assert network.day_links[0].stroke_width == pytest.approx(1 + 3 * (1 / 3) ** 0.5, abs=0.05)


def test_links_leaving_the_view_are_counted_not_drawn():
    network = build_network_map([_row("Paris Est", "New York Penn", to=(-73.99, 40.75))])
    assert network.day_links == ()
    assert network.stations == ()
    assert network.hidden_link_count == 1


def test_bundled_outlines_cover_the_countries_of_the_map():
    names = {outline.name for outline in load_outlines()}
    assert {"France", "Germany", "Austria", "Italy", "Spain", "Sweden", "Poland"} <= names
    assert all(outline.path.startswith("M") for outline in load_outlines())
