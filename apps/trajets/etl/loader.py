"""Load one source into the harmonised schema: one transaction, idempotent, traced."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from apps.trajets.models import (
    CalendarException,
    DataSource,
    EmissionFactor,
    ImportRun,
    Operator,
    RejectedRecord,
    Station,
    Stop,
    Trajet,
    TrajetCountry,
    TrajetProvenance,
)
from apps.trajets.signals import import_completed

from .errors import EtlError, InjectedFailureError, LockedError
from .extractors import extract
from .harmonise import co2 as co2_rules
from .harmonise.geo import great_circle_km
from .harmonise.matching import Candidate, StationIndex
from .harmonise.names import normalise_station_name
from .harmonise.operators import normalise_operator
from .harmonise.timezones import country_for_zone, repair_time_zone, zone_for_country
from .records import (
    Location,
    OperatorRecord,
    RejectRecord,
    ServiceRecord,
    StationRecord,
    TransferRecord,
)
from .sources import SourceSpec
from .transform import HarmonisedService, StationInfo, harmonise_service
from .writer import BulkWriter

__all__ = ["LoadReport", "etl_lock", "input_checksum", "load_source", "reason_code"]

logger = logging.getLogger(__name__)

ETL_LOCK_KEY = 0x0B5A11E7  # PostgreSQL advisory lock id shared by every ETL process
SERVICE_BATCH = 2000
REJECT_BATCH = 1000
# A station created from a feed takes the country of the nearest known station within this
# distance when the feed gives none (border stations of gtfs.de, for example), else the
# country of its time zone.
COUNTRY_FROM_NEIGHBOUR_KM = 60.0
_FORMATS = {
    "gtfs": "gtfs",
    "csv": "csv",
    "ontd-json": "json",
    "xlsx": "xlsx",
    "xls": "xlsx",
    "european-sleeper-html": "html",
    "html-table": "html",
}
_REFERENCE_FORMATS = {"csv", "xlsx", "xls", "html-table"}
_REASON_CODES = (
    ("unknown station", "unknown_station"),
    ("no coordinates", "missing_coordinates"),
    ("coordinates out of range", "invalid_coordinates"),
    ("duplicate", "duplicate_id"),
    ("impossible time", "invalid_time"),
    ("is not h:mm", "invalid_time"),
    ("backwards", "invalid_time"),
    ("not positive", "invalid_time"),
    ("neither arrival nor departure", "invalid_time"),
    ("at least 2 needed", "too_few_stops"),
    ("city meta-station", "not_a_station"),
    ("section header", "not_a_record"),
    ("inactive", "inactive"),
    ("absent from", "broken_reference"),
    ("unknown trip", "broken_reference"),
    ("unknown route", "broken_reference"),
    ("unknown service_id", "broken_reference"),
    ("unknown stop_id", "unknown_station"),
    ("calendar", "invalid_calendar"),
    ("date", "invalid_date"),
    ("no station name", "missing_name"),
    ("country", "missing_country"),
)


def reason_code(reason: str) -> str:
    """Return the short code grouping a reject reason in the quality report."""
    lowered = reason.lower()
    for needle, code in _REASON_CODES:
        if needle in lowered:
            return code
    return "invalid_record"


@dataclass
class LoadReport:
    """Counts and outcome of loading one source."""

    source: str
    status: str = ImportRun.Status.RUNNING
    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    deleted: int = 0
    merged: int = 0
    stop_rows: int = 0
    transfers: int = 0
    seconds: float = 0.0
    checksum: str = ""
    message: str = ""
    run_id: int | None = None
    reject_reasons: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        """One line for logs and command output."""
        return (
            f"{self.source}: {self.status} — read {self.read}, inserted {self.inserted}, "
            f"updated {self.updated}, unchanged {self.unchanged}, rejected {self.rejected}, "
            f"deleted {self.deleted}, merged {self.merged} ({self.seconds:.1f} s)"
            + (f" — {self.message}" if self.message else "")
        )


Progress = Callable[[str, int], None]


def input_checksum(path: Path) -> str:
    """SHA-256 of a file, or of every file of a folder (names and contents, sorted)."""
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        if path.is_dir():
            digest.update(str(file.relative_to(path)).encode())
        with file.open("rb") as handle:
            for chunk in iter(lambda handle=handle: handle.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


@contextlib.contextmanager
def etl_lock() -> Iterator[None]:
    """Refuse to run when another ETL holds the lock (advisory lock or lock file)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [ETL_LOCK_KEY])
            if not cursor.fetchone()[0]:
                raise LockedError("another ETL run holds the database lock; try again later")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [ETL_LOCK_KEY])
        return
    lock_dir = Path(settings.ETL_CACHE_DIR)
    lock_dir.mkdir(parents=True, exist_ok=True)
    name = Path(str(connection.settings_dict["NAME"])).name or "default"
    with (lock_dir / f"etl-{name}.lock").open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockedError("another ETL run holds the lock file; try again later") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class _DryRunRollbackError(Exception):
    """Raised inside the transaction to undo a dry run."""


