"""Station identity in the warehouse: every source's station records, grouped into stations.

The grouping itself is :func:`apps.places.identity.cluster_stations` (no ORM); this module
reads the records (``SourceStation``), writes the stations they form, and keeps everything
that points at a station right when the grouping changes:

- a record that joins another station takes its source's stops and trajets with it;
- a station left without records is deleted once nothing points at it;
- country and time zone come from the station's coordinates (``apps.places.geo``), its town
  from the gazetteer (``apps.places.gazetteer``), recomputed only when the position changed;
- trajets whose stations changed are re-derived (``apps.trajets.rederive``);
- the identity warnings of the quality report are rebuilt.

Stations that no source record describes (the synthetic seeder's) are left as they are.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
import zoneinfo
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.db import transaction

from apps.places.models import Place, PlaceName
from apps.places.services import (
    POSITION_AGREEMENT_KM,
    Clustering,
    Gazetteer,
    GazetteerPlace,
    GeoFix,
    Merge,
    RecordKey,
    StationCluster,
    StationSourceRecord,
    cluster_stations,
    display_name,
    fold,
    gazetteer,
    is_generic_station_name,
    is_latin,
    locate_many,
    search_key,
    station_key,
    zone_country,
)
from apps.trajets.etl.harmonise.timezones import repair_time_zone, zone_for_country
from apps.trajets.etl.writer import BulkWriter, db_columns
from apps.trajets.models import (
    SourceStation,
    Station,
    StationName,
    StationWarning,
    Stop,
    Trajet,
)

__all__ = ["ReconcileReport", "reconcile_stations", "station_display_name"]

logger = logging.getLogger(__name__)

# Stations whose coordinates moved less than this keep their country, zone and town.
_SAME_POSITION_DEG = 1e-7
_REFERENCE_FORMATS = frozenset({"csv", "xlsx", "html"})
_STATION_FIELDS = (
    "name", "normalised_name", "name_key", "uic_code", "latitude", "longitude", "country",
    "time_zone", "border_km", "place_id", "match_method", "source_ids",
)  # fmt: skip
_RECORD_LINK_FIELDS = (
    "station_id", "merge_rule", "merge_detail", "merged_with", "merge_distance_km",
)  # fmt: skip


def _update_rows(model: type, fields: tuple[str, ...], objects: list) -> None:
    """Write ``fields`` of ``objects`` by primary key in one statement (COPY into a staging
    table on PostgreSQL): Django's bulk_update builds a CASE per field and row, 3 s per
    thousand stations."""
    if not objects:
        return
    columns = ("id", *db_columns(model, fields))
    rows = [(obj.pk, *(_db_value(getattr(obj, name)) for name in fields)) for obj in objects]
    BulkWriter().update(model._meta.db_table, columns, rows)


def _db_value(value: object) -> object:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else value


@dataclass
class ReconcileReport:
    """What one reconciliation changed."""

    records: int = 0
    stations: int = 0
    created: int = 0
    updated: int = 0
    deleted: int = 0
    records_moved: int = 0
    stops_moved: int = 0
    trajets_rederived: int = 0
    unplaced_records: list[RecordKey] = field(default_factory=list)
    warnings: int = 0
    warnings_changed: bool = False
    seconds: float = 0.0

    @property
    def has_changes(self) -> bool:
        """Whether stations or what points at them changed."""
        return bool(self.created or self.updated or self.deleted or self.stops_moved)

    def summary(self) -> str:
        """One line for logs and command output."""
        return (
            f"{self.records} station records → {self.stations} stations: {self.created} "
            f"created, {self.updated} updated, {self.deleted} deleted; {self.records_moved} "
            f"records moved ({self.stops_moved} stops), {self.trajets_rederived} trajets "
            f"re-derived, {self.warnings} warnings ({self.seconds:.1f} s)"
        )


def reconcile_stations(
    *,
    relocate_all: bool = False,
    released: Iterable[int] = (),
    place_index: Callable[[], Gazetteer] = gazetteer,
    rederive: Callable[[Iterable[int], dict[int, str]], int] | None = None,
) -> ReconcileReport:
    """Group every stored station record into stations and bring the warehouse in line.

    Country, zone and town are computed for new stations and stations whose position changed;
    ``relocate_all`` recomputes them for every station (the repair of a warehouse loaded by
    older rules, or after the outlines or the gazetteer changed). Idempotent: a second call
    with the same records changes nothing. Runs in one transaction (the caller's, when there
    is one). ``rederive`` re-derives trajets whose stations changed (default
    :func:`apps.trajets.rederive.rederive_trajets`, given the trajet ids and, per stop whose
    station or station zone changed, the zone its times were written in). ``released`` are
    stations whose records were just forgotten: they are dissolved (their code released,
    deleted when nothing points at them) unless records still form them.
    """
    started = time.monotonic()
    if rederive is None:
        from apps.trajets.rederive import rederive_trajets

        rederive = rederive_trajets
    with transaction.atomic():
        report = _Reconciliation(
            place_index, rederive, relocate_all=relocate_all, released=set(released)
        ).run()
    report.seconds = time.monotonic() - started
    logger.info("stations reconciled: %s", report.summary())
    return report


def station_display_name(record: StationSourceRecord) -> str:
    """The name a station shows, from its best record.

    A timetable whose parent stations carry an address-like name ("Hamburg, Hamburg Hbf",
    "S+U Berlin Hauptbahnhof", "Hauptbahnhof (oben)") and whose platforms carry the operator's
    name ("Hamburg Hbf") shows the platforms' name. Names in capitals get a title case.
    """
    name = record.names[0]
    others = record.names[1:]
    if others and (
        "," in name or is_generic_station_name(name) or fold(name).startswith(("s u ", "s ", "u "))
    ):
        name = Counter(others).most_common(1)[0][0]
    if not is_latin(name):  # "Ужгород" reads "Uzhhorod" on a French page
        name = next((other for other in others if is_latin(other)), name)
    return display_name(name)


class _Reconciliation:
    """The state of one reconciliation (records, clusters, stations, moves)."""

    def __init__(
        self,
        place_index: Callable[[], Gazetteer],
        rederive: Callable[[Iterable[int], dict[int, str]], int],
        *,
        relocate_all: bool,
        released: set[int] | None = None,
    ) -> None:
        self.place_index = place_index
        self.rederive = rederive
        self.relocate_all = relocate_all
        self.released = released or set()
        self.report = ReconcileReport()

    # -- reading ---------------------------------------------------------------------------
    def run(self) -> ReconcileReport:
        rows = list(
            SourceStation.objects.values(
                "id", "source__name", "source__format", "source_record_id", "name", "alt_names",
                "place_name", "uic_code", "latitude", "longitude", "country", "time_zone",
                "priority", "same_as", *_RECORD_LINK_FIELDS,
            )
        )  # fmt: skip
        self.rows = {(row["source__name"], row["source_record_id"]): row for row in rows}
        self.report.records = len(rows)
        records = [self._record(row) for row in rows]
        clustering = cluster_stations(records)
        self.clustering = clustering
        managed = {row["station_id"] for row in rows if row["station_id"]} | self.released
        self.stations = {
            row["id"]: row
            for row in Station.objects.filter(pk__any_of=managed).values("id", *_STATION_FIELDS)
        }
        self._assign_station_ids(clustering)
        targets = self._targets(clustering)
        self._write(clustering, targets)
        return self.report

    def _record(self, row: dict[str, Any]) -> StationSourceRecord:
        names = (row["name"], *(n for n in row["alt_names"] or () if n))
        place_name = row["place_name"]
        has_coordinates = row["latitude"] is not None and row["longitude"] is not None
        if (
            not place_name
            and has_coordinates
            and all(is_generic_station_name(name) for name in names)
        ):
            place = self.place_index().place_for(
                names=names, latitude=row["latitude"], longitude=row["longitude"]
            )
            place_name = place.name if place else ""
        return StationSourceRecord(
            source=row["source__name"],
            source_id=row["source_record_id"],
            names=names,
            latitude=row["latitude"],
            longitude=row["longitude"],
            uic=row["uic_code"] or None,
            priority=row["priority"],
            same_as=row["same_as"] or None,
            country=row["country"] or None,
            place_name=place_name,
        )

    def _assign_station_ids(self, clustering: Clustering) -> None:
        """Each station keeps the id most of its records had (ids stay stable across runs)."""
        taken: set[int] = set()
        self.station_of_cluster: list[int | None] = []
        for cluster in clustering.clusters:
            votes = Counter(
                self.rows[record.key]["station_id"]
                for record in cluster.records
                if self.rows[record.key]["station_id"] in self.stations
            )
            choice = next(
                (
                    pk
                    for pk, _ in sorted(votes.items(), key=lambda v: (-v[1], v[0]))
                    if pk not in taken
                ),
                None,
            )
            if choice is not None:
                taken.add(choice)
            self.station_of_cluster.append(choice)
        self.dissolved = set(self.stations) - taken

    # -- target state ------------------------------------------------------------------------
    def _targets(self, clustering: Clustering) -> list[dict[str, Any] | None]:
        """The fields each cluster's station must have (None: it cannot be a station)."""
        uic_owner: dict[str, int] = {}
        for position, cluster in enumerate(clustering.clusters):
            uic = cluster.uic
            if uic and uic not in uic_owner:
                uic_owner[uic] = position
        self.uic_shared: list[tuple[int, str]] = []
        located: list[tuple[int, float, float]] = []
        targets: list[dict[str, Any] | None] = []
        for position, cluster in enumerate(clustering.clusters):
            representative = cluster.representative
            best = cluster.located
            uic = cluster.uic
            if uic and uic_owner[uic] != position:
                self.uic_shared.append((position, uic))
                uic = None
            name = station_display_name(representative)[:200]
            target: dict[str, Any] = {
                "name": name,
                "normalised_name": search_key(name)[:200],
                "name_key": station_key(name)[:200],
                "uic_code": uic,
                "latitude": best.latitude if best else None,
                "longitude": best.longitude if best else None,
                "match_method": _match_method(cluster, self.rows),
                "source_ids": _by_source(cluster, lambda r: r.source_id),
            }
            current = self._current(position)
            moved = self.relocate_all or current is None or not _same_position(current, target)
            if best is not None and (moved or not current["country"] or not current["time_zone"]):
                located.append((position, best.latitude, best.longitude))  # type: ignore[arg-type]
            elif current is not None:
                for name_ in ("country", "time_zone", "border_km", "place_id"):
                    target[name_] = current[name_]
            if best is None:
                country = _source_country(cluster)
                zone = self._source_zone(cluster, country)
                if not country or not zone:
                    targets.append(None)
                    continue
                target.update(country=country, time_zone=zone, border_km=None, place_id=None)
            targets.append(target)
        self.fixes: dict[int, GeoFix] = {}
        self.replaced: dict[int, str] = {}
        if located:
            fixes = locate_many([(lat, lon) for _, lat, lon in located])
            for (position, _, _), fix in zip(located, fixes, strict=True):
                cluster = clustering.clusters[position]
                fix = self._check_position(position, cluster, fix, targets[position])  # type: ignore[arg-type]
                self.fixes[position] = fix
                country = fix.country or fix.zone_country or _source_country(cluster)
                zone = _zone_of(country, fix) or self._source_zone(cluster, country)
                if not country or not zone:
                    targets[position] = None
                    continue
                targets[position].update(  # type: ignore[union-attr]
                    country=country, time_zone=zone, border_km=fix.border_km, place_id=None
                )
        for position, target in enumerate(targets):
            if target is None and self.station_of_cluster[position] is not None:
                self.dissolved.add(self.station_of_cluster[position])  # type: ignore[arg-type]
                self.station_of_cluster[position] = None
        self._assign_places(clustering, targets)
        return targets

    def _check_position(
        self, position: int, cluster: StationCluster, fix: GeoFix, target: dict[str, Any]
    ) -> GeoFix:
        """Catch coordinates outside every country, or far inside another country than their
        sources say.

        A point more than 10 km from any border (``border_km`` None) in country D, for a
        station all its sources place in country C, has wrong coordinates (the night-train
        database puts Burgas in Romania). The station then takes the coordinates of another of
        its records lying in C, else the centre of the town of C the station is named after;
        failing both, the coordinates stay (and the quality report lists the disagreement).
        """
        if fix.country is None:
            return self._place_at_sea(position, cluster, fix, target)
        claimed = {record.country for record in cluster.records if record.country}
        if fix.border_km is not None or len(claimed) != 1:
            return fix
        country = claimed.pop()
        if country == fix.country or (country == "RS" and fix.country == "XK"):
            return fix
        others = [r for r in cluster.records if r.has_coordinates and r is not cluster.located]
        positions = [(r.latitude, r.longitude) for r in others]
        far = f"lie far inside {fix.country} while the sources say {country}; position taken from "
        for record, other in zip(others, locate_many(positions), strict=True):  # type: ignore[arg-type]
            if other.country == country:
                target.update(latitude=record.latitude, longitude=record.longitude)
                self.replaced[position] = f"{far}{record.source}:{record.source_id}"
                return other
        towns = self.place_index().mentioned_in(_town_names(cluster), country)
        if towns:
            town = towns[0]
            target.update(latitude=town.latitude, longitude=town.longitude)
            self.replaced[position] = (
                f"{far}the centre of {town.name} ({town.country}, GeoNames {town.geonames_id})"
            )
            return locate_many([(town.latitude, town.longitude)])[0]
        return fix

    def _place_at_sea(
        self, position: int, cluster: StationCluster, fix: GeoFix, target: dict[str, Any]
    ) -> GeoFix:
        """Coordinates outside every country (SNCF's 2013 feed puts Port-Bou 70 km out in the
        Gulf of Lion): the station takes the position of the town it is named after, within
        100 km, when there is one."""
        names = [name for record in cluster.records for name in record.names]
        towns = self.place_index().mentioned_near(
            names, target["latitude"], target["longitude"], 100.0
        )
        if not towns:
            return fix
        town = towns[0]
        target.update(latitude=town.latitude, longitude=town.longitude)
        self.replaced[position] = (
            "lie outside every country; position taken from the centre of "
            f"{town.name} ({town.country}, GeoNames {town.geonames_id})"
        )
        return locate_many([(town.latitude, town.longitude)])[0]

    def _source_zone(self, cluster: StationCluster, country: str | None) -> str | None:
        """The zone of a station without coordinates: its country's, else its sources'."""
        zones = Counter(
            zone
            for record in cluster.records
            if (zone := repair_time_zone(self.rows[record.key]["time_zone"], country=country))
        )
        return zone_for_country(country) or (zones.most_common(1)[0][0] if zones else None)

    def _current(self, position: int) -> dict[str, Any] | None:
        pk = self.station_of_cluster[position]
        return self.stations.get(pk) if pk is not None else None

    def _assign_places(self, clustering: Clustering, targets: list[dict[str, Any] | None]) -> None:
        """Find the town of every station that is new, moved, was renamed or whose records
        changed (the town follows from the records' names, wherever they were loaded from)."""
        members: dict[int, set[RecordKey]] = defaultdict(set)
        for key, row in self.rows.items():
            if row["station_id"] is not None:
                members[row["station_id"]].add(key)
        wanted: list[tuple[int, GazetteerPlace | None]] = []
        for position, target in enumerate(targets):
            if target is None or target["latitude"] is None:
                continue
            current = self._current(position)
            records = {record.key for record in clustering.clusters[position].records}
            if (
                current is not None
                and position not in self.fixes
                and current["name"] == target["name"]
                and members[current["id"]] == records
            ):
                target["place_id"] = current["place_id"]
                continue
            cluster = clustering.clusters[position]
            names = [target["name"], *(n for r in cluster.records for n in r.names)]
            hint = next((r.place_name for r in cluster.records if r.place_name), "")
            place = self.place_index().place_for(
                names=names,
                latitude=target["latitude"],
                longitude=target["longitude"],
                place_hint=hint,
            )
            wanted.append((position, place))
        places = {place.geonames_id: place for _, place in wanted if place is not None}
        stored = dict(
            Place.objects.filter(geonames_id__any_of=list(places)).values_list("geonames_id", "pk")
        )
        new = [place for geonames_id, place in places.items() if geonames_id not in stored]
        created = Place.objects.bulk_create(
            [
                Place(
                    geonames_id=place.geonames_id,
                    name=place.name[:200],
                    country=place.country,
                    latitude=place.latitude,
                    longitude=place.longitude,
                    population=place.population,
                )
                for place in new
            ],
            batch_size=2000,
        )
        if created and created[0].pk is None:  # a database that returns no ids
            stored.update(
                Place.objects.filter(geonames_id__any_of=[p.geonames_id for p in new]).values_list(
                    "geonames_id", "pk"
                )
            )
        else:
            stored.update({row.geonames_id: row.pk for row in created})
        named = list(places.values()) if self.relocate_all else new
        if self.relocate_all:  # names are rebuilt with the current rules (codes left out…)
            PlaceName.objects.filter(place_id__in=[stored[p.geonames_id] for p in named]).delete()
        PlaceName.objects.bulk_create(
            [
                PlaceName(place_id=stored[place.geonames_id], name=name[:200], key=key[:200])
                for place in named
                for name in place.searchable_names()
                if (key := search_key(name))
            ],
            batch_size=5000,
            ignore_conflicts=True,
        )
        for position, place in wanted:
            targets[position]["place_id"] = stored[place.geonames_id] if place else None  # type: ignore[index]

    # -- writing ------------------------------------------------------------------------------
    def _write(self, clustering: Clustering, targets: list[dict[str, Any] | None]) -> None:
        report = self.report
        creations: list[tuple[int, Station]] = []
        updates: list[Station] = []
        changed_zone: dict[int, str] = {}
        rederive: set[int] = set()
        self.former_zones: dict[int, str] = {}
        for position, target in enumerate(targets):
            if target is None:
                continue
            pk = self.station_of_cluster[position]
            if pk is None:
                creations.append((position, Station(**target)))
                continue
            current = self.stations[pk]
            if any(current[name] != target[name] for name in _STATION_FIELDS):
                updates.append(Station(pk=pk, **target))
                if current["time_zone"] != target["time_zone"]:
                    changed_zone[pk] = current["time_zone"]
                if any(
                    current[name] != target[name]
                    for name in ("country", "time_zone", "latitude", "longitude", "name")
                ):
                    rederive.add(pk)
        # Codes move between stations in this pass: release them before anyone takes them.
        moving_codes = [s.pk for s in updates if s.uic_code != self.stations[s.pk]["uic_code"]]
        Station.objects.filter(pk__any_of=[*moving_codes, *self.dissolved]).update(uic_code=None)
        # A code a station takes may still be held by a station outside this pass (a
        # station whose records an earlier load forgot): it goes to its new owner.
        owners = {s.uic_code: s.pk for s in updates if s.uic_code}
        owners.update({station.uic_code: None for _, station in creations if station.uic_code})
        if owners:
            Station.objects.filter(uic_code__in=list(owners)).exclude(
                pk__in=[pk for pk in owners.values() if pk is not None]
            ).update(uic_code=None)
        _update_rows(Station, _STATION_FIELDS, updates)
        created = Station.objects.bulk_create(
            [station for _, station in creations], batch_size=2000
        )
        if created and created[0].pk is None:
            raise RuntimeError("the database returned no ids for the created stations")
        for (position, _), station in zip(creations, created, strict=True):
            self.station_of_cluster[position] = station.pk
        report.stations = sum(target is not None for target in targets)
        report.created, report.updated = len(created), len(updates)
        for stop_id, station_id in Stop.objects.filter(
            station_id__any_of=list(changed_zone)
        ).values_list("id", "station_id"):
            self.former_zones[stop_id] = changed_zone[station_id]
        self._link_records(clustering, targets, rederive)
        for pk in sorted(self.dissolved):
            successor = self._successor(pk)
            if successor is not None:
                rederive.update(self._move(successor, pk, self._rows_at(pk, None)))
        self._delete_orphans()
        touched = {pk for pk in rederive if pk not in self.dissolved}
        trajets = (
            set(Stop.objects.filter(station_id__any_of=touched).values_list("trajet_id", flat=True))
            | self.moved_trajets
        )
        report.trajets_rederived = self.rederive(trajets, self.former_zones) if trajets else 0
        self._write_names()
        report.warnings = self._write_warnings(clustering, targets)

    def _link_records(
        self, clustering: Clustering, targets: list[dict[str, Any] | None], rederive: set[int]
    ) -> None:
        """Point every record at its station, with the reason it is there; move the stops of
        records that changed station."""
        explanations = _explanations(clustering)
        self.moved_trajets: set[int] = set()
        changed: list[SourceStation] = []
        moves: dict[tuple[str, int], Counter[int]] = defaultdict(Counter)
        for position, cluster in enumerate(clustering.clusters):
            pk = self.station_of_cluster[position]
            for record in cluster.records:
                row = self.rows[record.key]
                merge = explanations.get(record.key)
                link = {
                    "station_id": pk,
                    "merge_rule": merge.rule if merge else "",
                    "merge_detail": merge.detail[:300] if merge else "",
                    "merged_with": _partner(merge, record.key)[:300] if merge else "",
                    "merge_distance_km": merge.distance_km if merge else None,
                }
                if pk is None:
                    self.report.unplaced_records.append(record.key)
                if any(row[name] != link[name] for name in _RECORD_LINK_FIELDS):
                    changed.append(SourceStation(pk=row["id"], **link))
                old = row["station_id"]
                if old is not None and pk is not None and old != pk:
                    self.report.records_moved += 1
                    moves[(record.source, old)][pk] += 1
        _update_rows(SourceStation, _RECORD_LINK_FIELDS, changed)
        # Stops are read before any is moved: two stations may swap records, and a stop
        # moved once must not be moved again.
        planned = [
            (new.most_common(1)[0][0], old, self._rows_at(old, source))
            for (source, old), new in sorted(moves.items())
        ]
        # Two records of one source on one station (a grouping of older rules) now apart: the
        # stops do not say which record they came from; they go where most of them went.
        self.ambiguous_moves = [
            (source, old, sorted(new))
            for (source, old), new in sorted(moves.items())
            if len(new) > 1
        ]
        for new, old, rows in planned:
            rederive.update(self._move(new, old, rows))

    def _rows_at(self, station: int, source: str | None) -> tuple[list[int], list[int], list[int]]:
        """Ids of the stops, trajet origins and trajet ends at ``station``: those of one
        source's trajets, or all of them (``source=None``)."""
        stops = Stop.objects.filter(station_id=station)
        origins = Trajet.objects.filter(origin_id=station)
        destinations = Trajet.objects.filter(destination_id=station)
        if source is not None:
            stops = stops.filter(trajet__source__name=source)
            origins = origins.filter(source__name=source)
            destinations = destinations.filter(source__name=source)
        return (
            list(stops.values_list("id", flat=True)),
            list(origins.values_list("id", flat=True)),
            list(destinations.values_list("id", flat=True)),
        )

    def _move(self, new: int, old: int, rows: tuple[list[int], list[int], list[int]]) -> set[int]:
        """Point the given stops and trajet ends (now at station ``old``) at station ``new``;
        return the stations to re-derive."""
        stops, origins, destinations = rows
        if not (stops or origins or destinations):
            return set()
        for stop_id in stops:
            self.former_zones.setdefault(stop_id, self.stations[old]["time_zone"])
        self.moved_trajets |= set(
            Stop.objects.filter(id__in=stops).values_list("trajet_id", flat=True)
        )
        self.report.stops_moved += Stop.objects.filter(id__in=stops).update(station_id=new)
        Trajet.objects.filter(id__in=origins).update(origin_id=new)
        Trajet.objects.filter(id__in=destinations).update(destination_id=new)
        return {new}

    def _successor(self, pk: int) -> int | None:
        """Where a dissolved station's other stops go: the station of most of its records."""
        votes = Counter(
            self.station_of_cluster[position]
            for position, cluster in enumerate(self.clustering.clusters)
            for record in cluster.records
            if self.rows[record.key]["station_id"] == pk
            and self.station_of_cluster[position] is not None
        )
        return votes.most_common(1)[0][0] if votes else None

    def _delete_orphans(self) -> None:
        """Delete dissolved stations nothing points at any more."""
        if not self.dissolved:
            return
        candidates = list(self.dissolved)
        used = set()
        for model, column in (
            (Stop, "station_id"),
            (Trajet, "origin_id"),
            (Trajet, "destination_id"),
            (SourceStation, "station_id"),
        ):
            found = model.objects.filter(**{f"{column}__in": candidates})
            used |= set(found.values_list(column, flat=True).distinct())
        orphans = self.dissolved - used
        self.report.deleted = (
            Station.objects.filter(pk__in=orphans).delete()[1].get(Station._meta.label, 0)
        )

    def _write_names(self) -> None:
        """Rebuild the searchable names of the stations whose names changed."""
        wanted: dict[int, set[str]] = defaultdict(set)
        for position, cluster in enumerate(self.clustering.clusters):
            pk = self.station_of_cluster[position]
            if pk is None:
                continue
            for record in cluster.records:
                wanted[pk].update(name[:200] for name in record.names if search_key(name))
        for pk, name in Station.objects.filter(pk__any_of=list(wanted)).values_list("pk", "name"):
            wanted[pk].add(name)
        stored: dict[int, set[str]] = defaultdict(set)
        for pk, name in StationName.objects.values_list("station_id", "name"):
            stored[pk].add(name)
        outdated = [pk for pk, names in wanted.items() if stored.get(pk) != names]
        StationName.objects.filter(station_id__any_of=outdated).delete()
        StationName.objects.bulk_create(
            [
                StationName(
                    station_id=pk,
                    name=name,
                    key=search_key(name)[:200],
                    name_key=station_key(name)[:200],
                )
                for pk in outdated
                for name in sorted(wanted[pk])
            ],
            batch_size=5000,
        )

    def _write_warnings(self, clustering: Clustering, targets: list[dict[str, Any] | None]) -> int:
        """Rebuild every identity warning (they describe the current grouping only). Stations
        not located again in this pass keep their warning of coordinates outside every
        country (only locating tells it)."""
        warnings: list[StationWarning] = []
        record_pk = {key: row["id"] for key, row in self.rows.items()}
        relocated = {self.station_of_cluster[position] for position in self.fixes}
        warnings.extend(
            StationWarning(kind=kind, station_id=station_id, detail=detail)
            for kind, station_id, detail in StationWarning.objects.filter(
                kind=StationWarning.Kind.OUTSIDE_OUTLINES
            )
            .exclude(station_id__any_of=[pk for pk in relocated if pk is not None])
            .filter(station_id__any_of=[pk for pk in self.station_of_cluster if pk is not None])
            .values_list("kind", "station_id", "detail")
        )
        for conflict in clustering.conflicts:
            warnings.append(
                StationWarning(
                    kind=StationWarning.Kind.UIC_CONTRADICTION,
                    source_station_id=record_pk[conflict.second],
                    detail=conflict.detail,
                    distance_km=conflict.distance_km,
                )
            )
        for position, uic in self.uic_shared:
            warnings.append(
                StationWarning(
                    kind=StationWarning.Kind.UIC_SHARED,
                    station_id=self.station_of_cluster[position],
                    detail=f"UIC {uic} is also another station's: kept on that station only",
                )
            )
        for position, (cluster, target) in enumerate(
            zip(clustering.clusters, targets, strict=True)
        ):
            if target is None:
                continue
            pk = self.station_of_cluster[position]
            if position in self.replaced:
                located = cluster.located
                warnings.append(
                    StationWarning(
                        kind=StationWarning.Kind.COORDINATES_REPLACED,
                        station_id=pk,
                        source_station_id=record_pk[located.key] if located else None,
                        detail=(
                            f"{target['name']}: the coordinates "
                            f"{located.source if located else 'its source'} gives "
                            f"{self.replaced[position]}"
                        ),
                    )
                )
            warnings.extend(
                _station_warnings(pk, cluster, target, self.rows, self.fixes.get(position))
            )
        for source, old, stations in self.ambiguous_moves:
            warnings.append(
                StationWarning(
                    kind=StationWarning.Kind.STOPS_AMBIGUOUS,
                    station_id=stations[0],
                    detail=f"the stops of {source} at former station {old} could belong to "
                    f"stations {', '.join(map(str, stations))}: all moved to the one most of "
                    "its records joined; reload the source to place each stop exactly",
                )
            )
        before = set(
            StationWarning.objects.values_list("kind", "station_id", "source_station_id", "detail")
        )
        after = {(w.kind, w.station_id, w.source_station_id, w.detail) for w in warnings}
        self.report.warnings_changed = before != after
        if self.report.warnings_changed:
            StationWarning.objects.all().delete()
            StationWarning.objects.bulk_create(warnings, batch_size=5000)
        return len(warnings)


