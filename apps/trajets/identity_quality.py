"""Truth checks of station and operator identity, for the data-quality report.

Completeness says a field is filled; these checks say it is right:

- near duplicates: stations less than 300 m apart with similar names, each explained or not
  (a source that lists both as distinct stations explains a pair);
- countries and zones: each station's stored country and zone against those of its
  coordinates, recomputed from the outlines, with the distance to the border;
- merges: how every source record joined its station, and the conflicts refused;
- unmatched records per source, with the nearest station they could have joined, and how
  often each source's stations get the country of their town (GeoNames);
- operators: the registry's, the unregistered ones, and any website or name two share.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field

from django.db.models import Count

from apps.places.services import (
    SIMILAR_NAME_MAX_KM,
    Similarity,
    cell_of,
    great_circle_km,
    locate_many,
    name_similarity,
    neighbourhoods,
)
from apps.trajets.models import Operator, SourceStation, Station, StationName, StationWarning

__all__ = ["IdentityQuality", "compute_identity_quality"]

BORDER_TOLERANCE_KM = 2.0
LIST_LIMIT = 200


@dataclass(frozen=True)
class NearPair:
    """Two stations closer than 300 m with similar names."""

    first: str
    second: str
    distance_m: int
    similarity: str
    explained: bool
    explanation: str


@dataclass(frozen=True)
class LocationMismatch:
    """A station whose stored country or zone differs from its coordinates'."""

    station: str
    station_id: int
    stored: str
    from_coordinates: str
    border_km: float | None


@dataclass(frozen=True)
class Unmatched:
    """A source record alone on its station, and the nearest other station."""

    source: str
    record: str
    nearest: str
    distance_km: float | None
    similarity: str


@dataclass(frozen=True)
class MergeRow:
    """How one source record joined its station."""

    source: str
    record: str
    station: str
    rule: str
    detail: str
    merged_with: str
    distance_km: float | None


@dataclass(frozen=True)
class OperatorRow:
    """An operator, whether the registry describes it, and the names feeds give it."""

    code: str
    name: str
    country: str
    website: str
    is_registered: bool
    aliases: list[str]


@dataclass
class IdentityQuality:
    """The identity section of the quality report."""

    stations: int = 0
    stations_located: int = 0
    stations_with_place: int = 0
    stations_shared_by_sources: int = 0
    near_pairs: int = 0
    near_pairs_unexplained: int = 0
    near_pair_examples: list[NearPair] = field(default_factory=list)
    country_mismatches: int = 0
    country_mismatches_beyond_border: int = 0
    country_mismatch_list: list[LocationMismatch] = field(default_factory=list)
    zone_mismatches: int = 0
    zone_mismatch_list: list[LocationMismatch] = field(default_factory=list)
    merges_by_rule: dict[str, int] = field(default_factory=dict)
    merges: list[MergeRow] = field(default_factory=list)
    warnings_by_kind: dict[str, int] = field(default_factory=dict)
    warning_examples: dict[str, list[str]] = field(default_factory=dict)
    town_country_agreement: dict[str, dict[str, float | int]] = field(default_factory=dict)
    unmatched_by_source: dict[str, int] = field(default_factory=dict)
    unmatched_examples: list[Unmatched] = field(default_factory=list)
    operators: int = 0
    operator_rows: list[OperatorRow] = field(default_factory=list)
    operators_unregistered: list[str] = field(default_factory=list)
    operators_sharing_a_website: list[str] = field(default_factory=list)
    operators_sharing_a_name: list[str] = field(default_factory=list)

    @property
    def merge_examples(self) -> list[MergeRow]:
        """Up to ten merges of each rule but ``same_as`` (the page; the JSON has them all)."""
        shown: Counter[str] = Counter()
        examples = []
        for merge in self.merges:
            if merge.rule != "same_as" and shown[merge.rule] < 10:
                shown[merge.rule] += 1
                examples.append(merge)
        return examples

    @property
    def warning_rows(self) -> list[tuple[str, int, list[str]]]:
        """(kind, count, five examples) per kind of warning, for the page."""
        return [
            (kind, count, self.warning_examples.get(kind, [])[:5])
            for kind, count in self.warnings_by_kind.items()
        ]

    def as_dict(self) -> dict:
        """Plain data for JSON."""
        return asdict(self)


