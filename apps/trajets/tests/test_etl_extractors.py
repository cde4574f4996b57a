"""Extractors on the bundled real samples and on crafted broken inputs (no database)."""

from __future__ import annotations

import datetime as dt
import io
import random
import string
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apps.trajets.etl.errors import ExtractError, SourceConfigError
from apps.trajets.etl.extractors.gtfs import extract_gtfs
from apps.trajets.etl.extractors.gtfs_tables import _copy_checking_grouping
from apps.trajets.etl.extractors.html import parse_html_tables
from apps.trajets.etl.extractors.tabular import parse_decimal
from apps.trajets.etl.extractors.text import (
    MAX_LINE_BYTES,
    _Budget,
    _CountingReader,
    _unpadded,
    is_ascii_compatible,
    read_csv_rows,
    unpadded_chunks,
)
from apps.trajets.etl.formats import extract
from apps.trajets.etl.records import RejectRecord, ServiceRecord, StationRecord
from apps.trajets.etl.sources import DEFAULT_SOURCES_FILE, load_sources
from apps.trajets.etl.transform import StationInfo, harmonise_service

ROOT = Path(__file__).resolve().parents[3]
SAMPLES = ROOT / "data" / "samples"
FIXTURES = Path(__file__).parent / "etl_fixtures"

GTFS_FILES = {
    "agency.txt": "agency_id,agency_name,agency_url,agency_timezone\nA,Test Rail,https://t.example,Europe/Paris\n",
    "stops.txt": (
        "stop_id,stop_name,stop_lat,stop_lon\n"
        "S1,Paris Est,48.8768,2.3591\nS2,Strasbourg,48.5850,7.7345\nS3,Reims,49.2589,4.0245\n"
    ),
    "routes.txt": "route_id,agency_id,route_short_name,route_type\nR1,A,TGV,2\n",
    "trips.txt": "route_id,service_id,trip_id,trip_headsign\nR1,W,T1,9001\nR1,W,T2,9003\n",
    "calendar.txt": (
        "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
        "W,1,1,1,1,1,0,0,20250106,20250131\n"
    ),
    "stop_times.txt": (
        "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
        "T1,,08:00:00,S1,1\nT1,08:45:00,08:47:00,S3,2\nT1,09:50:00,,S2,3\n"
        "T2,,23:30:00,S1,1\nT2,24:40:00,24:42:00,S3,2\nT2,25:50:00,,S2,3\n"
    ),
}