def _town_names(cluster: StationCluster) -> list[str]:
    """Names the town of a station may go by: what its sources call the town, then the
    station names themselves (a station is often named after its town)."""
    names = [record.place_name for record in cluster.records if record.place_name]
    names += [name for record in cluster.records for name in record.names]
    return list(dict.fromkeys(names))


def _station_warnings(
    pk: int | None,
    cluster: StationCluster,
    target: dict[str, Any],
    rows: dict[RecordKey, dict[str, Any]],
    fix: GeoFix | None,
) -> list[StationWarning]:
    warnings = []
    kind = StationWarning.Kind
    if target["latitude"] is None:
        warnings.append(
            StationWarning(
                kind=kind.NO_COORDINATES,
                station_id=pk,
                detail=f"{target['name']}: no source gives coordinates; country "
                f"{target['country']} and zone {target['time_zone']} are the sources' own",
            )
        )
        return warnings
    zone_land = zone_country(target["time_zone"])
    if (
        zone_land
        and zone_land != target["country"]
        and not (target["country"] == "XK" and zone_land == "RS")
    ):
        warnings.append(
            StationWarning(
                kind=kind.OUTLINES_DISAGREE,
                station_id=pk,
                detail=f"{target['name']}: country outline {target['country']}, time-zone "
                f"outline {target['time_zone']} ({zone_land})",
                distance_km=target["border_km"],
            )
        )
    if cluster.spread_km > POSITION_AGREEMENT_KM:
        located = cluster.located
        warnings.append(
            StationWarning(
                kind=kind.COORDINATES_DISAGREE,
                station_id=pk,
                detail=f"{target['name']}: its sources place it up to {cluster.spread_km:.1f} km "
                f"apart; the position of {located.source if located else '?'}, which most "
                "records agree with, is kept",
                distance_km=round(cluster.spread_km, 3),
            )
        )
    if fix is not None and fix.country is None:
        warnings.append(
            StationWarning(
                kind=kind.OUTSIDE_OUTLINES,
                station_id=pk,
                detail=f"{target['name']}: its coordinates lie outside every country and name no "
                f"town within 100 km; country {target['country']} is its sources'",
            )
        )
    for record in cluster.records:
        row = rows[record.key]
        said = []
        if record.country and record.country != target["country"]:
            said.append((kind.COUNTRY_DISAGREES, record.country, target["country"]))
        if row["time_zone"] and not _same_offsets(row["time_zone"], target["time_zone"]):
            zone = f"{target['time_zone']}, another UTC offset"
            said.append((kind.ZONE_DISAGREES, row["time_zone"], zone))
        warnings.extend(
            StationWarning(
                kind=what,
                station_id=pk,
                source_station_id=row["id"],
                detail=f"{record.source} says {claimed} for {record.names[0]!r}; its coordinates "
                f"are in {actual}",
                distance_km=target["border_km"],
            )
            for what, claimed, actual in said
        )
    return warnings


