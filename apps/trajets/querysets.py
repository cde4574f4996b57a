"""Chainable read methods for trajets."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Exists, OuterRef, Q

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
