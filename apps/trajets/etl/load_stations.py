"""Operators and stations of one load (a part of the loader).

Operators map onto the project's registry (``apps/trajets/operators.toml``). Station records
are stored as the source gives them (``SourceStation``), then every source's records are
grouped into stations again (``apps.trajets.station_identity``): which station a record joins
depends on all the records, never on the order sources were loaded in.
"""

from __future__ import annotations

import re
import time
from typing import Any

from apps.places.services import gazetteer, is_generic_station_name, station_key
from apps.trajets.models import Operator, SourceStation, Station
from apps.trajets.operator_identity import registered_facts
from apps.trajets.operators import operator_registry, unregistered_code
from apps.trajets.station_identity import reconcile_stations

from .context import LoadContext
from .harmonise.timezones import repair_time_zone
from .records import (
    NAME_MAX_LENGTH,
    Location,
    OperatorRecord,
    RejectCode,
    RejectRecord,
    StationRecord,
    text_problem,
)
from .transform import StationInfo

__all__ = ["REFERENCE_PRIORITY", "TIMETABLE_PRIORITY", "StationLoading"]

# Which source names a station several describe (lower first; ``station_priority`` per source).
REFERENCE_PRIORITY = 20
TIMETABLE_PRIORITY = 50
_RECORD_FIELDS = (
    "name", "alt_names", "place_name", "uic_code", "latitude", "longitude", "country",
    "time_zone", "priority", "same_as",
)  # fmt: skip


