"""Dated observations of what each source lists, and what changed between two of them.

Every successful import of a timetable is an observation of its trains (key: the source's
record id, fingerprint: the trajet's content hash); the night-train list of Back-on-Track is
observed once per quarterly snapshot (key: the route's name). Between an observation and the
source's previous one, items are matched by key, then by a shared train number (a route
renamed, or listed per direction in one snapshot and per pair in the next): what is left is
added or removed, what matched with another fingerprint is changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.db.models import Count
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from obrail.charts import Chart, ChartRow

from .etl.errors import ExtractError
from .models import (
    DataSource,
    ImportRun,
    ObservedChange,
    ObservedItem,
    SourceObservation,
    Trajet,
    TransportMode,
)

__all__ = [
    "HISTORY_SOURCE",
    "Item",
    "QuarterRow",
    "describe_count",
    "diff_items",
    "history_chart",
    "load_ontd_history",
    "night_history",
    "night_route_series",
    "observe_import",
    "read_ontd_snapshot",
    "record_observation",
]

_NUMBER = re.compile(r"\d{2,}")
# A spreadsheet's error values (``#REF!``, ``#N/A``…): the export of a broken cell, no data.
_SHEET_ERROR = re.compile(r"^#(?:REF!|N/A|VALUE!|NAME\?|DIV/0!|NULL!|NUM!)$")
_SNAPSHOT_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})_.*\.json$")
# How many changes one observation keeps listed (the counts are always complete).
CHANGE_LIST_LIMIT = 5000


@dataclass(frozen=True, slots=True)
class Item:
    """One train or route as a source lists it."""

    key: str
    label: str
    digest: str
    numbers: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    operators: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Change:
    change: str
    item: Item
    detail: str = ""


def _fingerprint(*parts: object) -> str:
    return hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=16).hexdigest()


def diff_items(previous: Sequence[Item], current: Sequence[Item]) -> list[Change]:
    """What was added, removed or changed from ``previous`` to ``current``."""
    old = {item.key: item for item in previous}
    new = {item.key: item for item in current}
    changes = [
        Change(ObservedChange.Change.CHANGED, item, "")
        for key, item in new.items()
        if key in old and old[key].digest != item.digest
    ]
    lost = {key: item for key, item in old.items() if key not in new}
    by_number: dict[str, list[str]] = {}
    for key, item in lost.items():
        for number in item.numbers:
            by_number.setdefault(number, []).append(key)
    matched: set[str] = set()
    for key, item in new.items():
        if key in old:
            continue
        peers = {peer for n in item.numbers for peer in by_number.get(n, ())}
        if peers:
            matched.update(peers)
            names = ", ".join(sorted(lost[p].label for p in peers))[:250]
            changes.append(Change(ObservedChange.Change.CHANGED, item, f"listed before as {names}"))
        else:
            changes.append(Change(ObservedChange.Change.ADDED, item))
    changes.extend(
        Change(ObservedChange.Change.REMOVED, item)
        for key, item in lost.items()
        if key not in matched
    )
    return changes


def record_observation(
    *,
    source: DataSource,
    observed_on: dt.date,
    items: Sequence[Item],
    run: ImportRun | None = None,
    snapshot: str = "",
) -> SourceObservation:
    """Store an observation with its items and its changes since the source's previous one."""
    previous = (
        SourceObservation.objects.filter(source=source, observed_on__lte=observed_on)
        .order_by("-observed_on", "-id")
        .first()
    )
    before = [] if previous is None else _items_of(previous)
    changes = diff_items(before, items) if previous is not None else []
    counts = Counter(change.change for change in changes)
    with transaction.atomic():
        observation = SourceObservation.objects.create(
            source=source,
            observed_on=observed_on,
            import_run=run,
            snapshot=snapshot[:200],
            item_count=len(items),
            added=counts[ObservedChange.Change.ADDED],
            removed=counts[ObservedChange.Change.REMOVED],
            changed=counts[ObservedChange.Change.CHANGED],
            compared_with=previous,
        )
        ObservedItem.objects.bulk_create(
            (
                ObservedItem(
                    observation=observation,
                    key=item.key[:200],
                    label=item.label[:300],
                    numbers=" ".join(item.numbers)[:200],
                    countries=",".join(item.countries)[:120],
                    operators=",".join(item.operators)[:200],
                    digest=item.digest,
                )
                for item in items
            ),
            batch_size=5000,
        )
        ObservedChange.objects.bulk_create(
            ObservedChange(
                observation=observation,
                change=change.change,
                key=change.item.key[:200],
                label=change.item.label[:300],
                detail=change.detail[:300],
            )
            for change in changes[:CHANGE_LIST_LIMIT]
        )
    return observation