def compute_identity_quality() -> IdentityQuality:
    """Run every identity check on the stored warehouse."""
    report = IdentityQuality()
    stations = list(
        Station.objects.values_list(
            "pk", "name", "latitude", "longitude", "country", "time_zone", "place_id",
            "border_km",
        )
    )  # fmt: skip
    report.stations = len(stations)
    located = [s for s in stations if s[2] is not None]
    report.stations_located = len(located)
    report.stations_with_place = sum(1 for s in stations if s[6] is not None)
    sources_of: dict[int, set[str]] = defaultdict(set)
    for station_id, source in SourceStation.objects.filter(station__isnull=False).values_list(
        "station_id", "source__name"
    ):
        sources_of[station_id].add(source)
    report.stations_shared_by_sources = sum(1 for s in sources_of.values() if len(s) > 1)
    _near_pairs(report, located, sources_of)
    _locations(report, located)
    _merges(report)
    _unmatched(report, located, sources_of)
    _town_agreement(report)
    _operators(report)
    return report


def _near_pairs(
    report: IdentityQuality, located: list[tuple], sources_of: dict[int, set[str]]
) -> None:
    names: dict[int, set[str]] = defaultdict(set)
    for station_id, name in StationName.objects.values_list("station_id", "name"):
        names[station_id].add(name)
    cells: dict[tuple[int, int], list[tuple]] = defaultdict(list)
    for station in located:
        cells[cell_of(station[2], station[3], SIMILAR_NAME_MAX_KM)].append(station)
    pairs: list[NearPair] = []
    for members, neighbours in neighbourhoods(cells):
        for a in members:
            for b in neighbours:
                if b[0] <= a[0]:
                    continue
                distance = great_circle_km(a[2], a[3], b[2], b[3])
                if distance > SIMILAR_NAME_MAX_KM:
                    continue
                similarity = max(
                    (
                        name_similarity(x, y)
                        for x in names.get(a[0], {a[1]})
                        for y in names.get(b[0], {b[1]})
                    ),
                    default=Similarity.NONE,
                )
                if similarity == Similarity.NONE:
                    continue
                shared = sources_of.get(a[0], set()) & sources_of.get(b[0], set())
                explanation = (
                    f"{', '.join(sorted(shared))} lists both as distinct stations"
                    if shared
                    else "no source tells them apart"
                )
                pairs.append(
                    NearPair(
                        a[1], b[1], round(distance * 1000), similarity.name.lower(),
                        bool(shared), explanation,
                    )
                )  # fmt: skip
    report.near_pairs = len(pairs)
    report.near_pairs_unexplained = sum(1 for pair in pairs if not pair.explained)
    pairs.sort(key=lambda p: (p.explained, p.distance_m, p.first, p.second))
    report.near_pair_examples = pairs[:LIST_LIMIT]


def _locations(report: IdentityQuality, located: list[tuple]) -> None:
    fixes = locate_many([(s[2], s[3]) for s in located])
    countries: list[LocationMismatch] = []
    zones: list[LocationMismatch] = []
    for station, fix in zip(located, fixes, strict=True):
        pk, name, _lat, _lon, country, zone = station[:6]
        if fix.country is not None and fix.country != country:
            countries.append(LocationMismatch(name, pk, country, fix.country, fix.border_km))
        if fix.time_zone is not None and fix.time_zone != zone:
            zones.append(LocationMismatch(name, pk, zone, fix.time_zone, fix.border_km))
    report.country_mismatches = len(countries)
    report.country_mismatches_beyond_border = sum(
        1 for m in countries if m.border_km is None or m.border_km > BORDER_TOLERANCE_KM
    )
    report.country_mismatch_list = countries[:LIST_LIMIT]
    report.zone_mismatches = len(zones)
    report.zone_mismatch_list = zones[:LIST_LIMIT]


