"""Harmonisation rules of the ETL (pure functions, no database)."""

from __future__ import annotations

import datetime as dt

import pytest

from apps.places.geo.distance import great_circle_km, path_length_km
from apps.trajets.etl.errors import ExtractError
from apps.trajets.etl.harmonise.classify import classify_service
from apps.trajets.etl.harmonise.co2 import (
    DEFAULT_FACTORS,
    PUBLISHED_FACTORS,
    estimate_rail_co2,
)
from apps.trajets.etl.harmonise.codes import normalise_uic
from apps.trajets.etl.harmonise.labels import split_label
from apps.trajets.etl.harmonise.times import (
    parse_gtfs_time,
    parse_sheets_time,
    resolve_times,
)
from apps.trajets.etl.harmonise.timezones import repair_country, repair_time_zone


def test_uic_codes_accept_seven_digits_check_digit_and_embedded_ids() -> None:
    assert normalise_uic("8775123") == "8775123"
    assert normalise_uic("87751230") == "8775123"
    assert normalise_uic("StopArea:OCE87184002") == "8718400"
    assert normalise_uic("9900001") is None
    assert normalise_uic("") is None


@pytest.mark.parametrize(
    ("zone", "country", "expected"),
    [
        ("Europe/Bucarest", "RO", "Europe/Bucharest"),
        ("Europe/Kiev", "UA", "Europe/Kyiv"),
        ("CET", "AT", "Europe/Vienna"),
        ("CET ", None, "Europe/Berlin"),
        ("EET", "BG", "Europe/Sofia"),
        ("EET", "AT", "Europe/Bucharest"),
        ("TRT", "TR", "Europe/Istanbul"),
        ("GMT", "GB", "Europe/London"),
        ("", "ES", "Europe/Madrid"),
        ("Mars/Olympus", "FR", "Europe/Paris"),
        ("", None, None),
    ],
)
def test_time_zones_are_repaired_to_valid_iana_names(
    zone: str, country: str | None, expected: str | None
) -> None:
    assert repair_time_zone(zone, country=country) == expected


def test_country_codes_are_repaired() -> None:
    assert repair_country("UK") == "GB"
    assert repair_country("MZ", time_zone="Europe/Skopje") == "MK"
    assert repair_country("MZ", time_zone="Africa/Maputo") == "MZ"
    assert repair_country(" fr ") == "FR"
    assert repair_country("") is None


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("08:30:00", 30600),
        ("8:30:00", 30600),
        ("  8:30:00      ", 30600),
        ("24:10:00", 87000),
        ("25:00:00", 90000),
        ("", None),
    ],
)
def test_gtfs_times_accept_one_digit_hours_padding_and_past_midnight(
    value: str, seconds: int | None
) -> None:
    assert parse_gtfs_time(value) == seconds


@pytest.mark.parametrize("value", ["25:61:00", "12:00:75", "noon", "12h30"])
def test_impossible_gtfs_times_are_refused_with_the_value(value: str) -> None:
    with pytest.raises(ExtractError, match=value):
        parse_gtfs_time(value)


def test_sheets_datetimes_are_local_clock_times_despite_the_z() -> None:
    assert parse_sheets_time("1899-12-30T19:06:00.000Z") == 19 * 3600 + 6 * 60
    assert parse_sheets_time("1899-12-31T01:00:00.000Z") == 86400 + 3600
    assert parse_sheets_time("") is None
    with pytest.raises(ExtractError):
        parse_sheets_time("yesterday")


def test_gtfs_times_past_midnight_get_a_day_offset() -> None:
    resolved = resolve_times(
        [(None, 22 * 3600), (25 * 3600, 25 * 3600 + 300), (30 * 3600, None)],
        ["Europe/Paris"] * 3,
        reference_date=dt.date(2025, 1, 10),
        time_zone="Europe/Paris",
        has_day_offsets=True,
    )
    assert resolved.duration_min == 8 * 60
    assert resolved.stops[1].arrival == dt.time(1, 0)
    assert resolved.stops[1].arrival_day_offset == 1
    assert resolved.stops[2].arrival == dt.time(6, 0)