def write_gtfs(folder: Path, **overrides: str) -> Path:
    """Write a small valid GTFS feed, with some files replaced or removed (value "")."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in {**GTFS_FILES, **overrides}.items():
        if text:
            (folder / name).write_text(text, encoding="utf-8")
    return folder


# The feed of write_gtfs a day later: T1 reaches S2 five minutes later (09:55), T2 is
# gone.
GTFS_T1_CHANGED_T2_GONE = {
    "trips.txt": "route_id,service_id,trip_id\nR1,W,T1\n",
    "stop_times.txt": (
        "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
        "T1,,08:00:00,S1,1\nT1,08:45:00,08:47:00,S3,2\nT1,09:55:00,,S2,3\n"
    ),
}


def kinds(records) -> Counter:
    return Counter(type(r).__name__ for r in records)


def test_sources_file_declares_bundled_samples_that_exist() -> None:
    specs = load_sources(DEFAULT_SOURCES_FILE)
    enabled = [s for s in specs if s.enabled]
    assert {s.format for s in enabled} >= {"gtfs", "csv", "ontd-json"}
    for spec in enabled:
        assert (ROOT / spec.path).exists(), spec.path
    assert not any("european" in s.path for s in specs)


def test_every_timetable_source_declares_which_trains_it_describes(tmp_path: Path) -> None:
    specs = load_sources(DEFAULT_SOURCES_FILE, dataset="full", full_data_dir=tmp_path)
    scopes = {s.name: s.scope for s in specs if s.format not in {"csv", "ontd-history"}}
    assert scopes["db-fernverkehr"] == "long_distance"
    assert scopes["sncf-ter"] == "regional"
    assert all(scopes.values()), scopes
    bad = tmp_path / "sources.toml"
    bad.write_text('[[source]]\nname = "x"\nformat = "gtfs"\npath = "f"\nscope = "most"\n')
    with pytest.raises(SourceConfigError, match="source 'x': unknown scope 'most'"):
        load_sources(bad)
    # cross_border is said of a country by the scorecard, never declared.
    bad.write_text(bad.read_text().replace('"most"', '"cross_border"'))
    with pytest.raises(SourceConfigError, match="unknown scope 'cross_border'"):
        load_sources(bad)


def test_unknown_format_is_refused_with_the_known_ones() -> None:
    with pytest.raises(SourceConfigError, match="known formats"):
        extract("pdf", SAMPLES, {})


def test_gtfs_past_midnight_times_are_kept_and_padded_zip_is_stripped() -> None:
    records = list(extract("gtfs", SAMPLES / "gtfs/renfe_av_ld_md_2022-06/google_transit.zip", {}))
    services = [r for r in records if isinstance(r, ServiceRecord)]
    assert len(services) == 210
    assert all(not r.source_id.endswith(" ") for r in services)
    late = [s for s in services if max(x.departure_s or x.arrival_s or 0 for x in s.stops) >= 86400]
    assert late
    stations = [r for r in records if isinstance(r, StationRecord)]
    assert stations[0].time_zone == "Europe/Madrid"


def test_sncf_stop_ids_give_uic_codes_and_route_ids_give_the_category() -> None:
    options = {"uic_from_stop_id": True, "category_pattern": r"^OCE(.+?)-\d"}
    records = list(extract("gtfs", SAMPLES / "gtfs/sncf_intercites_2013-12", options))
    stations = {r.source_id: r for r in records if isinstance(r, StationRecord)}
    assert stations["StopArea:OCE87184002"].uic == "8718400"
    categories = Counter(r.category for r in records if isinstance(r, ServiceRecord))
    assert set(categories) == {"Corail Intercité", "Corail Lunéa"}
    first = next(r for r in records if isinstance(r, ServiceRecord))
    assert first.train_number.isdigit()


def _cut_feed(folder: Path, morning_calendar: str, morning_end: str = "S2") -> Path:
    """A train cut at midnight like gtfs.de cuts it: E ends at Reims at 23:50, M leaves Reims
    at 00:05 for ``morning_end``; E runs Monday to Friday."""
    return write_gtfs(
        folder,
        **{
            "trips.txt": "route_id,service_id,trip_id\nR1,W,E\nR1,M,M\n",
            "calendar.txt": (
                "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,"
                "start_date,end_date\n"
                "W,1,1,1,1,1,0,0,20250106,20250131\n"
                f"M,{morning_calendar},20250106,20250201\n"
            ),
            "stop_times.txt": (
                "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                "E,,21:00:00,S1,1\nE,23:50:00,,S3,2\n"
                f"M,,00:05:00,S3,1\nM,02:00:00,,{morning_end},2\n"
            ),
        },
    )


def test_a_train_cut_at_midnight_is_rejoined_only_when_provably_one_train(tmp_path: Path) -> None:
    options = {"rejoin_midnight_splits": True}
    # M runs the days after E's days (Tuesday to Saturday): one train S1 → Reims → S2.
    joined = [
        r for r in extract("gtfs", _cut_feed(tmp_path / "ok", "0,1,1,1,1,1,0"), options)
        if isinstance(r, ServiceRecord)
    ]  # fmt: skip
    assert [r.source_id for r in joined] == ["E+M"]
    times = [t for s in joined[0].stops for t in (s.arrival_s, s.departure_s) if t is not None]
    assert times == sorted(times)
    assert times[-1] == 26 * 3600
    # Other days, or a morning trip going back to where the evening trip came from: two
    # services, as published.
    for name, calendar, end in (
        ("days", "1,1,1,1,1,0,0", "S2"),
        ("loop", "0,1,1,1,1,1,0", "S1"),
    ):
        kept = [
            r.source_id
            for r in extract("gtfs", _cut_feed(tmp_path / name, calendar, end), options)
            if isinstance(r, ServiceRecord)
        ]
        assert sorted(kept) == ["E", "M"], name


def test_the_gtfs_de_sample_joins_no_day_train_to_the_next_days_train() -> None:
    path = SAMPLES / "gtfs/db_fernverkehr_gtfsde_2025-11"
    plain = [r for r in extract("gtfs", path, {}) if isinstance(r, ServiceRecord)]
    joined = [
        r for r in extract("gtfs", path, {"rejoin_midnight_splits": True})
        if isinstance(r, ServiceRecord)
    ]  # fmt: skip
    merged = [r for r in joined if r.merged_source_ids]
    assert len(joined) == len(plain) - len(merged)
    for service in merged:
        stations = [stop.station_id for stop in service.stops]
        assert len(stations) == len(set(stations)), service.source_id
    # The day ICE Kiel → München (22:26) and the next night's München → Kiel (00:00) were
    # glued into a 22 h "Kiel → Kiel" night train: never again.
    assert not any(s.stops[0].station_id == s.stops[-1].station_id for s in joined)


def test_gtfs_broken_rows_are_rejected_with_their_place(tmp_path: Path) -> None:
    feed = write_gtfs(
        tmp_path / "feed",
        **{
            "trips.txt": "route_id,service_id,trip_id\nR1,W,T1\nR1,W,T1\nR1,W,T2\nR1,W,T3\n",
            "stop_times.txt": (
                "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                "T1,,08:00:00,S1,1\nT1,09:00:00,,S2,2\n"
                "T2,,25:61:00,S1,1\nT2,26:00:00,,S2,2\n"
                "T3,,08:00:00,S1,1\nT3,09:00:00,,NOWHERE,2\n"
            ),
        },
    )
    records = list(extract("gtfs", feed, {}))
    rejects = [r for r in records if isinstance(r, RejectRecord)]
    reasons = " | ".join(r.reason for r in rejects)
    assert "duplicate trip_id 'T1'" in reasons
    assert "25:61:00" in reasons
    assert "unknown stop_id 'NOWHERE'" in reasons
    assert any(str(r.location).startswith("trips.txt:3") for r in rejects)
    assert [r.source_id for r in records if isinstance(r, ServiceRecord)] == ["T1"]


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"stop_times.txt": "trip_id,arrival_time,departure_time,stop_id\nT1,,08:00:00,S1\n"},
         "missing required column"),
        ({"stops.txt": ""}, "stops.txt is missing"),
        ({"routes.txt": "\n"}, "empty file"),
        ({"calendar.txt": ""}, "calendar.txt or calendar_dates.txt is missing"),
    ],
)  # fmt: skip
def test_gtfs_unusable_files_raise_a_clear_error(
    tmp_path: Path, override: dict[str, str], message: str
) -> None:
    feed = write_gtfs(tmp_path / "feed", **override)
    if override.get("routes.txt") == "\n":
        (feed / "routes.txt").write_text("")
    with pytest.raises(ExtractError, match=message):
        list(extract("gtfs", feed, {}))


def test_truncated_zip_is_refused(tmp_path: Path) -> None:
    source = SAMPLES / "gtfs/renfe_av_ld_md_2022-06/google_transit.zip"
    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(source.read_bytes()[:20_000])
    with pytest.raises(ExtractError, match="truncated"):
        list(extract("gtfs", truncated, {}))


def test_zip_bomb_and_oversized_archives_are_refused(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in GTFS_FILES.items():
            archive.writestr(name, text)
        archive.writestr("shapes.txt", b"0" * 50_000_000)
    with pytest.raises(ExtractError, match="zip bomb"):
        list(extract("gtfs", bomb, {}))
    with pytest.raises(ExtractError, match="oversized"):
        list(
            extract("gtfs", bomb, {"max_uncompressed_bytes": 10_000, "max_compression_ratio": 1e9})
        )


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_a_line_longer_than_the_limit_is_refused_before_it_is_held(
    tmp_path: Path, encoding: str
) -> None:
    # The case at a small scale: a compressed member holding one huge line (a 36 MB
    # zip held a 1 GB line that took 300 s and 2 GB of memory).
    huge = tmp_path / "huge.zip"
    name = "".join(random.Random(0).choices(string.ascii_letters, k=3 * MAX_LINE_BYTES))
    stops = f"stop_id,stop_name,stop_lat,stop_lon\nS1,{name},1,1\n"
    with zipfile.ZipFile(huge, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, text in GTFS_FILES.items():
            if member != "stops.txt":
                archive.writestr(member, text.encode(encoding))
        archive.writestr("stops.txt", stops.encode(encoding))
    with pytest.raises(ExtractError, match=r"stops.txt: line 2 is longer than 1048576 bytes"):
        list(extract("gtfs", huge, {"encoding": encoding}))


def test_an_archive_holding_a_file_twice_is_refused(tmp_path: Path) -> None:
    twice = tmp_path / "twice.zip"
    with zipfile.ZipFile(twice, "w") as archive:
        for member, text in GTFS_FILES.items():
            archive.writestr(member, text)
        archive.writestr("feed/stops.txt", GTFS_FILES["stops.txt"])
    with pytest.raises(ExtractError, match=r"twice\.zip: stops\.txt is there twice"):
        list(extract("gtfs", twice, {}))


def test_decompressed_bytes_are_counted_as_they_stream_whatever_the_headers_say() -> None:
    budget = _Budget(1000, "feed.zip")
    reader = io.BufferedReader(_CountingReader(io.BytesIO(b"0" * 5000), budget), 256)
    with pytest.raises(ExtractError, match=r"feed\.zip: more than 1000 bytes decompressed"):
        reader.read()


def test_frequencies_expand_into_one_service_per_departure(tmp_path: Path) -> None:
    feed = write_gtfs(
        tmp_path / "feed",
        **{
            "frequencies.txt": (
                "trip_id,start_time,end_time,headway_secs\nT1,08:00:00,10:00:00,3600\n"
            )
        },
    )
    services = [r for r in extract("gtfs", feed, {}) if isinstance(r, ServiceRecord)]
    ids = sorted(s.source_id for s in services)
    assert ids == ["T1@0800", "T1@0900", "T2"]
    later = next(s for s in services if s.source_id == "T1@0900")
    assert later.stops[-1].arrival_s == 10 * 3600 + 50 * 60


def test_station_csv_with_bom_decimal_comma_and_multi_valued_uic() -> None:
    gares = list(
        extract(
            "csv",
            SAMPLES / "stations/sncf_gares_de_voyageurs.csv",
            {"delimiter": ";", "country": "FR"},
        )
    )
    cdg = [
        r
        for r in gares
        if isinstance(r, StationRecord) and r.name == "Aéroport Charles de Gaulle 2 TGV"
    ]
    assert {r.uic for r in cdg} == {"8727149", "8700147"}
    assert cdg[0].latitude == pytest.approx(49.003652)
    renfe = list(
        extract("csv", SAMPLES / "renfe_opendata/listado_completo_av_ld_md.csv", {"delimiter": ";"})
    )
    first = renfe[0]
    assert (first.source_id, first.country) == ("11208", "ES")
    assert first.latitude == pytest.approx(42.8415284)
    assert {r.country for r in renfe if isinstance(r, StationRecord)} == {"ES", "FR", "PT"}


def test_reference_stations_repair_country_and_zone_and_reject_city_rows() -> None:
    records = list(
        extract("csv", SAMPLES / "stations/trainline_stations_2016-11-30.csv", {"delimiter": ";"})
    )
    stations = [r for r in records if isinstance(r, StationRecord)]
    assert any(r.country == "MK" and r.time_zone == "Europe/Skopje" for r in stations)
    assert not any(r.country == "MZ" for r in stations)
    assert any(r.time_zone == "Europe/Bucharest" for r in stations)
    assert not any(r.time_zone == "Europe/Bucarest" for r in stations)
    assert any("city meta-station" in r.reason for r in records if isinstance(r, RejectRecord))
    assert any(r.same_as_source_id for r in stations)


def test_latin1_file_read_as_utf8_names_the_encoding_problem() -> None:
    with pytest.raises(ExtractError, match="encoding"):
        list(extract("csv", FIXTURES / "latin1_stations.csv", {"delimiter": ";"}))
    records = list(
        extract("csv", FIXTURES / "latin1_stations.csv", {"delimiter": ";", "encoding": "latin-1"})
    )
    assert records[0].name == "Genève"


def test_empty_file_and_missing_columns_raise_clear_errors() -> None:
    with pytest.raises(ExtractError, match="empty file"):
        list(extract("csv", FIXTURES / "empty.csv", {}))
    with pytest.raises(ExtractError, match="no station name column"):
        list(extract("csv", FIXTURES / "missing_columns.csv", {"delimiter": ";"}))


def test_real_xls_is_read_with_years_as_integers_and_dashes_as_missing() -> None:
    with pytest.raises(ExtractError, match="headers are Año"):
        list(extract("xls", SAMPLES / "renfe_opendata/principales-indicadores-ambientales.xls", {}))


def test_xlsx_station_list_is_read(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append([" Código ", "Descripción", "Latitud", "Longitud", "País"])
    sheet.append(["71801", "Barcelona-Sants", 41.37922, 2.140624, "España"])
    sheet.append([None, None, None, None, None])
    sheet.append(["60000", "Madrid-Puerta de Atocha", "40,406", "-3,690", "-"])
    path = tmp_path / "stations.xlsx"
    book.save(path)
    records = list(extract("xlsx", path, {"country": "ES"}))
    assert [(r.source_id, r.country) for r in records] == [("71801", "ES"), ("60000", "ES")]
    assert records[1].latitude == pytest.approx(40.406)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a workbook")
    with pytest.raises(ExtractError, match="not a readable XLSX"):
        list(extract("xlsx", broken, {}))


def test_decimal_parsing() -> None:
    assert parse_decimal("37,268141") == pytest.approx(37.268141)
    assert parse_decimal(" -0.97 ") == pytest.approx(-0.97)
    assert parse_decimal("-") is None


def test_html_tables_expand_spans_and_drop_footnotes() -> None:
    tables = parse_html_tables((FIXTURES / "stations_table.html").read_text())
    assert tables[0].header == (
        "Country", "Railway station", "Passengers (millions) / National rail",
        "Passengers (millions) / Long distance",
    )  # fmt: skip
    rows = [row for _, row in tables[0].rows]
    assert rows[0] == ("France", "Gare du Nord", "257", "")
    assert rows[1] == ("France", "Gare de Lyon", "148", "40")
    records = list(extract("html-table", FIXTURES / "stations_table.html", {}))
    assert [r.country for r in records] == ["FR", "FR", "DE"]


def test_sleeper_page_is_parsed_by_structure() -> None:
    records = list(extract("european-sleeper-html", FIXTURES / "sleeper_timetable.html", {}))
    services = [r for r in records if isinstance(r, ServiceRecord)]
    assert len(services) == 1
    service = services[0]
    assert service.source_id == "ES 901 2026-03-28"
    assert [s.station_id for s in service.stops] == [
        "Amsterdam Centraal", "Utrecht Centraal", "Köln Hbf", "Nürnberg Hbf", "Wien Hbf",
    ]  # fmt: skip
    assert service.stops[0].arrival_s is None
    assert service.stops[1].arrival_s == 20 * 3600 + 58 * 60
    assert service.stops[-1].arrival_s == 9 * 3600 + 30 * 60
    assert service.stops[-1].departure_s is None
    rejects = [r for r in records if isinstance(r, RejectRecord)]
    assert len(rejects) == 1
    assert "Someday 30 Smarch 2026" in rejects[0].reason


def test_sleeper_run_across_the_dst_change_lasts_one_hour_less_than_the_clock() -> None:
    records = list(extract("european-sleeper-html", FIXTURES / "sleeper_timetable.html", {}))
    service = next(r for r in records if isinstance(r, ServiceRecord))
    zones = {"Wien Hbf": "Europe/Vienna"}
    stations = {
        s.station_id: StationInfo(
            i, 50.0 + i, 5.0 + i, "DE", zones.get(s.station_id, "Europe/Berlin")
        )
        for i, s in enumerate(service.stops)
    }
    result = harmonise_service(service, stations, operator_code="es")
    assert result.duration_min == 13 * 60 + 15 - 60
    assert result.departure_time == dt.time(20, 15)
    assert result.arrival_day_offset == 1
    assert result.kind == "night"


def test_page_without_a_timetable_is_refused() -> None:
    with pytest.raises(ExtractError, match="no timetable found"):
        list(extract("european-sleeper-html", FIXTURES / "no_table.html", {}))
    with pytest.raises(ExtractError, match="no HTML table"):
        list(extract("html-table", FIXTURES / "no_table.html", {}))


def test_night_train_database_times_and_quirks() -> None:
    records = list(extract("ontd-json", SAMPLES / "nighttrains/back_on_track_ontd_2025-08-03", {}))
    services = {r.source_id: r for r in records if isinstance(r, ServiceRecord)}
    assert all(not s.has_day_offsets and s.time_zone is None for s in services.values())
    reasons = " | ".join(r.reason for r in records if isinstance(r, RejectRecord))
    assert "section header row" in reasons
    assert "absent from trips.json" in reasons
    assert "inactive" in reasons
    stations = [r for r in records if isinstance(r, StationRecord)]
    assert all(s.time_zone and "/" in s.time_zone for s in stations)
    assert not any(s.country == "UK" for s in stations)
    night = next(iter(services.values()))
    assert night.night_hint


def test_night_train_database_html_error_page_is_detected(tmp_path: Path) -> None:
    folder = tmp_path / "ontd"
    folder.mkdir()
    source = SAMPLES / "nighttrains/back_on_track_ontd_2025-08-03"
    for file in source.iterdir():
        (folder / file.name).write_bytes(file.read_bytes())
    (folder / "trips.json").write_text("<!DOCTYPE html><html><body>Error</body></html>")
    with pytest.raises(ExtractError, match="HTML page, not JSON"):
        list(extract("ontd-json", folder, {}))


@given(
    st.text(alphabet="a,\t \r\n\x0b\x85\xa0\u3000", max_size=12),
    st.sampled_from(["", "\n", "\r\n", "\r"]),
)
def test_line_padding_removal_equals_stripping_spaces_and_line_breaks(body, end):
    line = body + " " * 40 + end
    assert _unpadded(line) == line.rstrip(" \r\n")
    assert _unpadded(body) == body.rstrip(" \r\n")


@given(
    st.text(alphabet="a,\t \r\n", max_size=40),
    st.integers(min_value=1, max_value=9),
)
def test_byte_level_padding_removal_matches_the_line_by_line_rule_across_chunks(text, chunk):
    data = text.encode()
    by_line = "".join(
        _unpadded(line) + "\n" for line in io.TextIOWrapper(io.BytesIO(data), newline="")
    )
    assert b"".join(unpadded_chunks(io.BytesIO(data), chunk)) == by_line.encode()


def padded(lines: list[str], width: int = 60, end: str = "\n") -> str:
    return "".join(line.ljust(width) + end for line in lines)


@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"])
def test_csv_rows_and_line_numbers_are_the_same_on_the_byte_and_the_text_paths(end: str) -> None:
    lines = ["id,name", "1,Genève", "", '2,"Gare, ""Nord"""', "   ", "3,Zürich"]
    text = "\ufeff" + padded(lines, end=end)

    def rows(data: bytes, encoding: str) -> list:
        return list(read_csv_rows(io.BytesIO(data), name="t.csv", encoding=encoding))

    assert is_ascii_compatible("utf-8")
    assert not is_ascii_compatible("utf-16")
    fast = rows(text.encode("utf-8"), "utf-8")
    assert fast == rows(text.encode("utf-16"), "utf-16")
    assert [(line, values) for line, _, values in fast] == [
        (1, []), (2, ["1", "Genève"]), (4, ["2", 'Gare, "Nord"']), (6, ["3", "Zürich"]),
    ]  # fmt: skip
    assert fast[0][1] == ["id", "name"]


