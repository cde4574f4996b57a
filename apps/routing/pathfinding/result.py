"""Result dataclasses shared by the static shortest-path methods."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Counters", "PathResult"]


@dataclass(frozen=True)
class Counters:
    """Work done by a method, so that methods can be compared on one query.

    ``nodes_scanned`` counts removals of a node from OPEN (or loop iterations over a node for
    the chaining methods); ``labels_improved`` counts strict decreases of a label ``d_j``;
    ``rounds`` counts the searches run (more than one for the doubling-limit fast path).
    """

    nodes_scanned: int
    labels_improved: int
    rounds: int = 1


@dataclass(frozen=True)
class PathResult:
    """A shortest (or ε-optimal) path from ``source`` to ``target``.

    ``length`` is in the unit of ``criterion``; ``path`` lists nodes from source to target.
    """

    method: str
    criterion: str
    source: int
    target: int
    length: float
    path: tuple[int, ...]
    counters: Counters
    epsilon: float = 0.0

    @property
    def arc_count(self) -> int:
        """Number of arcs on the path."""
        return len(self.path) - 1
