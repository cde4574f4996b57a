"""Day / night / overnight classification with a stored, human-readable reason.

A night train is one sold with sleepers or couchettes: the source says so (accommodation),
or the train belongs to a night-only product (EuroNight, Nightjet, Lunéa…), named in any field
the source fills (category, train label such as ``EN 442 Slovakia``, line name). A train that
runs through the night without such evidence (an ICE leaving Berlin at 00:11) is
``overnight``: reported apart, never counted as a night train. The night-train database then
confirms night trains it knows (apps.trajets.same_train), whatever the timetable says.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from apps.places.services import strip_accents

__all__ = [
    "NIGHT_WINDOW_MIN_MINUTES",
    "Classification",
    "classify_service",
    "night_product",
]

# Codes of night-only products, matched as whole words of a category or a train label
# (never in free text, where "EN" is a French word). ICN (Swiss tilting InterCity) and ES
# (Eurostar Italia as well as European Sleeper) are not night-only.
_NIGHT_CODES = re.compile(r"(?:^|[\s/(])(EN|NJ|CNL|IR-N|IRN|D-NACHT|UEX)(?=$|[\s\d/)])")
# Names of night-only products, matched anywhere.
_NIGHT_NAMES = re.compile(
    r"\b(NIGHTJET|EURONIGHT|CITY NIGHT LINE|LUNEA|TRENHOTEL|NACHTZUG|INTERCITES DE NUIT|"
    r"IC NUIT|INTERCITE DE NUIT|EUROPEAN SLEEPER|SNALLTAGET NATTAG|NATTAG|SLEEPER|"
    r"VAGON DE DORMIT)\b"
)
# A service runs overnight when it runs at least this long inside 00:00-05:00 local time of
# its origin: a 22:00 → 06:00 train spends 300 min there, a 18:00 → 01:30 one only 90.
NIGHT_WINDOW_START_H = 0
NIGHT_WINDOW_END_H = 5
NIGHT_WINDOW_MIN_MINUTES = 180
_SLEEPER_WORDS = re.compile(
    r"\b(?:sleeper|sleeping|couchettes?|liegewagen|schlafwagen|lits?|cuccette|literas?|"
    r"camas?|cuset[ae]|vagon de dormit|ležadlov[ýé]|lůžkov[ýé])\b",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Classification:
    """The service kind (``day``, ``night`` or ``overnight``) and why."""

    kind: str
    reason: str


@lru_cache(maxsize=16_384)
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


@lru_cache(maxsize=16_384)
def _normalised(text: str) -> str:
    return strip_accents(text).upper().strip()


@lru_cache(maxsize=16_384)
def night_product(codes: tuple[str, ...], names: tuple[str, ...] = ()) -> str:
    """The night-only product named by a code field (category, train label) or by any text
    field (line name), or "" when none is."""
    for text in codes:
        upper = _normalised(text)
        found = _NIGHT_CODES.search(upper) or _NIGHT_NAMES.search(upper)
        if found:
            return found.group(1)
    for text in names:
        found = _NIGHT_NAMES.search(_normalised(text))
        if found:
            return found.group(1)
    return ""


def classify_service(
    *,
    category: str,
    night_hint: str,
    departure_local: dt.datetime,
    duration_min: int,
    labels: tuple[str, ...] = (),
    names: tuple[str, ...] = (),
) -> Classification:
    """Classify a service as day, night or overnight.

    Rule, in order: (1) the source states sleeper or couchette accommodation (``night_hint``)
    → night; (2) the category or a train label (``labels``: the source's train label, line
    code) names a night-only product, or a line name (``names``) does → night; (3) the
    service runs at least 180 min inside the 00:00-05:00 window, counted in the local time of
    its origin from ``departure_local`` over ``duration_min`` → overnight (through the night,
    no sleeper known); (4) otherwise day.
    """
    if night_hint and _SLEEPER_WORDS.search(night_hint):
        return Classification("night", f"source lists night accommodation: {night_hint}")
    product = night_product((category, *labels), names)
    if product:
        label = " / ".join(dict.fromkeys(t.strip() for t in (category, *labels) if t.strip()))
        return Classification(
            "night", f"{product} is a night-train product (source labels: {label or '-'})"
        )
    end = departure_local + dt.timedelta(minutes=duration_min)
    inside = _minutes_in_night_window(departure_local, end)
    if inside >= NIGHT_WINDOW_MIN_MINUTES:
        return Classification(
            "overnight",
            f"runs {inside} min inside 00:00-05:00 (threshold {NIGHT_WINDOW_MIN_MINUTES} min) "
            "with no sleeper or couchette known",
        )
    return Classification(
        "day", f"runs {inside} min inside 00:00-05:00 (below {NIGHT_WINDOW_MIN_MINUTES} min)"
    )
