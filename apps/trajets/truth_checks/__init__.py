"""Checks that the warehouse tells the truth about the services its sources publish.

Each check reads the warehouse (and, for calendars, the raw GTFS files again, with its own
reader: no ETL parsing or calendar code) and returns a dataclass with its counts and the
listed cases. :func:`check_truth` runs them all; the result is stored per database
(:mod:`.store`) for the quality page, which must not recompute it on each view.
"""

from .calendars import CalendarCheck, check_calendars
from .duplicates import DuplicateCheck, LoopCheck, find_duplicates, find_loops
from .fragments import FragmentCheck, fragments
from .night import NightAgreement, night_agreement
from .report import (
    TruthReport,
    check_truth,
    load_truth_report,
    store_truth_report,
    to_plain,
)

__all__ = [
    "CalendarCheck",
    "DuplicateCheck",
    "FragmentCheck",
    "LoopCheck",
    "NightAgreement",
    "TruthReport",
    "check_calendars",
    "check_truth",
    "find_duplicates",
    "find_loops",
    "fragments",
    "load_truth_report",
    "night_agreement",
    "store_truth_report",
    "to_plain",
]