def _items_of(observation: SourceObservation) -> list[Item]:
    return [
        Item(
            key=key,
            label=label,
            digest=digest,
            numbers=tuple(numbers.split()),
            countries=tuple(filter(None, countries.split(","))),
            operators=tuple(filter(None, operators.split(","))),
        )
        for key, label, digest, numbers, countries, operators in observation.items.values_list(
            "key", "label", "digest", "numbers", "countries", "operators"
        )
    ]


def observe_import(source: DataSource, run: ImportRun) -> SourceObservation | None:
    """The trains ``source`` holds after ``run``, as a new observation (None for a source
    without trains and never observed: a station list)."""
    rows = Trajet.objects.filter(source=source).values_list(
        "source_record_id",
        "category",
        "train_number",
        "origin__name",
        "destination__name",
        "origin_country",
        "destination_country",
        "operator__code",
        "content_hash",
        "mode",
    )
    items = [
        Item(
            key=record,
            # A coach or tram-train says so: its category is the line's (a TER coach is "TER").
            label=f"{category} {number} {origin} → {destination}".strip()
            + ("" if mode == TransportMode.RAIL else f" ({mode})"),
            digest=digest,
            numbers=(number,) if number else (),
            countries=tuple(dict.fromkeys((start, end))),
            operators=(operator,),
        )
        for (
            record, category, number, origin, destination, start, end, operator, digest, mode
        ) in rows.iterator(chunk_size=5000)
    ]  # fmt: skip
    if not items and not SourceObservation.objects.filter(source=source).exists():
        return None
    return record_observation(
        source=source, observed_on=run.started_at.date(), items=items, run=run
    )


def describe_count(observation: SourceObservation) -> str:
    """``2066 services (1912 trains, 154 coaches)``, or ``355 trains`` when all are trains:
    the services of the source as just observed, coaches and tram-trains never called trains."""
    modes = dict(
        Trajet.objects.filter(source_id=observation.source_id)
        .order_by()
        .values_list("mode")
        .annotate(n=Count("pk"))
    )
    others = [(modes.get(m, 0), word) for m, word in _OTHER_MODES if modes.get(m, 0)]
    if not others:
        return f"{observation.item_count} trains"
    parts = ", ".join(
        f"{n} {word}" for n, word in [(modes.get(TransportMode.RAIL, 0), "trains"), *others]
    )
    return f"{observation.item_count} services ({parts})"


_OTHER_MODES = ((TransportMode.COACH, "coaches"), (TransportMode.TRAM_TRAIN, "tram-trains"))