def test_an_undecodable_byte_is_reported_at_its_own_line() -> None:
    lines = ["id,name", *(f"{n},Station {n}" for n in range(2, 300)), "300,Genève"]
    data = padded(lines, width=350).encode("latin-1")
    with pytest.raises(ExtractError, match=r"not valid utf-8 near line 300 \(byte b'\\xe8'\)"):
        list(read_csv_rows(io.BytesIO(data), name="t.csv", encoding="utf-8"))
    rows = list(read_csv_rows(io.BytesIO(data), name="t.csv", encoding="latin-1"))
    assert rows[-1][0] == 300
    assert rows[-1][2] == ["300", "Genève"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
@pytest.mark.parametrize(
    ("stop_times", "is_grouped"),
    [
        (["T1,,08:00:00,S1,1", "T1,09:50:00,,S2,2", "T2,,23:30:00,S1,1", "T2,25:50:00,,S2,2"],
         True),
        (["T1,,08:00:00,S1,1", "T2,,23:30:00,S1,1", "T1,09:50:00,,S2,2", "T2,25:50:00,,S2,2"],
         False),
        (['"T1",,08:00:00,S1,1', "T2,,23:30:00,S1,1", "T1,09:50:00,,S2,2", "T2,25:50:00,,S2,2"],
         None),
    ],
)  # fmt: skip
def test_padded_stop_times_give_the_same_services_grouped_or_not(
    tmp_path: Path, stop_times: list[str], is_grouped: bool | None, encoding: str
) -> None:
    header = "trip_id,arrival_time,departure_time,stop_id,stop_sequence"
    feed = tmp_path / "feed"
    feed.mkdir()
    for name, text in {**GTFS_FILES, "stop_times.txt": padded([header, *stop_times])}.items():
        (feed / name).write_text(text, encoding=encoding)
    if encoding == "utf-8":
        with (feed / "stop_times.txt").open("rb") as raw, io.BytesIO() as copy:
            assert _copy_checking_grouping(unpadded_chunks(raw, 50), copy) is is_grouped
    records = extract("gtfs", feed, {"encoding": encoding})
    services = [r for r in records if isinstance(r, ServiceRecord)]
    assert [(s.source_id, [x.station_id for x in s.stops]) for s in services] == [
        ("T1", ["S1", "S2"]), ("T2", ["S1", "S2"]),
    ]  # fmt: skip
    assert services[1].stops[-1].arrival_s == 25 * 3600 + 50 * 60


def test_route_types_a_source_keeps_are_stored_with_their_mode_and_others_rejected(
    tmp_path: Path,
) -> None:
    feed = write_gtfs(
        tmp_path / "feed",
        **{
            "routes.txt": (
                "route_id,agency_id,route_short_name,route_type\n"
                "R1,A,TER,2\nR2,A,Car,3\nR3,A,TT,0\nR4,A,Ferry,4\n"
            ),
            "trips.txt": ("route_id,service_id,trip_id\nR1,W,T1\nR2,W,C1\nR3,W,TT1\nR4,W,F1\n"),
            "stop_times.txt": (
                "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                + "".join(
                    f"{t},,08:00:00,S1,1\n{t},09:50:00,,S2,2\n" for t in ("T1", "C1", "TT1", "F1")
                )
            ),
        },
    )
    options = {"route_type_modes": {"0": "tram_train", "3": "coach"}}
    records = list(extract_gtfs(feed, options))
    modes = {r.source_id: r.mode for r in records if isinstance(r, ServiceRecord)}
    assert modes == {"T1": "rail", "C1": "coach", "TT1": "tram_train"}
    (reject,) = [r for r in records if isinstance(r, RejectRecord)]
    assert str(reject.location) == "trips.txt:5 [trip_id=F1]"
    assert "not a train" in reject.reason
    assert "ferry" in reject.reason
    # Without the option, a coach is rejected as before.
    plain = list(extract_gtfs(feed, {}))
    assert {r.source_id for r in plain if isinstance(r, ServiceRecord)} == {"T1", "TT1"}
    with pytest.raises(ExtractError, match="route_type 3 has mode 'bus'"):
        list(extract_gtfs(feed, {"route_type_modes": {"3": "bus"}}))
