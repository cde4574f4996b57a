"""Load one source into the harmonised schema: one transaction, idempotent, traced."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from apps.trajets.calendars import refresh_source_calendar
from apps.trajets.models import (
    MAX_TRANSFER_MIN,
    DataSource,
    ImportRun,
    SourceObservation,
    SourceStation,
    Station,
    Trajet,
)
from apps.trajets.observations import describe_count, load_ontd_history, observe_import
from apps.trajets.rebuild import rebuild_after_run
from apps.trajets.same_train import link_same_trains
from obrail import derived

from .context import REJECT_BATCH, LoadContext, Progress, ignore_progress
from .errors import EtlError, LockedError
from .formats import extract, format_entry
from .load_stations import StationLoading
from .load_trajets import TrajetLoading
from .records import (
    OperatorRecord,
    RejectRecord,
    ServiceRecord,
    StationRecord,
    TransferRecord,
)
from .sources import CUSTOM_DATASET, SourceSpec
from .transform import HARMONISATION_VERSION

__all__ = ["LoadReport", "etl_lock", "input_checksum", "load_source", "skip_unchanged"]

logger = logging.getLogger(__name__)

ETL_LOCK_KEY = 0x0B5A11E7  # PostgreSQL advisory lock id shared by every ETL process


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
    folded: int = 0
    twins: int = 0
    merged: int = 0
    night_by_reference: int = 0
    loops_split: list[str] = field(default_factory=list)
    stop_rows: int = 0
    transfers: int = 0
    station_transfer_times: int = 0
    station_changes: bool = False
    seconds: float = 0.0
    checksum: str = ""
    message: str = ""
    run_id: int | None = None
    reject_reasons: dict[str, int] = field(default_factory=dict)
    observation: str = ""
    write_seconds: dict[str, float] = field(default_factory=dict)
    phase_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def has_changes(self) -> bool:
        """Whether the load wrote anything (what depends on the data must then be rebuilt)."""
        return bool(
            self.inserted
            or self.updated
            or self.deleted
            or self.merged
            or self.night_by_reference
            or self.station_transfer_times
            or self.station_changes
        )

    def summary(self) -> str:
        """One line for logs and command output."""
        return (
            f"{self.source}: {self.status} — read {self.read}, inserted {self.inserted}, "
            f"updated {self.updated}, unchanged {self.unchanged}, rejected {self.rejected}, "
            f"deleted {self.deleted}, folded {self.folded}, links changed {self.merged}, "
            f"night by reference changed {self.night_by_reference} ({self.seconds:.1f} s)"
            + (f" — {self.message}" if self.message else "")
        )


def input_checksum(path: Path, *, rules: str = "") -> str:
    """SHA-256 of a file, or of every file of a folder (names and contents, sorted), after
    ``rules`` (the harmonisation version: an input loaded under older rules is reloaded)."""
    digest = hashlib.sha256(rules.encode())
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
    """Raised inside the transaction to undo a dry run; its text is the run's message."""


