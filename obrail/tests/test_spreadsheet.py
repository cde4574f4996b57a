"""French spreadsheet CSV: BOM, semicolons, decimal commas, no formula runs."""

from __future__ import annotations

import csv
import datetime as dt
import io

from obrail.spreadsheet import download_name, french_date, french_number, spreadsheet_lines


def test_lines_start_with_a_bom_and_use_semicolons_and_neutralise_formulas():
    text = "".join(
        spreadsheet_lines(["Gare", "CO2e (kg)"], [("=HYPERLINK(1)", "19,6"), ("Wien; Hbf", "-2,5")])
    )
    assert text.startswith("\ufeffGare;CO2e (kg)\r\n")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    assert rows == [
        ["Gare", "CO2e (kg)"],
        ["'=HYPERLINK(1)", "19,6"],
        ["Wien; Hbf", "-2,5"],  # quoted, and a negative number is not a formula
    ]


def test_numbers_use_a_decimal_comma_and_whole_numbers_stay_whole():
    assert french_number(19.64) == "19,6"
    assert french_number(1400.0, 0) == "1400"
    assert french_number(12) == "12"
    assert french_number(0.456, 2) == "0,46"
    assert french_number(None) == ""


def test_dates_and_file_names_are_french_and_say_what_and_when():
    assert french_date(dt.date(2026, 12, 6)) == "06/12/2026"
    assert download_name("trajets", day=dt.date(2026, 12, 6)) == "obrail-trajets-2026-12-06.csv"
