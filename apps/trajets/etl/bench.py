"""Benchmark of the ETL pipeline against the database's own floor for the same rows.

The pipeline reads a GTFS feed, harmonises it and writes stations, trajets, stops, calendar
exceptions, countries and provenance. The floor is what PostgreSQL alone needs to store the
same rows: COPY of exactly the rows the pipeline wrote into copies of the same tables with
the same indexes and check constraints (``CREATE TABLE … (LIKE … INCLUDING ALL)``) and the
same foreign keys to the same parent tables (``LIKE`` copies no foreign key: they are added
from ``pg_constraint``, and checked before the timer stops, as the pipeline's are), in the
same transaction. Everything is rolled back.
"""

from __future__ import annotations

import io
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection, transaction

from apps.trajets.models import (
    CalendarException,
    SourceStation,
    Station,
    StationName,
    Stop,
    Trajet,
    TrajetCountry,
    TrajetProvenance,
)

from .errors import EtlError
from .extractors.text import FileSet
from .loader import load_source
from .sources import SourceSpec

__all__ = ["TARGET_RATIO", "TARGET_ROWS_PER_S", "BenchResult", "benchmark_gtfs"]

TARGET_RATIO = 2.0
TARGET_ROWS_PER_S = 50_000


@dataclass(frozen=True, slots=True)
class BenchResult:
    """Figures of one benchmark run; times in seconds."""

    source_stop_times: int
    stored_stops: int
    pipeline_s: float
    pipeline_cpu_s: float
    floor_rows: dict[str, int]
    floor_s: dict[str, float]
    constraint_check_s: float = 0.0
    write_s: dict[str, float] = field(default_factory=dict)
    phases_s: dict[str, float] = field(default_factory=dict)

    @property
    def pipeline_rows_per_s(self) -> float:
        """Source stop_times rows per second through the whole pipeline."""
        return self.source_stop_times / self.pipeline_s

    @property
    def floor_total_s(self) -> float:
        """Seconds PostgreSQL takes to COPY the same rows into the same indexed tables, with
        the same foreign keys checked."""
        return sum(self.floor_s.values())

    @property
    def ratio(self) -> float:
        """Pipeline time over the floor."""
        return self.pipeline_s / self.floor_total_s


class _RollbackError(Exception):
    """Undo everything the benchmark wrote."""


def _source_stop_times(path: Path) -> int:
    """Rows of the feed's stop_times.txt (header and blank lines excluded)."""
    files = FileSet(path)
    try:
        with files.open_binary("stop_times.txt") as raw:
            count = sum(1 for line in raw if line.strip())
    finally:
        files.close()
    return max(count - 1, 0)


def _written_rows(source_id: int) -> dict[type, str]:
    """The rows the load wrote, per model, as SELECTs. Table names come from the models and
    the source id is an integer from the database: nothing from the input."""
    source = int(source_id)
    tables = {model: model._meta.db_table for model in _FLOOR_MODELS}
    trajets = f"SELECT id FROM {tables[Trajet]} WHERE source_id = {source}"  # noqa: S608
    stations = f"SELECT station_id FROM {tables[SourceStation]} WHERE source_id = {source}"  # noqa: S608
    where = {
        Station: f"id IN ({stations})",
        StationName: f"station_id IN ({stations})",
        SourceStation: f"source_id = {source}",
        Trajet: f"source_id = {source}",
        **dict.fromkeys(_FLOOR_MODELS[4:], f"trajet_id IN ({trajets})"),
    }
    return {model: f"SELECT * FROM {tables[model]} WHERE {where[model]}" for model in tables}  # noqa: S608


_FLOOR_MODELS = (
    Station, StationName, SourceStation, Trajet, Stop, CalendarException, TrajetCountry,
    TrajetProvenance,
)  # fmt: skip


def _foreign_keys(cursor: Any, table: str, copy_table: str) -> list[str]:
    """``ALTER TABLE`` statements giving ``copy_table`` the foreign keys of ``table``: same
    columns, same parent tables, same deferral."""
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype = 'f' AND conrelid = %s::regclass ORDER BY conname",
        [table],
    )
    return [
        f'ALTER TABLE "{copy_table}" ADD CONSTRAINT "bench_{name}" {definition}'
        for name, definition in cursor.fetchall()
    ]


def _floor(source_id: int) -> tuple[dict[str, int], dict[str, float]]:
    """COPY the rows the load wrote into same-schema copies of their tables (indexes, checks
    and foreign keys); time it, foreign-key checks included."""
    rows: dict[str, int] = {}
    seconds: dict[str, float] = {}
    with connection.cursor() as cursor:
        raw = cursor.cursor
        for model, select in _written_rows(source_id).items():
            table = model._meta.db_table
            data = io.BytesIO()
            with raw.copy(f"COPY ({select}) TO STDOUT") as copy:
                for chunk in copy:
                    data.write(chunk)
            copy_table = f"bench_floor_{table}"
            cursor.execute(f'CREATE TABLE "{copy_table}" (LIKE "{table}" INCLUDING ALL)')
            for statement in _foreign_keys(cursor, table, copy_table):
                cursor.execute(statement)
            body = data.getvalue()
            started = time.perf_counter()
            with raw.copy(f'COPY "{copy_table}" FROM STDIN') as copy:
                for start in range(0, len(body), 1 << 20):
                    copy.write(body[start : start + (1 << 20)])
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            seconds[table] = time.perf_counter() - started
            rows[table] = body.count(b"\n")
            cursor.execute(f'DROP TABLE "{copy_table}"')
    return rows, seconds


def benchmark_gtfs(path: Path, options: Mapping[str, Any] | None = None) -> BenchResult:
    """Load a GTFS feed through the whole pipeline, then COPY what it wrote into same-schema
    tables, and roll back.

    The pipeline time ends after the deferred constraint checks that a commit would run
    (``SET CONSTRAINTS ALL IMMEDIATE``), so rolling back does not hide their cost. Both run
    in the same process and the same database; nothing stays in the database.
    """
    if connection.vendor != "postgresql":
        raise EtlError("bench_etl compares with PostgreSQL COPY: set DATABASE_URL to PostgreSQL")
    spec = SourceSpec(
        name="bench-gtfs",
        format="gtfs",
        path=str(path),
        licence="benchmark",
        options=dict(options or {}),
    )
    result: BenchResult | None = None
    source_stop_times = _source_stop_times(path)
    try:
        with transaction.atomic():
            started = time.perf_counter()
            cpu_started = time.process_time()
            report = load_source(
                spec, path=path, force=True, merge_across_sources=False, notify=False
            )
            checks_started = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            finished = time.perf_counter()
            pipeline_cpu_s = time.process_time() - cpu_started
            if report.status != "succeeded":
                raise EtlError(f"pipeline failed: {report.message}")
            source_id = Trajet.objects.filter(source__name=spec.name).values("source_id")[:1]
            floor_rows, floor_s = _floor(int(source_id[0]["source_id"]))
            result = BenchResult(
                source_stop_times=source_stop_times,
                stored_stops=report.stop_rows,
                pipeline_s=finished - started,
                pipeline_cpu_s=pipeline_cpu_s,
                floor_rows=floor_rows,
                floor_s=floor_s,
                constraint_check_s=finished - checks_started,
                write_s=report.write_seconds,
                phases_s=dict(report.phase_seconds),
            )
            raise _RollbackError
    except _RollbackError:
        pass
    assert result is not None
    return result
