"""A grid of cells as wide as a reach, to find the points within that reach of each other
without comparing every pair."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from typing import TypeVar

__all__ = ["KM_PER_DEGREE", "cell_of", "neighbourhoods"]

T = TypeVar("T")

KM_PER_DEGREE = 111.2
# Cells are as wide in longitude as the reach is at 72° N, so neighbours never fall two
# cells away anywhere in Europe.
_LONGITUDE_STRETCH = 1 / math.cos(math.radians(72.0))


def cell_of(latitude: float, longitude: float, reach_km: float) -> tuple[int, int]:
    """The (row, column) of the cell holding a WGS84 point, in a grid for ``reach_km``."""
    size = reach_km / KM_PER_DEGREE
    return math.floor(latitude / size), math.floor(longitude / (size * _LONGITUDE_STRETCH))


def neighbourhoods(
    cells: Mapping[tuple[int, int], Sequence[T]],
) -> Iterator[tuple[Sequence[T], list[T]]]:
    """Each cell's members with the members of its block of 3 × 3 cells (its own included):
    every point within the grid's reach of a member is among them (up to 72° N)."""
    for (row, column), members in cells.items():
        neighbours = [
            other
            for d_row in (-1, 0, 1)
            for d_column in (-1, 0, 1)
            for other in cells.get((row + d_row, column + d_column), ())
        ]
        yield members, neighbours
