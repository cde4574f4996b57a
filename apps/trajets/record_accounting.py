"""Where each record of a source went: into a trajet, or rejected with a reason.

A GTFS trip is either merged into a trajet (its provenance, possibly cut at a turn into
``<trip>#1``, ``<trip>#2``) or named by a reject of the source's latest run (the extractor puts
``[trip_id=…]`` in the reject's location). The accounting reads the warehouse only: tests
compare it with counts of their own over the raw files.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from .models import DataSource, ImportRun, RejectedRecord, TrajetProvenance

__all__ = ["RecordAccount", "account_records"]

_TURN_PART = re.compile(r"#\d+$")
_RECORD_IN_LOCATION = re.compile(r"\[trip_id=(.*)\]\s*$")


@dataclass(frozen=True, slots=True)
class RecordAccount:
    """The source's records stored in a trajet, and those rejected with their reason codes."""

    source: str
    stored: frozenset[str]
    rejected: dict[str, tuple[str, ...]]

    @property
    def accounted(self) -> frozenset[str]:
        """Every record the warehouse knows the fate of."""
        return self.stored | frozenset(self.rejected)


def account_records(source: DataSource) -> RecordAccount:
    """The fate of every record of ``source`` in its latest successful import run."""
    stored = frozenset(
        _TURN_PART.sub("", record)
        for record in TrajetProvenance.objects.filter(source=source).values_list(
            "source_record_id", flat=True
        )
    )
    run = (
        ImportRun.objects.filter(source=source, status=ImportRun.Status.SUCCEEDED)
        .order_by("-started_at", "-id")
        .first()
    )
    codes: dict[str, set[str]] = defaultdict(set)
    if run is not None:
        for location, code in RejectedRecord.objects.filter(run=run).values_list(
            "location", "reason_code"
        ):
            found = _RECORD_IN_LOCATION.search(location)
            if found:
                codes[found[1]].add(code)
    return RecordAccount(
        source=source.name,
        stored=stored,
        rejected={record: tuple(sorted(found)) for record, found in codes.items()},
    )
