"""Chainable read methods for trajets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Q

# The mode counted as a train (TransportMode.RAIL; models imports this module).
COUNTED_MODE = "rail"


def counted_lookups(prefix: str = "", modes: Iterable[str] = (COUNTED_MODE,)) -> dict[str, object]:
    """The lookups of :meth:`TrajetQuerySet.counted` for a model reaching the trajet
    through ``prefix`` (``"trajet__"`` for its stops, countries or calendar exceptions)."""
    return {f"{prefix}same_train_as__isnull": True, f"{prefix}mode__in": list(modes)}


WEEKDAY_FIELDS = (
    "runs_monday",
    "runs_tuesday",
    "runs_wednesday",
    "runs_thursday",
    "runs_friday",
    "runs_saturday",
    "runs_sunday",
)


class TrajetQuerySet(models.QuerySet):
    """Filters used by the API, the pages, the indicators and the routing graph."""

    def counted(self, modes: Iterable[str] = (COUNTED_MODE,)) -> TrajetQuerySet:
        """One trajet per train: without the trajets that another source's trajet already
        describes (``same_train_as`` set), and trains only (coaches and tram-trains when
        ``modes`` names them). Lists, indicators and routing read these."""
        return self.filter(**counted_lookups(modes=modes))

    def variants_of(self, trajet: models.Model) -> TrajetQuerySet:
        """The trajets that describe the same train as ``trajet`` (the counted one and those
        linked to it by ``same_train_as``, ``trajet`` included), counted one first."""
        head = trajet.same_train_as_id or trajet.pk
        return self.filter(Q(pk=head) | Q(same_train_as_id=head)).order_by(
            F("same_train_as_id").asc(nulls_first=True), "source__name", "pk"
        )

    def variant_counts(self, trajet_ids: list[int]) -> dict[int, int]:
        """How many trajets describe the train of each counted trajet of ``trajet_ids``,
        itself included, for those that have other versions (one query)."""
        rows = (
            self.filter(same_train_as_id__in=trajet_ids)
            .order_by()
            .values_list("same_train_as_id")
            .annotate(count=Count("pk"))
        )
        return {trajet_id: count + 1 for trajet_id, count in rows}

    def day(self) -> TrajetQuerySet:
        return self.filter(kind="day")

    def night(self) -> TrajetQuerySet:
        return self.filter(kind="night")

    def running_on(self, day: dt.date) -> TrajetQuerySet:
        """Services departing on ``day`` by their weekly calendar and dated exceptions."""
        from apps.trajets.models import CalendarException

        exceptions = CalendarException.objects.filter(trajet=OuterRef("pk"), date=day)
        by_week = Q(valid_from__lte=day, valid_to__gte=day, **{WEEKDAY_FIELDS[day.weekday()]: True})
        return self.filter(
            (by_week & ~Exists(exceptions.filter(is_added=False)))
            | Exists(exceptions.filter(is_added=True))
        )

    def serving_country(self, country: str) -> TrajetQuerySet:
        """Services whose origin, destination or any stop is in ``country``."""
        from apps.trajets.models import TrajetCountry

        return self.filter(
            Exists(TrajetCountry.objects.filter(trajet=OuterRef("pk"), country=country))
        )

    def with_related(self) -> TrajetQuerySet:
        """Join what list rows display (operator, end stations)."""
        return self.select_related("operator", "origin", "destination")

    def for_api_list(self) -> TrajetQuerySet:
        """``with_related`` reading only the columns of an API list row or CSV line: no
        provenance or JSON columns to fetch and decode (a third of a page's Python time)."""
        from apps.trajets.rows import LIST_READS  # the spec reads the models

        return self.with_related().only(*LIST_READS)
