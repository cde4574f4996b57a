"""Run the ETL over declared or ad-hoc sources: the use case behind the ``etl`` command."""

from __future__ import annotations

import dataclasses
import logging
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone

from apps.trajets.models import DataSource, ImportRun, Trajet
from apps.trajets.rebuild import rebuild_after_run
from obrail import derived

from .download import fetch
from .errors import EtlError, SourceConfigError
from .loader import LoadReport, Progress, etl_lock, load_snapshot_history, load_source
from .sources import (
    CUSTOM_DATASET,
    DATASETS,
    OBSERVATION_FORMATS,
    SourceSpec,
    load_sources,
    validate_spec,
)

logger = logging.getLogger(__name__)

__all__ = [
    "INTERRUPTED_MESSAGE",
    "close_interrupted_runs",
    "run_etl",
    "run_source",
    "select_sources",
    "warehouse_dataset",
]

INTERRUPTED_MESSAGE = (
    "interrupted: the process ended before this load finished (nothing of it was committed); "
    "closed by the next ETL run"
)


def warehouse_dataset() -> str:
    """The source set the warehouse holds: the set of its declared sources that hold data
    ("samples" for an empty warehouse; sources given by hand do not count)."""
    counts = Counter(
        DataSource.objects.exclude(dataset=CUSTOM_DATASET)
        .filter(Exists(Trajet.objects.filter(source=OuterRef("pk"))))
        .values_list("dataset", flat=True)
    )
    return counts.most_common(1)[0][0] if counts else "samples"


def select_sources(
    *,
    sources_file: Path,
    names: list[str],
    path: str = "",
    url: str = "",
    fmt: str = "",
    name: str = "",
    dataset: str = "",
) -> list[SourceSpec]:
    """Return the sources to run, with ``--path``/``--url`` overrides applied.

    ``dataset`` names the source set ("samples", "full"); empty means the set the warehouse
    holds (:func:`warehouse_dataset`). ``fmt`` + ``name`` (+ path or url) describe a source
    absent from the sources file; it and any ``--path``/``--url`` override load into the
    "custom" set.
    """
    if fmt or (name and not names):
        if not (fmt and name and (path or url)):
            raise SourceConfigError("--format needs --name and --path (or --url)")
        spec = SourceSpec(name=name, format=fmt, path=path, url=url, dataset=CUSTOM_DATASET)
        return [validate_spec(spec)]
    chosen_set = dataset or warehouse_dataset()
    declared = load_sources(
        sources_file, dataset=chosen_set, full_data_dir=Path(settings.ETL_FULL_DATA_DIR)
    )
    if names:
        by_name = {spec.name: spec for spec in declared}
        unknown = [n for n in names if n not in by_name]
        if unknown and not (path or url):
            raise SourceConfigError(
                f"unknown source(s) {', '.join(unknown)} in the {chosen_set!r} set; "
                f"declared there: {', '.join(by_name)}"
            )
        if unknown:
            every = {s.name: s for d in DATASETS for s in load_sources(
                sources_file, dataset=d, full_data_dir=Path(settings.ETL_FULL_DATA_DIR)
            )}  # fmt: skip
            missing = [n for n in unknown if n not in every]
            if missing:
                raise SourceConfigError(f"unknown source(s) {', '.join(missing)}")
            by_name.update({n: every[n] for n in unknown})
        chosen = [by_name[n] for n in names]
    else:
        if path or url:
            raise SourceConfigError("--path/--url apply to one source: add --source NAME")
        chosen = [spec for spec in declared if spec.enabled]
    if path or url:
        if len(chosen) != 1:
            raise SourceConfigError("--path/--url apply to exactly one --source")
        chosen = [
            dataclasses.replace(
                chosen[0], path=path, url="" if path else url, dataset=CUSTOM_DATASET
            )
        ]
    return chosen


def _local_path(spec: SourceSpec, cache_dir: Path) -> Path:
    if spec.path:
        path = Path(spec.path)
        path = path if path.is_absolute() else Path(settings.BASE_DIR) / path
        if not path.exists():
            raise SourceConfigError(f"source {spec.name!r}: {path} does not exist")
        return path
    return fetch(spec.url, cache_dir)


def run_source(
    spec: SourceSpec,
    *,
    force: bool = False,
    dry_run: bool = False,
    replace_set: bool = False,
    progress: Progress | None = None,
    cache_dir: Path | None = None,
    notify: bool = True,
) -> LoadReport:
    """Load one source (the caller holds :func:`etl_lock`); a bad location is a failed run."""
    try:
        path = _local_path(spec, cache_dir or Path(settings.ETL_CACHE_DIR))
    except (EtlError, OSError) as exc:
        return LoadReport(source=spec.name, status="failed", message=str(exc))
    if spec.format in OBSERVATION_FORMATS:
        return load_snapshot_history(spec, path=path, force=force, dry_run=dry_run, notify=notify)
    return load_source(
        spec,
        path=path,
        force=force,
        dry_run=dry_run,
        replace_set=replace_set,
        progress=progress,
        notify=notify,
    )


@derived.bulk_change()
def run_etl(
    specs: list[SourceSpec],
    *,
    force: bool = False,
    dry_run: bool = False,
    replace_set: bool = False,
    progress: Progress | None = None,
    cache_dir: Path | None = None,
    on_start: Callable[[SourceSpec], None] | None = None,
    on_report: Callable[[LoadReport], None] | None = None,
    on_derived: Callable[[list[derived.Outcome]], None] | None = None,
) -> list[LoadReport]:
    """Load each source in turn under one ETL lock; a failing source does not stop the rest.

    Then, unless ``dry_run``, the derived data is brought up to date once (see
    :mod:`obrail.derived`), whether or not a load changed data (a process killed between a
    commit and the rebuild left it outdated: a re-run repairs it); its outcomes are stored on
    the last run that changed data (else the last run) and passed to ``on_derived``.
    """
    reports = []
    with etl_lock():
        close_interrupted_runs()
        for spec in specs:
            if on_start is not None:
                on_start(spec)
            report = run_source(
                spec,
                force=force,
                dry_run=dry_run,
                replace_set=replace_set,
                progress=progress,
                cache_dir=cache_dir,
                notify=False,
            )
            reports.append(report)
            if on_report is not None:
                on_report(report)
    if dry_run:
        return reports
    changed = [r for r in reports if r.status == ImportRun.Status.SUCCEEDED and r.has_changes]
    recorded = changed or [r for r in reports if r.run_id is not None]
    run_id = recorded[-1].run_id if recorded else None
    outcomes = rebuild_after_run(
        run_id, reason=f"etl run {run_id}" if changed else "etl run", changed=bool(changed)
    )
    if on_derived is not None:
        on_derived(outcomes)
    return reports


def close_interrupted_runs() -> int:
    """Mark failed the runs a killed process left "running" (the caller holds the ETL lock:
    no other process is loading); returns how many."""
    closed = ImportRun.objects.filter(status=ImportRun.Status.RUNNING).update(
        status=ImportRun.Status.FAILED, finished_at=timezone.now(), message=INTERRUPTED_MESSAGE
    )
    if closed:
        logger.warning("etl: %d interrupted run(s) closed as failed", closed)
    return closed