def test_wrapping_clock_times_are_unwrapped_in_each_stop_zone() -> None:
    # Koblenz 23:25 CET, then Mainz 00:22, then Bucharest 09:00 EET (= 08:00 CET).
    resolved = resolve_times(
        [(None, 23 * 3600 + 25 * 60), (22 * 60, 24 * 60), (9 * 3600, None)],
        ["Europe/Berlin", "Europe/Berlin", "Europe/Bucharest"],
        reference_date=dt.date(2025, 1, 10),
        time_zone=None,
        has_day_offsets=False,
    )
    assert [s.arrival_day_offset for s in resolved.stops[1:]] == [1, 1]
    assert resolved.duration_min == (8 * 60 + 0) + 35


def test_durations_across_the_spring_dst_change_lose_one_hour() -> None:
    times = [(None, 22 * 3600), (8 * 3600, None)]
    winter = resolve_times(
        times, ["Europe/Paris"] * 2, reference_date=dt.date(2026, 3, 21),
        time_zone=None, has_day_offsets=False,
    )  # fmt: skip
    dst_night = resolve_times(
        times, ["Europe/Paris"] * 2, reference_date=dt.date(2026, 3, 28),
        time_zone=None, has_day_offsets=False,
    )  # fmt: skip
    assert winter.duration_min == 600
    assert dst_night.duration_min == 540


def test_times_going_backwards_in_a_gtfs_trip_are_refused() -> None:
    with pytest.raises(ExtractError, match="backwards"):
        resolve_times(
            [(None, 10 * 3600), (9 * 3600, None)],
            ["Europe/Paris"] * 2,
            reference_date=dt.date(2025, 1, 10),
            time_zone="Europe/Paris",
            has_day_offsets=True,
        )


def test_great_circle_distance_paris_berlin() -> None:
    assert great_circle_km(48.8566, 2.3522, 52.52, 13.405) == pytest.approx(878, abs=2)
    assert path_length_km([(0, 0), (0, 1), (0, 2)]) == pytest.approx(2 * 111.195, rel=1e-3)


def test_sleeper_accommodation_makes_a_night_service() -> None:
    result = classify_service(
        category="IC", night_hint="seat, couchette",
        departure_local=dt.datetime(2025, 1, 1, 18), duration_min=120,
    )  # fmt: skip
    assert result.kind == "night"
    assert "couchette" in result.reason


def test_night_categories_make_a_night_service() -> None:
    result = classify_service(
        category="Corail Lunéa", night_hint="",
        departure_local=dt.datetime(2025, 1, 1, 18), duration_min=60,
    )  # fmt: skip
    assert result.kind == "night"


@pytest.mark.parametrize(
    ("hour", "duration_min", "kind"),
    [
        (22, 480, "overnight"),
        (18, 450, "day"),
        (1, 180, "overnight"),
        (8, 600, "day"),
        (23, 300, "overnight"),
        (23, 200, "day"),
    ],
)
def test_a_train_through_the_night_without_sleepers_is_overnight_not_night(
    hour: int, duration_min: int, kind: str
) -> None:
    result = classify_service(
        category="IC", night_hint="seat",
        departure_local=dt.datetime(2025, 1, 1, hour), duration_min=duration_min,
    )  # fmt: skip
    assert result.kind == kind
    assert "00:00-05:00" in result.reason


