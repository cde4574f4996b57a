"""Station identity across sources: which source records describe the same physical station.

No Django here: :func:`cluster_stations` takes every source's station records and returns the
stations they form, each merge with its reason, and the conflicts it refused. It is a function
of the set of records only (never of the order sources were loaded in), so a warehouse built
source by source and one built in any other order hold the same stations.

Rules, strongest first (each merge is an edge; edges are applied strongest first):

1. ``same_as``: the source itself says two of its records are one station.
2. UIC code: two sources give the same code. A code whose records are more than
   ``UIC_MAX_KM`` apart *and* whose names share nothing contradicts both coordinates and name:
   it is recorded as a conflict, not applied. A code is an identity: it joins records even
   when their source lists them apart (SNCF's list gives Paris Gare du Nord its three codes,
   which the station reference lists as three rows).
3. Same name: equal station keys (see :mod:`apps.places.names`) within ``SAME_NAME_MAX_KM``.
4. Similar name: one name within the other, or the same name spelt differently, within
   ``SIMILAR_NAME_MAX_KM``.
5. Name only: a record without coordinates joins the one station whose key equals its own.

Otherwise a merge never joins two records that one source publishes as distinct stations: the
source knows its own stations apart (a tram stop 60 m from the main station stays apart when a
source lists both). Two edges of equal strength are applied closest first.

The station's name, coordinates and code come from its best record: the source with the
lowest ``priority``, then the name most of its records share, not written in capitals.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .geo.distance import great_circle_km
from .geo.grid import cell_of, neighbourhoods
from .names import (
    MARKER_WORDS,
    Similarity,
    is_generic_station_name,
    name_similarity,
    name_variants,
    station_key,
)

__all__ = [
    "POSITION_AGREEMENT_KM",
    "SAME_NAME_MAX_KM",
    "SIMILAR_NAME_MAX_KM",
    "UIC_MAX_KM",
    "Clustering",
    "Conflict",
    "Merge",
    "RecordKey",
    "StationCluster",
    "StationSourceRecord",
    "cluster_stations",
]

SAME_NAME_MAX_KM = 5.0  # rounded coordinates of one source; far enough apart for two "Neustadt"
SIMILAR_NAME_MAX_KM = 0.3  # one physical station described by two publishers: 6–130 m seen
UIC_MAX_KM = 5.0
POSITION_AGREEMENT_KM = 1.0  # records of one station closer than this agree on its position

RecordKey = tuple[str, str]  # (source name, record id in that source)


@dataclass(frozen=True, slots=True)
class StationSourceRecord:
    """A station as one source describes it.

    ``names`` holds the name first, then other names the source gives the same station (the
    platform names of a GTFS parent station, a romanised form). ``priority``: lower names the
    station first (reference lists before timetables). ``place_name`` is the town, which
    completes a name that only says "station" ("Hauptbahnhof (oben)" in Stuttgart).
    """

    source: str
    source_id: str
    names: tuple[str, ...]
    latitude: float | None = None
    longitude: float | None = None
    uic: str | None = None
    priority: int = 50
    same_as: str | None = None
    country: str | None = None
    place_name: str = ""

    @property
    def key(self) -> RecordKey:
        """The record's identity: its source and its id there."""
        return (self.source, self.source_id)

    @property
    def has_coordinates(self) -> bool:
        """Whether the record is located."""
        return self.latitude is not None and self.longitude is not None


@dataclass(frozen=True, slots=True)
class Merge:
    """Why two records were found to be one station."""

    first: RecordKey
    second: RecordKey
    rule: str  # same_as, uic, same_name, similar_name, name_only
    distance_km: float | None
    detail: str


@dataclass(frozen=True, slots=True)
class Conflict:
    """Evidence the matcher refused or could not reconcile."""

    kind: str  # uic_contradiction
    first: RecordKey
    second: RecordKey
    distance_km: float | None
    detail: str


