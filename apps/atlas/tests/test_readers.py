"""The air-data readers: Eurostat pairs and OpenFlights airports (no database)."""

from __future__ import annotations

import pytest

from apps.atlas.readers import (
    AirportRecord,
    PassengerRecord,
    Reject,
    read_airports,
    read_eurostat_pairs,
)

HEADER = "CODE,PAIR,2018,2019\n"


def test_eurostat_numbers_with_thousands_commas_are_read_and_colons_skipped():
    text = HEADER + 'FR_LFPG_UK_EGLL,CDG - HEATHROW,:,"1,255,227"\n'
    records = list(read_eurostat_pairs(text, name="f.csv"))
    assert records == [
        PassengerRecord("LFPG", "FR", "EGLL", "GB", 2019, 1255227, "CDG - HEATHROW", "f.csv:2")
    ]


def test_eurostat_notes_under_the_table_are_rejected_with_their_line():
    text = HEADER + ",,,\nSpecial value,,,\n"
    rejects = list(read_eurostat_pairs(text, name="f.csv"))
    assert [(r.location, r.reason_code) for r in rejects] == [
        ("f.csv:2", "not_a_record"),
        ("f.csv:3", "not_a_record"),
    ]


@pytest.mark.parametrize(
    ("row", "code"),
    [
        ("FR_LFPG_ES_LEB,x,1,2\n", "invalid_record"),
        ("fr_LFPG_ES_LEBL,x,1,2\n", "missing_country"),
        ("FR_LFPG_ES_LEBL,x,1\n", "invalid_record"),
        ("FR_LFPG_ES_LEBL,x,1,12a\n", "invalid_record"),
    ],
)
def test_eurostat_bad_rows_are_rejected_with_a_reason(row, code):
    found = list(read_eurostat_pairs(HEADER + row, name="f.csv"))
    assert any(isinstance(r, Reject) and r.reason_code == code for r in found)


def test_eurostat_refuses_a_file_without_its_header():
    with pytest.raises(ValueError, match="CODE,PAIR"):
        list(read_eurostat_pairs("A,B\n", name="f.csv"))


def test_airports_keep_icao_iata_coordinates_and_reject_missing_codes():
    text = (
        '1382,"Charles de Gaulle International Airport","Paris","France","CDG","LFPG",'
        '49.012798,2.55,392,1,"E","Europe/Paris","airport","OurAirports"\n'
        '9,"No code","X","France",\\N,\\N,1,2,3,1,"E","Europe/Paris","airport","OurAirports"\n'
        '10,"Bad","X","France","BAD","XXXX",95,2,3,1,"E","Europe/Paris","airport","OurAirports"\n'
    )
    found = list(read_airports(text, name="airports.dat"))
    assert found[0] == AirportRecord(
        1382, "LFPG", "CDG", "Charles de Gaulle International Airport", "Paris", "France",
        49.012798, 2.55,
    )  # fmt: skip
    assert [(r.location, r.reason_code) for r in found[1:]] == [
        ("airports.dat:2", "invalid_record"),
        ("airports.dat:3", "invalid_coordinates"),
    ]