def load_source(
    spec: SourceSpec,
    *,
    path: Path,
    force: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
    fail_after_services: int | None = None,
    merge_across_sources: bool = True,
    notify: bool = True,
) -> LoadReport:
    """Load one source in one transaction and record an ImportRun.

    Skips the load (status ``skipped``) when the input checksum equals the last successful
    run's, unless ``force``. ``dry_run`` computes every count and rolls back.
    ``fail_after_services`` raises mid-load (tests prove the rollback with it).
    ``merge_across_sources`` False keeps every service as its own trajet, and ``notify``
    False does not send ``import_completed`` (benchmarks).
    The caller holds :func:`etl_lock`.
    """
    started = time.monotonic()
    report = LoadReport(source=spec.name)
    source, _ = DataSource.objects.update_or_create(
        name=spec.name,
        defaults={
            "title": spec.name.replace("-", " ").title(),
            "format": _FORMATS[spec.format],
            "location": str(spec.url or path)[:500],
            "licence": spec.licence[:120] or "unknown",
            "attribution": spec.attribution,
        },
    )
    report.checksum = input_checksum(path)
    last = (
        ImportRun.objects.filter(source=source, status=ImportRun.Status.SUCCEEDED)
        .order_by("-started_at", "-id")
        .first()
    )
    if last is not None and last.input_checksum == report.checksum and not force and not dry_run:
        now = timezone.now()
        run = ImportRun.objects.create(
            source=source,
            started_at=now,
            finished_at=now,
            status=ImportRun.Status.SKIPPED,
            input_checksum=report.checksum,
            message=f"input unchanged since run #{last.pk}; use --force to reload",
        )
        report.status, report.run_id, report.message = run.status, run.pk, run.message
        return report
    run = ImportRun.objects.create(source=source, input_checksum=report.checksum)
    report.run_id = run.pk
    loader = _SourceLoader(spec, source, run, report, progress, fail_after_services)
    loader.merge_across_sources = merge_across_sources
    try:
        with transaction.atomic():
            loader.load(path)
            if dry_run:
                raise _DryRunRollbackError
        report.status = ImportRun.Status.SUCCEEDED
    except _DryRunRollbackError:
        report.status = ImportRun.Status.DRY_RUN
        report.message = "dry run: nothing was written"
    except (EtlError, OSError) as exc:
        report.status = ImportRun.Status.FAILED
        report.message = str(exc)
        logger.warning("etl source=%s failed: %s", spec.name, exc)
    except Exception as exc:
        report.status = ImportRun.Status.FAILED
        report.message = f"unexpected {type(exc).__name__}: {exc}"
        logger.exception("etl source=%s crashed", spec.name)
    report.seconds = time.monotonic() - started
    ImportRun.objects.filter(pk=run.pk).update(
        finished_at=timezone.now(),
        status=report.status,
        rows_read=report.read,
        rows_inserted=report.inserted if report.status != ImportRun.Status.FAILED else 0,
        rows_updated=report.updated if report.status != ImportRun.Status.FAILED else 0,
        rows_unchanged=report.unchanged if report.status != ImportRun.Status.FAILED else 0,
        rows_rejected=report.rejected,
        message=(report.message + _extra_message(report))[:10_000],
    )
    logger.info("etl %s", report.summary())
    if report.status == ImportRun.Status.SUCCEEDED and notify:
        run.refresh_from_db()
        import_completed.send(sender=DataSource, source=source, run=run)
    return report


def _extra_message(report: LoadReport) -> str:
    parts = []
    if report.deleted:
        parts.append(f"{report.deleted} trajets no longer in the source deleted")
    if report.merged:
        parts.append(f"{report.merged} services merged into trajets of other sources")
    if report.transfers:
        parts.append(f"{report.transfers} GTFS transfers read (not stored)")
    text = "; ".join(parts)
    return ("; " if report.message and text else "") + text


