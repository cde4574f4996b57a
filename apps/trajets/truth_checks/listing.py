"""One readable line per trajet, for the lists of the truth checks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from apps.trajets.models import Trajet

__all__ = ["TrajetLine", "clock", "trajet_lines"]


@dataclass(frozen=True)
class TrajetLine:
    """What a person needs to find and judge a trajet in a listing."""

    id: int
    source: str
    record: str
    operator: str
    label: str
    origin: str
    destination: str
    departure: str
    arrival: str
    runs: str
    kind: str
    timetable_kind: str
    kind_reason: str

    def __str__(self) -> str:
        label = f"{self.label} " if self.label else ""
        return (
            f"#{self.id} {self.source}:{self.record} {self.operator} {label}"
            f"{self.origin} {self.departure} → {self.destination} {self.arrival} ({self.runs})"
        )


def clock(value: dt.time | None, offset: int = 0) -> str:
    """``HH:MM``, with ``+n`` when the time is ``n`` days after the departure day."""
    if value is None:
        return "—"
    text = f"{value.hour:02d}:{value.minute:02d}"
    if value.second:
        text += f":{value.second:02d}"
    return f"{text}+{offset}" if offset else text


def trajet_lines(ids: Iterable[int]) -> dict[int, TrajetLine]:
    """The listing line of each trajet of ``ids``."""
    lines: dict[int, TrajetLine] = {}
    wanted = list(set(ids))
    for start in range(0, len(wanted), 5000):
        for row in (
            Trajet.objects.filter(pk__in=wanted[start : start + 5000])
            .order_by()
            .values(
                "pk", "source__name", "source_record_id", "operator__code", "category",
                "train_number", "origin__name", "destination__name", "departure_time",
                "arrival_time", "arrival_day_offset", "runs_from", "runs_until",
                "running_days", "kind", "timetable_kind", "kind_reason",
            )
        ):  # fmt: skip
            lines[row["pk"]] = TrajetLine(
                id=row["pk"],
                source=row["source__name"],
                record=row["source_record_id"],
                operator=row["operator__code"],
                label=" ".join(filter(None, (row["category"], row["train_number"]))),
                origin=row["origin__name"],
                destination=row["destination__name"],
                departure=clock(row["departure_time"]),
                arrival=clock(row["arrival_time"], row["arrival_day_offset"]),
                runs=f"{row['runs_from']} → {row['runs_until']} ({row['running_days']})",
                kind=row["kind"],
                timetable_kind=row["timetable_kind"],
                kind_reason=row["kind_reason"],
            )
    return lines
