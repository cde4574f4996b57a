"""Which dates the warehouse holds trains for: the periods a date picker offers.

Sources cover far-apart years (a 2013 timetable beside a 2025 one), so one "from … to …"
would promise years with no train at all. The dates on which at least one trajet runs (its
weekly pattern and dated exceptions, as :func:`apps.trajets.calendars.daily_departures`
counts them) are gathered into spans; a gap shorter than ``MERGE_GAP_DAYS`` stays inside
its span and is counted as days without trains, so the list stays short and honest.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.trajets.calendars import Period, daily_departures, source_calendars
from apps.trajets.models import DataSource
from apps.trajets.periods import format_span
from obrail.caching import cached_until_next_import

__all__ = [
    "MERGE_GAP_DAYS",
    "CoveredSpan",
    "DataCoverage",
    "build_coverage",
    "data_coverage",
]

#: Days without any train shorter than this (in a row) do not split a span.
MERGE_GAP_DAYS = 7


@dataclass(frozen=True)
class CoveredSpan:
    """Consecutive dates with trains (``idle_days`` of them without), and whose they are."""

    start: dt.date
    end: dt.date
    sources: tuple[str, ...]
    idle_days: int = 0

    @property
    def label(self) -> str:
        """``du 15 décembre 2013 au 13 décembre 2014``."""
        return format_span(self.start, self.end)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class DataCoverage:
    """Every span of dates with trains, in date order."""

    spans: tuple[CoveredSpan, ...]
    #: Ordinals of the dates inside the spans on which no train runs.
    idle: frozenset[int] = frozenset()

    @property
    def first(self) -> dt.date | None:
        return self.spans[0].start if self.spans else None

    @property
    def last(self) -> dt.date | None:
        return self.spans[-1].end if self.spans else None

    def runs_on(self, day: dt.date) -> bool:
        """Whether some train runs on ``day``."""
        return any(span.contains(day) for span in self.spans) and day.toordinal() not in self.idle

    def overlaps(self, period: Period) -> bool:
        """Whether some train runs on a date of ``period``."""
        first, last = period.start.toordinal(), period.end.toordinal()
        return any(
            any(
                day not in self.idle
                for day in range(
                    max(first, span.start.toordinal()), min(last, span.end.toordinal()) + 1
                )
            )
            for span in self.spans
            if span.start <= period.end and period.start <= span.end
        )

    def summary(self) -> str:
        """``du 15 décembre 2013 au 13 décembre 2014 et du 9 novembre au 12 décembre 2025``."""
        labels = [span.label for span in self.spans]
        if not labels:
            return _("aucune date : aucun train n'est chargé")
        if len(labels) == 1:
            return labels[0]
        return _("%(spans)s et %(last)s") % {"spans": ", ".join(labels[:-1]), "last": labels[-1]}

    def uncovered_message(self, period: Period) -> str:
        """The plain answer to a period without trains: which dates the data covers."""
        return _(
            "Aucun train ne circule %(asked)s dans les données. Dates couvertes : %(spans)s."
        ) % {"asked": format_span(period.start, period.end), "spans": self.summary()}


def idle_text(idle_days: int) -> str:
    """``2 jours sans train`` (empty when every date has trains)."""
    if not idle_days:
        return ""
    return ngettext("%(count)s jour sans train", "%(count)s jours sans train", idle_days) % {
        "count": idle_days
    }


def build_coverage(days_by_source: dict[str, set[int]]) -> DataCoverage:
    """Spans of the dates (ordinals) on which each source's trains run, merged across
    sources; a run of fewer than ``MERGE_GAP_DAYS`` days without trains stays inside."""
    every = sorted(set().union(*days_by_source.values())) if days_by_source else []
    spans: list[CoveredSpan] = []
    idle: set[int] = set()
    if not every:
        return DataCoverage(())
    start = previous = every[0]
    groups: list[tuple[int, int]] = []
    for day in every[1:]:
        if day - previous > MERGE_GAP_DAYS:
            groups.append((start, previous))
            start = day
        previous = day
    groups.append((start, previous))
    present = set(every)
    for first, last in groups:
        missing = [day for day in range(first, last + 1) if day not in present]
        idle.update(missing)
        sources = tuple(
            sorted(
                name
                for name, days in days_by_source.items()
                if any(first <= day <= last for day in days)
            )
        )
        spans.append(
            CoveredSpan(
                dt.date.fromordinal(first), dt.date.fromordinal(last), sources, len(missing)
            )
        )
    return DataCoverage(tuple(spans), frozenset(idle))


def _compute_coverage() -> DataCoverage:
    days_by_source: dict[str, set[int]] = {}
    for source in DataSource.objects.order_by("name"):
        first, daily = daily_departures(source_calendars(source))
        running = np.flatnonzero(daily > 0)
        if len(running):
            days_by_source[source.name] = {first + int(offset) for offset in running}
    return build_coverage(days_by_source)


def data_coverage() -> DataCoverage:
    """The dates the warehouse holds trains for, reused until the next import."""
    return cached_until_next_import("data-coverage", _compute_coverage, per_language=False)
