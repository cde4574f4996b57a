"""Day / night classification with a stored, human-readable reason."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from apps.places.names import strip_accents

__all__ = [
    "NIGHT_CATEGORIES",
    "NIGHT_WINDOW_MIN_MINUTES",
    "Classification",
    "classify_service",
]

# Categories that are sold only as night trains (sleeper/couchette stock).
NIGHT_CATEGORIES = frozenset(
    {"EN", "NJ", "ES", "ICN", "D-NACHT", "LUNEA", "CORAIL LUNEA", "TRENHOTEL", "INTERCITES DE NUIT"}
)
# A service is a night service when it runs at least this long inside 00:00-05:00 local time
# of its origin: a 22:00 → 06:00 train spends 300 min there, a 18:00 → 01:30 one only 90.
NIGHT_WINDOW_START_H = 0
NIGHT_WINDOW_END_H = 5
NIGHT_WINDOW_MIN_MINUTES = 180
_SLEEPER_WORDS = re.compile(
    r"\b(?:sleeper|couchette|liegewagen|schlafwagen|lits?|cuccette)\b", re.I
)


@dataclass(frozen=True, slots=True)
class Classification:
    """The service kind (``day`` or ``night``) and why."""

    kind: str
    reason: str


def _minutes_in_night_window(start: dt.datetime, end: dt.datetime) -> int:
    """Minutes of [start, end] (naive local datetimes) inside any 00:00-05:00 window."""
    total = 0.0
    day = start.date() - dt.timedelta(days=1)
    while dt.datetime.combine(day, dt.time()) <= end:
        window_start = dt.datetime.combine(day, dt.time(NIGHT_WINDOW_START_H))
        window_end = dt.datetime.combine(day, dt.time(NIGHT_WINDOW_END_H))
        overlap = (min(end, window_end) - max(start, window_start)).total_seconds()
        total += max(0.0, overlap)
        day += dt.timedelta(days=1)
    return int(total // 60)


def classify_service(
    *,
    category: str,
    night_hint: str,
    departure_local: dt.datetime,
    duration_min: int,
) -> Classification:
    """Classify a service as day or night.

    Rule, in order: (1) the source states sleeper or couchette accommodation (``night_hint``);
    (2) the category is a night-only product (EN, NJ, ES, Lunéa…); (3) otherwise the service is
    night when it runs at least 180 min inside the 00:00-05:00 window, counted in the local
    time of its origin from ``departure_local`` over ``duration_min``.
    """
    if night_hint and _SLEEPER_WORDS.search(night_hint):
        return Classification("night", f"source lists night accommodation: {night_hint}")
    normalised = strip_accents(category).strip().upper()
    if normalised in NIGHT_CATEGORIES:
        return Classification("night", f"category {category.strip()} is a night-train product")
    end = departure_local + dt.timedelta(minutes=duration_min)
    inside = _minutes_in_night_window(departure_local, end)
    if inside >= NIGHT_WINDOW_MIN_MINUTES:
        return Classification(
            "night",
            f"runs {inside} min inside 00:00-05:00 (threshold {NIGHT_WINDOW_MIN_MINUTES} min)",
        )
    return Classification(
        "day", f"runs {inside} min inside 00:00-05:00 (below {NIGHT_WINDOW_MIN_MINUTES} min)"
    )
