"""Receivers keeping ``Trajet.runs_in_typical_week`` right after ORM writes (see the flag's
section in ``apps.trajets.calendars``).

- a save of a trajet (its weekdays, pattern dates or source edited in the admin): its flag;
- a save or deletion of a calendar exception: the flag of its trajet, and of the trajet it
  was moved from;
- a save of a source whose typical week (``reference_week``) is no longer the week its flags
  answer for: every flag of the source.

Loads and ``seed_synthetic`` write in bulk, without signals, and call
``refresh_source_calendar``, which recomputes every flag of the source.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from apps.trajets.calendars import refresh_trajet_flags, refresh_typical_week_flags
from apps.trajets.models import CalendarException, DataSource, Trajet

# The fields a trajet's flag depends on (with its calendar exceptions).
CALENDAR_FIELDS = frozenset(
    {"valid_from", "valid_to", "source", "runs_in_typical_week", *Trajet.WEEKDAY_FIELDS}
)


@receiver(post_save, sender=Trajet, dispatch_uid="trajets-typical-week-trajet-saved")
def _refresh_after_trajet_save(
    sender: type[Trajet],
    instance: Trajet,
    update_fields: frozenset[str] | None = None,
    **kwargs: Any,
) -> None:
    if kwargs.get("raw"):
        return
    if update_fields is not None and not CALENDAR_FIELDS & set(update_fields):
        return
    refresh_trajet_flags([instance.pk])


@receiver(pre_save, sender=CalendarException, dispatch_uid="trajets-typical-week-exception-moving")
def _remember_former_trajet(sender: type[CalendarException], instance: Any, **kwargs: Any) -> None:
    former = None
    if instance.pk is not None and not kwargs.get("raw"):
        former = (
            CalendarException.objects.filter(pk=instance.pk)
            .values_list("trajet_id", flat=True)
            .first()
        )
    instance._former_trajet_id = former


@receiver(post_save, sender=CalendarException, dispatch_uid="trajets-typical-week-exception-saved")
@receiver(
    post_delete, sender=CalendarException, dispatch_uid="trajets-typical-week-exception-deleted"
)
def _refresh_after_exception_change(
    sender: type[CalendarException], instance: Any, **kwargs: Any
) -> None:
    origin = kwargs.get("origin")  # what delete() was called on, for a deletion
    deleting_trajets = isinstance(origin, Trajet) or getattr(origin, "model", None) is Trajet
    if kwargs.get("raw") or deleting_trajets:
        return
    former = getattr(instance, "_former_trajet_id", None)
    refresh_trajet_flags({instance.trajet_id, *([former] if former else [])})


@receiver(post_save, sender=DataSource, dispatch_uid="trajets-typical-week-source-saved")
def _refresh_after_source_save(
    sender: type[DataSource], instance: DataSource, **kwargs: Any
) -> None:
    if kwargs.get("raw"):
        return
    if instance.reference_week is None:
        return
    flagged = DataSource.objects.filter(pk=instance.pk).values_list("flagged_week", flat=True)
    if instance.reference_week != flagged.first():
        refresh_typical_week_flags(instance)
