"""What the parts of one load share: the source and its run, the report, the database
writer, the rejects, and the progress callback."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from apps.trajets.models import DataSource, ImportRun, RejectedRecord

from .records import RejectRecord
from .sources import SourceSpec
from .writer import BulkWriter

if TYPE_CHECKING:
    from .loader import LoadReport

__all__ = ["REJECT_BATCH", "LoadContext", "Progress", "ignore_progress"]

# Rejects written per INSERT (and kept in memory at most between two writes).
REJECT_BATCH = 1000

Progress = Callable[[str, int], None]


def ignore_progress(phase: str, rows: int) -> None:
    """The progress callback of a load nobody watches."""


@dataclass
class LoadContext:
    """The state every part of one load reads and adds to (stations, trajets, the loader)."""

    spec: SourceSpec
    source: DataSource
    run: ImportRun
    report: LoadReport
    progress: Progress = ignore_progress
    writer: BulkWriter = field(default_factory=BulkWriter)
    rejects: list[RejectedRecord] = field(default_factory=list)

    def phase(self, name: str, since: float) -> None:
        """Add the time since ``since`` (a perf_counter) to phase ``name`` of the report."""
        phases = self.report.phase_seconds
        phases[name] = phases.get(name, 0.0) + time.perf_counter() - since

    def reject(self, record: RejectRecord) -> None:
        """Count a rejected record under its code and keep it for the next write
        (:meth:`flush_rejects`)."""
        self.report.rejected += 1
        code = record.code
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

    def flush_rejects(self) -> None:
        """Write the rejects kept so far."""
        RejectedRecord.objects.bulk_create(self.rejects, batch_size=REJECT_BATCH)
        self.rejects.clear()