@dataclass(frozen=True, slots=True)
class StationCluster:
    """One physical station: its records, best first, and the merges that joined them."""

    records: tuple[StationSourceRecord, ...]
    merges: tuple[Merge, ...] = ()

    @property
    def representative(self) -> StationSourceRecord:
        """The record that names the station (the best-ranked one)."""
        return self.records[0]

    @property
    def located(self) -> StationSourceRecord | None:
        """The record whose coordinates the station takes: the one most other records agree
        with (within ``POSITION_AGREEMENT_KM``), the best-ranked among equals. One wrong
        position in the reference does not outvote two timetables that agree."""
        located = [r for r in self.records if r.has_coordinates]
        if len(located) <= 2:
            return located[0] if located else None
        support = [
            sum(_distance(record, other) <= POSITION_AGREEMENT_KM for other in located)  # type: ignore[operator]
            for record in located
        ]
        best = max(support)
        return next(r for r, count in zip(located, support, strict=True) if count == best)

    @property
    def spread_km(self) -> float:
        """The largest distance between two located records of the station."""
        located = [r for r in self.records if r.has_coordinates]
        return max(
            (_distance(a, b) or 0.0 for i, a in enumerate(located) for b in located[i + 1 :]),
            default=0.0,
        )

    @property
    def uic(self) -> str | None:
        """The UIC code of the best-ranked record that has one."""
        return next((r.uic for r in self.records if r.uic), None)


@dataclass(frozen=True, slots=True)
class Clustering:
    """Every station formed from the records, and the conflicts met on the way."""

    clusters: tuple[StationCluster, ...]
    conflicts: tuple[Conflict, ...] = ()
    refused: tuple[Merge, ...] = field(default=())

    def cluster_of(self) -> dict[RecordKey, int]:
        """The position in ``clusters`` of every record."""
        return {
            record.key: position
            for position, cluster in enumerate(self.clusters)
            for record in cluster.records
        }


def cluster_stations(records: Iterable[StationSourceRecord]) -> Clustering:
    """Group station records into stations (see the module docstring for the rules)."""
    ordered = sorted(records, key=lambda r: (r.priority, r.source, r.source_id))
    keys = [record.key for record in ordered]
    if len(set(keys)) != len(keys):
        raise ValueError("cluster_stations: each (source, source_id) must appear once")
    index = {key: position for position, key in enumerate(keys)}
    forest = _Forest(ordered)
    edges, conflicts = _edges(ordered, index)
    refused: list[Merge] = []
    merges: list[Merge] = []
    for _, _, first, second, merge in sorted(edges, key=lambda e: e[:4]):
        joined = forest.union(first, second, force=merge.rule in {"same_as", "uic"})
        if joined is True:
            merges.append(merge)
        elif joined is False:
            refused.append(merge)
    for first, second, merge in _name_only_edges(ordered, forest):
        if forest.union(first, second):
            merges.append(merge)
    groups: dict[int, list[int]] = defaultdict(list)
    for position in range(len(ordered)):
        groups[forest.find(position)].append(position)
    merges_of: dict[int, list[Merge]] = defaultdict(list)
    for merge in merges:
        merges_of[forest.find(index[merge.first])].append(merge)
    clusters = tuple(
        StationCluster(
            records=_best_first([ordered[p] for p in members]),
            merges=tuple(merges_of.get(root, ())),
        )
        for root, members in sorted(groups.items(), key=lambda item: item[1][0])
    )
    return Clustering(clusters, tuple(conflicts), tuple(refused))


def _best_first(records: list[StationSourceRecord]) -> tuple[StationSourceRecord, ...]:
    """Order a station's records: lowest priority, located records, the name most records
    share, names not in capitals, shorter names, then source and id."""
    shared = Counter(station_key(record.names[0]) for record in records)
    return tuple(
        sorted(
            records,
            key=lambda r: (
                r.priority,
                not r.has_coordinates,
                -shared[station_key(r.names[0])],
                r.names[0].isupper(),
                len(r.names[0]),
                r.source,
                r.source_id,
            ),
        )
    )