@derived.bulk_change()
def load_source(
    spec: SourceSpec,
    *,
    path: Path,
    force: bool = False,
    dry_run: bool = False,
    replace_set: bool = False,
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
    False does not rebuild the derived data (benchmarks, and the ETL runner, which rebuilds
    once after its last source).
    The caller holds :func:`etl_lock`.
    """
    started = time.monotonic()
    report = LoadReport(source=spec.name)
    conflict = _other_set(spec)
    if conflict and not replace_set:
        report.status, report.message = ImportRun.Status.FAILED, conflict
        report.seconds = time.monotonic() - started
        logger.warning("etl source=%s refused: %s", spec.name, conflict)
        return report
    source = _declare_source(
        spec,
        path,
        scope=spec.scope,
        is_night_reference=bool(
            spec.options.get("night_reference", format_entry(spec.format).is_night_reference)
        ),
    )
    checksum = input_checksum(path, rules=HARMONISATION_VERSION)
    run = _start_run(source, report, checksum, skip_if_unchanged=not (force or dry_run))
    if run is None:
        return report
    loader = _SourceLoader(
        LoadContext(spec, source, run, report, progress or ignore_progress),
        fail_after_services=fail_after_services,
        merge_across_sources=merge_across_sources,
    )
    with _recorded_run(run.pk, report, spec, started):
        loader.load(path)
        if dry_run:
            raise _DryRunRollbackError("dry run: nothing was written")
        # Each import is a dated observation of the source's trains (with the data).
        observation = observe_import(source, run)
        if observation is not None:
            report.observation = _observation_line(observation)
    if report.status == ImportRun.Status.SUCCEEDED and notify:
        rebuild_after_run(
            run.pk, reason=f"import of {source.name} (run {run.pk})", changed=report.has_changes
        )
    return report


@contextlib.contextmanager
def _recorded_run(
    run_id: int, report: LoadReport, spec: SourceSpec, started: float
) -> Iterator[None]:
    """Run the body in one transaction and record the run's outcome on ``report`` and its
    ImportRun: succeeded (committed with the data: a process killed at any point leaves either
    the data and a succeeded run, or neither and a run still "running", closed as interrupted
    by the next ETL run); a dry run when the body raises :class:`_DryRunRollbackError` (its
    text is the message); failed, rolled back, on any other exception."""
    try:
        with transaction.atomic():
            yield
            report.status = ImportRun.Status.SUCCEEDED
            report.seconds = time.monotonic() - started
            _store_run(run_id, report)
    except _DryRunRollbackError as dry_run:
        report.status = ImportRun.Status.DRY_RUN
        report.message = str(dry_run)
    except Exception as exc:  # every failure is recorded on the run
        _failed(report, spec, exc)
    if report.status != ImportRun.Status.SUCCEEDED:
        report.seconds = time.monotonic() - started
        _store_run(run_id, report)
    logger.info("etl %s", report.summary())


def _failed(report: LoadReport, spec: SourceSpec, exc: Exception) -> None:
    """Record a load's failure on its report: an input or file error as it is worded, anything
    else as unexpected, with its traceback in the log (called from the ``except`` block)."""
    report.status = ImportRun.Status.FAILED
    if isinstance(exc, EtlError | OSError):
        report.message = str(exc)
        logger.warning("etl source=%s failed: %s", spec.name, exc)
    else:
        report.message = f"unexpected {type(exc).__name__}: {exc}"
        logger.exception("etl source=%s crashed", spec.name)


def _declare_source(spec: SourceSpec, path: Path, **fields: object) -> DataSource:
    """Create or update the source's row from its declaration (``fields``: more columns)."""
    source, _ = DataSource.objects.update_or_create(
        name=spec.name,
        defaults={
            "title": spec.display_title[:200],
            "format": format_entry(spec.format).stored_as,
            "location": str(spec.url or path)[:500],
            "licence": spec.licence[:120] or "unknown",
            "attribution": spec.attribution,
            "dataset": spec.dataset,
            **fields,
        },
    )
    return source


def _start_run(
    source: DataSource, report: LoadReport, checksum: str, *, skip_if_unchanged: bool
) -> ImportRun | None:
    """The new running ImportRun of ``source``, noted on ``report``; or None, with the skipped
    run on ``report``, when ``skip_if_unchanged`` and the input is the last successful one's."""
    report.checksum = checksum
    skipped = skip_unchanged(source, checksum) if skip_if_unchanged else None
    if skipped is not None:
        report.status, report.run_id, report.message = skipped.status, skipped.pk, skipped.message
        return None
    run = ImportRun.objects.create(source=source, input_checksum=checksum)
    report.run_id = run.pk
    return run


def skip_unchanged(source: DataSource, checksum: str) -> ImportRun | None:
    """Record a ``skipped`` run and return it when ``checksum`` is the input of the source's
    last successful run (nothing to reload); else None."""
    last = (
        ImportRun.objects.filter(source=source, status=ImportRun.Status.SUCCEEDED)
        .order_by("-started_at", "-id")
        .first()
    )
    if last is None or last.input_checksum != checksum:
        return None
    now = timezone.now()
    return ImportRun.objects.create(
        source=source,
        started_at=now,
        finished_at=now,
        status=ImportRun.Status.SKIPPED,
        input_checksum=checksum,
        message=f"input unchanged since run #{last.pk}; use --force to reload",
    )


def _other_set(spec: SourceSpec) -> str:
    """Why loading ``spec`` would replace data of another source set, or ""."""
    source = DataSource.objects.filter(name=spec.name).first()
    if source is None or source.dataset == spec.dataset:
        return ""
    trajets = Trajet.objects.filter(source=source).count()
    records = SourceStation.objects.filter(source=source).count()
    if not trajets and not records:
        return ""
    refresh = (
        f"`etl --source {spec.name} --path FILE` refreshes it"
        if source.dataset == CUSTOM_DATASET
        else f"`etl --set {source.dataset}` refreshes it"
    )
    return (
        f"source {spec.name!r} holds the {source.dataset!r} set ({trajets} trajets, {records} "
        f"station records, from {source.location}); loading the {spec.dataset!r} set would "
        f"replace them: nothing done. {refresh}; --replace-set replaces it "
        "(with --dry-run: shows what would be removed)."
    )


def _store_run(run_id: int, report: LoadReport) -> None:
    """The run's outcome and counts (a failed run wrote nothing but its rejects)."""
    failed = report.status == ImportRun.Status.FAILED
    ImportRun.objects.filter(pk=run_id).update(
        finished_at=timezone.now(),
        status=report.status,
        rows_read=report.read,
        rows_inserted=0 if failed else report.inserted,
        rows_updated=0 if failed else report.updated,
        rows_unchanged=0 if failed else report.unchanged,
        rows_folded=0 if failed else report.folded,
        rows_rejected=report.rejected,
        message=(report.message + _extra_message(report))[:10_000],
    )


def _extra_message(report: LoadReport) -> str:
    parts = []
    if report.observation:
        parts.append(report.observation)
    if report.deleted:
        parts.append(f"{report.deleted} trajets no longer in the source deleted")
    if report.folded:
        parts.append(
            f"{report.folded} services folded into the train they are a calendar variant "
            f"or a same-day twin of ({report.twins} twins)"
        )
    if report.merged:
        parts.append(f"{report.merged} trajets linked to the same train in another source")
    if report.loops_split:
        shown = ", ".join(report.loops_split[:20])
        more = f" and {len(report.loops_split) - 20} more" if len(report.loops_split) > 20 else ""
        parts.append(
            f"{len(report.loops_split)} services calling twice at a station cut at their turn "
            f"({shown}{more})"
        )
    if report.transfers:
        parts.append(
            f"{report.transfers} GTFS transfers read, {report.station_transfer_times} "
            "station minimum change times stored"
        )
    text = "; ".join(parts)
    return ("; " if report.message and text else "") + text


class _SourceLoader:
    """One load, composed of its parts: the shared context (source, run, report, writer,
    rejects), the operators and stations, and the trajets (built with the first service)."""

    def __init__(
        self,
        context: LoadContext,
        *,
        fail_after_services: int | None = None,
        merge_across_sources: bool = True,
    ) -> None:
        self.context = context
        self.report = context.report
        self.stations = StationLoading(
            context, is_reference=format_entry(context.spec.format).is_station_reference
        )
        self.trajets: TrajetLoading | None = None
        self.fail_after = fail_after_services
        self.merge_across_sources = merge_across_sources
        self.station_transfer_s: dict[str, int] = {}

    # -- orchestration ---------------------------------------------------------------------
    def load(self, path: Path) -> None:
        """Read, harmonise and write the whole source, then what follows from it (station
        identity, same trains across sources, the source's validity)."""
        context, report = self.context, self.report
        started = time.perf_counter()
        with context.writer.background():
            self._load_records(path)
            read = time.perf_counter()
        context.phase("database writes left after reading", read)
        finishing = time.perf_counter()
        self._store_station_transfer_times()
        self.stations.finish()
        context.phase("station identity", finishing)
        linking = time.perf_counter()
        links = link_same_trains() if self.merge_across_sources else None
        context.phase("same trains across sources", linking)
        validity = time.perf_counter()
        refresh_source_calendar(context.source)
        context.phase("source validity and typical week", validity)
        phases = report.phase_seconds
        phases["reading and harmonising"] = time.perf_counter() - started - sum(phases.values())
        context.flush_rejects()
        report.station_changes = self.stations.station_changes
        if self.stations.station_messages:
            report.message = "; ".join(
                filter(None, [report.message, f"stations: {self.stations.station_messages[-1]}"])
            )
        if links is not None:
            report.merged = links.changed_links
            report.night_by_reference = links.kinds_changed
            report.message = "; ".join(filter(None, [report.message, links.summary()]))
        report.write_seconds = dict(context.writer.seconds)

    def _trajets(self) -> TrajetLoading:
        """The trajet part, built on first use (after the stations read so far are stored)."""
        if self.trajets is None:
            self.trajets = TrajetLoading(self.context, self.stations, fail_after=self.fail_after)
        return self.trajets

    def _load_records(self, path: Path) -> None:
        context, report, stations = self.context, self.report, self.stations
        stations_pending = False
        for record in extract(context.spec.format, path, context.spec.options):
            report.read += 1
            if isinstance(record, StationRecord):
                stations.add_station(record)
                stations_pending = True
            elif isinstance(record, ServiceRecord):
                if stations_pending:
                    stations.flush()
                    stations_pending = False
                self._trajets().add_service(record)
            elif isinstance(record, OperatorRecord):
                stations.add_operator(record)
            elif isinstance(record, RejectRecord):
                context.reject(record)
            elif isinstance(record, TransferRecord):
                report.read -= 1
                report.transfers += 1
                self._transfer(record)
            if len(context.rejects) >= REJECT_BATCH:
                context.flush_rejects()
        if stations_pending:
            stations.flush()
        self._trajets().write_trains()

    def _transfer(self, record: TransferRecord) -> None:
        """Keep a station's own minimum change time (a transfer from a stop to itself)."""
        if record.from_station_id == record.to_station_id and record.min_transfer_s is not None:
            known = self.station_transfer_s.get(record.from_station_id, 0)
            self.station_transfer_s[record.from_station_id] = max(known, record.min_transfer_s)

    def _store_station_transfer_times(self) -> None:
        """Write the change times the feed published, in whole minutes rounded up."""
        by_minutes: dict[int, list[int]] = {}
        for source_id, seconds in self.station_transfer_s.items():
            info = self.stations.station_for(source_id)
            if info is not None:
                minutes = min(-(-seconds // 60), MAX_TRANSFER_MIN)
                by_minutes.setdefault(minutes, []).append(info.key)
        for minutes, pks in by_minutes.items():
            changed = (
                Station.objects.filter(pk__in=pks)
                .exclude(min_transfer_min=minutes)
                .update(min_transfer_min=minutes)
            )
            self.report.station_transfer_times += changed


def _observation_line(observation: SourceObservation) -> str:
    """What changed since the source's previous observation, in one line."""
    count = describe_count(observation)
    if observation.compared_with is None:
        return f"first observation: {count}"
    return (
        f"{count}; since {observation.compared_with.observed_on}: "
        f"{observation.added} added, {observation.removed} removed, "
        f"{observation.changed} changed"
    )


@derived.bulk_change()
def load_snapshot_history(
    spec: SourceSpec,
    *,
    path: Path,
    force: bool = False,
    dry_run: bool = False,
    notify: bool = True,
) -> LoadReport:
    """Load a folder of dated snapshots of a night-train list as observations (format
    ``ontd-history``): one per snapshot, replacing the source's earlier ones. Skipped when the
    folder is unchanged since the last successful load, unless ``force``; ``dry_run`` computes
    the counts and rolls back; ``notify`` False does not rebuild the derived data."""
    started = time.monotonic()
    report = LoadReport(source=spec.name)
    # Neither scope nor night-reference flag: a history source holds no trajet.
    source = _declare_source(spec, path)
    run = _start_run(source, report, input_checksum(path), skip_if_unchanged=not (force or dry_run))
    if run is None:
        return report
    with _recorded_run(run.pk, report, spec, started):
        count = load_ontd_history(source, path, run)
        observations = list(source.observations.order_by("observed_on", "id"))
        report.read = sum(o.item_count for o in observations)
        report.inserted = count
        report.message = "; ".join(
            f"{o.observed_on}: {o.item_count} routes (+{o.added} −{o.removed} ~{o.changed})"
            for o in observations
        )
        if dry_run:
            raise _DryRunRollbackError(f"dry run: nothing was written ({report.message})")
    if report.status == ImportRun.Status.SUCCEEDED and notify:
        rebuild_after_run(
            run.pk, reason=f"import of {source.name} (run {run.pk})", changed=report.has_changes
        )
    return report
