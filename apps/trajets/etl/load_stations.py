"""Operators and stations of one load: matching, creation, source ids (mixin of the loader)."""

from __future__ import annotations

import json

from apps.trajets.models import (
    Operator,
    Station,
)

from .errors import EtlError
from .harmonise.geo import great_circle_km
from .harmonise.matching import Candidate, StationIndex
from .harmonise.names import normalise_station_name
from .harmonise.operators import normalise_operator
from .harmonise.timezones import country_for_zone, repair_time_zone, zone_for_country
from .records import (
    Location,
    OperatorRecord,
    RejectRecord,
    StationRecord,
)
from .transform import StationInfo
from .writer import db_columns

__all__ = ["COUNTRY_FROM_NEIGHBOUR_KM", "StationLoading"]

# A station created from a feed takes the country of the nearest known station within this
# distance when the feed gives none (border stations of gtfs.de, for example), else the
# country of its time zone.
COUNTRY_FROM_NEIGHBOUR_KM = 60.0


class StationLoading:
    """Operator and station steps of ``_SourceLoader``."""

    def _operator(self, record: OperatorRecord) -> None:
        canonical = normalise_operator(record.name, source_id=record.source_id)
        code = canonical.code.lower().replace(".", "").replace("_", "-")[:40]
        operator = Operator.objects.filter(code=code).first()
        ids = {self.spec.name: record.source_id}
        if operator is None:
            operator = Operator.objects.create(
                code=code,
                name=canonical.name[:200],
                country=(canonical.country or record.country or "")[:2],
                website=record.url if record.url.startswith("http") else "",
                source_ids=ids,
            )
            self.report.inserted += 1
        elif operator.source_ids.get(self.spec.name) != record.source_id:
            if (
                self.spec.name in operator.source_ids
                and operator.source_ids[self.spec.name] != record.source_id
            ):
                merged = operator.source_ids[self.spec.name]
                merged = merged if isinstance(merged, list) else [merged]
                ids = {self.spec.name: sorted({*merged, record.source_id})}
            if operator.source_ids.get(self.spec.name) != ids[self.spec.name]:
                operator.source_ids = {**operator.source_ids, **ids}
                operator.save(update_fields=["source_ids"])
                self.report.updated += 1
            else:
                self.report.unchanged += 1
        else:
            self.report.unchanged += 1
        self.operators[record.source_id] = (operator.pk, operator.code)

    def _operator_for(self, source_id: str) -> tuple[int, str]:
        if source_id in self.operators:
            return self.operators[source_id]
        # Services may name operators absent from the agency table (composite ONTD ids).
        self._operator(OperatorRecord(source_id, source_id, Location("operator", None)))
        self.report.read += 1
        return self.operators[source_id]

    # -- stations ----------------------------------------------------------------------------
    def _load_station_index(self) -> None:
        self.index = StationIndex()
        self.known: dict[int, dict] = {}
        self.used_uics: set[str] = set()
        # Where each record of this source went last time: re-runs keep that station.
        self.previous_ids: dict[str, int] = {}
        rows = Station.objects.values_list(
            "id", "uic_code", "normalised_name", "latitude", "longitude", "country", "time_zone",
            "name",
        )  # fmt: skip
        for pk, uic, normalised, lat, lon, country, zone, name in rows.iterator(chunk_size=5000):
            self.index.add(Candidate(pk, uic, normalised, lat, lon))
            # "ids"/"names" (JSON) are read only for the stations this load touches.
            self.known[pk] = {
                "uic": uic, "lat": lat, "lon": lon, "country": country, "zone": zone,
                "name": name, "ids": None, "names": None,
            }  # fmt: skip
            if uic:
                self.used_uics.add(uic)
        own_rows = Station.objects.filter(source_ids__has_key=self.spec.name).values_list(
            "id", "source_ids", "source_names"
        )
        for pk, ids, names in own_rows.iterator(chunk_size=5000):
            self.known[pk]["ids"], self.known[pk]["names"] = ids, names
            own = ids.get(self.spec.name)
            for source_id in own if isinstance(own, list) else [own] if own else []:
                self.previous_ids[source_id] = pk
        self.deferred: list[tuple[int, str, str, bool]] = []
        self.unplaced: list[StationRecord] = []
        self.pending: list[Station] = []
        self.dirty: set[int] = set()

    def _station(self, record: StationRecord, *, is_retry: bool = False) -> None:
        if record.same_as_source_id and record.same_as_source_id in self.station_ids:
            target = self.station_ids[record.same_as_source_id]
            self.station_ids[record.source_id] = target
            self.report.merged += 1
            self.report.unchanged += 1
            return
        if record.source_id in self.previous_ids:
            self._attach(self.previous_ids[record.source_id], record)
            return
        match = self.index.match(
            uic=record.uic, name=record.name, latitude=record.latitude, longitude=record.longitude
        )
        if match is not None and match.key in self.known:
            self._attach(match.key, record)
            return
        if match is not None:  # a station created earlier in this run (negative key)
            position = -match.key - 1
            station = self.pending[position]
            station.source_ids = _with_value(station.source_ids, self.spec.name, record.source_id)
            station.source_names = _with_value(station.source_names, self.spec.name, record.name)
            if station.latitude is None and record.latitude is not None:
                station.latitude, station.longitude = record.latitude, record.longitude
            if station.uic_code is None and record.uic and record.uic not in self.used_uics:
                station.uic_code = record.uic
                self.used_uics.add(record.uic)
            self.station_ids[record.source_id] = position
            self.report.unchanged += 1
            return
        if record.latitude is None and not record.uic and not is_retry:
            # A row known by name only may name a station defined further down the file:
            # it is matched again once every row of this batch has been seen.
            self.unplaced.append(record)
            return
        self._create_station(record)

    def _attach(self, pk: int, record: StationRecord) -> None:
        state = self.known[pk]
        changed = False
        if state["lat"] is None and record.latitude is not None:
            state["lat"], state["lon"] = record.latitude, record.longitude
            changed = True
        if not state["uic"] and record.uic and record.uic not in self.used_uics:
            state["uic"] = record.uic
            self.used_uics.add(record.uic)
            changed = True
        if state["ids"] is None:
            # Counted when the station's source ids are read, in one query per flush.
            self.deferred.append((pk, record.source_id, record.name, changed))
        else:
            self._record_ids(pk, record.source_id, record.name, changed)
        self.station_ids[record.source_id] = StationInfo(
            pk, state["lat"], state["lon"], state["country"], state["zone"]
        )

    def _record_ids(self, pk: int, source_id: str, name: str, changed: bool) -> None:
        state = self.known[pk]
        ids = _with_value(state["ids"], self.spec.name, source_id)
        names = _with_value(state["names"], self.spec.name, name)
        changed = changed or ids != state["ids"] or names != state["names"]
        state["ids"], state["names"] = ids, names
        if changed:
            self.report.updated += 1
            self.dirty.add(pk)
        else:
            self.report.unchanged += 1

    def _resolve_deferred(self) -> None:
        wanted = sorted({pk for pk, *_ in self.deferred if self.known[pk]["ids"] is None})
        for start in range(0, len(wanted), 5000):
            rows = Station.objects.filter(pk__in=wanted[start : start + 5000]).values_list(
                "id", "source_ids", "source_names"
            )
            for pk, ids, names in rows:
                self.known[pk]["ids"], self.known[pk]["names"] = ids, names
        for pk, source_id, name, changed in self.deferred:
            self._record_ids(pk, source_id, name, changed)
        self.deferred = []

    def _create_station(self, record: StationRecord) -> None:
        country = (
            record.country
            or self._neighbour_country(record)
            or (country_for_zone(record.time_zone) if record.latitude is not None else None)
        )
        zone = repair_time_zone(record.time_zone, country=country) or zone_for_country(country)
        if not country or not zone or (record.latitude is None and not record.uic):
            self._reject(
                RejectRecord(
                    record.location,
                    f"station {record.name!r} matches no known station and has no "
                    + (
                        "coordinates nor UIC code"
                        if record.latitude is None
                        else "country or time zone"
                    )
                    + " to create it",
                )
            )
            return
        uic = record.uic if record.uic and record.uic not in self.used_uics else None
        if uic:
            self.used_uics.add(uic)
        station = Station(
            uic_code=uic,
            name=record.name[:200],
            normalised_name=normalise_station_name(record.name)[:200],
            country=country,
            latitude=record.latitude,
            longitude=record.longitude,
            time_zone=zone,
            match_method=Station.MatchMethod.REFERENCE
            if self.is_reference
            else Station.MatchMethod.UNMATCHED,
            source_ids={self.spec.name: record.source_id},
            source_names={self.spec.name: record.name},
        )
        self.pending.append(station)
        key = -len(self.pending)
        self.index.add(
            Candidate(key, uic, station.normalised_name, record.latitude, record.longitude)
        )
        self.station_ids[record.source_id] = -key - 1
        self.report.inserted += 1

    def _neighbour_country(self, record: StationRecord) -> str | None:
        if record.latitude is None or record.longitude is None:
            return None
        best: tuple[float, str] | None = None
        for state in self.known.values():
            if state["lat"] is None or abs(state["lat"] - record.latitude) > 0.5:
                continue
            distance = great_circle_km(
                record.latitude, record.longitude, state["lat"], state["lon"]
            )
            if distance <= COUNTRY_FROM_NEIGHBOUR_KM and (best is None or distance < best[0]):
                best = (distance, state["country"])
        return best[1] if best else None

    def _flush_stations(self) -> None:
        unplaced, self.unplaced = self.unplaced, []
        for record in unplaced:
            self._station(record, is_retry=True)
        self._resolve_deferred()
        created = Station.objects.bulk_create(self.pending, batch_size=2000)
        if created and created[0].pk is None:
            raise EtlError("the database did not return ids of created stations")
        for source_id, value in list(self.station_ids.items()):
            if isinstance(value, int):
                station = created[value]
                self.station_ids[source_id] = StationInfo(
                    station.pk, station.latitude, station.longitude, station.country,
                    station.time_zone,
                )  # fmt: skip
        self.index.rekey({-(position + 1): station.pk for position, station in enumerate(created)})
        for station in created:
            self.known[station.pk] = {
                "uic": station.uic_code, "lat": station.latitude, "lon": station.longitude,
                "country": station.country, "zone": station.time_zone, "name": station.name,
                "ids": station.source_ids, "names": station.source_names,
            }  # fmt: skip
        rows = []
        for pk in sorted(self.dirty):
            state = self.known[pk]
            rows.append(
                (
                    pk, state["uic"], state["lat"], state["lon"],
                    json.dumps(state["ids"]), json.dumps(state["names"]),
                )
            )  # fmt: skip
        self.writer.update(Station._meta.db_table, _STATION_UPDATE_COLUMNS, rows)
        self.pending, self.dirty = [], set()
        self.progress("records", self.report.read)

    def _station_for(self, source_id: str) -> StationInfo | None:
        info = self.station_ids.get(source_id)
        if isinstance(info, StationInfo):
            return info
        match = self.index.match(uic=None, name=source_id, latitude=None, longitude=None)
        if match is None or match.key not in self.known:
            return None
        state = self.known[match.key]
        info = StationInfo(match.key, state["lat"], state["lon"], state["country"], state["zone"])
        self.station_ids[source_id] = info
        return info


def _with_value(mapping: dict, key: str, value: str) -> dict:
    """Return ``mapping`` with ``value`` among the values of ``key`` (one value or a list)."""
    if not value:
        return mapping
    current = mapping.get(key)
    values = current if isinstance(current, list) else ([current] if current else [])
    if value in values:
        return mapping
    merged = sorted({*values, value})
    return {**mapping, key: merged[0] if len(merged) == 1 else merged}


_STATION_UPDATE_COLUMNS = db_columns(
    Station, ("id", "uic_code", "latitude", "longitude", "source_ids", "source_names")
)