def read_ontd_snapshot(path: Path) -> list[Item]:
    """The night-train routes of one ``view_ontd_list.json`` snapshot.

    Two layouts are read: until 2024-12 one entry per direction (``trip_id`` such as
    ``ÖBB NJ 50490``, ``countries``), from 2025-03 one entry per route (``night_train`` such as
    ``ÖBB NJ 468 + NJ 469``, ``countries``, ``operators``, ``itinerary``). An entry without a
    name, or named by a spreadsheet error (a ``#REF!`` row: four snapshots hold one), is no
    route, and an error value is no country or operator; any other layout is refused.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ExtractError(f"{path.name}: not a readable JSON file: {exc}") from exc
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise ExtractError(f"{path.name}: expected an object of route objects by route id")
    items: list[Item] = []
    seen: Counter[str] = Counter()
    for route_id, entry in data.items():
        if "night_train" in entry:
            label = str(entry.get("night_train") or "")
            operators = _split(entry.get("operators"))
            itinerary = str(entry.get("itinerary_long") or entry.get("itinerary") or "")
        elif "trip_id" in entry:
            label = str(entry.get("trip_id") or "")
            operators = tuple(label.split()[0].split("/")) if label.split() else ()
            itinerary = str(entry.get("via") or "")
        else:
            raise ExtractError(
                f"{path.name}: route {route_id}: neither night_train nor trip_id (unknown layout)"
            )
        label = " ".join(label.split())
        if not label or _SHEET_ERROR.match(label):
            continue
        seen[label] += 1
        key = label if seen[label] == 1 else f"{label} #{seen[label]}"
        countries = _split(entry.get("countries"))
        items.append(
            Item(
                key=key,
                label=label,
                digest=_fingerprint(",".join(countries), ",".join(operators), itinerary),
                numbers=tuple(dict.fromkeys(_NUMBER.findall(label))),
                countries=countries,
                operators=operators,
            )
        )
    return items


def _split(value: object) -> tuple[str, ...]:
    parts = (p.strip() for p in str(value or "").split(","))
    return tuple(dict.fromkeys(p for p in parts if p and not _SHEET_ERROR.match(p)))


def snapshot_files(folder: Path) -> list[tuple[dt.date, Path]]:
    """The dated snapshot files of ``folder`` (``YYYY-MM-DD_view_ontd_list.json``), oldest
    first; a folder without any is refused."""
    found = []
    for path in sorted(folder.glob("*.json")):
        match = _SNAPSHOT_NAME.match(path.name)
        if match:
            found.append((dt.date.fromisoformat(match[1]), path))
    if not found:
        raise ExtractError(f"{folder}: no YYYY-MM-DD_*.json snapshot file")
    return found


def load_ontd_history(source: DataSource, folder: Path, run: ImportRun | None = None) -> int:
    """Replace the observations of ``source`` by one per snapshot of ``folder``, in date
    order (each compared with the one before). Returns the number of observations."""
    snapshots = [(day, path, read_ontd_snapshot(path)) for day, path in snapshot_files(folder)]
    with transaction.atomic():
        SourceObservation.objects.filter(source=source).delete()
        for day, path, items in snapshots:
            record_observation(
                source=source, observed_on=day, items=items, run=run, snapshot=path.name
            )
    return len(snapshots)


@dataclass(frozen=True, slots=True)
class QuarterRow:
    """One observation of a source: its date, its count, what changed, and the counts by
    country and by operator (a route counts once in each country and for each operator)."""

    observed_on: dt.date
    snapshot: str
    routes: int
    added: int
    removed: int
    changed: int
    by_country: dict[str, int] = field(default_factory=dict)
    by_operator: dict[str, int] = field(default_factory=dict)


def night_route_series(source: DataSource) -> list[QuarterRow]:
    """The observations of ``source`` in date order, with the counts by country and operator."""
    rows = []
    for observation in SourceObservation.objects.filter(source=source).order_by(
        "observed_on", "id"
    ):
        countries: Counter[str] = Counter()
        operators: Counter[str] = Counter()
        for country_text, operator_text in observation.items.values_list("countries", "operators"):
            countries.update(filter(None, country_text.split(",")))
            operators.update(filter(None, operator_text.split(",")))
        rows.append(
            QuarterRow(
                observed_on=observation.observed_on,
                snapshot=observation.snapshot,
                routes=observation.item_count,
                added=observation.added,
                removed=observation.removed,
                changed=observation.changed,
                by_country=dict(sorted(countries.items())),
                by_operator=dict(sorted(operators.items())),
            )
        )
    return rows


# The source whose observations make the night-train series.
HISTORY_SOURCE = "back-on-track-ontd-history"


def night_history(source_name: str = HISTORY_SOURCE) -> tuple[DataSource, list[QuarterRow]]:
    """The source and its series; raises ``DataSource.DoesNotExist`` for an unknown source."""
    source = DataSource.objects.get(name=source_name)
    return source, night_route_series(source)


def history_chart(rows: Sequence[QuarterRow]) -> Chart:
    """Routes per observation as a bar chart with its summary and table."""
    chart_rows = tuple(
        ChartRow(
            label=date_format(row.observed_on, "j F Y"), value=row.routes, display=str(row.routes)
        )
        for row in rows
    )
    if rows:
        first, last = rows[0], rows[-1]
        summary = _(
            "%(last)s relations de trains de nuit le %(last_date)s, contre %(first)s le "
            "%(first_date)s (%(count)s relevés)."
        ) % {
            "last": last.routes,
            "last_date": date_format(last.observed_on, "j F Y"),
            "first": first.routes,
            "first_date": date_format(first.observed_on, "j F Y"),
            "count": len(rows),
        }
    else:
        summary = _("Aucun relevé chargé.")
    return Chart(
        key="night-history",
        title=_("Relations de trains de nuit par relevé"),
        summary=str(summary),
        label_header=_("Relevé"),
        value_header=_("Relations"),
        rows=chart_rows,
    )