class _Forest:
    """Union-find that keeps, per tree, the sources it holds (for the never-join rule)."""

    def __init__(self, records: Sequence[StationSourceRecord]) -> None:
        self.parent = list(range(len(records)))
        self.sources = [{record.source} for record in records]

    def find(self, node: int) -> int:
        root = node
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[node] != root:
            self.parent[node], node = root, self.parent[node]
        return root

    def union(self, first: int, second: int, *, force: bool = False) -> bool | None:
        """Join the two trees: True if joined, None if already one, False if refused."""
        a, b = self.find(first), self.find(second)
        if a == b:
            return None
        if not force and self.sources[a] & self.sources[b]:
            return False
        low, high = min(a, b), max(a, b)  # the best-ranked record stays the root
        self.parent[high] = low
        self.sources[low] |= self.sources[high]
        return True


def _edges(
    ordered: Sequence[StationSourceRecord], index: dict[RecordKey, int]
) -> tuple[list[tuple], list[Conflict]]:
    """Candidate merges as sortable tuples (tier, distance, first, second, Merge)."""
    edges: list[tuple] = []
    conflicts: list[Conflict] = []
    for position, record in enumerate(ordered):
        if record.same_as and (record.source, record.same_as) in index:
            other = index[(record.source, record.same_as)]
            first, second = sorted((position, other))
            merge = Merge(
                ordered[first].key, ordered[second].key, "same_as", None, "listed as the same"
            )
            edges.append((0, 0.0, first, second, merge))
    by_uic: dict[str, list[int]] = defaultdict(list)
    for position, record in enumerate(ordered):
        if record.uic:
            by_uic[record.uic].append(position)
    for uic, positions in by_uic.items():
        for i, first in enumerate(positions):
            for second in positions[i + 1 :]:
                a, b = ordered[first], ordered[second]
                if a.source == b.source:
                    continue
                distance = _distance(a, b)
                if (
                    distance is not None
                    and distance > UIC_MAX_KM
                    and _similarity(a, b) == Similarity.NONE
                ):
                    detail = (
                        f"UIC {uic} given to {a.names[0]!r} and {b.names[0]!r}, "
                        f"{distance:.1f} km apart with unrelated names"
                    )
                    conflicts.append(
                        Conflict("uic_contradiction", a.key, b.key, round(distance, 3), detail)
                    )
                    continue
                merge = _merge(a, b, "uic", distance, f"UIC {uic}")
                edges.append((1, distance or 0.0, first, second, merge))
    edges.extend(_name_edges(ordered))
    return edges, conflicts


def _name_edges(ordered: Sequence[StationSourceRecord]) -> list[tuple]:
    """Same-name edges within SAME_NAME_MAX_KM (records grouped by key) and similar-name edges
    within SIMILAR_NAME_MAX_KM (records in neighbouring cells of a grid that fine)."""
    keys = [_keys(record) for record in ordered]
    edges: list[tuple] = []
    same_name: set[tuple[int, int]] = set()
    by_key: dict[str, list[int]] = defaultdict(list)
    for position, record in enumerate(ordered):
        if record.has_coordinates:
            for key in keys[position]:
                by_key[key].append(position)
    for key, positions in by_key.items():
        for i, first in enumerate(positions):
            for second in positions[i + 1 :]:
                a, b = ordered[first], ordered[second]
                pair = (min(first, second), max(first, second))
                if a.source == b.source or pair in same_name:
                    continue
                distance = _distance(a, b)
                if distance is not None and distance <= SAME_NAME_MAX_KM:
                    same_name.add(pair)
                    merge = _merge(*(ordered[p] for p in pair), "same_name", distance,
                                   f"same name key {key!r}")  # fmt: skip
                    edges.append((2, distance, *pair, merge))
    cells: dict[tuple[int, int], list[int]] = defaultdict(list)
    for position, record in enumerate(ordered):
        if record.has_coordinates:
            cells[_cell(record, SIMILAR_NAME_MAX_KM)].append(position)
    for members, neighbours in neighbourhoods(cells):
        for first in members:
            a = ordered[first]
            for second in neighbours:
                if second <= first or (first, second) in same_name:
                    continue
                b = ordered[second]
                if a.source == b.source:
                    continue
                distance = _distance(a, b)
                if distance is None or distance > SIMILAR_NAME_MAX_KM:
                    continue
                similarity = _similarity(a, b)
                if similarity == Similarity.NONE:
                    continue
                contained = similarity == Similarity.CONTAINED
                detail = "one name within the other" if contained else "same name spelt differently"
                merge = _merge(a, b, "similar_name", distance, detail)
                edges.append((3 if contained else 4, distance, first, second, merge))
    return edges


