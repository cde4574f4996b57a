"""The coverage scorecard as a map: each European country coloured by what the warehouse's
current timetables say of it (whole national timetable, part of it, none), beside its table.

Plain module: it reads a :class:`~apps.stats.coverage.Scorecard` and the network map's bundled
country outlines (Natural Earth names, mapped here to ISO codes) and returns ready-made rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from apps.stats.coverage import EUROPEAN_COUNTRIES, Scorecard
from apps.trajets.services import VIEW_HEIGHT, VIEW_WIDTH, load_outlines

__all__ = ["COVERAGE_STATES", "CoverageMap", "MapCountry", "build_coverage_map"]

#: Natural Earth's names of the outlines, as ISO 3166-1 alpha-2 codes (XK: Kosovo).
OUTLINE_CODES = {
    "Albania": "AL", "Algeria": "DZ", "Andorra": "AD", "Austria": "AT", "Belarus": "BY",
    "Belgium": "BE", "Bosnia and Herz.": "BA", "Bulgaria": "BG", "Croatia": "HR", "Cyprus": "CY",
    "Czechia": "CZ", "Denmark": "DK", "Estonia": "EE", "Faeroe Is.": "FO", "Finland": "FI",
    "France": "FR", "Germany": "DE", "Greece": "GR", "Greenland": "GL", "Hungary": "HU",
    "Iceland": "IS", "Ireland": "IE", "Isle of Man": "IM", "Italy": "IT", "Jersey": "JE",
    "Kosovo": "XK", "Latvia": "LV", "Liechtenstein": "LI", "Lithuania": "LT", "Luxembourg": "LU",
    "Macedonia": "MK", "Malta": "MT", "Moldova": "MD", "Montenegro": "ME", "Morocco": "MA",
    "N. Cyprus": "CY", "Netherlands": "NL", "Norway": "NO", "Poland": "PL", "Portugal": "PT",
    "Romania": "RO", "Russia": "RU", "San Marino": "SM", "Serbia": "RS", "Slovakia": "SK",
    "Slovenia": "SI", "Spain": "ES", "Sweden": "SE", "Switzerland": "CH", "Tunisia": "TN",
    "Turkey": "TR", "Ukraine": "UA", "United Kingdom": "GB", "Åland": "FI",
}  # fmt: skip

#: States, best first: every European country with a railway gets one of the first three.
COVERAGE_STATES = ("national", "partial", "none", "outside")


@dataclass(frozen=True)
class MapCountry:
    """One outline: its country's code and coverage state (``outside``: not assessed)."""

    code: str
    path: str
    state: str


@dataclass(frozen=True)
class CoverageMap:
    width: int
    height: int
    countries: tuple[MapCountry, ...]
    #: Assessed countries by state, codes sorted (the map's data table).
    by_state: dict[str, tuple[str, ...]]


def coverage_state(code: str, card: Scorecard) -> str:
    """``national``, ``partial`` (a current timetable describing only some trains), ``none``
    (no current timetable) or ``outside`` (not a European country with a railway)."""
    if code not in EUROPEAN_COUNTRIES:
        return "outside"
    if code in card.gaps:
        return "none"
    if code in card.partial:
        return "partial"
    return "national"


def build_coverage_map(card: Scorecard) -> CoverageMap:
    """The outlines coloured by state, and the assessed countries grouped by state."""
    countries = tuple(
        MapCountry(code=code, path=outline.path, state=coverage_state(code, card))
        for outline in load_outlines()
        if (code := OUTLINE_CODES.get(outline.name, ""))
    )
    by_state = {
        state: tuple(sorted(c for c in EUROPEAN_COUNTRIES if coverage_state(c, card) == state))
        for state in COVERAGE_STATES[:3]
    }
    return CoverageMap(width=VIEW_WIDTH, height=VIEW_HEIGHT, countries=countries, by_state=by_state)
