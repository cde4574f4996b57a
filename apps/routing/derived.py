"""The routing artefact as derived data (registered in :mod:`obrail.derived`)."""

from __future__ import annotations

import datetime as dt

from apps.routing.pathfinding.artifact import ArtifactError, read_artifact
from apps.routing.services import artifact_root, build_routing_artifact
from apps.trajets.models import ImportRun
from obrail import derived

__all__ = ["ARTEFACT", "outdated_reason", "rebuild_routing_artefact"]

ARTEFACT = "routing-artefact"


def outdated_reason() -> str:
    """Why the published artefact is older than the data ("" when it is current): missing,
    unreadable, or built before the last committed run that wrote data."""
    latest = (
        ImportRun.objects.filter(status=ImportRun.Status.SUCCEEDED)
        .exclude(rows_inserted=0, rows_updated=0)
        .order_by("-pk")
        .first()
    )
    if latest is None or latest.finished_at is None:
        return ""  # nothing loaded yet: nothing to route
    try:
        created = dt.datetime.fromisoformat(read_artifact(artifact_root()).manifest["created_at"])
    except (ArtifactError, KeyError, TypeError, ValueError):
        return "missing or unreadable"
    if created >= latest.finished_at:
        return ""
    return f"built {created.isoformat()}, before run {latest.pk} committed"


def rebuild_routing_artefact(change: derived.Change) -> derived.Result:
    """Publish a new artefact version after a change of data, or when the current one is
    older than the data; the workers keep serving the previous version until then."""
    if change.force or change.is_data_changed:
        reason = "forced" if change.force else change.reason
    else:
        reason = outdated_reason()
    if not reason:
        return derived.Result("current", is_rebuilt=False)
    version = build_routing_artifact(run_id=change.run_id)
    return derived.Result(f"version {version} ({reason})")


def register_derived() -> None:
    """Register the routing artefact."""
    derived.register(
        ARTEFACT,
        rebuild_routing_artefact,
        is_heavy=True,
        description="graph and timetables for the journey planner (numpy arrays on disk)",
    )
