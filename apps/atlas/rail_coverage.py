"""Whether a pair's rail time can be trusted as the real one, or only as an upper bound (no
Django).

The atlas finds the fastest journey *in the warehouse*. Where the warehouse lacks a current
timetable of a country's main long-distance operator (France: no TGV timetable at all; the
SNCF TER feed is regional trains), the journey found runs on slower trains than the real
fastest one, and its time is only an **upper bound**: the real train takes that long or less.

:data:`MAIN_TIMETABLES` names, per country, the warehouse sources that carry its main
operator's long-distance trains. A country absent from it has none in the warehouse. A source
counts when its running dates hold the day the atlas is computed
(:func:`apps.trajets.calendars.validity_of`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from apps.trajets.services import Validity, validity_of

__all__ = ["MAIN_TIMETABLES", "countries_without_main_timetable"]

#: Country -> the warehouse sources of its main long-distance operator. France has none: the
#: SNCF sources are Intercités 2013 and TER (regional trains), no TGV.
MAIN_TIMETABLES: dict[str, tuple[str, ...]] = {
    "DE": ("db-fernverkehr",),
    "ES": ("renfe-av-ld-md",),
    "RO": ("romania-datagovro",),
}


def countries_without_main_timetable(
    countries: Iterable[str],
    running: Mapping[str, tuple[dt.date | None, dt.date | None]],
    today: dt.date,
) -> list[str]:
    """The countries of ``countries`` (sorted, once each) with no current main timetable;
    ``running`` maps a source name to its first and last running dates."""
    missing = []
    for country in sorted(set(countries)):
        current = any(
            name in running and validity_of(*running[name], today) == Validity.CURRENT
            for name in MAIN_TIMETABLES.get(country, ())
        )
        if not current:
            missing.append(country)
    return missing