class _SourceLoader:
    """The state of one load: station index, id maps, batches and counters."""

    def __init__(self, spec, source, run, report, progress, fail_after_services) -> None:
        self.spec = spec
        self.source = source
        self.run = run
        self.report = report
        self.progress = progress or (lambda phase, rows: None)
        self.fail_after = fail_after_services
        self.writer = BulkWriter()
        self.operators: dict[str, tuple[int, str]] = {}
        self.station_ids: dict[str, StationInfo | int] = {}
        self.rejects: list[RejectedRecord] = []
        self.services: list[tuple[HarmonisedService, int]] = []
        self.services_done = 0
        self.is_reference = spec.format in _REFERENCE_FORMATS
        self.merge_across_sources = True

    # -- orchestration ---------------------------------------------------------------------
    def load(self, path: Path) -> None:
        self.factors, self.factor_ids = _emission_factors()
        self._load_station_index()
        stations_pending = False
        trajet_state_loaded = False
        for record in extract(self.spec.format, path, self.spec.options):
            self.report.read += 1
            if isinstance(record, StationRecord):
                self._station(record)
                stations_pending = True
            elif isinstance(record, ServiceRecord):
                if stations_pending:
                    self._flush_stations()
                    stations_pending = False
                if not trajet_state_loaded:
                    self._load_trajet_state()
                    trajet_state_loaded = True
                self._service(record)
            elif isinstance(record, OperatorRecord):
                self._operator(record)
            elif isinstance(record, RejectRecord):
                self._reject(record)
            elif isinstance(record, TransferRecord):
                self.report.read -= 1
                self.report.transfers += 1
            if len(self.rejects) >= REJECT_BATCH:
                self._flush_rejects()
        if stations_pending:
            self._flush_stations()
        if not trajet_state_loaded:
            self._load_trajet_state()
        self._flush_services()
        self._delete_stale()
        self._flush_rejects()

    def _reject(self, record: RejectRecord) -> None:
        self.report.rejected += 1
        code = reason_code(record.reason)
        self.report.reject_reasons[code] = self.report.reject_reasons.get(code, 0) + 1
        self.rejects.append(
            RejectedRecord(
                run=self.run,
                location=str(record.location)[:300],
                reason_code=code,
                reason=record.reason,
                raw=record.raw[:4000],
            )
        )

    def _flush_rejects(self) -> None:
        RejectedRecord.objects.bulk_create(self.rejects, batch_size=REJECT_BATCH)
        self.rejects.clear()

    # -- operators ---------------------------------------------------------------------------
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
            "id", "uic_code", "normalised_name", "latitude", "longitude", "country",
            "time_zone", "source_ids", "source_names",
        )  # fmt: skip
        for pk, uic, name, lat, lon, country, zone, ids, names in rows.iterator(chunk_size=5000):
            self.index.add(Candidate(pk, uic, name, lat, lon))
            self.known[pk] = {
                "uic": uic, "lat": lat, "lon": lon, "country": country, "zone": zone,
                "ids": ids, "names": names,
            }  # fmt: skip
            if uic:
                self.used_uics.add(uic)
            own = ids.get(self.spec.name)
            for source_id in own if isinstance(own, list) else [own] if own else []:
                self.previous_ids[source_id] = pk
        self.pending: list[Station] = []
        self.dirty: set[int] = set()

    def _station(self, record: StationRecord) -> None:
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
            self.station_ids[record.source_id] = position
            self.report.unchanged += 1
            return
        self._create_station(record)

    def _attach(self, pk: int, record: StationRecord) -> None:
        state = self.known[pk]
        ids = _with_value(state["ids"], self.spec.name, record.source_id)
        names = _with_value(state["names"], self.spec.name, record.name)
        changed = ids != state["ids"] or names != state["names"]
        if state["lat"] is None and record.latitude is not None:
            state["lat"], state["lon"] = record.latitude, record.longitude
            changed = True
        if not state["uic"] and record.uic and record.uic not in self.used_uics:
            state["uic"] = record.uic
            self.used_uics.add(record.uic)
            changed = True
        state["ids"], state["names"] = ids, names
        if changed:
            self.report.updated += 1
            self.dirty.add(pk)
        else:
            self.report.unchanged += 1
        self.station_ids[record.source_id] = StationInfo(
            pk, state["lat"], state["lon"], state["country"], state["zone"]
        )

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
                "country": station.country, "zone": station.time_zone,
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

    # -- trajets -----------------------------------------------------------------------------
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
        for stop in record.stops:
            info = self._station_for(stop.station_id)
            if info is not None:
                stations[stop.station_id] = info
        result = harmonise_service(
            record, stations, operator_code=operator_code, factors=self.factors
        )
        if isinstance(result, RejectRecord):
            self._reject(result)
            return
        if result.calendar.first_running_date() is None and not (
            result.calendar.valid_from and result.calendar.valid_to
        ):
            self._reject(
                RejectRecord(record.location, f"service {record.source_id!r}: calendar has no date")
            )
            return
        if result.source_id in self.seen:
            self._reject(
                RejectRecord(record.location, f"duplicate service id {result.source_id!r}")
            )
            return
        self.seen.add(result.source_id)
        self.services.append((result, operator_pk))
        if len(self.services) >= SERVICE_BATCH:
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
            self.writer.insert(
                Trajet._meta.db_table,
                _TRAJET_COLUMNS,
                (self._trajet_row(pk, s, op) for pk, (s, op) in zip(ids, inserts, strict=True)),
            )
            self._write_children([(pk, s) for pk, (s, _) in zip(ids, inserts, strict=True)])
            self.writer.insert(
                TrajetProvenance._meta.db_table,
                _PROVENANCE_COLUMNS,
                (
                    (pk, self.source.pk, s.source_id, self.run.pk)
                    for pk, (s, _) in zip(ids, inserts, strict=True)
                ),
            )
            self.report.inserted += len(inserts)
        if updates:
            self.writer.update(
                Trajet._meta.db_table,
                ("id", *_TRAJET_COLUMNS[1:]),
                [self._trajet_row(pk, s, op) for s, op, pk in updates],
            )
            ids = [pk for _, _, pk in updates]
            for model in (Stop, CalendarException, TrajetCountry):
                self.writer.delete_in(model._meta.db_table, "trajet_id", ids)
            self._write_children([(pk, s) for s, _, pk in updates])
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
        dates = calendar.running_dates()
        valid_from = calendar.valid_from or (dates[0] if dates else None)
        valid_to = calendar.valid_to or (dates[-1] if dates else valid_from)
        if valid_from and calendar.added:
            valid_from = min(valid_from, calendar.added[0])
            valid_to = max(valid_to, calendar.added[-1])
        factor_keys = service.co2_factors.split(",")
        origin = self.known[service.origin_key]
        destination = self.known[service.destination_key]
        return (
            pk, operator_pk, service.train_number[:40], service.category[:40], service.kind,
            service.kind_reason[:300], service.origin_key, service.destination_key,
            origin["country"], destination["country"], service.departure_time,
            service.arrival_time, min(service.arrival_day_offset, 7), service.duration_min,
            service.distance_km or None, valid_from, valid_to, *calendar.weekdays,
            service.co2_rail_kg, service.co2_flight_kg, self.factor_ids.get(factor_keys[0]),
            self.factor_ids.get(factor_keys[-1]),
            round(service.co2_flight_distance_km, 1), self.source.pk, service.source_id[:200],
            self.run.pk, service.content_hash,
        )  # fmt: skip

    def _write_children(self, rows: list[tuple[int, HarmonisedService]]) -> None:
        def stops():
            for pk, service in rows:
                for stop in service.stops:
                    yield (
                        pk, stop.sequence, stop.station_key, stop.arrival,
                        min(stop.arrival_day_offset, 7), stop.departure,
                        min(stop.departure_day_offset, 7), stop.distance_from_origin_km,
                    )  # fmt: skip

        self.report.stop_rows += self.writer.insert(Stop._meta.db_table, _STOP_COLUMNS, stops())

        def exceptions():
            for pk, service in rows:
                removed = set(service.calendar.removed)
                for day in sorted(set(service.calendar.added) - removed):
                    yield (pk, day, True)
                for day in sorted(removed):
                    yield (pk, day, False)

        self.writer.insert(CalendarException._meta.db_table, _EXCEPTION_COLUMNS, exceptions())
        self.writer.insert(
            TrajetCountry._meta.db_table,
            _COUNTRY_COLUMNS,
            ((pk, country) for pk, service in rows for country in service.countries),
        )

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


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _columns(model, names: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(model._meta.get_field(name).column for name in names)


_TRAJET_COLUMNS = _columns(
    Trajet,
    (
        "id", "operator", "train_number", "category", "kind", "kind_reason", "origin",
        "destination", "origin_country", "destination_country", "departure_time", "arrival_time",
        "arrival_day_offset", "duration_min", "distance_km", "valid_from", "valid_to",
        *Trajet.WEEKDAY_FIELDS, "co2_rail_kg", "co2_flight_kg", "rail_emission_factor",
        "flight_emission_factor", "flight_distance_km", "source", "source_record_id",
        "import_run", "content_hash",
    ),
)  # fmt: skip
_STOP_COLUMNS = _columns(
    Stop,
    (
        "trajet", "sequence", "station", "arrival_time", "arrival_day_offset", "departure_time",
        "departure_day_offset", "distance_from_origin_km",
    ),
)  # fmt: skip
_EXCEPTION_COLUMNS = _columns(CalendarException, ("trajet", "date", "is_added"))
_STATION_UPDATE_COLUMNS = _columns(
    Station, ("id", "uic_code", "latitude", "longitude", "source_ids", "source_names")
)
_COUNTRY_COLUMNS = _columns(TrajetCountry, ("trajet", "country"))
_PROVENANCE_COLUMNS = _columns(
    TrajetProvenance, ("trajet", "source", "source_record_id", "import_run")
)


def _emission_factors() -> tuple[dict[str, co2_rules.EmissionFactor], dict[str, int]]:
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
