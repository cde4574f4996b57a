"""Numbers on the pages are rounded like the French CSV rounds them, never cut off."""

from __future__ import annotations

import pytest
from django.utils import translation

from obrail.formatting import (
    decimal,
    duration,
    kilograms,
    weekday_short_labels,
)


def test_decimals_are_rounded_not_cut_off():
    # The review found 16.487 kg shown "16,4" on the page and "16,5" in the CSV.
    with translation.override("fr"):
        assert kilograms(16.487) == "16,5 kg"
        assert kilograms(89.597) == "89,6 kg"
        assert decimal(448.604, 0) == "449"
        assert decimal(448.5001, 0) == "449"
        assert decimal(12345.6, 0, grouping=True) == "12\xa0346"
    with translation.override("en"):
        assert kilograms(124.4918) == "124.5 kg"
    assert kilograms(None) == "—"


def test_a_small_figure_keeps_two_significant_digits_instead_of_reading_zero():
    # A 2 km border hop emits 0.014 kg a passenger: "0,0 kg" read as no emission at all.
    with translation.override("fr"):
        assert kilograms(0.014) == "0,014 kg"
        assert kilograms(0.0496) == "0,050 kg"
        assert kilograms(0.05) == "0,1 kg"
        assert kilograms(0.0004) == "0,00040 kg"
        assert kilograms(0) == "0,0 kg"
    with translation.override("en"):
        assert kilograms(0.014) == "0.014 kg"


def test_a_duration_under_an_hour_reads_in_minutes_and_longer_ones_in_hours():
    with translation.override("fr"):
        assert duration(57) == "57 min"
        assert duration(0) == "0 min"
        assert duration(60) == "1 h 00"
        assert duration(249) == "4 h 09"
        assert duration(864) == "14 h 24"
        assert duration(59.6) == "1 h 00"  # a solver's fraction rounds to the minute
        assert duration(None) == "—"


def _flags(pattern: str) -> list[bool]:
    return [flag == "1" for flag in pattern]


def test_running_days_read_as_spans_of_three_days_or_more_and_lists_otherwise():
    with translation.override("fr"):
        assert weekday_short_labels(_flags("1111111")) == "tous les jours"
        assert weekday_short_labels(_flags("1111100")) == "lun.–ven."
        assert weekday_short_labels(_flags("0000011")) == "sam., dim."
        assert weekday_short_labels(_flags("1010100")) == "lun., mer., ven."
        assert weekday_short_labels(_flags("1111010")) == "lun.–jeu., sam."
        assert weekday_short_labels(_flags("0011100")) == "mer.–ven."
        assert weekday_short_labels(_flags("0000000")) == "aucun jour"
    with pytest.raises(ValueError, match="expected 7, got 6"):
        weekday_short_labels(_flags("111111"))
