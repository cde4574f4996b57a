"""Compressed sparse row (CSR) graphs with one weight array per criterion."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .errors import ParameterError

__all__ = ["CRITERIA", "CSRGraph", "build_graph"]

#: Weight criteria understood by the package, with their units.
CRITERIA: dict[str, str] = {"time": "min", "distance": "km", "co2": "kg"}


@dataclass(frozen=True, eq=False)
class CSRGraph:
    """A directed graph in CSR form.

    The successors of node ``i`` are ``indices[indptr[i]:indptr[i + 1]]`` and the arc lengths
    for criterion ``c`` are ``weights[c][indptr[i]:indptr[i + 1]]``. ``latitude``/``longitude``
    (degrees, optional) give node positions for great-circle lower bounds.
    """

    indptr: NDArray[np.int32]
    indices: NDArray[np.int32]
    weights: Mapping[str, NDArray[np.float64]]
    latitude: NDArray[np.float64] | None = None
    longitude: NDArray[np.float64] | None = None
    #: Derived data computed on first use (reverse graph, bound ratios, scipy matrices).
    cache: dict[object, object] = field(default_factory=dict, repr=False)

    @property
    def node_count(self) -> int:
        """Number of nodes."""
        return int(self.indptr.shape[0] - 1)

    @property
    def arc_count(self) -> int:
        """Number of arcs."""
        return int(self.indices.shape[0])

    @property
    def has_coordinates(self) -> bool:
        """Whether every node has a latitude and a longitude."""
        return self.latitude is not None and self.longitude is not None

    def weight(self, criterion: str) -> NDArray[np.float64]:
        """Return the arc lengths of ``criterion``; raise ParameterError if it is unknown."""
        try:
            return self.weights[criterion]
        except KeyError:
            known = ", ".join(sorted(self.weights))
            raise ParameterError(
                f"criterion={criterion!r} is not a weight of this graph (known: {known})"
            ) from None

    def weight_summary(self, criterion: str) -> tuple[float, float, float]:
        """``(minimum, total, median)`` of the arc lengths of ``criterion`` (cached)."""
        key = ("summary", criterion)
        if key not in self.cache:
            weight = self.weight(criterion)
            self.cache[key] = (
                (float(weight.min()), float(weight.sum()), float(np.median(weight)))
                if weight.size
                else (0.0, 0.0, 1.0)
            )
        return self.cache[key]

    def tails(self) -> NDArray[np.int32]:
        """Return the tail node of every arc, aligned with ``indices``."""
        return np.repeat(np.arange(self.node_count, dtype=np.int32), np.diff(self.indptr)).astype(
            np.int32
        )

    def reverse(self) -> CSRGraph:
        """Return the graph with every arc reversed (computed once, then cached)."""
        if "reverse" not in self.cache:
            self.cache["reverse"] = build_graph(
                self.node_count,
                self.indices,
                self.tails(),
                self.weights,
                latitude=self.latitude,
                longitude=self.longitude,
                merge_parallel=False,
            )
        return self.cache["reverse"]


def build_graph(
    node_count: int,
    tails: ArrayLike,
    heads: ArrayLike,
    weights: Mapping[str, ArrayLike],
    *,
    latitude: ArrayLike | None = None,
    longitude: ArrayLike | None = None,
    merge_parallel: bool = True,
) -> CSRGraph:
    """Build a :class:`CSRGraph` from arc lists.

    Parameters
    ----------
    node_count : int
        Number of nodes; nodes are ``0 .. node_count - 1``.
    tails, heads : array_like of int
        Tail and head node of every arc.
    weights : mapping of str to array_like of float
        One length array per criterion, aligned with ``tails``.
    latitude, longitude : array_like of float, optional
        Node coordinates in degrees.
    merge_parallel : bool
        Keep one arc per (tail, head) pair, with the minimum length of each criterion
        taken independently (a criterion's best train between two stations).

    Raises
    ------
    ParameterError
        If arrays disagree in length, a node is out of range or a length is NaN.
    """
    if node_count < 0:
        raise ParameterError(f"node_count={node_count} must be non-negative")
    tail = np.asarray(tails, dtype=np.int64).ravel()
    head = np.asarray(heads, dtype=np.int64).ravel()
    if tail.shape != head.shape:
        raise ParameterError(f"tails ({tail.size}) and heads ({head.size}) differ in length")
    for name, nodes in (("tails", tail), ("heads", head)):
        if nodes.size and (nodes.min() < 0 or nodes.max() >= node_count):
            raise ParameterError(f"{name} holds a node outside 0..{node_count - 1}")
    arrays: dict[str, NDArray[np.float64]] = {}
    for name, values in weights.items():
        array = np.asarray(values, dtype=np.float64).ravel()
        if array.shape != tail.shape:
            raise ParameterError(f"weights[{name!r}] has {array.size} values for {tail.size} arcs")
        if np.isnan(array).any():
            raise ParameterError(f"weights[{name!r}] contains NaN")
        arrays[name] = array
    key = tail * max(node_count, 1) + head
    order = np.argsort(key, kind="stable")
    key, tail, head = key[order], tail[order], head[order]
    arrays = {name: array[order] for name, array in arrays.items()}
    if merge_parallel and key.size:
        starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
        tail, head = tail[starts], head[starts]
        arrays = {name: np.minimum.reduceat(array, starts) for name, array in arrays.items()}
    indptr = np.zeros(node_count + 1, dtype=np.int64)
    np.cumsum(np.bincount(tail, minlength=node_count), out=indptr[1:])

    def _coordinates(values: ArrayLike | None, name: str) -> NDArray[np.float64] | None:
        if values is None:
            return None
        array = np.asarray(values, dtype=np.float64).ravel()
        if array.shape != (node_count,):
            raise ParameterError(f"{name} has {array.size} values for {node_count} nodes")
        return array

    return CSRGraph(
        indptr=indptr.astype(np.int32),
        indices=head.astype(np.int32),
        weights=arrays,
        latitude=_coordinates(latitude, "latitude"),
        longitude=_coordinates(longitude, "longitude"),
    )
