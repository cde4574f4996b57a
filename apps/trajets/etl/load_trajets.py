"""Trajets of one load: harmonise, fold calendar variants into trains, detect changes, write.

One trajet is one train: the services of a source with the same operator, mode and night
label and the same stops at the same times (boarding rules included) are calendar variants
or same-day twins of one train, and fold into one trajet running on the union of their
dates, with one provenance row per source record. The whole source is read before anything
is written, so a train's variants may lie anywhere in the input.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from apps.trajets.models import (
    CalendarException,
    EmissionFactor,
    Station,
    Stop,
    Trajet,
    TrajetCountry,
    TrajetProvenance,
)
from apps.trajets.querysets import WEEKDAY_FIELDS
from apps.trajets.rows import STOP_WRITTEN_FIELDS, TRAJET_WRITTEN_FIELDS, written_values
from apps.trajets.same_train import connected_groups, numbers_agree
from apps.trajets.stop_summaries import stop_summary

from ..emission_factors import ensure_factors
from .context import LoadContext
from .errors import InjectedFailureError
from .harmonise import co2 as co2_rules
from .load_stations import StationLoading
from .records import (
    NAME_MAX_LENGTH,
    CalendarRecord,
    RejectCode,
    RejectRecord,
    ServiceRecord,
    text_problem,
)
from .transform import HarmonisedService, StationInfo, harmonise_service, split_at_turns
from .writer import db_columns

__all__ = [
    "SERVICE_BATCH",
    "TrajetLoading",
    "emission_factors",
    "fold_services",
    "fold_twins",
    "night_runs",
]

# Trains per write batch: few COPY statements, and the writer thread starts on the first
# batch while the next ones are prepared.
SERVICE_BATCH = 2000
# Services read between two progress reports.
PROGRESS_EVERY = 2000


@dataclass(frozen=True, slots=True)
class _Children:
    """Rows of the tables hanging off a batch of trajets, as ``BulkWriter.prepare`` makes
    them (``stops`` holds COPY text per trajet on PostgreSQL, row tuples elsewhere)."""

    stops: list
    exceptions: list
    countries: list
    provenance: list


@dataclass(slots=True)
class _Train:
    """The services of one source that are one train (same operator, stops and times)."""

    operator_pk: int
    services: list[HarmonisedService] = field(default_factory=list)
    pk: int | None = None  # trajet id, when its stops were written while reading


def fold_services(services: list[HarmonisedService]) -> HarmonisedService:
    """One train from its calendar variants (or same-day twins): the dates are the union
    of theirs.

    The train takes the stops, number, category and kind of the variant running on most
    days (the earliest id on a tie), the smallest source id as its own, every record of
    every variant as its members, and a content hash over its variants' hashes (a variant
    added, removed or changed changes the train).
    """
    if len(services) == 1:
        return services[0]
    main = min(services, key=lambda s: (-len(s.days), s.source_id))
    days = frozenset().union(*(s.days for s in services))
    ids = tuple(sorted(i for s in services for i in (s.member_ids or (s.source_id,))))
    digest = hashlib.blake2b(
        "|".join(sorted(s.content_hash for s in services)).encode(), digest_size=16
    ).hexdigest()
    return replace(
        main,
        source_id=ids[0],
        member_ids=ids,
        calendar=CalendarRecord.of_days(days),
        days=days,
        content_hash=digest,
    )


def fold_twins(
    trains: list[tuple[HarmonisedService, int]],
) -> tuple[list[tuple[HarmonisedService, int]], list[int]]:
    """Same-day twins folded into one train; returns the trains left (in input order) and
    the positions of those folded into another (the one running on most days keeps its
    position, its stops and, on a first load, the stops already written for it).

    Two trains of one source and operator that leave the same station at the same time
    and reach the same station at the same time on a common date are one train published
    twice (ZSSK repeats trips under ``9999…`` ids; SNCF publishes Intercités 3631 twice with
    a minute's dwell apart): a group of such trains joined by common dates folds into one
    trajet with the stops of the one running on most days. Trains with the same ends and
    times that never run on the same day stay apart (a stopping pattern of other days).
    """
    by_ends: dict[tuple, list[int]] = defaultdict(list)
    for position, (train, operator_pk) in enumerate(trains):
        by_ends[_ends_key(train, operator_pk)].append(position)
    folded: dict[int, HarmonisedService] = {}
    dropped: set[int] = set()
    for positions in by_ends.values():
        if len(positions) < 2:
            continue
        for group in _common_date_groups(positions, [trains[p][0].days for p in positions]):
            members = [trains[p][0] for p in group]
            main = min(group, key=lambda p: (-len(trains[p][0].days), trains[p][0].source_id))
            folded[main] = _night_if_a_twin_is(fold_services(members), members)
            dropped.update(p for p in group if p != main)
    result = [
        (folded.get(position, train), operator_pk)
        for position, (train, operator_pk) in enumerate(trains)
        if position not in dropped
    ]
    return result, sorted(dropped)


def _night_if_a_twin_is(
    train: HarmonisedService, twins: list[HarmonisedService]
) -> HarmonisedService:
    """A train one of whose publications is a night train is a night train."""
    night = [t for t in twins if t.kind == "night"]
    if train.kind == "night" or not night:
        return train
    twin = min(night, key=lambda t: t.source_id)
    reason = f"same-day twin {twin.source_id} is a night train: {twin.kind_reason}"[:300]
    digest = hashlib.blake2b(f"{train.content_hash}|{reason}".encode(), digest_size=16)
    return replace(train, kind="night", kind_reason=reason, content_hash=digest.hexdigest())


def _ends_key(train: HarmonisedService, operator_pk: int) -> tuple:
    first, last = train.stops[0], train.stops[-1]
    return (
        operator_pk,
        train.mode,
        first.station_key,
        first.departure,
        first.departure_day_offset,
        last.station_key,
        last.arrival,
        last.arrival_day_offset,
    )


def _common_date_groups(positions: list[int], days: list[frozenset[int]]) -> list[list[int]]:
    """Positions joined (directly or through others) by a common date, groups of two or
    more, each in input order."""
    pairs = [
        (positions[i], positions[j])
        for i, j in itertools.combinations(range(len(positions)), 2)
        if days[i] & days[j]
    ]
    return [sorted(group) for group in connected_groups(pairs)]


def night_runs(
    trains: list[tuple[HarmonisedService, int]],
) -> list[tuple[HarmonisedService, int]]:
    """Night trains recognised by a sister run: trains of one source calling at the same
    stations at the same times, whatever their operator and boarding rules, are one run;
    when the source labels one of them a night train (a night product, sleepers), the
    others whose number agrees are night trains too (gtfs.de publishes EN 407 Warszawa →
    Oświęcim as "EN" of PKP on some days and as "IC" of another agency on others)."""
    runs: dict[tuple, list[int]] = defaultdict(list)
    for position, (train, _) in enumerate(trains):
        runs[_run_key(train)].append(position)
    result = list(trains)
    for positions in runs.values():
        if len(positions) < 2:
            continue
        sources = [
            trains[p][0]
            for p in positions
            if trains[p][0].kind == "night" and not trains[p][0].kind_reason.startswith("runs ")
        ]
        if not sources:
            continue
        night = min(sources, key=lambda s: s.source_id)
        label = " ".join(filter(None, (night.category, night.train_number))) or "a night train"
        for position in positions:
            train, operator_pk = trains[position]
            # Another number is another train (Romania's day IR 1094 runs in winter on
            # the stops and times of the summer night IR-N 460).
            if train.kind == "night" or not numbers_agree(train.train_number, night.train_number):
                continue
            reason = (
                f"same run as {label} (record {night.source_id}) on other days: {night.kind_reason}"
            )[:300]
            digest = hashlib.blake2b(
                f"{train.content_hash}|{reason}".encode(), digest_size=16
            ).hexdigest()
            result[position] = (
                replace(train, kind="night", kind_reason=reason, content_hash=digest),
                operator_pk,
            )
    return result


def _run_key(train: HarmonisedService) -> tuple:
    return tuple(
        (s.station_key, s.arrival, s.arrival_day_offset, s.departure, s.departure_day_offset)
        for s in train.stops
    )


class TrajetLoading:
    """The trajets of one load: harmonise each service, fold variants into trains, write.

    Built when the first service comes (the source's stations are stored by then): it reads
    the source's stored trajets and the emission factors.
    """

    def __init__(
        self, context: LoadContext, stations: StationLoading, *, fail_after: int | None
    ) -> None:
        self.context = context
        self.source = context.source
        self.run = context.run
        self.report = context.report
        self.writer = context.writer
        self.stations = stations
        self.fail_after = fail_after
        self.services_done = 0
        self.factors, self.factor_ids = emission_factors()
        self._load_trajet_state()

    def _load_trajet_state(self) -> None:
        self.existing: dict[str, tuple[int, str]] = {
            record_id: (pk, digest)
            for pk, record_id, digest in Trajet.objects.filter(source=self.source)
            .values_list("id", "source_record_id", "content_hash")
            .iterator(chunk_size=10_000)
        }
        self.seen: set[str] = set()
        self.trains: dict[tuple, _Train] = {}
        # A source's first load (PostgreSQL) writes each train's stops as soon as the train
        # is first seen: they depend only on its fold key, and the database stores them
        # while the rest of the source is read (see _stream_stops).
        self.streaming = self.writer.is_postgres and not self.existing
        self.streamed_stops: list[str] = []

    def add_service(self, record: ServiceRecord) -> None:
        """Harmonise a service into its train, or reject it."""
        labels = (record.train_number, record.category, record.route_name, *record.labels)
        problem = text_problem("service id", record.source_id, NAME_MAX_LENGTH)
        if not problem and any("\x00" in text for text in labels):
            problem = f"service {record.source_id!r}: a label contains a NUL character (U+0000)"
        if problem:
            self.context.reject(RejectRecord(record.location, RejectCode.INVALID_TEXT, problem))
            return
        operator_pk, operator_code = self.stations.operator_for(record.operator_id)
        stations = {}
        for station_id in {stop.station_id for stop in record.stops}:
            info = self.stations.station_for(station_id)
            if info is not None:
                stations[station_id] = info
        keys = {station_id: info.key for station_id, info in stations.items()}
        known = len(stations) == len({stop.station_id for stop in record.stops})
        parts = split_at_turns(record, keys) if known else [record]
        if not parts:
            self.context.reject(
                RejectRecord(
                    record.location,
                    RejectCode.FRAGMENT,
                    f"fragment: service {record.source_id!r} calls at one station only",
                )
            )
            return
        if len(parts) > 1:
            self.report.loops_split.append(record.source_id)
        for part in parts:
            self._harmonised(part, operator_pk, operator_code, stations)

    def _harmonised(
        self,
        record: ServiceRecord,
        operator_pk: int,
        operator_code: str,
        stations: dict[str, StationInfo],
    ) -> None:
        result = harmonise_service(
            record, stations, operator_code=operator_code, factors=self.factors
        )
        if isinstance(result, RejectRecord):
            self.context.reject(result)
            return
        if result.source_id in self.seen:
            self.context.reject(
                RejectRecord(
                    record.location,
                    RejectCode.DUPLICATE_ID,
                    f"duplicate service id {result.source_id!r}",
                )
            )
            return
        self.seen.add(result.source_id)
        # A coach and a train on the same stops and times stay two services; so do a
        # night-labelled service and a day one (Romania's IR-N 460 runs in summer on the
        # stops and times of IR 1094: a calendar variant of it would lose its night label).
        key = (operator_pk, result.mode, result.kind == "night", result.stop_copy_lines)
        train = self.trains.get(key)
        if train is None:
            train = self.trains[key] = _Train(operator_pk)
            if self.streaming:
                self._stream_stops(train, result)
        train.services.append(result)
        self.services_done += 1
        if self.services_done % PROGRESS_EVERY == 0:
            self.context.progress("records", self.report.read)
        if self.fail_after is not None and self.services_done >= self.fail_after:
            raise InjectedFailureError(f"failure injected after {self.services_done} services")

    def _stream_stops(self, train: _Train, service: HarmonisedService) -> None:
        """Give a new train its trajet id and queue its stop rows, in the order the trains
        are inserted (so ids are those the insert would take). Their foreign key to the
        station is checked with each batch, the one to the trajet after the last trajet."""
        train.pk = self.writer.allocate_ids(Trajet._meta.db_table, 1)[0]
        self.streamed_stops.append(service.stop_copy_text(train.pk))
        self.report.stop_rows += len(service.stops)
        if len(self.streamed_stops) >= SERVICE_BATCH:
            self._flush_streamed_stops()

    def _flush_streamed_stops(self) -> None:
        lines, self.streamed_stops = self.streamed_stops, []
        if not lines:
            return

        def write() -> None:
            self.writer.write(Stop._meta.db_table, _STOP_COLUMNS, lines)
            self.writer.check_deferred(
                (Stop._meta.db_table,), referencing=(Station._meta.db_table,)
            )

        self.writer.submit(write)

    def write_trains(self) -> None:
        """Fold the services read into trains, then insert, update and delete trajets.

        Order matters for the unique provenance ids: the provenance of trajets that change
        or vanish is deleted before any is written.
        """
        started = time.perf_counter()
        self.stop_summaries: dict[tuple[int, ...], tuple[int, str]] = {}
        self._flush_streamed_stops()
        read = list(self.trains.values())
        streamed = [t.pk for t in read] if self.streaming else None
        trains, twins = fold_twins([(fold_services(t.services), t.operator_pk) for t in read])
        self.report.twins = len(twins)
        if streamed is not None and twins:
            # The stops written for a twin folded into another train go.
            gone = [streamed[position] for position in twins]
            self.report.stop_rows -= sum(len(read[p].services[0].stops) for p in twins)
            folded = set(twins)
            streamed = [pk for p, pk in enumerate(streamed) if p not in folded]
            self.writer.submit(
                lambda: self.writer.delete_in(Stop._meta.db_table, "trajet_id", gone)
            )
        trains = night_runs(trains)
        self.trains = {}
        self.report.folded = self.services_done - len(trains)
        inserts: list[tuple[HarmonisedService, int]] = []
        updates: list[tuple[HarmonisedService, int, int]] = []
        kept: set[str] = set()
        for train, operator_pk in trains:
            kept.add(train.source_id)
            known = self.existing.get(train.source_id)
            if known is None:
                inserts.append((train, operator_pk))
            elif known[1] == train.content_hash:
                self.report.unchanged += 1
            else:
                updates.append((train, operator_pk, known[0]))
        stale = [pk for record_id, (pk, _) in self.existing.items() if record_id not in kept]
        # Rows of earlier releases that attached this source's records to another source's
        # trajet: each record now belongs to a trajet of its own source (see same_train).
        TrajetProvenance.objects.filter(source=self.source).exclude(
            trajet__source=self.source
        ).delete()
        self._delete_trajets(stale)
        changed = [pk for _, _, pk in updates]
        if changed:
            self.writer.submit(lambda: self._delete_children(changed))
        if streamed is None:
            for batch in _batches(inserts):
                self._insert(batch)
        else:  # a first load inserts every train, in the order their ids were given
            assert len(streamed) == len(inserts)
            for start, batch in enumerate(_batches(inserts)):
                ids = streamed[start * SERVICE_BATCH : start * SERVICE_BATCH + len(batch)]
                self._insert(batch, ids)  # type: ignore[arg-type]
            self.writer.submit(lambda: self.writer.check_deferred((Stop._meta.db_table,)))
        for batch in _batches(updates):
            self._update(batch)
        self.report.inserted += len(inserts)
        self.report.updated += len(updates)
        self.context.phase("folding trains and preparing rows", started)
        self.context.progress("records", self.report.read)

    def _insert(
        self, batch: list[tuple[HarmonisedService, int]], ids: list[int] | None = None
    ) -> None:
        """Insert trajets and their children; ``ids`` given: their stops are written already
        (their checks wait for the last trajet)."""
        streamed = ids is not None
        if ids is None:
            ids = self.writer.allocate_ids(Trajet._meta.db_table, len(batch))
        pairs = list(zip(ids, batch, strict=True))
        trajets = self.writer.prepare(self._trajet_row(pk, s, op) for pk, (s, op) in pairs)
        children = self._children([(pk, s) for pk, (s, _) in pairs], with_stops=not streamed)
        checked = _CHILD_TABLES if streamed else _WRITTEN_TABLES

        def write() -> None:
            self.writer.write(Trajet._meta.db_table, _TRAJET_COLUMNS, trajets)
            self._write_children(children)
            self.writer.check_deferred(checked)

        self.writer.submit(write)

    def _update(self, batch: list[tuple[HarmonisedService, int, int]]) -> None:
        rows = [self._trajet_row(pk, s, op) for s, op, pk in batch]
        children = self._children([(pk, s) for s, _, pk in batch])

        def write() -> None:
            self.writer.update(Trajet._meta.db_table, ("id", *_TRAJET_COLUMNS[1:]), rows)
            self._write_children(children)
            self.writer.check_deferred(_WRITTEN_TABLES)

        self.writer.submit(write)

    def _delete_children(self, ids: list[int]) -> None:
        """Delete the stops, exceptions, countries and this source's provenance of ``ids``
        (the provenance other sources hold on them stays)."""
        for model in (Stop, CalendarException, TrajetCountry):
            self.writer.delete_in(model._meta.db_table, "trajet_id", ids)
        self.writer.delete_in(
            TrajetProvenance._meta.db_table, "trajet_id", ids, source_id=self.source.pk
        )

    def _delete_trajets(self, ids: list[int]) -> None:
        """Delete trajets no longer in the source, and the links other trajets had to them."""
        if not ids:
            return

        def write() -> None:
            self.writer.set_null_in(Trajet._meta.db_table, "same_train_as_id", ids)
            self.writer.set_null_in(Trajet._meta.db_table, "night_reference_id", ids)
            for model in (Stop, CalendarException, TrajetCountry, TrajetProvenance):
                self.writer.delete_in(model._meta.db_table, "trajet_id", ids)
            self.writer.delete_in(Trajet._meta.db_table, "id", ids)

        self.writer.submit(write)
        self.report.deleted = len(ids)

    def _trajet_row(self, pk: int, service: HarmonisedService, operator_pk: int) -> tuple:
        calendar = service.calendar
        runs_from, runs_until = min(service.days), max(service.days)
        factor_keys = service.co2_factors.split(",")
        origin = self.stations.known[service.origin_key]
        destination = self.stations.known[service.destination_key]
        keys = tuple(s.station_key for s in service.stops)
        summary = self.stop_summaries.get(keys)
        if summary is None:  # trains share their stations: one summary per station sequence
            stop_count, via = stop_summary([self.stations.known[key]["name"] for key in keys])
            summary = self.stop_summaries[keys] = (stop_count, json.dumps(via, ensure_ascii=False))
        stop_count, via_json = summary
        row = {
            "id": pk,
            "operator": operator_pk,
            "train_number": service.train_number[:40],
            "category": service.category[:40],
            "kind": service.kind,
            "mode": service.mode,
            "kind_reason": service.kind_reason[:300],
            "timetable_kind": service.kind,
            "origin": service.origin_key,
            "destination": service.destination_key,
            "origin_country": origin["country"],
            "destination_country": destination["country"],
            "departure_time": service.departure_time,
            "arrival_time": service.arrival_time,
            "arrival_day_offset": min(service.arrival_day_offset, 7),
            "duration_min": service.duration_min,
            "distance_km": service.distance_km or None,
            "distance_method": service.distance_method,
            "valid_from": calendar.valid_from,
            "valid_to": calendar.valid_to,
            "runs_from": dt.date.fromordinal(runs_from),
            "runs_until": dt.date.fromordinal(runs_until),
            "running_days": len(service.days),
            **dict(zip(WEEKDAY_FIELDS, calendar.weekdays, strict=True)),
            "co2_rail_kg": service.co2_rail_kg,
            # The flight equivalent (NULL here) follows the atlas: apps.atlas.trajet_flights.
            "co2_flight_kg": None,
            "rail_emission_factor": self.factor_ids.get(factor_keys[0]),
            "flight_emission_factor": None,
            "flight_distance_km": None,
            "stop_count": stop_count,
            "via_names": via_json,
            "source": self.source.pk,
            "source_record_id": service.source_id[:200],
            "import_run": self.run.pk,
            "content_hash": service.content_hash,
        }
        return _trajet_values(row)

    def _children(
        self, rows: list[tuple[int, HarmonisedService]], *, with_stops: bool = True
    ) -> _Children:
        """The stop (unless ``with_stops`` is False), calendar-exception, country and
        provenance rows of trajets ``rows``."""
        if with_stops:
            self.report.stop_rows += sum(len(service.stops) for _, service in rows)
        if not with_stops:
            stops: list = []
        elif self.writer.is_postgres:
            stops = [service.stop_copy_text(pk) for pk, service in rows]
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
            exceptions.extend((pk, day, True) for day in service.calendar.added)
            exceptions.extend((pk, day, False) for day in service.calendar.removed)
        countries = [(pk, country) for pk, service in rows for country in service.countries]
        source, run = self.source.pk, self.run.pk
        provenance = [
            (pk, source, member[:200], run)
            for pk, service in rows
            for member in (service.member_ids or (service.source_id,))
        ]
        prepare = self.writer.prepare
        return _Children(stops, prepare(exceptions), prepare(countries), prepare(provenance))

    def _write_children(self, children: _Children) -> None:
        self.writer.write(Stop._meta.db_table, _STOP_COLUMNS, children.stops)
        self.writer.write(CalendarException._meta.db_table, _EXCEPTION_COLUMNS, children.exceptions)
        self.writer.write(TrajetCountry._meta.db_table, _COUNTRY_COLUMNS, children.countries)
        self.writer.write(TrajetProvenance._meta.db_table, _PROVENANCE_COLUMNS, children.provenance)


def _batches(items: list) -> Iterator[list]:
    for start in range(0, len(items), SERVICE_BATCH):
        yield items[start : start + SERVICE_BATCH]


# A trajet's row keyed by field (``_trajet_row``) in the order of its columns: the fields
# every loader writes, from the row spec (a field the row lacks is a KeyError).
_TRAJET_COLUMNS = db_columns(Trajet, TRAJET_WRITTEN_FIELDS)
_trajet_values = written_values(TRAJET_WRITTEN_FIELDS)
# The columns of ``HarmonisedService.stop_copy_text`` (trajet first) and of ``_children``.
_STOP_COLUMNS = db_columns(Stop, STOP_WRITTEN_FIELDS)
_EXCEPTION_COLUMNS = db_columns(CalendarException, ("trajet", "date", "is_added"))
_COUNTRY_COLUMNS = db_columns(TrajetCountry, ("trajet", "country"))
_PROVENANCE_COLUMNS = db_columns(
    TrajetProvenance, ("trajet", "source", "source_record_id", "import_run")
)
_WRITTEN_TABLES = tuple(
    model._meta.db_table
    for model in (Trajet, Stop, CalendarException, TrajetCountry, TrajetProvenance)
)
_CHILD_TABLES = tuple(table for table in _WRITTEN_TABLES if table != Stop._meta.db_table)


def emission_factors() -> tuple[dict[str, co2_rules.EmissionFactor], dict[str, int]]:
    """Write the published factors (``ensure_factors``); return the default method's rail
    factors as stored, by ETL key (``rail:<ISO>``, ``rail:default``), and their row ids."""
    ensure_factors()
    factors: dict[str, co2_rules.EmissionFactor] = {}
    ids: dict[str, int] = {}
    rows = EmissionFactor.objects.filter(
        method=co2_rules.DEFAULT_METHOD,
        mode=EmissionFactor.Mode.RAIL,
        route=EmissionFactor.Route.ANY,
        min_distance_km=0,
    )
    for row in rows:
        key = f"rail:{row.country or 'default'}"
        factors[key] = co2_rules.EmissionFactor(
            key, row.kg_co2e_per_passenger_km, row.source_name, row.country, row.year or 0
        )
        ids[key] = row.pk
    return factors, ids
