"""Bulk writes: COPY through psycopg 3 on PostgreSQL, batched executemany on SQLite."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from django.db import connection

__all__ = ["BulkWriter", "copy_line", "db_columns"]

_BATCH = 5000
_CHUNK_CHARS = 1 << 20
# Writes queued behind the one running: enough to keep the server busy, bounded in memory.
_MAX_QUEUED_WRITES = 1
_ID_BLOCK = 20_000


# COPY text format: these characters of a text value are written as escapes.
COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_line(values: Sequence[object]) -> str:
    """One row in PostgreSQL COPY text format, newline included.

    Handles None, booleans, strings, numbers, dates and times (``str()`` gives the ISO form
    PostgreSQL reads); not JSON values, which :meth:`BulkWriter.insert` adapts.
    """
    # One comprehension (no call per value), and ``translate``, which copies, only for the
    # rare text holding a character to escape (every one is a backslash or unprintable):
    # two to three times faster on trajet rows.
    cells = [
        _NULL
        if value is None
        else "t"
        if value is True
        else "f"
        if value is False
        else (value.translate(COPY_ESCAPES) if "\\" in value or not value.isprintable() else value)
        if isinstance(value, str)
        else str(value)
        for value in values
    ]
    return "\t".join(cells) + "\n"


_NULL = r"\N"


def _sqlite_value(value: object) -> object:
    if isinstance(value, dt.time | dt.date):
        return value.isoformat()
    return value


class BulkWriter:
    """Insert, update and delete many rows of one table at a time, inside the caller's
    transaction. Table and column names come from model metadata, never from input.

    On PostgreSQL, writes given to :meth:`submit` inside :meth:`background` run in one worker
    thread on the caller's connection (psycopg serialises its use with a lock), so the server
    ingests one batch while Python prepares the next on the other core.
    """

    def __init__(self) -> None:
        self.is_postgres = connection.vendor == "postgresql"
        self._staging: set[str] = set()
        self._raw: Any = None
        if self.is_postgres:
            connection.ensure_connection()
            self._raw = connection.connection
        self._worker: ThreadPoolExecutor | None = None
        self._queued: list[Future[None]] = []
        self._failure: BaseException | None = None
        self._id_pools: dict[str, deque[int]] = {}
        self.seconds: dict[str, float] = {}
        self._deferred_keys: dict[tuple[str, ...], str] = {}

    @contextlib.contextmanager
    def _cursor(self) -> Iterator[Any]:
        """A DB-API cursor of the caller's connection (on PostgreSQL the psycopg one, which
        the worker thread may use too: Django's ``connection`` is per thread)."""
        if self._raw is not None:
            with self._raw.cursor() as cursor:
                yield cursor
        else:
            with connection.cursor() as cursor:
                yield cursor.cursor

    @contextlib.contextmanager
    def _timed(self, table: str) -> Iterator[None]:
        """Add the wall time of the block to ``seconds[table]``: where the database time goes
        (approximate when both threads write, which only station updates do)."""
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[table] = self.seconds.get(table, 0.0) + time.perf_counter() - started

    @contextlib.contextmanager
    def background(self) -> Iterator[None]:
        """Let :meth:`submit` run writes in a worker thread until the block ends.

        Leaving the block (normally or by an exception) waits for every queued write, so all
        of them happen inside the caller's transaction. A failed write's error is raised, also
        in place of the error it caused in the caller (a query in the aborted transaction).
        SQLite connections belong to one thread: there, writes run at once.
        """
        if not self.is_postgres:
            yield
            return
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="etl-writer")
        try:
            yield
        except BaseException as exc:
            failure = self._stop_worker()
            if failure is not None and failure is not exc:
                raise failure from exc
            raise
        failure = self._stop_worker()
        if failure is not None:
            raise failure

    def _stop_worker(self) -> BaseException | None:
        """Wait for the queued writes, stop the worker; return the first write error (the
        writes after it fail only because the transaction is aborted)."""
        queued, self._queued = self._queued, []
        errors = [future.exception() for future in queued]
        if self._worker is not None:
            self._worker.shutdown(wait=True)
            self._worker = None
        if self._failure is None:
            self._failure = next((error for error in errors if error is not None), None)
        return self._failure

    def submit(self, write: Callable[[], None]) -> None:
        """Run ``write`` (made only of this writer's calls) in the worker thread when inside
        :meth:`background`, else now. Waits while the queue is full; raises the error of a
        write that failed."""
        if self._worker is None:
            write()
            return
        while self._queued and (self._queued[0].done() or len(self._queued) > _MAX_QUEUED_WRITES):
            self._failure = self._queued.pop(0).exception()
            if self._failure is not None:
                raise self._failure
        self._queued.append(self._worker.submit(write))

    def check_deferred(self, tables: Sequence[str], *, referencing: Sequence[str] = ()) -> None:
        """Run now the deferred foreign-key checks that the writes to ``tables`` queued
        (only those of keys to the ``referencing`` tables, when given).

        PostgreSQL would run them at commit, one by one after everything else; run from
        :meth:`submit` they overlap with the reading of the next batch instead. The keys are
        set back to deferred, their initial mode. SQLite: nothing to do (checked at commit).
        """
        if not self.is_postgres:
            return
        key = (*tables, "->", *referencing)
        with self._timed("deferred checks"), self._cursor() as cursor:
            if key not in self._deferred_keys:
                cursor.execute(
                    "SELECT conname FROM pg_constraint WHERE contype = 'f' AND condeferrable "
                    "AND condeferred AND conrelid = ANY(%s::regclass[]) "
                    "AND (cardinality(%s::regclass[]) = 0 OR confrelid = ANY(%s::regclass[])) "
                    "ORDER BY conname",
                    [list(tables), list(referencing), list(referencing)],
                )
                names = [row[0] for row in cursor.fetchall()]
                self._deferred_keys[key] = ", ".join(f'"{name}"' for name in names)
            names = self._deferred_keys[key]
            if names:
                cursor.execute(f"SET CONSTRAINTS {names} IMMEDIATE")
                cursor.execute(f"SET CONSTRAINTS {names} DEFERRED")

    def allocate_ids(self, table: str, count: int) -> list[int]:
        """Reserve ``count`` primary keys for ``table`` (the caller holds the ETL lock).

        PostgreSQL: taken from the table's sequence by blocks of at least ``_ID_BLOCK``, so
        the caller seldom waits for the connection while the worker thread writes; ids left
        over at the end are gaps in the sequence, as after any rolled-back insert.
        """
        if count == 0:
            return []
        if self.is_postgres:
            pool = self._id_pools.setdefault(table, deque())
            if len(pool) < count:
                with self._cursor() as cursor:
                    cursor.execute(
                        "SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
                        "FROM generate_series(1, %s)",
                        [table, max(count - len(pool), _ID_BLOCK)],
                    )
                    pool.extend(row[0] for row in cursor.fetchall())
            # A deque: taking one id at a time (trains whose stops are written while reading)
            # must not copy the rest of the pool.
            return [pool.popleft() for _ in range(count)]
        with self._cursor() as cursor:
            cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')  # noqa: S608
            start = cursor.fetchone()[0] + 1
            return list(range(start, start + count))

    def insert(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
        """Insert rows; returns how many were written."""
        with self._timed(table):
            return self._insert(table, columns, rows)

    def _insert(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
        names = ", ".join(f'"{c}"' for c in columns)
        count = 0
        with self._cursor() as cursor:
            if self.is_postgres:
                with cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(row)
                        count += 1
                return count
            sql = f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" * len(columns))})'  # noqa: S608
            batch: list[tuple[object, ...]] = []
            for row in rows:
                batch.append(tuple(_sqlite_value(v) for v in row))
                if len(batch) >= _BATCH:
                    cursor.executemany(sql, batch)
                    count += len(batch)
                    batch.clear()
            if batch:
                cursor.executemany(sql, batch)
                count += len(batch)
        return count

    def copy_text(self, table: str, columns: Sequence[str], lines: Iterable[str]) -> int:
        """PostgreSQL only: COPY ready-made text-format lines (each ending with a newline),
        sent in large chunks; returns how many lines were written.

        Callers format values once per distinct pattern instead of once per row, which is
        several times cheaper than one ``write_row`` call per row.
        """
        names = ", ".join(f'"{c}"' for c in columns)
        count = 0
        statement = f'COPY "{table}" ({names}) FROM STDIN'
        with self._timed(table), self._cursor() as cursor, cursor.copy(statement) as copy:
            chunk: list[str] = []
            size = 0
            for text in lines:
                chunk.append(text)
                size += len(text)
                if size >= _CHUNK_CHARS:
                    copy.write("".join(chunk))
                    count += sum(part.count("\n") for part in chunk)
                    chunk.clear()
                    size = 0
            if chunk:
                copy.write("".join(chunk))
                count += sum(part.count("\n") for part in chunk)
        return count

    def prepare(self, rows: Iterable[Sequence[object]]) -> list:
        """Rows ready for :meth:`write`: COPY text lines on PostgreSQL, tuples elsewhere.

        Called in the loading thread, so the writer thread (and the database waiting for
        it) does not format rows while it holds the interpreter lock.
        """
        if self.is_postgres:
            return [copy_line(row) for row in rows]
        return list(rows)

    def write(self, table: str, columns: Sequence[str], prepared: list) -> int:
        """Insert rows made by :meth:`prepare`; returns how many were written."""
        if self.is_postgres:
            return self.copy_text(table, columns, prepared)
        return self.insert(table, columns, prepared)

    def update(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
        """Update rows by id; ``columns[0]`` must be ``id``.

        PostgreSQL: COPY into a staging table, then one ``UPDATE … FROM``.
        """
        if not rows:
            return
        assignments = ", ".join(f'"{c}" = s."{c}"' for c in columns[1:])
        with self._timed(table), self._cursor() as cursor:
            if self.is_postgres:
                # One staging table per column list: writers in one transaction may update
                # different columns of the same table.
                digest = hashlib.blake2b(",".join(columns).encode(), digest_size=4).hexdigest()
                stage = f"etl_stage_{table}_{digest}"
                if stage not in self._staging:
                    names = ", ".join(f'"{c}"' for c in columns)
                    cursor.execute(
                        f'CREATE TEMP TABLE IF NOT EXISTS "{stage}" ON COMMIT DROP AS '  # noqa: S608
                        f'SELECT {names} FROM "{table}" WITH NO DATA'
                    )
                    self._staging.add(stage)
                cursor.execute(f'TRUNCATE "{stage}"')
                self._insert(stage, columns, rows)
                cursor.execute(
                    f'UPDATE "{table}" AS t SET {assignments} FROM "{stage}" AS s '  # noqa: S608
                    "WHERE t.id = s.id"
                )
                return
            sets = ", ".join(f'"{c}" = ?' for c in columns[1:])
            sql = f'UPDATE "{table}" SET {sets} WHERE id = ?'  # noqa: S608
            cursor.executemany(
                sql, [tuple(_sqlite_value(v) for v in (*row[1:], row[0])) for row in rows]
            )

    def delete_in(self, table: str, column: str, ids: Sequence[int], **equal: object) -> None:
        """Delete the rows whose ``column`` is one of ``ids`` (and whose columns named in
        ``equal`` hold the values given)."""
        # Names come from model metadata (see the class docstring), values are parameters.
        self._execute_in(f'DELETE FROM "{table}"', column, ids, equal, table)  # noqa: S608

    def set_null_in(self, table: str, column: str, ids: Sequence[int]) -> None:
        """Set ``column`` to NULL where it holds one of ``ids``."""
        statement = f'UPDATE "{table}" SET "{column}" = NULL'  # noqa: S608
        self._execute_in(statement, column, ids, {}, table)

    def _execute_in(
        self, statement: str, column: str, ids: Sequence[int], equal: dict, table: str
    ) -> None:
        extra = "".join(f' AND "{name}" = %s' for name in equal)
        values = list(equal.values())
        with self._timed(table), self._cursor() as cursor:
            for start in range(0, len(ids), _BATCH):
                chunk = list(ids[start : start + _BATCH])
                if self.is_postgres:
                    cursor.execute(
                        f'{statement} WHERE "{column}" = ANY(%s){extra}', [chunk, *values]
                    )
                else:
                    marks = ", ".join("?" * len(chunk))
                    cursor.execute(
                        f'{statement} WHERE "{column}" IN ({marks}){extra.replace("%s", "?")}',
                        [*chunk, *values],
                    )


def db_columns(model: type, names: tuple[str, ...]) -> tuple[str, ...]:
    """Database column names of ``model`` fields (``operator`` → ``operator_id``)."""
    return tuple(model._meta.get_field(name).column for name in names)  # type: ignore[attr-defined]