class StationLoading:
    """The operators and stations of one load: this source's records, and which stored
    station each of them (or a name a service gives) stands for."""

    def __init__(self, context: LoadContext, *, is_reference: bool) -> None:
        self.context = context
        self.spec = context.spec
        self.source = context.source
        self.report = context.report
        self.is_reference = is_reference
        self.operators: dict[str, tuple[int, str]] = {}
        self.station_records: dict[str, StationRecord] = {}
        self.station_ids: dict[str, StationInfo | None] = {}
        self.known: dict[int, dict[str, Any]] = {}
        default = REFERENCE_PRIORITY if is_reference else TIMETABLE_PRIORITY
        self.station_priority = int(self.spec.options.get("station_priority", default))
        self.station_changes = False
        self.station_messages: list[str] = []
        self.rejected_stations: set[str] = set()

    # -- operators ----------------------------------------------------------------------------
    def add_operator(self, record: OperatorRecord) -> None:
        """Match an operator record to the registry and store it (or count it unchanged)."""
        registered = operator_registry().match(record.name, source_id=record.source_id)
        if registered is not None:
            code = registered.code
            facts = registered_facts(registered)
        else:
            code = unregistered_code(record.name or record.source_id)
            facts = {"name": (record.name or record.source_id)[:200]}
        operator = Operator.objects.filter(code=code).first()
        ids = {self.spec.name: record.source_id}
        if operator is None:
            operator = Operator.objects.create(code=code, source_ids=ids, **facts)
            self.report.inserted += 1
        else:
            known = operator.source_ids.get(self.spec.name)
            if known is not None and known != record.source_id:
                merged = known if isinstance(known, list) else [known]
                ids = {self.spec.name: sorted({*merged, record.source_id})}
            changed = [name for name, value in facts.items() if getattr(operator, name) != value]
            if operator.source_ids.get(self.spec.name) != ids[self.spec.name]:
                operator.source_ids = {**operator.source_ids, **ids}
                changed.append("source_ids")
            if changed:
                for name in changed:
                    if name in facts:
                        setattr(operator, name, facts[name])
                operator.save(update_fields=changed)
                self.report.updated += 1
            else:
                self.report.unchanged += 1
        self.operators[record.source_id] = (operator.pk, operator.code)

    def operator_for(self, source_id: str) -> tuple[int, str]:
        """The stored operator (pk, code) a service names, added when the source lists none."""
        if source_id in self.operators:
            return self.operators[source_id]
        # Services may name operators absent from the agency table (composite ONTD ids).
        self.add_operator(OperatorRecord(source_id, source_id, Location("operator", None)))
        self.report.read += 1
        return self.operators[source_id]

    # -- stations -----------------------------------------------------------------------------
    def add_station(self, record: StationRecord) -> None:
        """Keep a station record for the next :meth:`flush`, or reject it."""
        if record.source_id in self.station_records:
            self.context.reject(
                RejectRecord(
                    record.location,
                    RejectCode.DUPLICATE_ID,
                    f"duplicate station id {record.source_id!r}",
                )
            )
            return
        if not record.name.strip():
            self.context.reject(
                RejectRecord(record.location, RejectCode.MISSING_NAME, "no station name")
            )
            return
        problem = text_problem("station name", record.name, NAME_MAX_LENGTH) or text_problem(
            "station id", record.source_id, NAME_MAX_LENGTH
        )
        if problem:
            self.context.reject(RejectRecord(record.location, RejectCode.INVALID_TEXT, problem))
            return
        self.station_records[record.source_id] = record

    def flush(self) -> None:
        """Store this load's station records, regroup every source's records into stations,
        and read where this source's records went."""
        started = time.perf_counter()
        self._store_station_records()
        self._reconcile()
        self.context.phase("station identity", started)
        self.context.progress("records", self.report.read)

    def finish(self) -> None:
        """Forget records the source no longer publishes (then regroup once more)."""
        if not self.station_records:
            return
        gone = SourceStation.objects.filter(source=self.source).exclude(
            source_record_id__in=list(self.station_records)
        )
        released = set(gone.exclude(station=None).values_list("station_id", flat=True))
        if gone.exists():
            gone.delete()
            self._reconcile(released)

    def _store_station_records(self) -> None:
        stored = {
            row["source_record_id"]: row
            for row in SourceStation.objects.filter(source=self.source).values(
                "id", "source_record_id", *_RECORD_FIELDS
            )
        }
        new: list[SourceStation] = []
        changed: list[SourceStation] = []
        parts = _station_parts(self.station_records, self.spec.options.get("station_part_pattern"))
        for source_id, record in self.station_records.items():
            values = {
                "name": record.name.strip()[:200],
                "alt_names": [name[:200] for name in record.alt_names if name.strip()],
                "place_name": _place_name(record)[:200],
                "uic_code": record.uic or "",
                "latitude": record.latitude,
                "longitude": record.longitude,
                "country": record.country or "",
                "time_zone": repair_time_zone(record.time_zone, country=record.country) or "",
                "priority": self.station_priority,
                "same_as": record.same_as_source_id or parts.get(source_id, ""),
            }
            row = stored.get(source_id)
            if row is None:
                new.append(
                    SourceStation(source=self.source, source_record_id=source_id[:200], **values)
                )
                self.report.inserted += 1
            elif any(row[name] != value for name, value in values.items()):
                changed.append(SourceStation(pk=row["id"], **values))
                self.report.updated += 1
            else:
                self.report.unchanged += 1
        SourceStation.objects.bulk_create(new, batch_size=2000)
        SourceStation.objects.bulk_update(changed, _RECORD_FIELDS, batch_size=2000)

    def _reconcile(self, released: set[int] | frozenset[int] = frozenset()) -> None:
        result = reconcile_stations(released=released)
        self.station_changes = self.station_changes or result.has_changes
        self.station_messages.append(result.summary())
        self.station_ids = {}
        self.known = {}
        rows = SourceStation.objects.filter(source=self.source).values_list(
            "source_record_id", "station_id", "station__latitude", "station__longitude",
            "station__country", "station__time_zone", "station__name",
        )  # fmt: skip
        unplaced = []
        for source_id, pk, lat, lon, country, zone, name in rows:
            if pk is None:
                unplaced.append(source_id)
                continue
            self.station_ids[source_id] = StationInfo(pk, lat, lon, country, zone)
            self.known[pk] = {"country": country, "name": name}
        for source_id in unplaced:
            record = self.station_records.get(source_id)
            if record is not None and source_id not in self.rejected_stations:
                self.rejected_stations.add(source_id)
                self.context.reject(
                    RejectRecord(
                        record.location,
                        RejectCode.MISSING_COUNTRY,
                        f"station {record.name!r} matches no known station and has "
                        "neither coordinates nor a country to create it",
                    )
                )

    def station_for(self, source_id: str) -> StationInfo | None:
        """The stored station a source id (or a name a service gives) stands for, if any."""
        if source_id in self.station_ids:
            return self.station_ids[source_id]
        # A service may name a station its source does not list (three night-train database
        # stops): the one station carrying that name, if there is exactly one.
        matches = list(
            Station.objects.filter(name_key=station_key(source_id)).values_list(
                "pk", "latitude", "longitude", "country", "time_zone", "name"
            )[:2]
        )
        info = None
        if len(matches) == 1:
            pk, lat, lon, country, zone, name = matches[0]
            info = StationInfo(pk, lat, lon, country, zone)
            self.known[pk] = {"country": country, "name": name}
        self.station_ids[source_id] = info
        return info


def _place_name(record: StationRecord) -> str:
    """The town the source gives; for a name that only says "station" ("Hauptbahnhof
    (oben)"), the town at its coordinates, which completes the name for matching."""
    if record.place_name or record.latitude is None or record.longitude is None:
        return record.place_name
    if not all(is_generic_station_name(name) for name in (record.name, *record.alt_names)):
        return ""
    place = gazetteer().place_for(
        names=(record.name, *record.alt_names), latitude=record.latitude, longitude=record.longitude
    )
    return place.name if place else ""


def _station_parts(records: dict[str, StationRecord], pattern: object) -> dict[str, str]:
    """Records naming parts of one station (``station_part_pattern``: the Romanian timetable
    lists "Bucureşti Nord Gr.A" and "Gr.B", two platform groups of one station), each mapped
    to the first record of its station (same_as)."""
    if not pattern:
        return {}
    suffix = re.compile(str(pattern))
    groups: dict[str, list[str]] = {}
    for source_id, record in records.items():
        base = suffix.sub("", record.name).strip()
        if base != record.name.strip():
            groups.setdefault(base, []).append(source_id)
    return {
        member: group[0]
        for group in (sorted(ids) for ids in groups.values() if len(ids) > 1)
        for member in group[1:]
    }
