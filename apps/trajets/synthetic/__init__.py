"""A realistic, Europe-sized synthetic dataset for benchmarks, loaded with PostgreSQL COPY."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from apps.places.services import search_key, station_key
from apps.trajets.calendars import refresh_source_calendar
from apps.trajets.etl.writer import db_columns
from apps.trajets.models import DataSource, ImportRun, Operator, Station, Stop, Trajet
from apps.trajets.rebuild import rebuild_after_run
from apps.trajets.rows import STOP_WRITTEN_FIELDS, TRAJET_WRITTEN_FIELDS
from apps.trajets.synthetic.errors import SyntheticDataError
from apps.trajets.synthetic.generator import Context, StationArrays, TrajetGenerator
from apps.trajets.synthetic.reference import OPERATORS
from apps.trajets.synthetic.stations import StationRow, build_station_set, read_station_csv
from obrail import derived

__all__ = ["SeedReport", "SyntheticDataError", "seed_synthetic"]

logger = logging.getLogger(__name__)

SOURCE_NAME = "synthetic"
# The columns every loader writes (the row spec); the seeder reserves the stops' ids.
TRAJET_COLUMNS = ", ".join(db_columns(Trajet, TRAJET_WRITTEN_FIELDS))
STOP_COLUMNS = ", ".join(db_columns(Stop, ("id", *STOP_WRITTEN_FIELDS)))


@dataclass(frozen=True)
class SeedReport:
    """What a seeding run wrote."""

    trajets: int
    stops: int
    stations_created: int
    calendar_exceptions: int
    seconds: float
    run_id: int
    derived: tuple[derived.Outcome, ...] = ()


@derived.bulk_change()
def seed_synthetic(
    *,
    trajets: int,
    stations: int,
    stations_csv: Path | None,
    seed: int,
    replace: bool,
    chunk_size: int = 10_000,
    progress: Callable[[int, int], None] | None = None,
) -> SeedReport:
    """Generate ``trajets`` services with stops, calendars, countries and provenance,
    atomically, then bring the derived data up to date (:mod:`obrail.derived`).

    Raises
    ------
    SyntheticDataError
        On a bad option, an unreadable stations file, a non-PostgreSQL database, or when a
        synthetic dataset already exists and ``replace`` is false.
    """
    if trajets < 1:
        raise SyntheticDataError(f"--trajets must be at least 1, got {trajets}")
    if stations < 2:
        raise SyntheticDataError(f"--stations must be at least 2, got {stations}")
    if connection.vendor != "postgresql":
        raise SyntheticDataError("seed_synthetic loads with COPY and needs PostgreSQL")
    rng = np.random.default_rng(seed)
    reference = read_station_csv(stations_csv) if stations_csv else []
    station_rows = build_station_set(reference, total=stations, rng=rng)
    started = time.perf_counter()
    with transaction.atomic():
        source = _prepare_source(replace=replace)
        run = ImportRun.objects.create(source=source, message=f"seed_synthetic seed={seed}")
        operator_ids = _ensure_operators()
        station_ids, created = _ensure_stations(station_rows)
        generator = TrajetGenerator(
            StationArrays.build(station_rows, station_ids, _station_names(station_ids)),
            Context(operator_ids, source.pk, run.pk, record_prefix=f"syn-{run.pk}-"),
            rng,
        )
        first_id = _reserve_ids("trajets_trajet", trajets)
        stop_count = exception_count = 0
        next_stop_id = _reserve_ids("trajets_stop", trajets * 40)
        with connection.cursor() as cursor:
            for offset in range(0, trajets, chunk_size):
                size = min(chunk_size, trajets - offset)
                text = generator.chunk(first_id + offset, size, next_stop_id + stop_count)
                _copy(cursor, "trajets_trajet", TRAJET_COLUMNS, text.trajets)
                _copy(cursor, "trajets_stop", STOP_COLUMNS, text.stops)
                _copy(cursor, "trajets_trajetcountry", "trajet_id, country", text.countries)
                _copy(
                    cursor,
                    "trajets_trajetprovenance",
                    "trajet_id, source_id, source_record_id, import_run_id",
                    text.provenances,
                )
                if text.exceptions:
                    _copy(
                        cursor,
                        "trajets_calendarexception",
                        "trajet_id, date, is_added",
                        text.exceptions,
                    )
                stop_count += text.stop_count
                exception_count += text.exception_count
                if progress:
                    progress(offset + size, trajets)
        # Written with COPY, without the model signals: the running dates, typical week and
        # typical-week flags are computed here, as after a load.
        refresh_source_calendar(source)
        run.status = ImportRun.Status.SUCCEEDED
        run.finished_at = timezone.now()
        run.rows_read = run.rows_inserted = trajets
        run.message += f"; {stop_count} stops, {created} stations created"
        run.save()
    # Outside the transaction: VACUUM sets the visibility map (index-only scans) and ANALYZE the
    # statistics, as autovacuum would after a while; inside a test transaction, ANALYZE only.
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        for table in (
            "trajets_trajet",
            "trajets_stop",
            "trajets_trajetcountry",
            "trajets_calendarexception",
            "trajets_trajetprovenance",
            "trajets_station",
        ):
            cursor.execute(f"{command} {table}")
    seconds = time.perf_counter() - started
    logger.info("seeded %d synthetic trajets, %d stops in %.1f s", trajets, stop_count, seconds)
    outcomes = rebuild_after_run(run.pk, reason=f"seed_synthetic (run {run.pk})")
    return SeedReport(
        trajets, stop_count, created, exception_count, seconds, run.pk, tuple(outcomes)
    )


def _prepare_source(*, replace: bool) -> DataSource:
    source, _ = DataSource.objects.get_or_create(
        name=SOURCE_NAME,
        defaults={
            "title": "Synthetic European timetable (benchmarks only)",
            "format": "csv",
            "location": "manage.py seed_synthetic",
            "licence": "CC0-1.0",
            "attribution": "Generated by ObRail; station coordinates from the bundled reference.",
        },
    )
    if source.trajets.exists():
        if not replace:
            raise SyntheticDataError(
                "a synthetic dataset is already loaded: pass --replace to delete it first"
            )
        with connection.cursor() as cursor:
            for table in (
                "trajets_stop",
                "trajets_trajetcountry",
                "trajets_calendarexception",
                "trajets_trajetprovenance",
            ):
                cursor.execute(
                    f"DELETE FROM {table} WHERE trajet_id IN "  # noqa: S608 - fixed table names
                    "(SELECT id FROM trajets_trajet WHERE source_id = %s)",
                    [source.pk],
                )
            cursor.execute("DELETE FROM trajets_trajetprovenance WHERE source_id = %s", [source.pk])
            cursor.execute("DELETE FROM trajets_trajet WHERE source_id = %s", [source.pk])
    return source


def _ensure_operators() -> dict[str, int]:
    existing = dict(Operator.objects.values_list("code", "pk"))
    Operator.objects.bulk_create(
        Operator(
            code=profile.code, name=profile.name, country=profile.country, website=profile.website
        )
        for profile in OPERATORS
        if profile.code not in existing
    )
    return dict(Operator.objects.values_list("code", "pk"))


def _ensure_stations(rows: list[StationRow]) -> tuple[list[int], int]:
    """Reuse stations with the same UIC code or an earlier synthetic halt; create the others.

    Return the ids in ``rows`` order and the number of stations created.
    """
    by_uic = dict(
        Station.objects.filter(uic_code__in=[r.uic_code for r in rows if r.uic_code]).values_list(
            "uic_code", "pk"
        )
    )
    by_name = {
        (name, country): pk
        for name, country, pk in Station.objects.filter(
            uic_code__isnull=True, source_ids__has_key=SOURCE_NAME
        ).values_list("name", "country", "pk")
    }
    new = [
        Station(
            uic_code=row.uic_code,
            name=row.name,
            normalised_name=search_key(row.name)[:200],
            name_key=station_key(row.name)[:200],
            country=row.country,
            latitude=row.latitude,
            longitude=row.longitude,
            time_zone=row.time_zone,
            match_method=(
                Station.MatchMethod.REFERENCE if row.is_reference else Station.MatchMethod.UNMATCHED
            ),
            source_ids={SOURCE_NAME: row.name},
        )
        for row in rows
        if _existing(row, by_uic, by_name) is None
    ]
    created = iter(Station.objects.bulk_create(new, batch_size=5000))
    ids = [_existing(row, by_uic, by_name) or next(created).pk for row in rows]
    return ids, len(new)


def _station_names(ids: list[int]) -> list[str]:
    """The stored names of stations ``ids`` (a reused station keeps the name its source gave)."""
    names = dict(Station.objects.filter(pk__any_of=ids).values_list("pk", "name"))
    return [names[pk] for pk in ids]


def _existing(row: StationRow, by_uic: dict, by_name: dict) -> int | None:
    if row.uic_code:
        return by_uic.get(row.uic_code)
    return by_name.get((row.name, row.country))


def _reserve_ids(table: str, count: int) -> int:
    """Take ``count`` consecutive ids from the table's sequence; return the first."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        sequence = cursor.fetchone()[0]
        query = (
            "SELECT setval(%s, GREATEST(nextval(%s), (SELECT COALESCE(MAX(id), 0) + 1 FROM "  # noqa: S608 - fixed table names
            f"{table})) + %s - 1)"
        )
        cursor.execute(query, [sequence, sequence, count])
        last = cursor.fetchone()[0]
    return last - count + 1


def _copy(cursor, table: str, columns: str, text: str) -> None:
    with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        copy.write(text.encode())
