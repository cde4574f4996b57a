"""What a typed station name designates: one resolver for the lists, the filters, the
autocomplete, the routing page and ``shortest_path``.

A text is, in this order:

1. a UIC code (7 or 8 digits) or a station id (other digits);
2. the exact name of stations and/or of towns, in any language GeoNames knows, with or without
   accents, Cyrillic and Greek in Latin letters ("Wien", "Vienna", "Vienne", "Kyiv", "Kiev",
   "Київ"): a town stands for all its stations ("Paris": its seven termini and more), and a
   station inside a town that is also named is covered by the town;
3. else a name one of the sources gives a station ("Madrid-Puerta de Atocha") or its identity
   key ("Hamburg Hauptbahnhof" is Hamburg Hbf);
4. else nothing exact: lists fall back to names starting with the text, and the suggestions
   list the nearest names.

Several exact answers are an ambiguity ("Vienne": the French town and Austria's capital): a
list shows the trains of all of them, a route asks which one.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Literal

from django.db.models import Count, Q
from django.utils.translation import ngettext

from apps.places.models import Place, PlaceName
from apps.places.services import great_circle_km, search_key, station_key
from apps.trajets.models import Station, StationName, Stop

__all__ = [
    "MAX_STATIONS_PER_NAME",
    "NamedTarget",
    "StationQuery",
    "resolve_stations",
    "station_ids_for",
    "suggest_names",
]

MAX_STATIONS_PER_NAME = 500  # a name prefix matching more is too vague to be useful
MAX_SUGGESTIONS = 6


@dataclass(frozen=True, slots=True)
class NamedTarget:
    """A station or a town a name designates, with the stations it stands for."""

    kind: Literal["station", "place"]
    pk: int
    name: str
    country: str
    station_ids: tuple[int, ...]
    population: int = 0

    @property
    def label(self) -> str:
        """How the target is shown: "Berlin Hbf (DE)", "Paris (FR), 7 gares"."""
        if self.kind == "place":
            count = len(self.station_ids)
            return ngettext(
                "%(name)s (%(country)s), %(count)s gare",
                "%(name)s (%(country)s), %(count)s gares",
                count,
            ) % {"name": self.name, "country": self.country, "count": count}
        return f"{self.name} ({self.country})"


@dataclass(frozen=True, slots=True)
class StationQuery:
    """The exact targets of a text, and suggestions when there are none."""

    text: str
    targets: tuple[NamedTarget, ...]
    suggestions: tuple[NamedTarget, ...] = ()

    @property
    def is_ambiguous(self) -> bool:
        """Whether the text names several stations or towns."""
        return len(self.targets) > 1

    @property
    def station_ids(self) -> list[int]:
        """Every station the exact targets stand for."""
        return sorted({pk for target in self.targets for pk in target.station_ids})


def resolve_stations(text: str, *, with_suggestions: bool = True) -> StationQuery:
    """Resolve a typed name (see the module docstring)."""
    text = text.strip()
    if not text:
        return StationQuery(text, ())
    if text.isascii() and text.isdigit():
        lookup = Q(uic_code=text) if len(text) in {7, 8} else Q(pk=int(text[:18]))
        return StationQuery(text, tuple(_station_targets(Station.objects.filter(lookup))))
    key = search_key(text)
    places = _by_main_name(
        key, _place_targets(PlaceName.objects.filter(key=key).values("place_id"))
    )
    covered = {pk for place in places for pk in place.station_ids}
    stations = _grouped(
        [
            target
            for target in _station_targets(Station.objects.filter(normalised_name=key))
            if target.pk not in covered
        ]
    )
    if places:  # a town's name: stations named alike without trains nor position are noise
        stations = [target for target in stations if target.pk in _useful(target.station_ids)]
    targets = [*places, *stations]
    if not targets:
        identity = station_key(text)
        named = StationName.objects.filter(Q(key=key) | Q(name_key=identity))
        candidates = _station_targets(
            Station.objects.filter(Q(pk__in=named.values("station_id")) | Q(name_key=identity))
        )
        useful = _useful([target.pk for target in candidates])
        targets = _grouped([t for t in candidates if t.pk in useful] or candidates)
    if targets or not with_suggestions:
        return StationQuery(text, tuple(targets))
    return StationQuery(text, (), tuple(suggest_names(text)))


def station_ids_for(text: str, *, with_prefixes: bool = False) -> list[int]:
    """The stations a list filter on ``text`` keeps: the exact targets' stations, else the
    stations whose name (or a name a source gives them) starts with the text. With
    ``with_prefixes`` (the autocomplete), both: "Ham" is the station Ham and every Hamburg."""
    query = resolve_stations(text, with_suggestions=False)
    if query.targets and not with_prefixes:
        return query.station_ids
    exact = query.station_ids
    key = search_key(text)
    if not key:
        return []
    by_prefix = Station.objects.filter(
        Q(normalised_name__startswith=key)
        | Q(pk__in=StationName.objects.filter(key__startswith=key).values("station_id"))
    ).order_by("normalised_name", "pk")
    prefixed = list(by_prefix.values_list("pk", flat=True)[:MAX_STATIONS_PER_NAME])
    return [*exact, *(pk for pk in prefixed if pk not in set(exact))][:MAX_STATIONS_PER_NAME]


def suggest_names(text: str, *, limit: int = MAX_SUGGESTIONS) -> list[NamedTarget]:
    """Towns and stations whose names come closest to ``text`` (for "did you mean…")."""
    key = search_key(text)
    if len(key) < 2:
        return []
    head = key[:3]
    station_names = dict(
        StationName.objects.filter(key__startswith=head).values_list("key", "station_id")[:2000]
    )
    for name, pk in Station.objects.filter(normalised_name__startswith=head).values_list(
        "normalised_name", "pk"
    )[:2000]:
        station_names.setdefault(name, pk)
    place_names = dict(
        PlaceName.objects.filter(key__startswith=head).values_list("key", "place_id")[:2000]
    )
    scored: list[tuple[float, str, str, int]] = []
    for kind, names in (("place", place_names), ("station", station_names)):
        for name, pk in names.items():
            ratio = difflib.SequenceMatcher(None, key, name, autojunk=False).ratio()
            if name.startswith(key):
                ratio = max(ratio, 0.9)
            scored.append((ratio, kind, name, pk))
    scored.sort(key=lambda item: (-item[0], item[1] != "place", item[2]))
    chosen_places: list[int] = []
    chosen_stations: list[int] = []
    for ratio, kind, _name, pk in scored:
        if ratio < 0.6 or len(chosen_places) + len(chosen_stations) >= limit:
            break
        target = chosen_places if kind == "place" else chosen_stations
        if pk not in target:
            target.append(pk)
    places = _place_targets(chosen_places) if chosen_places else []
    stations = _station_targets(Station.objects.filter(pk__in=chosen_stations))
    order = {("place", pk): i for i, pk in enumerate(chosen_places)}
    order.update({("station", pk): i for i, pk in enumerate(chosen_stations)})
    return sorted([*places, *stations], key=lambda t: (t.kind != "place", order[(t.kind, t.pk)]))


def _by_main_name(key: str, places: list[NamedTarget]) -> list[NamedTarget]:
    """Towns named ``key`` in their own language, and towns that only have it as another
    name when they are larger ("Valencia" is Spain's, not Valence's alias; "Vienne" is both
    the French town and, larger, Vienna)."""
    main = [place for place in places if search_key(place.name) == key]
    if not main:
        return places
    largest = max(place.population for place in main)
    return [place for place in places if place in main or place.population > largest]


def _grouped(targets: list[NamedTarget]) -> list[NamedTarget]:
    """Stations answering to one name within 2 km of each other are one target (two Renfe
    codes for Madrid Chamartín)."""
    if len(targets) < 2:
        return targets
    positions = {
        pk: (lat, lon)
        for pk, lat, lon in Station.objects.filter(pk__in=[t.pk for t in targets]).values_list(
            "pk", "latitude", "longitude"
        )
    }
    groups: list[list[NamedTarget]] = []
    for target in targets:
        for group in groups:
            head = group[0]
            if _close(positions[head.pk], positions[target.pk]):
                group.append(target)
                break
        else:
            groups.append([target])
    return [
        group[0]
        if len(group) == 1
        else NamedTarget(
            "station", group[0].pk, group[0].name, group[0].country,
            tuple(sorted(pk for t in group for pk in t.station_ids)),
        )
        for group in groups
    ]  # fmt: skip


def _close(first: tuple, second: tuple) -> bool:
    if None in first or None in second:
        return True
    return great_circle_km(first[0], first[1], second[0], second[1]) <= 2.0


def _useful(station_ids: object) -> set[int]:
    """Stations with a position or a train."""
    ids = list(station_ids)  # type: ignore[call-overload]
    located = Station.objects.filter(pk__in=ids, latitude__isnull=False)
    served = Stop.objects.filter(station_id__in=ids).values("station_id")
    return set(located.values_list("pk", flat=True)) | set(
        Station.objects.filter(pk__in=served).values_list("pk", flat=True)
    )


def _place_targets(place_ids: object) -> list[NamedTarget]:
    places = (
        Place.objects.filter(pk__in=place_ids)
        .annotate(count=Count("stations"))
        .filter(count__gt=0)
        .order_by("-population", "pk")
    )
    stations: dict[int, list[int]] = {}
    for pk, place_id in Station.objects.filter(place__in=places).values_list("pk", "place_id"):
        stations.setdefault(place_id, []).append(pk)
    return [
        NamedTarget(
            "place",
            place.pk,
            place.name,
            place.country,
            tuple(sorted(stations[place.pk])),
            place.population,
        )
        for place in places
    ]


def _station_targets(stations: object) -> list[NamedTarget]:
    return [
        NamedTarget("station", pk, name, country, (pk,))
        for pk, name, country in stations.order_by("name", "pk").values_list(  # type: ignore[attr-defined]
            "pk", "name", "country"
        )[:MAX_STATIONS_PER_NAME]
    ]