def _merges(report: IdentityQuality) -> None:
    rules = Counter(
        dict(
            SourceStation.objects.exclude(merge_rule="")
            .values_list("merge_rule")
            .annotate(count=Count("id"))
        )
    )
    report.merges_by_rule = dict(sorted(rules.items()))
    report.merges = [
        MergeRow(source, record, station or "", rule, detail, merged_with, distance)
        for source, record, station, rule, detail, merged_with, distance in (
            SourceStation.objects.exclude(merge_rule="")
            .order_by("merge_rule", "source__name", "source_record_id")
            .values_list(
                "source__name", "source_record_id", "station__name", "merge_rule",
                "merge_detail", "merged_with", "merge_distance_km",
            )
        )
    ]  # fmt: skip
    examples: dict[str, list[str]] = defaultdict(list)
    kinds: Counter[str] = Counter()
    for kind, detail in StationWarning.objects.order_by("kind", "id").values_list("kind", "detail"):
        kinds[kind] += 1
        if len(examples[kind]) < 20:
            examples[kind].append(detail)
    report.warnings_by_kind = dict(sorted(kinds.items()))
    report.warning_examples = dict(examples)


def _unmatched(
    report: IdentityQuality, located: list[tuple], sources_of: dict[int, set[str]]
) -> None:
    """Records of timetables alone on their station, with the nearest station (5 km)."""
    alone = (
        SourceStation.objects.filter(
            station__isnull=False, source__format__in=["gtfs", "json", "html"]
        )
        .values_list("source__name", "name", "station_id", "latitude", "longitude")
        .order_by("source__name", "name")
    )
    cells: dict[tuple[int, int], list[tuple]] = defaultdict(list)
    for station in located:
        cells[(math.floor(station[2] / 0.05), math.floor(station[3] / 0.08))].append(station)
    counts: Counter[str] = Counter()
    examples: list[Unmatched] = []
    for source, name, station_id, lat, lon in alone:
        if len(sources_of.get(station_id, ())) > 1:
            continue
        counts[source] += 1
        if len(examples) >= LIST_LIMIT * 5:
            continue
        nearest: tuple[float, str] | None = None
        if lat is not None:
            row, column = math.floor(lat / 0.05), math.floor(lon / 0.08)
            for d_row in (-1, 0, 1):
                for d_column in (-1, 0, 1):
                    for other in cells.get((row + d_row, column + d_column), ()):
                        if other[0] == station_id:
                            continue
                        distance = great_circle_km(lat, lon, other[2], other[3])
                        if distance <= 5 and (nearest is None or distance < nearest[0]):
                            nearest = (distance, other[1])
        examples.append(
            Unmatched(
                source,
                name,
                nearest[1] if nearest else "",
                round(nearest[0], 3) if nearest else None,
                name_similarity(name, nearest[1]).name.lower() if nearest else "",
            )
        )
    report.unmatched_by_source = dict(sorted(counts.items()))
    report.unmatched_examples = examples


def _town_agreement(report: IdentityQuality) -> None:
    """Per source, how often a station's country (from the country outlines) is the country
    GeoNames gives its town: an independent check of the countries a feed's stations get."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    rows = SourceStation.objects.filter(station__place__isnull=False).values_list(
        "source__name", "station__country", "station__place__country"
    )
    for source, country, town_country in rows:
        counts[source][0] += 1
        counts[source][1] += country == town_country
    report.town_country_agreement = {
        source: {"stations": total, "agree": agree, "percent": round(100 * agree / total, 2)}
        for source, (total, agree) in sorted(counts.items())
    }


def _operators(report: IdentityQuality) -> None:
    operators = list(Operator.objects.values_list("code", "name", "website", "is_registered"))
    report.operators = len(operators)
    report.operator_rows = [
        OperatorRow(
            code, name, country, website, registered,
            sorted(
                f"{source}: {value}"
                for source, values in ids.items()
                for value in (values if isinstance(values, list) else [values])
            ),
        )
        for code, name, country, website, registered, ids in Operator.objects.order_by(
            "-is_registered", "name"
        ).values_list("code", "name", "country", "website", "is_registered", "source_ids")
    ]  # fmt: skip
    report.operators_unregistered = sorted(
        code for code, _, _, registered in operators if not registered
    )
    websites = Counter(website for _, _, website, _ in operators if website)
    report.operators_sharing_a_website = sorted(w for w, n in websites.items() if n > 1)
    names = Counter(name.casefold() for _, name, _, _ in operators)
    report.operators_sharing_a_name = sorted(n for n, count in names.items() if count > 1)
