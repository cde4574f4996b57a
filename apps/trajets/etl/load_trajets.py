"""Trajets of one load: harmonise, detect changes, merge across sources, bulk write."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from apps.trajets.models import (
    CalendarException,
    EmissionFactor,
    Stop,
    Trajet,
    TrajetCountry,
    TrajetProvenance,
)
from apps.trajets.stop_summaries import stop_summary

from .errors import InjectedFailureError
from .harmonise import co2 as co2_rules
from .records import (
    RejectRecord,
    ServiceRecord,
)
from .transform import HarmonisedService, harmonise_service
from .writer import db_columns

__all__ = ["FIRST_SERVICE_BATCH", "SERVICE_BATCH", "TrajetLoading", "emission_factors"]

# Services per write batch: few COPY statements, yet the last batch (written after the
# input is read) is a small part of the load and memory holds at most three batches.
SERVICE_BATCH = 2000
# The first batch is smaller so the database starts writing (the longer side of a load on
# PostgreSQL) as soon as possible.
FIRST_SERVICE_BATCH = 250


@dataclass(frozen=True, slots=True)
class _Children:
    """Rows of the tables hanging off a batch of trajets, as ``BulkWriter.prepare`` makes
    them (``stops`` holds COPY text per trajet on PostgreSQL, row tuples elsewhere)."""

    stops: list
    exceptions: list
    countries: list


class TrajetLoading:
    """Trajet steps of ``_SourceLoader``."""

    def _load_trajet_state(self) -> None:
        self.existing: dict[str, tuple[int, str]] = {
            record_id: (pk, digest)
            for pk, record_id, digest in Trajet.objects.filter(source=self.source)
            .values_list("id", "source_record_id", "content_hash")
            .iterator(chunk_size=10_000)
        }
        self.merged_before: dict[str, int] = dict(
            TrajetProvenance.objects.filter(source=self.source)
            .exclude(trajet__source=self.source)
            .values_list("source_record_id", "trajet_id")
        )
        self.seen: set[str] = set()

    def _service(self, record: ServiceRecord) -> None:
        operator_pk, operator_code = self._operator_for(record.operator_id)
        stations = {}
        for station_id in {stop.station_id for stop in record.stops}:
            info = self._station_for(station_id)
            if info is not None:
                stations[station_id] = info
        result = harmonise_service(
            record, stations, operator_code=operator_code, factors=self.factors
        )
        if isinstance(result, RejectRecord):
            self._reject(result)
            return
        if result.source_id in self.seen:
            self._reject(
                RejectRecord(record.location, f"duplicate service id {result.source_id!r}")
            )
            return
        self.seen.add(result.source_id)
        self.services.append((result, operator_pk))
        limit = SERVICE_BATCH if self.services_done else min(SERVICE_BATCH, FIRST_SERVICE_BATCH)
        if len(self.services) >= limit:
            self._flush_services()

    def _flush_services(self) -> None:
        if not self.services:
            return
        batch, self.services = self.services, []
        inserts: list[tuple[HarmonisedService, int]] = []
        updates: list[tuple[HarmonisedService, int, int]] = []
        for service, operator_pk in batch:
            known = self.existing.get(service.source_id)
            if known is None:
                if service.source_id in self.merged_before:
                    self.report.unchanged += 1
                    continue
                inserts.append((service, operator_pk))
            elif known[1] == service.content_hash:
                self.report.unchanged += 1
            else:
                updates.append((service, operator_pk, known[0]))
        if self.merge_across_sources:
            inserts = self._merge_with_other_sources(inserts)
        if inserts:
            ids = self.writer.allocate_ids(Trajet._meta.db_table, len(inserts))
            pairs = list(zip(ids, inserts, strict=True))
            trajets = self.writer.prepare(self._trajet_row(pk, s, op) for pk, (s, op) in pairs)
            created = [(pk, s) for pk, (s, _) in pairs]
            provenance = self.writer.prepare(
                (pk, self.source.pk, s.source_id, self.run.pk) for pk, s in created
            )
            children = self._children(created)

            def write_inserts() -> None:
                self.writer.write(Trajet._meta.db_table, _TRAJET_COLUMNS, trajets)
                self._write_children(children)
                self.writer.write(TrajetProvenance._meta.db_table, _PROVENANCE_COLUMNS, provenance)
                self.writer.check_deferred(_WRITTEN_TABLES)

            self.writer.submit(write_inserts)
            self.report.inserted += len(inserts)
        if updates:
            changed = [self._trajet_row(pk, s, op) for s, op, pk in updates]
            ids = [pk for _, _, pk in updates]
            new_children = self._children([(pk, s) for s, _, pk in updates])

            def write_updates() -> None:
                self.writer.update(Trajet._meta.db_table, ("id", *_TRAJET_COLUMNS[1:]), changed)
                for model in (Stop, CalendarException, TrajetCountry):
                    self.writer.delete_in(model._meta.db_table, "trajet_id", ids)
                self._write_children(new_children)
                self.writer.check_deferred(_WRITTEN_TABLES)

            self.writer.submit(write_updates)
            self.report.updated += len(updates)
        self.services_done += len(batch)
        self.progress("records", self.report.read)
        if self.fail_after is not None and self.services_done >= self.fail_after:
            raise InjectedFailureError(f"failure injected after {self.services_done} services")

    def _merge_with_other_sources(
        self, inserts: list[tuple[HarmonisedService, int]]
    ) -> list[tuple[HarmonisedService, int]]:
        """Attach services already published by another source to that source's trajet.

        Same operator, origin, destination and local departure time (and train number when
        both have one) means the same service: only a provenance row is added.
        """
        if not inserts:
            return inserts
        origins = {s.origin_key for s, _ in inserts}
        candidates: dict[tuple, list[tuple[int, str]]] = {}
        rows = (
            Trajet.objects.filter(origin_id__in=origins)
            .exclude(source=self.source)
            .values_list(
                "id", "operator_id", "origin_id", "destination_id", "departure_time",
                "train_number",
            )
        )  # fmt: skip
        for pk, operator, origin, destination, departure, number in rows:
            candidates.setdefault((operator, origin, destination, departure), []).append(
                (pk, number)
            )
        if not candidates:
            return inserts
        kept = []
        provenance = []
        for service, operator_pk in inserts:
            key = (operator_pk, service.origin_key, service.destination_key, service.departure_time)
            found = [
                pk
                for pk, number in candidates.get(key, [])
                if not number
                or not service.train_number
                or _digits(number) == _digits(service.train_number)
            ]
            if found:
                provenance.append((found[0], self.source.pk, service.source_id, self.run.pk))
                self.report.merged += 1
                self.report.updated += 1
            else:
                kept.append((service, operator_pk))
        self.writer.insert(TrajetProvenance._meta.db_table, _PROVENANCE_COLUMNS, provenance)
        return kept

    def _trajet_row(self, pk: int, service: HarmonisedService, operator_pk: int) -> tuple:
        calendar = service.calendar
        runs_from, runs_until = min(service.days), max(service.days)
        factor_keys = service.co2_factors.split(",")
        origin = self.known[service.origin_key]
        destination = self.known[service.destination_key]
        stop_count, via = stop_summary([self.known[s.station_key]["name"] for s in service.stops])
        return (
            pk, operator_pk, service.train_number[:40], service.category[:40], service.kind,
            service.kind_reason[:300], service.kind, service.origin_key, service.destination_key,
            origin["country"], destination["country"], service.departure_time,
            service.arrival_time, min(service.arrival_day_offset, 7), service.duration_min,
            service.distance_km or None, calendar.valid_from, calendar.valid_to,
            dt.date.fromordinal(runs_from), dt.date.fromordinal(runs_until), len(service.days),
            *calendar.weekdays,
            service.co2_rail_kg, service.co2_flight_kg, self.factor_ids.get(factor_keys[0]),
            self.factor_ids.get(factor_keys[-1]),
            round(service.co2_flight_distance_km, 1), self.source.pk, service.source_id[:200],
            self.run.pk, service.content_hash, stop_count, json.dumps(via, ensure_ascii=False),
        )  # fmt: skip

    def _children(self, rows: list[tuple[int, HarmonisedService]]) -> _Children:
        """The stop, calendar-exception and country rows of trajets ``rows`` (id, service)."""
        stop_count = sum(len(service.stops) for _, service in rows)
        self.report.stop_rows += stop_count
        if self.writer.is_postgres:
            stops: list = [service.stop_copy_text(pk) for pk, service in rows]
        else:
            stops = [
                (
                    pk, stop.sequence, stop.station_key, stop.arrival,
                    min(stop.arrival_day_offset, 7), stop.departure,
                    min(stop.departure_day_offset, 7), stop.distance_from_origin_km,
                    stop.pickup_type, stop.drop_off_type,
                )
                for pk, service in rows
                for stop in service.stops
            ]  # fmt: skip
        exceptions = []
        for pk, service in rows:
            removed = set(service.calendar.removed)
            added = sorted(set(service.calendar.added) - removed)
            exceptions.extend((pk, day, True) for day in added)
            exceptions.extend((pk, day, False) for day in sorted(removed))
        countries = [(pk, country) for pk, service in rows for country in service.countries]
        return _Children(stops, self.writer.prepare(exceptions), self.writer.prepare(countries))

    def _write_children(self, children: _Children) -> None:
        self.writer.write(Stop._meta.db_table, _STOP_COLUMNS, children.stops)
        self.writer.write(CalendarException._meta.db_table, _EXCEPTION_COLUMNS, children.exceptions)
        self.writer.write(TrajetCountry._meta.db_table, _COUNTRY_COLUMNS, children.countries)

    def _delete_stale(self) -> None:
        stale = [pk for record_id, (pk, _) in self.existing.items() if record_id not in self.seen]
        if stale:
            for model in (Stop, CalendarException, TrajetCountry, TrajetProvenance):
                self.writer.delete_in(model._meta.db_table, "trajet_id", stale)
            self.writer.delete_in(Trajet._meta.db_table, "id", stale)
            self.report.deleted = len(stale)
        gone = [rid for rid in self.merged_before if rid not in self.seen]
        if gone:
            TrajetProvenance.objects.filter(source=self.source, source_record_id__in=gone).delete()


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


_TRAJET_COLUMNS = db_columns(
    Trajet,
    (
        "id", "operator", "train_number", "category", "kind", "kind_reason", "timetable_kind",
        "origin", "destination", "origin_country", "destination_country", "departure_time",
        "arrival_time", "arrival_day_offset", "duration_min", "distance_km", "valid_from",
        "valid_to", "runs_from", "runs_until", "running_days", *Trajet.WEEKDAY_FIELDS,
        "co2_rail_kg", "co2_flight_kg", "rail_emission_factor", "flight_emission_factor",
        "flight_distance_km", "source", "source_record_id", "import_run", "content_hash",
        "stop_count", "via_names",
    ),
)  # fmt: skip
_STOP_COLUMNS = db_columns(
    Stop,
    (
        "trajet", "sequence", "station", "arrival_time", "arrival_day_offset", "departure_time",
        "departure_day_offset", "distance_from_origin_km", "pickup_type", "drop_off_type",
    ),
)  # fmt: skip
_EXCEPTION_COLUMNS = db_columns(CalendarException, ("trajet", "date", "is_added"))
_COUNTRY_COLUMNS = db_columns(TrajetCountry, ("trajet", "country"))
_PROVENANCE_COLUMNS = db_columns(
    TrajetProvenance, ("trajet", "source", "source_record_id", "import_run")
)
_WRITTEN_TABLES = tuple(
    model._meta.db_table
    for model in (Trajet, Stop, CalendarException, TrajetCountry, TrajetProvenance)
)


def emission_factors() -> tuple[dict[str, co2_rules.EmissionFactor], dict[str, int]]:
    """Make sure the published factors are in the EmissionFactor table; return them by key.

    Values already in the table win, so a corrected factor is used without code changes.
    """
    bands = {"air:short": (0.0, 1000.0), "air:medium": (1000.0, 3500.0), "air:long": (3500.0, None)}
    defaults = dict(co2_rules.DEFAULT_FACTORS)
    rail = [f.kg_per_pkm for k, f in defaults.items() if k.startswith("rail:")]
    defaults["rail:default"] = co2_rules.EmissionFactor(
        "rail:default", round(sum(rail) / len(rail), 5), "ADEME (mean of country factors)", "", 2021
    )
    factors: dict[str, co2_rules.EmissionFactor] = {}
    ids: dict[str, int] = {}
    for key, factor in defaults.items():
        mode, scope = key.split(":")
        country = "" if mode == "air" or scope == "default" else scope
        low, high = bands.get(key, (0.0, None))
        row, _ = EmissionFactor.objects.get_or_create(
            mode=mode,
            country=country,
            min_distance_km=low,
            defaults={
                "max_distance_km": high,
                "kg_co2e_per_passenger_km": factor.kg_per_pkm,
                "label": f"{'Train' if mode == 'rail' else 'Flight'} {scope}",
                "source_name": f"{factor.source} {factor.year} via Open Emission Factors DB",
                "source_url": "https://github.com/climatiq/Open-Emission-Factors-DB",
                "year": factor.year,
            },
        )
        factors[key] = co2_rules.EmissionFactor(
            key, row.kg_co2e_per_passenger_km, row.source_name, country, row.year or 0
        )
        ids[key] = row.pk
    return factors, ids
