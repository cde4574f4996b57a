"""The stops summary kept on each trajet: its number of stops and its intermediate stations' names.

A list of trajets shows, for each one, how many stops it makes and through which stations. Read
from the stops, a page of 200 trajets meant ~4,000 stops and ~3,500 station names: most of the
page's database time. The summary is therefore stored on the trajet (``Trajet.stop_count``,
``Trajet.via_names``) by whatever writes its stops in bulk (the ETL, the synthetic seeder), and
refreshed here after any other change:

- an ORM save or delete of a stop (the admin's inline, the shell): its trajet;
- an ORM save of a station (a renaming in the admin): the trajets that stop there;
- ``refresh_stop_summaries()`` with no argument (the migration that added the columns, a repair
  after hand-written SQL: ``manage.py refresh_stop_summaries``): every trajet.

Bulk writes bypass the model signals: code that bulk-creates stops must fill the summary itself.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from apps.trajets.etl.writer import BulkWriter
from apps.trajets.models import Station, Stop, Trajet

CHUNK_SIZE = 2_000


def stop_summary(station_names: Sequence[str]) -> tuple[int, list[str]]:
    """Stop count and intermediate station names of a trajet whose stops are ``station_names``
    (in order)."""
    return len(station_names), list(station_names[1:-1])


def refresh_stop_summaries(
    trajet_ids: Iterable[int] | None = None,
    *,
    trajet_model: type[Any] = Trajet,
    stop_model: type[Any] = Stop,
    dry_run: bool = False,
) -> int:
    """Recompute the stops summary of ``trajet_ids`` (every trajet when None) from their stops;
    write those that differ (none with ``dry_run``) and return how many did.

    ``trajet_model`` and ``stop_model`` let a migration pass its historical models.
    """
    if trajet_ids is None:
        all_ids = trajet_model.objects.order_by("pk").values_list("pk", flat=True)
        chunks = _chunks(all_ids.iterator(chunk_size=CHUNK_SIZE))
    else:
        chunks = _chunks(iter(sorted(set(trajet_ids))))
    changed = 0
    for chunk in chunks:
        stored = {
            pk: (count, via)
            for pk, count, via in trajet_model.objects.filter(pk__in=chunk).values_list(
                "pk", "stop_count", "via_names"
            )
        }
        names: dict[int, list[str]] = {pk: [] for pk in stored}
        stops = (
            stop_model.objects.filter(trajet_id__in=chunk)
            .order_by("trajet_id", "sequence")
            .values_list("trajet_id", "station__name")
        )
        for trajet_id, name in stops:
            if trajet_id in names:  # else deleted since its summary was read
                names[trajet_id].append(name)
        outdated = [
            (pk, count, json.dumps(via, ensure_ascii=False))
            for pk, (count, via) in ((pk, stop_summary(names[pk])) for pk in stored)
            if (count, via) != stored[pk]
        ]
        changed += len(outdated)
        if dry_run or not outdated:
            continue
        with transaction.atomic(using=trajet_model.objects.db):
            # COPY and one UPDATE … FROM on PostgreSQL: bulk_update's CASE took 11 minutes
            # for the 1M trajets of the benchmark database.
            BulkWriter().update(
                trajet_model._meta.db_table, ("id", "stop_count", "via_names"), outdated
            )
    return changed


def _chunks(ids: Iterator[int]) -> Iterator[list[int]]:
    while chunk := list(islice(ids, CHUNK_SIZE)):
        yield chunk


@receiver(post_save, sender=Stop, dispatch_uid="trajets-stop-summary-stop-saved")
@receiver(post_delete, sender=Stop, dispatch_uid="trajets-stop-summary-stop-deleted")
def _refresh_after_stop_change(sender: type[Stop], instance: Stop, **kwargs: Any) -> None:
    origin = kwargs.get("origin")  # what delete() was called on, for a deletion
    deleting_trajets = isinstance(origin, Trajet) or getattr(origin, "model", None) is Trajet
    if not kwargs.get("raw") and not deleting_trajets:
        refresh_stop_summaries([instance.trajet_id])


@receiver(post_save, sender=Station, dispatch_uid="trajets-stop-summary-station-saved")
def _refresh_after_station_change(
    sender: type[Station],
    instance: Station,
    created: bool,
    update_fields: frozenset[str] | None = None,
    **kwargs: Any,
) -> None:
    if created or kwargs.get("raw") or (update_fields is not None and "name" not in update_fields):
        return
    refresh_stop_summaries(
        Stop.objects.filter(station=instance).values_list("trajet_id", flat=True).distinct()
    )
