"""The grid finds every pair of points within its reach, as comparing all pairs does."""

from __future__ import annotations

import itertools
import random
from collections import defaultdict

import pytest

from apps.places.geo.distance import great_circle_km
from apps.places.geo.grid import cell_of, neighbourhoods


@pytest.mark.parametrize("reach_km", [0.3, 5.0, 40.0])
def test_neighbourhoods_hold_every_pair_within_the_reach(reach_km: float) -> None:
    rng = random.Random(20)
    # Clustered points from Seville to the North Cape (71° N), so that many pairs are close.
    centres = [(rng.uniform(36.0, 71.0), rng.uniform(-10.0, 30.0)) for _ in range(40)]
    spread = reach_km / 60
    points = [
        (lat + rng.uniform(-spread, spread), lon + rng.uniform(-3 * spread, 3 * spread))
        for lat, lon in centres
        for _ in range(12)
    ]
    within = {
        (i, j)
        for (i, a), (j, b) in itertools.combinations(enumerate(points), 2)
        if great_circle_km(*a, *b) <= reach_km
    }
    cells: dict[tuple[int, int], list[int]] = defaultdict(list)
    for position, (lat, lon) in enumerate(points):
        cells[cell_of(lat, lon, reach_km)].append(position)
    found = {
        (i, j)
        for members, neighbours in neighbourhoods(cells)
        for i in members
        for j in neighbours
        if i < j and great_circle_km(*points[i], *points[j]) <= reach_km
    }
    assert len(within) > 20
    assert found == within


def test_a_cell_is_its_own_neighbour_and_far_cells_are_not() -> None:
    cells = {(0, 0): ["a", "b"], (1, 1): ["c"], (3, 0): ["far"]}
    found = {tuple(members): neighbours for members, neighbours in neighbourhoods(cells)}
    assert found[("a", "b")] == ["a", "b", "c"]
    assert found[("far",)] == ["far"]
