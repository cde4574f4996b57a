"""The period a list or an indicator covers, and how the pages and the API state it.

By default each trajet is taken in its own source's typical week (``DataSource.reference_week``):
sources often share no common week (a 2013 timetable beside a 2025 one), so a figure that
combines them says which week of which source it uses. The user may pick a day, a week, a
month, a range of dates, or every date.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from apps.trajets.calendars import (
    Period,
    Validity,
    Weeks,
    running_condition,
    typical_week_of,
    validity_of,
)
from apps.trajets.models import DataSource, Trajet
from obrail.caching import cached_until_next_import


class PeriodKind(enum.StrEnum):
    """How the period was chosen."""

    REFERENCE = "reference"  # each source's typical week (the default)
    ALL = "all"  # every running date
    DAY = "date"
    WEEK = "week"
    MONTH = "month"
    RANGE = "range"


@dataclass(frozen=True)
class PeriodChoice:
    """A chosen period: ``period`` is set for a day, a week, a month or a range."""

    kind: PeriodKind = PeriodKind.REFERENCE
    period: Period | None = None

    def __post_init__(self) -> None:
        if (self.period is None) != (self.kind in (PeriodKind.REFERENCE, PeriodKind.ALL)):
            raise ValueError(f"a {self.kind} period needs dates exactly when it is fixed")

    @property
    def key(self) -> str:
        """A short stable text for cache keys."""
        if self.period is None:
            return str(self.kind)
        return f"{self.kind}:{self.period.start.isoformat()}:{self.period.end.isoformat()}"


@dataclass(frozen=True)
class SourceWeek:
    """The typical week of one source (Monday to Sunday)."""

    source: str
    start: dt.date

    @property
    def end(self) -> dt.date:
        return self.start + dt.timedelta(days=6)


@dataclass(frozen=True)
class TypicalWeeks:
    """The typical week of every source whose trains run, by source id."""

    by_source: dict[int, SourceWeek]

    @property
    def mondays(self) -> Weeks:
        """Source id → Monday, as the calendar SQL takes them."""
        return {source_id: week.start for source_id, week in self.by_source.items()}

    def of(self, source_ids: Iterable[int] | None = None) -> tuple[SourceWeek, ...]:
        """The weeks of ``source_ids`` (all when None), by source name."""
        ids = self.by_source if source_ids is None else set(source_ids)
        weeks = (week for source_id, week in self.by_source.items() if source_id in ids)
        return tuple(sorted(weeks, key=lambda week: week.source))


def typical_weeks() -> TypicalWeeks:
    """Each source's typical week: the one its last load stored (``reference_week``), or,
    for a source whose calendar was never refreshed (loaded by an older release, test data),
    the same busiest week computed from its trains. Reused until the next import."""
    return cached_until_next_import(
        "typical-weeks",
        _typical_weeks,
        seconds=getattr(settings, "API_COUNT_CACHE_SECONDS", 600),
        per_language=False,
    )


def _typical_weeks() -> TypicalWeeks:
    weeks = {}
    sources = DataSource.objects.annotate(
        has_trajets=Exists(Trajet.objects.filter(source_id=OuterRef("pk")))
    ).order_by("name")
    for source in sources:
        monday = typical_week_of(source, has_trajets=source.has_trajets)
        if monday is not None:
            weeks[source.pk] = SourceWeek(source.name, monday)
    return TypicalWeeks(weeks)


_LIVE_CONDITION: ContextVar[bool] = ContextVar("live_typical_week_condition", default=False)


@contextmanager
def live_typical_week_condition() -> Iterator[None]:
    """Within the block, ``typical_week_condition`` evaluates every calendar instead of
    reading the stored flags: the oracle of the tests and the benchmark's baseline."""
    token = _LIVE_CONDITION.set(True)
    try:
        yield
    finally:
        _LIVE_CONDITION.reset(token)


def typical_week_condition(mondays: Weeks, prefix: str = "") -> Q:
    """The trajets (reached through ``prefix``) running on a date of their source's typical
    week, ``running_condition(mondays)`` exactly.

    A source whose trajets were flagged for that very week (``DataSource.flagged_week``, read
    now, not cached) is answered by the indexed flag ``Trajet.runs_in_typical_week``; any
    other source (never flagged, or its typical week changed since) by the calendar
    expression, whose size grows with each source (~2,000 nodes for Django to resolve and
    compile each time).
    """
    if _LIVE_CONDITION.get():
        return running_condition(mondays, prefix)
    flagged = dict(
        DataSource.objects.filter(pk__in=sorted(mondays), flagged_week__isnull=False).values_list(
            "pk", "flagged_week"
        )
    )
    fresh = sorted(pk for pk, monday in mondays.items() if flagged.get(pk) == monday)
    stale = {pk: monday for pk, monday in mondays.items() if flagged.get(pk) != monday}
    condition = Q(**{f"{prefix}source_id__in": fresh, f"{prefix}runs_in_typical_week": True})
    if stale:
        condition |= running_condition(stale, prefix)
    return condition


