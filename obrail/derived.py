"""The one registry of derived data: what is rebuilt from the warehouse after a change.

Each app registers its artefacts in its ``AppConfig.ready()``::

    derived.register("atlas", refresh, after=("routing-artefact",), is_heavy=True)

and every code path that changes data ends with one call, whatever it is (ETL, seeder,
repair command, air-traffic load, the ``rebuild_derived`` command run by cron)::

    outcomes = derived.rebuild_after_change("etl run 42")

A rebuild brings its artefact up to date with the data and says whether it did anything:
it checks its own staleness (the data version, the routing artefact's manifest, the atlas's
fingerprint), so calling the pipeline again on unchanged data rebuilds nothing; ``force``
rebuilds anyway. Artefacts run in dependency order; each is timed and logged; a failure is
reported and skips only the artefacts that depend on it.

Bulk writers wrap their work in :func:`bulk_change` so that the ORM receivers that watch
single edits (:func:`note_edit`) stay quiet and the pipeline runs once at the end. An edit
outside a bulk change is handed, once per committed transaction, to the edit recorder the
warehouse set with :func:`on_edit`: it marks the data changed, and the next
``rebuild_derived`` (cron) rebuilds the artefacts; nothing heavy runs in a page request.

This module is on the ground floor: it imports no app.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.db import transaction

__all__ = [
    "Artefact",
    "Change",
    "Outcome",
    "Result",
    "bulk_change",
    "is_bulk_change",
    "note_edit",
    "on_edit",
    "rebuild_after_change",
    "register",
    "registered",
    "summary",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Change:
    """What a rebuild is told: why it runs, the import run behind it, whether the caller
    knows it changed data (``is_data_changed``: rebuild without checking) or asks to rebuild
    anyway (``force``)."""

    reason: str
    run_id: int | None = None
    is_data_changed: bool = False
    force: bool = False


@dataclass(frozen=True, slots=True)
class Result:
    """What a rebuild did: ``is_rebuilt`` False means it was already up to date."""

    detail: str
    is_rebuilt: bool = True


@dataclass(frozen=True, slots=True)
class Artefact:
    """A registered artefact: its rebuild, the artefacts it is built from, its weight."""

    name: str
    rebuild: Callable[[Change], Result]
    after: tuple[str, ...] = ()
    #: Heavy artefacts (seconds to minutes) never run in a page request.
    is_heavy: bool = False
    description: str = ""


@dataclass(frozen=True, slots=True)
class Outcome:
    """One artefact's outcome: ``rebuilt``, ``up_to_date``, ``failed`` or ``blocked`` (an
    artefact it depends on failed)."""

    name: str
    status: str
    duration_s: float
    detail: str

    def as_dict(self) -> dict[str, object]:
        """The outcome as stored with an import run."""
        return {
            "name": self.name,
            "status": self.status,
            "duration_s": self.duration_s,
            "detail": self.detail,
        }


_registry: dict[str, Artefact] = {}


def register(
    name: str,
    rebuild: Callable[[Change], Result],
    *,
    after: Iterable[str] = (),
    is_heavy: bool = False,
    description: str = "",
) -> None:
    """Register (or replace, for a reloaded app) the artefact ``name``."""
    _registry[name] = Artefact(name, rebuild, tuple(after), is_heavy, description)


def registered() -> list[Artefact]:
    """Every artefact, each after those it is built from (light ones first, then by name).

    Raises ValueError when an artefact names an unregistered one or a cycle exists.
    """
    ordered: list[Artefact] = []
    placed: set[str] = set()
    pending = dict(sorted(_registry.items()))
    while pending:
        ready = [a for a in pending.values() if set(a.after) <= placed]
        ready.sort(key=lambda a: (a.is_heavy, a.name))
        if not ready:
            unknown = {d for a in pending.values() for d in a.after} - set(_registry)
            if unknown:
                raise ValueError(f"derived artefacts depend on unregistered {sorted(unknown)}")
            raise ValueError(f"derived artefacts depend on each other: {sorted(pending)}")
        for artefact in ready:
            ordered.append(artefact)
            placed.add(artefact.name)
            del pending[artefact.name]
    return ordered


def rebuild_after_change(
    reason: str,
    *,
    changed: bool = False,
    run_id: int | None = None,
    force: bool = False,
    only: Iterable[str] | None = None,
) -> list[Outcome]:
    """Bring every registered artefact (or those named in ``only``) up to date, in order.

    ``changed`` says the caller changed data (each artefact is then rebuilt, or checked
    against a fingerprint of its inputs); otherwise each rebuilds only what is missing or
    older than the data. ``run_id`` is the import run behind the change, if any.

    Never raises for a failing artefact: its traceback is logged, its outcome is
    ``failed`` and the artefacts built from it are ``blocked``; the others still run.
    """
    artefacts = registered()
    if only is not None:
        wanted = set(only)
        unknown = wanted - {a.name for a in artefacts}
        if unknown:
            raise ValueError(f"unknown derived artefact(s): {', '.join(sorted(unknown))}")
        artefacts = [a for a in artefacts if a.name in wanted]
    change = Change(reason=reason, run_id=run_id, is_data_changed=changed, force=force)
    broken: set[str] = set()
    outcomes = []
    with bulk_change():  # what a rebuild writes is derived data, not an edit
        for artefact in artefacts:
            outcome = _rebuild_one(artefact, change, broken)
            if outcome.status in ("failed", "blocked"):
                broken.add(artefact.name)
            outcomes.append(outcome)
    return outcomes


def _rebuild_one(artefact: Artefact, change: Change, broken: set[str]) -> Outcome:
    context = {"artefact": artefact.name, "reason": change.reason, "run_id": change.run_id}
    failed_inputs = sorted(broken & set(artefact.after))
    if failed_inputs:
        logger.warning("derived %s not rebuilt: %s failed", artefact.name, ", ".join(failed_inputs))
        return Outcome(artefact.name, "blocked", 0.0, f"{', '.join(failed_inputs)} failed")
    started = time.perf_counter()
    try:
        result = artefact.rebuild(change)
    except Exception as error:  # one artefact's failure never stops the others
        duration = round(time.perf_counter() - started, 3)
        logger.exception(
            "derived %s failed", artefact.name, extra={**context, "duration_s": duration}
        )
        return Outcome(artefact.name, "failed", duration, f"{type(error).__name__}: {error}")
    duration = round(time.perf_counter() - started, 3)
    status = "rebuilt" if result.is_rebuilt else "up_to_date"
    logger.info(
        "derived %s %s in %.3f s: %s",
        artefact.name, status, duration, result.detail,
        extra={**context, "duration_s": duration, "outcome": status},
    )  # fmt: skip
    return Outcome(artefact.name, status, duration, result.detail)


def summary(outcomes: Iterable[Outcome]) -> str:
    """The outcomes in one line, for command output and import-run messages."""
    return "; ".join(f"{o.name} {o.status} ({o.duration_s:.1f} s)" for o in outcomes)


# --- Single edits and bulk changes ----------------------------------------------------------

_state = threading.local()
_edit_recorders: list[Callable[[Counter[str]], None]] = []


def on_edit(recorder: Callable[[Counter[str]], None]) -> None:
    """Set what runs after a transaction holding single edits commits (the warehouse marks
    the data changed); it receives how many rows of each model were edited."""
    if recorder not in _edit_recorders:
        _edit_recorders.append(recorder)


@contextlib.contextmanager
def bulk_change() -> Iterator[None]:
    """Inside, single-edit receivers stay quiet: the caller runs the pipeline once at the end."""
    _state.bulk = getattr(_state, "bulk", 0) + 1
    try:
        yield
    finally:
        _state.bulk -= 1


def is_bulk_change() -> bool:
    """Whether a bulk change is under way in this thread."""
    return bool(getattr(_state, "bulk", 0))


def note_edit(label: str) -> None:
    """Count a single ORM edit of ``label`` (a model); the edit recorders run once, when its
    transaction commits (at once in autocommit), never inside a bulk change."""
    if is_bulk_change() or not _edit_recorders:
        return
    connection = transaction.get_connection()
    is_scheduled = any(hook[1] is _flush_edits for hook in connection.run_on_commit)
    if not is_scheduled:
        _state.edits = Counter()
    _state.edits[label] += 1
    if not is_scheduled:
        # robust: a recorder's failure is logged, never an error on the committed edit.
        transaction.on_commit(_flush_edits, robust=True)


def _flush_edits() -> None:
    edits, _state.edits = getattr(_state, "edits", Counter()), Counter()
    if not edits:
        return
    for recorder in _edit_recorders:
        recorder(edits)