@lru_cache(maxsize=1024)
def _same_offsets(first: str, second: str) -> bool:
    """Whether two zones keep the same UTC offset in winter and in summer (2025)."""
    try:
        zones = (zoneinfo.ZoneInfo(first), zoneinfo.ZoneInfo(second))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return all(
        dt.datetime(2025, month, 15, 12, tzinfo=zones[0]).utcoffset()
        == dt.datetime(2025, month, 15, 12, tzinfo=zones[1]).utcoffset()
        for month in (1, 7)
    )


def _explanations(clustering: Clustering) -> dict[RecordKey, Merge]:
    """For every record but the one naming its station, the merge that links it to the rest.

    A station's merges form a tree over its records (each joined two groups once): walked
    from the record naming the station, every other record is reached by exactly one merge.
    """
    explained: dict[RecordKey, Merge] = {}
    for cluster in clustering.clusters:
        edges: dict[RecordKey, list[tuple[RecordKey, Merge]]] = defaultdict(list)
        for merge in cluster.merges:
            edges[merge.first].append((merge.second, merge))
            edges[merge.second].append((merge.first, merge))
        start = cluster.representative.key
        seen, queue = {start}, [start]
        while queue:
            key = queue.pop()
            for other, merge in edges[key]:
                if other not in seen:
                    seen.add(other)
                    explained[other] = merge
                    queue.append(other)
    return explained


