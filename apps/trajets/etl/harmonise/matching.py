"""Station matching across sources: UIC code first, then normalised name within a distance."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace

from .geo import great_circle_km
from .names import normalise_station_name

__all__ = ["MATCH_DISTANCE_KM", "Candidate", "Match", "StationIndex"]

# Two stations with the same normalised name are the same when they are this close: wide enough
# for rounded coordinates of one source, narrow enough to keep "Neustadt" towns apart.
MATCH_DISTANCE_KM = 5.0


@dataclass(frozen=True, slots=True)
class Candidate:
    """A known station: its key in the store, UIC, normalised name and coordinates."""

    key: int
    uic: str | None
    normalised_name: str
    latitude: float | None
    longitude: float | None


@dataclass(frozen=True, slots=True)
class Match:
    """The station found and how it was found (``uic``, ``name+distance`` or ``name``)."""

    key: int
    method: str
    distance_km: float | None


class StationIndex:
    """In-memory index of known stations by UIC and by normalised name."""

    def __init__(self, *, max_distance_km: float = MATCH_DISTANCE_KM) -> None:
        self.max_distance_km = max_distance_km
        self._by_uic: dict[str, Candidate] = {}
        self._by_name: dict[str, list[Candidate]] = defaultdict(list)

    def add(self, candidate: Candidate) -> None:
        """Register a station."""
        if candidate.uic:
            self._by_uic.setdefault(candidate.uic, candidate)
        self._by_name[candidate.normalised_name].append(candidate)

    def rekey(self, keys: dict[int, int]) -> None:
        """Replace provisional keys (stations not yet stored) by their stored ids."""
        for uic, candidate in list(self._by_uic.items()):
            if candidate.key in keys:
                self._by_uic[uic] = replace(candidate, key=keys[candidate.key])
        for name, candidates in self._by_name.items():
            if any(c.key in keys for c in candidates):
                self._by_name[name] = [
                    replace(c, key=keys[c.key]) if c.key in keys else c for c in candidates
                ]

    def match(
        self,
        *,
        uic: str | None,
        name: str,
        latitude: float | None,
        longitude: float | None,
    ) -> Match | None:
        """Return the known station for these attributes, or None when none is close enough.

        UIC wins. Otherwise the closest station with the same normalised name within
        ``max_distance_km``; without coordinates, a name match only when it is unique.
        """
        if uic and uic in self._by_uic:
            return Match(self._by_uic[uic].key, "uic", None)
        candidates = self._by_name.get(normalise_station_name(name), [])
        if not candidates:
            return None
        if latitude is None or longitude is None:
            if len(candidates) == 1:
                return Match(candidates[0].key, "name", None)
            return None
        best: tuple[float, Candidate] | None = None
        for candidate in candidates:
            if candidate.latitude is None or candidate.longitude is None:
                continue
            distance = great_circle_km(latitude, longitude, candidate.latitude, candidate.longitude)
            if distance <= self.max_distance_km and (best is None or distance < best[0]):
                best = (distance, candidate)
        if best is None:
            return None
        return Match(best[1].key, "name+distance", round(best[0], 3))