def in_typical_weeks(
    rows: QuerySet, mondays: Weeks, prefix: str = "", *, running: Q | None = None
) -> QuerySet:
    """``rows`` (trajets, or rows reaching a trajet through ``prefix``) of the sources that
    have a typical week, but for the night-train database trajets that a counted timetable
    trajet running in its own typical week is the same train as (``night_reference``, any
    timetable year): a combination of typical weeks counts that train once, by its
    timetable (the database's 2024 calendar beside a feed's 2025 one would count it
    twice). ``running``: ``typical_week_condition(mondays)`` when the caller has it."""
    if running is None:
        running = typical_week_condition(mondays)
    timetabled = (
        Trajet.objects.counted()
        .filter(night_reference__isnull=False, source_id__in=sorted(mondays))
        .filter(running)
        .values("night_reference_id")
    )
    return rows.filter(**{f"{prefix}source_id__in": sorted(mondays)}).exclude(
        **{f"{prefix}pk__in": timetabled}
    )


def format_day(day: dt.date, *, with_year: bool = True) -> str:
    """``17 novembre 2025`` (``1er`` for the first of a month in French)."""
    text = formats.date_format(day, "j F Y" if with_year else "j F")
    if day.day == 1 and (translation.get_language() or "fr").startswith("fr"):
        text = "1er" + text[1:]
    return text


def format_span(start: dt.date, end: dt.date) -> str:
    """``du 17 au 23 novembre 2025``, ``du 28 novembre au 4 décembre 2025``, ``le 3 mai 2025``."""
    if start == end:
        return _("le %(day)s") % {"day": format_day(start)}
    if start.year != end.year:
        first = format_day(start)
    elif start.month != end.month:
        first = format_day(start, with_year=False)
    else:
        first = "1er" if start.day == 1 and format_day(start).startswith("1er") else str(start.day)
    return _("du %(start)s au %(end)s") % {"start": first, "end": format_day(end)}


def describe_choice(
    choice: PeriodChoice, weeks: Sequence[SourceWeek] = (), *, short: bool = False
) -> str:
    """The period in words, e.g. ``semaine type de chaque source : db-fernverkehr du 17 au
    23 novembre 2025, sncf-intercites du 16 au 22 décembre 2013`` (``short``: without the
    list of weeks)."""
    if choice.kind == PeriodKind.REFERENCE:
        if short:
            return _("semaine type de chaque source")
        if not weeks:
            return _("semaine type de chaque source (aucune source n'a de semaine type)")
        listed = ", ".join(f"{week.source} {format_span(week.start, week.end)}" for week in weeks)
        return _("semaine type de chaque source : %(weeks)s") % {"weeks": listed}
    if choice.kind == PeriodKind.ALL:
        return _("toutes les dates de circulation")
    period = choice.period
    assert period is not None  # guaranteed by PeriodChoice
    if choice.kind == PeriodKind.DAY:
        return _("le %(day)s") % {
            "day": formats.date_format(period.start, "l ") + format_day(period.start)
        }
    if choice.kind == PeriodKind.WEEK:
        return _("semaine %(span)s") % {"span": format_span(period.start, period.end)}
    if choice.kind == PeriodKind.MONTH:
        return formats.date_format(period.start, "F Y")
    return format_span(period.start, period.end)


def restrict_to_period(queryset: QuerySet[Trajet], choice: PeriodChoice) -> QuerySet[Trajet]:
    """The trains of ``queryset`` running on at least one date of the period, exactly."""
    if choice.kind == PeriodKind.ALL:
        return queryset
    if choice.period is None:
        mondays = typical_weeks().mondays
        running = typical_week_condition(mondays)
        return in_typical_weeks(queryset, mondays, running=running).filter(running)
    return queryset.filter(
        runs_from__lte=choice.period.end, runs_until__gte=choice.period.start
    ).filter(running_condition(choice.period))


def describe_running(runs_from: dt.date, runs_until: dt.date, running_days: int) -> str:
    """A trajet's running dates in words: ``du 9 novembre au 9 décembre 2025, 27 jours``."""
    days = ngettext("%(count)s jour", "%(count)s jours", running_days) % {
        "count": formats.number_format(running_days, force_grouping=True)
    }
    return f"{format_span(runs_from, runs_until)}, {days}"


VALIDITY_LABELS = {
    Validity.EXPIRED: gettext_lazy("expirée"),
    Validity.CURRENT: gettext_lazy("en cours"),
    Validity.UPCOMING: gettext_lazy("à venir"),
    Validity.UNKNOWN: gettext_lazy("inconnue"),
}


@dataclass(frozen=True)
class SourceValidity:
    """A source's running dates and where today falls in them."""

    name: str
    dataset: str
    runs_from: dt.date | None
    runs_until: dt.date | None
    reference_week: dt.date | None
    validity: Validity

    @property
    def label(self) -> str:
        return str(VALIDITY_LABELS[self.validity])

    @property
    def span(self) -> str:
        """``du 15 décembre 2013 au 13 décembre 2014``, or ``—`` without running dates."""
        if self.runs_from is None or self.runs_until is None:
            return "—"
        return format_span(self.runs_from, self.runs_until)


def source_validities(today: dt.date | None = None) -> list[SourceValidity]:
    """Every declared source's running dates and validity today, by name."""
    today = today or timezone.localdate()
    return [
        SourceValidity(
            source.name,
            source.dataset,
            source.runs_from,
            source.runs_until,
            source.reference_week,
            validity_of(source.runs_from, source.runs_until, today),
        )
        for source in DataSource.objects.order_by("name")
    ]
