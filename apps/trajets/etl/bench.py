"""Benchmark of the ETL pipeline against a plain PostgreSQL COPY of the same stop_times."""

from __future__ import annotations

import io
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction

from .errors import EtlError
from .extractors.text import FileSet
from .loader import load_source
from .sources import SourceSpec

__all__ = ["BenchResult", "benchmark_gtfs"]

TARGET_RATIO = 5.0
TARGET_ROWS_PER_S = 50_000


@dataclass(frozen=True, slots=True)
class BenchResult:
    """Figures of one benchmark run; times in seconds."""

    stop_times_rows: int
    pipeline_s: float
    pipeline_cpu_s: float
    copy_rows: int
    copy_s: float
    temp_copy_s: float
    constraint_check_s: float = 0.0
    write_s: dict[str, float] = field(default_factory=dict)

    @property
    def pipeline_rows_per_s(self) -> float:
        """Stop-time rows per second through the whole pipeline (extract → harmonise → load)."""
        return self.stop_times_rows / self.pipeline_s

    @property
    def copy_rows_per_s(self) -> float:
        """Rows per second of the plain COPY baseline."""
        return self.copy_rows / self.copy_s

    @property
    def ratio(self) -> float:
        """Pipeline time over plain COPY time (the logged bare table)."""
        return self.pipeline_s / self.copy_s


class _RollbackError(Exception):
    """Undo everything the benchmark wrote."""


def _plain_copies(path: Path) -> tuple[int, float, float]:
    """COPY the raw stop_times rows into a bare logged table, then into a temporary one.

    Returns the row count and both times. The logged table is the baseline: the pipeline's
    tables are logged too, and PostgreSQL writes no WAL for temporary tables (nor, under
    ``wal_level = minimal``, for a table created in the same transaction). Both tables have
    text columns only, no index and no constraint.
    """
    files = FileSet(path)
    try:
        with files.open_binary("stop_times.txt") as raw:
            header = raw.readline().decode("utf-8-sig").strip()
            columns = [c.strip() for c in header.split(",")]
            body = raw.read()
    finally:
        files.close()
    definition = ", ".join(f'"c{i}" text' for i in range(len(columns)))
    times = []
    with connection.cursor() as cursor:
        for table, kind in (("bench_stop_times", "TABLE"), ("bench_stop_times_temp", "TEMP TABLE")):
            cursor.execute(f"CREATE {kind} {table} ({definition})")
            started = time.perf_counter()
            with cursor.cursor.copy(f"COPY {table} FROM STDIN WITH (FORMAT csv)") as copy:
                stream = io.BytesIO(body)
                while chunk := stream.read(1 << 20):
                    copy.write(chunk)
            times.append(time.perf_counter() - started)
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
            rows = cursor.fetchone()[0]
            cursor.execute(f"DROP TABLE {table}")
    return rows, times[0], times[1]


def benchmark_gtfs(path: Path) -> BenchResult:
    """Load a GTFS feed through the whole pipeline, then COPY its stop_times raw, and roll back.

    The pipeline time ends after the deferred constraint checks that a commit would run
    (``SET CONSTRAINTS ALL IMMEDIATE``), so rolling back does not hide their cost. Both run
    in the same process and the same database; nothing stays in the database.
    """
    if connection.vendor != "postgresql":
        raise EtlError("bench_etl compares with PostgreSQL COPY: set DATABASE_URL to PostgreSQL")
    spec = SourceSpec(name="bench-gtfs", format="gtfs", path=str(path), licence="benchmark")
    result: BenchResult | None = None
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
            copy_rows, copy_s, temp_copy_s = _plain_copies(path)
            result = BenchResult(
                stop_times_rows=report.stop_rows,
                pipeline_s=finished - started,
                pipeline_cpu_s=pipeline_cpu_s,
                copy_rows=copy_rows,
                copy_s=copy_s,
                temp_copy_s=temp_copy_s,
                constraint_check_s=finished - checks_started,
                write_s=report.write_seconds,
            )
            raise _RollbackError
    except _RollbackError:
        pass
    assert result is not None
    return result
