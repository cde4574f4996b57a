"""Run the ETL over declared or ad-hoc sources: the use case behind the ``etl`` command."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

from django.conf import settings

from apps.trajets.models import DataSource, ImportRun
from apps.trajets.signals import import_completed

from .download import fetch
from .errors import EtlError, SourceConfigError
from .loader import LoadReport, Progress, etl_lock, load_source
from .sources import SourceSpec, load_sources, validate_spec

__all__ = ["run_etl", "run_source", "select_sources"]


def select_sources(
    *,
    sources_file: Path,
    names: list[str],
    path: str = "",
    url: str = "",
    fmt: str = "",
    name: str = "",
) -> list[SourceSpec]:
    """Return the sources to run, with ``--path``/``--url`` overrides applied.

    ``fmt`` + ``name`` (+ path or url) describe a source absent from the sources file.
    """
    if fmt or (name and not names):
        if not (fmt and name and (path or url)):
            raise SourceConfigError("--format needs --name and --path (or --url)")
        return [validate_spec(SourceSpec(name=name, format=fmt, path=path, url=url))]
    declared = load_sources(sources_file)
    if names:
        by_name = {spec.name: spec for spec in declared}
        unknown = [n for n in names if n not in by_name]
        if unknown:
            raise SourceConfigError(
                f"unknown source(s) {', '.join(unknown)}; declared: {', '.join(by_name)}"
            )
        chosen = [by_name[n] for n in names]
    else:
        if path or url:
            raise SourceConfigError("--path/--url apply to one source: add --source NAME")
        chosen = [spec for spec in declared if spec.enabled]
    if path or url:
        if len(chosen) != 1:
            raise SourceConfigError("--path/--url apply to exactly one --source")
        chosen = [dataclasses.replace(chosen[0], path=path, url="" if path else url)]
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
    progress: Progress | None = None,
    cache_dir: Path | None = None,
    notify: bool = True,
) -> LoadReport:
    """Load one source (the caller holds :func:`etl_lock`); a bad location is a failed run."""
    try:
        path = _local_path(spec, cache_dir or Path(settings.ETL_CACHE_DIR))
    except (EtlError, OSError) as exc:
        return LoadReport(source=spec.name, status="failed", message=str(exc))
    return load_source(
        spec, path=path, force=force, dry_run=dry_run, progress=progress, notify=notify
    )


def run_etl(
    specs: list[SourceSpec],
    *,
    force: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
    cache_dir: Path | None = None,
    on_start: Callable[[SourceSpec], None] | None = None,
    on_report: Callable[[LoadReport], None] | None = None,
) -> list[LoadReport]:
    """Load each source in turn under one ETL lock; a failing source does not stop the rest.

    ``import_completed`` is sent once, after the last source, when a load changed data: what
    depends on the data (the routing artefact) is rebuilt once per run, not once per source.
    """
    reports = []
    with etl_lock():
        for spec in specs:
            if on_start is not None:
                on_start(spec)
            report = run_source(
                spec,
                force=force,
                dry_run=dry_run,
                progress=progress,
                cache_dir=cache_dir,
                notify=False,
            )
            reports.append(report)
            if on_report is not None:
                on_report(report)
    changed = [r for r in reports if r.status == ImportRun.Status.SUCCEEDED and r.has_changes]
    if changed:
        run = ImportRun.objects.select_related("source").get(pk=changed[-1].run_id)
        import_completed.send(sender=DataSource, source=run.source, run=run)
    return reports