def _name_only_edges(
    ordered: Sequence[StationSourceRecord], forest: _Forest
) -> list[tuple[int, int, Merge]]:
    """Records without coordinates (nor a UIC merge) join the one station with their key."""
    by_key: dict[str, set[int]] = defaultdict(set)
    for position, record in enumerate(ordered):
        if record.has_coordinates:
            for key in _keys(record):
                by_key[key].add(position)
    edges: list[tuple[int, int, Merge]] = []
    for position, record in enumerate(ordered):
        if record.has_coordinates or len(forest.sources[forest.find(position)]) > 1:
            continue
        candidates = {
            other
            for key in _keys(record)
            for other in by_key.get(key, ())
            if ordered[other].source != record.source
            and (not record.country or not ordered[other].country
                 or ordered[other].country == record.country)
        }  # fmt: skip
        roots = {forest.find(other) for other in candidates}
        if len(roots) == 1:
            target = min(candidates)
            merge = _merge(ordered[target], record, "name_only", None, "same name, no coordinates")
            edges.append((target, position, merge))
    return edges


def _keys(record: StationSourceRecord) -> frozenset[str]:
    keys = {
        station_key(
            f"{record.place_name} {variant}"
            if record.place_name and is_generic_station_name(variant)
            else variant
        )
        for name in _matching_names(record)
        for variant in name_variants(name)
    }
    keys.discard("")  # a name of punctuation only matches nothing
    return frozenset(keys)


def _matching_names(record: StationSourceRecord) -> tuple[str, ...]:
    """The record's name, and those of its other names that name no other kind of stop than
    it: gtfs.de calls Hamburg-Harburg's main-line platforms "Hamburg-Harburg(S)", which must
    not pull the station onto the S-Bahn's."""
    main = record.names[0]
    allowed = _markers(main)
    return (main, *(name for name in record.names[1:] if _markers(name) <= allowed))


def _markers(name: str) -> frozenset[str]:
    return frozenset(station_key(name).split()) & MARKER_WORDS


def _similarity(a: StationSourceRecord, b: StationSourceRecord) -> Similarity:
    return max(
        (name_similarity(x, y) for x in _matching_names(a) for y in _matching_names(b)),
        default=Similarity.NONE,
    )


def _distance(a: StationSourceRecord, b: StationSourceRecord) -> float | None:
    if not (a.has_coordinates and b.has_coordinates):
        return None
    return great_circle_km(a.latitude, a.longitude, b.latitude, b.longitude)  # type: ignore[arg-type]


def _cell(record: StationSourceRecord, reach_km: float) -> tuple[int, int]:
    return cell_of(record.latitude, record.longitude, reach_km)  # type: ignore[arg-type]


def _merge(
    a: StationSourceRecord, b: StationSourceRecord, rule: str, distance: float | None, detail: str
) -> Merge:
    return Merge(a.key, b.key, rule, None if distance is None else round(distance, 3), detail)