@pytest.mark.parametrize(
    ("category", "labels", "names", "kind"),
    [
        ("EN", (), (), "night"),
        ("IC", ("EN 442 Slovakia",), (), "night"),  # category only in trip_short_name
        ("", ("NJ 40421",), (), "night"),
        ("IC Nuit", ("3755",), (), "night"),
        ("IR-N", (), (), "night"),
        ("ICN", (), (), "overnight"),  # Swiss tilting InterCity, not a night product
        ("ES", (), (), "overnight"),  # Eurostar Italia as well as European Sleeper
        ("ICE", ("ICE 28",), ("Berlin - Basel",), "overnight"),
        ("TER", (), ("Ligne en car",), "overnight"),  # "en" in free text is French
        ("IC", (), ("Nightjet Wien - Hamburg",), "night"),
    ],
)
def test_night_products_are_read_in_every_field_the_source_fills(
    category: str, labels: tuple[str, ...], names: tuple[str, ...], kind: str
) -> None:
    result = classify_service(
        category=category, night_hint="", labels=labels, names=names,
        departure_local=dt.datetime(2025, 1, 1, 22), duration_min=480,
    )  # fmt: skip
    assert result.kind == kind, result.reason


def test_a_night_product_leg_in_the_evening_is_still_a_night_train() -> None:
    result = classify_service(
        category="", night_hint="", labels=("EN 40462",),
        departure_local=dt.datetime(2025, 1, 1, 20, 40), duration_min=160,
    )  # fmt: skip
    assert (result.kind, result.reason.split(" is ")[0]) == ("night", "EN")


def test_rail_co2_uses_the_country_factor_of_each_leg() -> None:
    estimate = estimate_rail_co2(legs=[(100.0, "FR"), (200.0, "DE")])
    assert estimate.rail_kg == pytest.approx(100 * 0.00592 + 200 * 0.0668, abs=1e-3)
    assert estimate.rail_factor_keys == ("rail:FR", "rail:DE")


def test_rail_co2_falls_back_to_the_mean_rail_factor_for_countries_without_one() -> None:
    estimate = estimate_rail_co2(legs=[(100.0, "CZ")])
    rail = [f.kg_per_pkm for k, f in DEFAULT_FACTORS.items() if k not in ("rail:default",)]
    assert estimate.rail_factor_keys == ("rail:default",)
    assert estimate.rail_kg == pytest.approx(100 * sum(rail) / len(rail), abs=1e-3)


def test_default_co2_factors_are_the_published_ademe_values_of_the_bundled_database() -> None:
    import csv
    from pathlib import Path

    path = (
        Path(__file__).resolve().parents[3]
        / "data/samples/emissions/OpenEmissionFactorsDB_rail_air_2022-05-12.csv"
    )
    published: dict[tuple[str, str], float] = {}
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["source"] == "ADEME":
                published[(row["name"], row["region"])] = float(row["kgCO2e-AR5"])
    names = {
        (0.0, "air"): ("Short-haul flight - (<1000km) with RF effect", "FR"),
        (1000.0, "air"): ("Medium-haul flight (>1000km <3500km) - with RF effect", "FR"),
        (3500.0, "air"): ("Long-haul-flight (>3500km) - with RF effect", "FR"),
    }
    ademe = [f for f in PUBLISHED_FACTORS if f.method == "ademe" and (f.mode == "air" or f.country)]
    assert len(ademe) == 19
    for factor in ademe:
        if factor.mode == "air":
            name = names[(factor.min_km, "air")]
        else:
            train = "Mainline train" if factor.country == "FR" else "Electric passenger train"
            name = (train, factor.country)
        assert published[name] == pytest.approx(factor.kg_per_pkm), factor


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("EN 442 Slovakia", ("EN", "442", "Slovakia")),
        ("IC Nuit 3755", ("IC Nuit", "3755", "")),
        ("R-E", ("R-E", "", "")),
        ("1944", ("", "1944", "")),
        ("MÁV 1246 / 1605", ("MÁV", "1246/1605", "")),
        ("IRN 1641/R 4112", ("IRN", "1641", "/ R 4112")),  # a through coach's two numbers
        ("R800 / EC282", ("R", "800", "/ EC282")),  # category glued to the number
    ],
)
def test_a_label_splits_into_category_number_and_the_rest(
    text: str, expected: tuple[str, str, str]
) -> None:
    assert tuple(split_label(text)) == expected
