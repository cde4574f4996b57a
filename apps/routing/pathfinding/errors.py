"""Exceptions raised by the pathfinding package."""

from __future__ import annotations

__all__ = [
    "NegativeCycleError",
    "NoPathError",
    "ParameterError",
    "PathfindingError",
]


class PathfindingError(Exception):
    """Base class of every error raised by the pathfinding package."""


class ParameterError(PathfindingError, ValueError):
    """A parameter is invalid; the message names it and its value."""


class NoPathError(PathfindingError, LookupError):
    """The target cannot be reached from the source (or not by the requested deadline)."""

    def __init__(self, message: str, *, source: int, target: int) -> None:
        super().__init__(message)
        self.source = source
        self.target = target

    def __reduce__(self) -> tuple:
        # Rebuilt with its keywords when it crosses a process boundary (the compute pool).
        return (_rebuild, (type(self), str(self), {"source": self.source, "target": self.target}))


class NegativeCycleError(PathfindingError, ValueError):
    """A cycle of negative length is reachable from the source.

    ``cycle`` lists its nodes in travel order (the first node is not repeated at the end)
    and ``length`` is the sum of its arc lengths.
    """

    def __init__(self, message: str, *, cycle: tuple[int, ...], length: float) -> None:
        super().__init__(message)
        self.cycle = cycle
        self.length = length

    def __reduce__(self) -> tuple:
        return (_rebuild, (type(self), str(self), {"cycle": self.cycle, "length": self.length}))


def _rebuild(cls: type[PathfindingError], message: str, keywords: dict) -> PathfindingError:
    return cls(message, **keywords)