def _partner(merge: Merge, key: RecordKey) -> str:
    other = merge.first if merge.second == key else merge.second
    return f"{other[0]}:{other[1]}"


def _match_method(cluster: StationCluster, rows: dict[RecordKey, dict[str, Any]]) -> str:
    rules = {merge.rule for merge in cluster.merges}
    if "uic" in rules:
        return Station.MatchMethod.UIC
    if rules & {"same_name", "similar_name", "name_only"}:
        return Station.MatchMethod.NAME
    if any(rows[r.key]["source__format"] in _REFERENCE_FORMATS for r in cluster.records):
        return Station.MatchMethod.REFERENCE
    return Station.MatchMethod.UNMATCHED


def _by_source(
    cluster: StationCluster, value: Callable[[StationSourceRecord], str]
) -> dict[str, str | list[str]]:
    grouped: dict[str, list[str]] = defaultdict(list)
    for record in cluster.records:
        grouped[record.source].append(value(record))
    return {
        source: values[0] if len(values) == 1 else sorted(set(values))
        for source, values in sorted(grouped.items())
    }


def _same_position(current: dict[str, Any], target: dict[str, Any]) -> bool:
    if current["latitude"] is None or target["latitude"] is None:
        return current["latitude"] is None and target["latitude"] is None
    return (
        abs(current["latitude"] - target["latitude"]) < _SAME_POSITION_DEG
        and abs(current["longitude"] - target["longitude"]) < _SAME_POSITION_DEG
    )


def _source_country(cluster: StationCluster) -> str | None:
    countries = Counter(record.country for record in cluster.records if record.country)
    return countries.most_common(1)[0][0] if countries else None


def _zone_of(country: str | None, fix: GeoFix) -> str | None:
    """The zone of the time-zone outline at the point; the country's zone at sea.

    Within a few metres of a border the two sets of outlines may put a point on either side:
    the zone still follows its own outline (and the quality report lists the disagreement)."""
    return fix.time_zone or zone_for_country(country)
