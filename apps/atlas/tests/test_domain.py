"""CO2 methods, flight times and the policy rule (no database)."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pytest

from apps.atlas import co2, rail
from apps.atlas import flight as flight_rules
from apps.atlas.flight import ASSUMPTIONS, flight_time
from apps.atlas.policy import PolicyPair, PolicyRule, simulate_policy
from apps.atlas.rail_coverage import countries_without_main_timetable
from apps.routing.pathfinding import NoPathError, build_timetable


def _method(name: str) -> co2.MethodFactors:
    return co2.MethodFactors(name, tuple(f for f in co2.PUBLISHED_FACTORS if f.method == name))


@pytest.mark.parametrize("method", ["ademe", "desnz", "desnz_no_rf", "eea"])
def test_every_method_prices_a_short_domestic_and_a_long_international_pair(method):
    factors = _method(method)
    short = co2.co2_for_pair(factors, flown_km=650, rail_km_by_country=[("FR", 700)], domestic=True)
    long = co2.co2_for_pair(factors, flown_km=5000, rail_km_by_country=None, domestic=False)
    assert short.method == method
    assert short.air_kg > short.rail_kg > 0
    assert long.rail_kg is None
    assert long.air_kg > 0


def test_switching_method_changes_the_figures_by_the_ratio_of_the_factors():
    ademe, desnz = _method("ademe"), _method("desnz_no_rf")
    a = co2.co2_for_pair(ademe, flown_km=650, rail_km_by_country=[("FR", 700)], domestic=True)
    b = co2.co2_for_pair(desnz, flown_km=650, rail_km_by_country=[("FR", 700)], domestic=True)
    assert a.air_factor.kg_per_pkm == 0.258
    assert b.air_factor.kg_per_pkm == 0.12871
    assert a.air_kg / b.air_kg == pytest.approx(0.258 / 0.12871, rel=1e-4)
    assert a.rail_kg / b.rail_kg == pytest.approx(0.00592 / 0.0351, rel=1e-3)


def test_eea_has_one_co2_only_figure_per_mode_for_every_distance_and_country():
    factors = _method("eea")
    assert {factors.air_factor(km, domestic=d).kg_per_pkm for km in (300, 3000, 9000)
            for d in (True, False)} == {0.285}  # fmt: skip
    assert {factors.rail_factor(c, domestic=d).kg_per_pkm for c in ("FR", "DE", "CH")
            for d in (True, False)} == {0.014}  # fmt: skip
    assert all(f.source_url == co2.EEA_URL and f.year == 2014 for f in factors.factors)
    assert all(f.scope.startswith("CO2 seul (pas CO2e)") for f in factors.factors)
    assert "sans effets hors CO2" in factors.air_factor(650, domestic=True).scope
    eea = co2.co2_for_pair(factors, flown_km=650, rail_km_by_country=[("FR", 700)], domestic=True)
    assert eea.air_kg == pytest.approx(650 * 0.285)
    assert eea.rail_kg == pytest.approx(700 * 0.014)


def test_ademe_bands_follow_the_flown_distance():
    factors = _method("ademe")
    assert factors.air_factor(999, domestic=True).kg_per_pkm == 0.258
    assert factors.air_factor(1000, domestic=True).kg_per_pkm == 0.187
    assert factors.air_factor(3600, domestic=False).kg_per_pkm == 0.152


def test_rail_uses_each_country_factor_and_the_mean_where_ademe_has_none():
    factors = _method("ademe")
    figures = co2.co2_for_pair(
        factors, flown_km=None, rail_km_by_country=[("FR", 100), ("CH", 100)], domestic=False
    )
    mean = next(f for f in factors.factors if f.mode == "rail" and f.country == "")
    assert figures.rail_kg == pytest.approx(100 * 0.00592 + 100 * mean.kg_per_pkm, abs=1e-3)


def test_desnz_uses_domestic_and_international_rail_factors():
    factors = _method("desnz")
    assert factors.rail_factor("FR", domestic=True).kg_per_pkm == 0.0351
    assert factors.rail_factor("FR", domestic=False).kg_per_pkm == 0.00441


def test_flight_time_adds_access_check_in_block_and_exit():
    flight = flight_time(600, access_a_km=14, access_b_km=7)
    # 660 km flown: 30 + 52.8 block; access 15 + 21 and 15 + 10.5; 118 at the departure
    # airport; 39 to leave the arrival one (Sauter-Servaes et al. 2019).
    assert flight.flown_km == 660.0
    assert flight.block_min == pytest.approx(82.8)
    assert flight.door_to_door_min == pytest.approx(82.8 + 36 + 25.5 + 118 + 39)
    with pytest.raises(ValueError, match="non-negative"):
        flight_time(-1, access_a_km=0, access_b_km=0)


def _pair(pair_id, minutes, passengers, countries=("FR", "FR"), night=False):
    return PolicyPair(pair_id, f"p{pair_id}", countries, minutes, night, passengers, 100.0, 5.0)


def test_the_policy_keeps_domestic_pairs_under_the_threshold_and_sums_co2():
    pairs = [
        _pair(1, 120, 1000),
        _pair(2, 150, 500),
        _pair(3, 151, 700),
        _pair(4, 100, 900, countries=("FR", "ES")),
        _pair(5, None, 800, night=True),
    ]
    result = simulate_policy(pairs, PolicyRule(threshold_min=150))
    assert [p.pair_id for p in result.pairs] == [1, 2]
    assert result.passengers == 1500
    assert result.co2_avoided_t == pytest.approx(1500 * 95 / 1000)
    night = simulate_policy(pairs, PolicyRule(threshold_min=None, night_train=True))
    assert [p.pair_id for p in night.pairs] == [5]


def test_a_rule_needs_a_threshold_or_the_night_option():
    with pytest.raises(ValueError, match="needs"):
        PolicyRule(threshold_min=None)
    with pytest.raises(ValueError, match="threshold_min=0"):
        PolicyRule(threshold_min=0)


def test_a_country_counts_as_covered_only_with_a_current_main_timetable():
    day = dt.date(2026, 12, 6)
    running = {
        "db-fernverkehr": (dt.date(2025, 11, 1), dt.date(2027, 1, 1)),
        "renfe-av-ld-md": (dt.date(2022, 6, 1), dt.date(2022, 12, 1)),  # expired
        "sncf-ter": (dt.date(2026, 1, 1), dt.date(2027, 1, 1)),  # current, but regional
    }
    assert countries_without_main_timetable(["DE", "FR", "ES", "DE"], running, day) == [
        "ES",
        "FR",
    ]
    assert countries_without_main_timetable(["DE"], running, day) == []
    assert countries_without_main_timetable(["DE"], {}, day) == ["DE"]


def _bounded(pair_id: int, minutes: float | None, *, bound: bool, passengers: int = 1000):
    return PolicyPair(
        pair_id=pair_id,
        label=f"A{pair_id} – B",
        countries=("FR", "FR"),
        rail_fastest_min=minutes,
        has_night_train=False,
        passengers=passengers,
        air_kg=100.0,
        rail_kg=1.0,
        rail_upper_bound=bound,
    )


def test_an_upper_bound_decides_under_the_threshold_and_is_not_judged_over_it():
    pairs = [
        _bounded(1, 120, bound=True),  # real train no slower than 2 h: affected
        _bounded(2, 300, bound=True, passengers=5000),  # real train may be under 2h30: unknown
        _bounded(3, 300, bound=False),  # exact time over the threshold: judged, not affected
        _bounded(4, None, bound=False, passengers=7),  # no rail time: unknown
        _bounded(5, 100, bound=False, passengers=0),  # no traffic: out
    ]
    result = simulate_policy(pairs, PolicyRule(threshold_min=150))
    assert [p.pair_id for p in result.pairs] == [1]
    assert [p.pair_id for p in result.not_judged] == [2, 4]
    assert result.not_judged_passengers == 5007
    night_only = simulate_policy(pairs, PolicyRule(threshold_min=None, night_train=True))
    assert night_only.not_judged == ()


def test_rail_day_skips_only_the_hourly_searches_that_would_find_the_same_journey(monkeypatch):
    rng = np.random.default_rng(7)
    columns: list[list[int]] = [[], [], [], [], []]
    for trip in range(40):  # trains along parts of a 6-station line, all over the day
        first, last = sorted(int(x) for x in rng.choice(6, size=2, replace=False))
        moment = int(rng.integers(4 * 3600, 23 * 3600))
        for station in range(first, last):
            run = int(rng.integers(600, 3600))
            for column, value in zip(
                columns, (station, station + 1, moment, moment + run, trip), strict=True
            ):
                column.append(value)
            moment += run + 120
    timetable = build_timetable(6, *columns, transfer_s=300)
    window = (4 * 3600, 24 * 3600)
    origins, destinations = [0, 1], [4, 5]
    scans = []
    search = rail.earliest_arrival

    def counted(*args, **kwargs):
        scans.append(args[3])
        return search(*args, **kwargs)

    monkeypatch.setattr(rail, "earliest_arrival", counted)
    got = rail.rail_day(timetable, origins, destinations, *window)
    searched = len(scans)
    # The reference: one search from every hour of the window, none skipped.
    source, target, _first = rail._best_stations(timetable, origins, destinations, *window)
    reference_scans = len(scans)  # picking the stations, then one per hour below
    expected = [
        rail.JourneySummary(t.departure_station, t.arrival_station, t.departure_s, t.arrival_s,
                            0, t.is_night, (t.trip,))
        for t in got.direct
    ]  # fmt: skip
    for depart_s in range(*window, rail.SAMPLE_EVERY_S):
        reference_scans += 1
        try:
            journey = search(timetable, source, target, depart_s, max_transfers=2)
        except NoPathError:
            break
        if not journey.legs or journey.departure_s >= window[1]:
            break
        expected.append(
            rail.JourneySummary(source, target, journey.departure_s, journey.arrival_s,
                                journey.transfers, journey.uses_night_trains,
                                tuple(int(leg.trip) for leg in journey.legs))
        )  # fmt: skip
    assert len(got.journeys) >= 3
    assert got.journeys == tuple(rail._non_dominated(expected))
    assert searched < reference_scans - searched  # fewer than hour by hour


def test_every_flight_assumption_names_its_source_or_says_none_was_found():
    assert {a.key for a in ASSUMPTIONS} == {
        "detour", "block", "cruise", "check_in", "exit", "access"
    }  # fmt: skip
    for assumption in ASSUMPTIONS:
        assert assumption.finding
        if not assumption.is_sourced:
            assert "no " in assumption.finding
            assert "found" in assumption.finding
        assert not assumption.url or assumption.url.startswith("https://")
    sourced = {a.key for a in ASSUMPTIONS if a.is_sourced}
    assert sourced == {"detour", "block", "check_in", "exit"}


def test_the_airport_times_add_up_to_the_studys_total_at_airports():
    # Sauter-Servaes et al. (2019), abstract: 157 min at airports, 32 at railway stations.
    assert flight_rules.CHECK_IN_MIN + flight_rules.EXIT_MIN == 157
    assert flight_rules.MEASURED_AT_AIRPORTS_MIN == 157
    assert flight_rules.MEASURED_AT_STATIONS_MIN == 32


def test_the_co2_only_methods_are_those_whose_every_factor_counts_co2_alone():
    methods = {f.method for f in co2.PUBLISHED_FACTORS}
    for method in methods:
        scopes = {f.scope for f in co2.PUBLISHED_FACTORS if f.method == method}
        alone = all(scope.startswith("CO2 seul") for scope in scopes)
        assert alone == (method in co2.CO2_ONLY_METHODS), method
        assert all(scope.startswith("CO2e") for scope in scopes) == (not alone), method
        assert co2.co2_unit(method) == ("CO2" if alone else "CO2e")
    assert set(co2.CO2_ONLY_METHODS) == {"eea"}


def _random_day(seed: int, station_count: int, trip_count: int):
    """Trains over the whole day along random stations, some night trains, some stops where
    boarding or alighting is forbidden."""
    rng = np.random.default_rng(seed)
    columns: list[list[int]] = [[], [], [], [], []]
    board, alight = [], []
    for trip in range(trip_count):
        stops = rng.choice(station_count, size=int(rng.integers(2, 7)), replace=False)
        moment = int(rng.integers(3 * 3600, 24 * 3600))
        for here, there in itertools.pairwise(stops):
            run = int(rng.integers(600, 5400))
            for column, value in zip(
                columns, (int(here), int(there), moment, moment + run, trip), strict=True
            ):
                column.append(value)
            board.append(bool(rng.random() > 0.05))
            alight.append(bool(rng.random() > 0.05))
            moment += run + int(rng.integers(60, 600))
    return build_timetable(
        station_count,
        *columns,
        trip_is_night=rng.random(trip_count) < 0.2,
        transfer_s=rng.integers(0, 900, station_count),
        can_board=board,
        can_alight=alight,
    )


@pytest.mark.parametrize("seed", range(12))
def test_rail_days_of_one_city_a_equal_rail_day_pair_by_pair(seed):
    rng = np.random.default_rng(seed)
    station_count = int(rng.integers(12, 40))
    timetable = _random_day(seed, station_count, int(rng.integers(20, 200)))
    # Cities are disjoint groups of 1 to 4 stations; the first is A.
    order = rng.permutation(station_count).tolist()
    cities = []
    while order:
        size = int(rng.integers(1, 5))
        cities.append(order[:size])
        order = order[size:]
    origins, destinations = cities[0], cities[1:]
    window = (4 * 3600 + int(rng.integers(-1800, 1800)), 24 * 3600)
    shared = rail.rail_days(timetable, origins, destinations, *window)
    one_by_one = tuple(rail.rail_day(timetable, origins, b, *window) for b in destinations)
    assert shared == one_by_one
    assert len(shared) == len(destinations)


def test_rail_days_found_journeys_and_direct_trains_to_compare():
    timetable = _random_day(5, 20, 300)
    origins, destinations = [0, 1, 2], [[3, 4], [5], [6, 7, 8], [9], [10, 11]]
    shared = rail.rail_days(timetable, origins, destinations, 4 * 3600, 24 * 3600)
    one_by_one = tuple(
        rail.rail_day(timetable, origins, b, 4 * 3600, 24 * 3600) for b in destinations
    )
    assert shared == one_by_one
    assert sum(len(day.journeys) for day in shared) >= 20
    assert sum(len(day.direct) for day in shared) >= 5
    assert any(j.transfers > 0 for day in shared for j in day.journeys)


def test_rail_days_scans_each_station_and_hour_once_for_every_city_b(monkeypatch):
    timetable = _random_day(5, 20, 300)
    origins, destinations = [0, 1, 2], [[3, 4], [5], [6, 7, 8], [9], [10, 11]]
    scans: list[tuple[int, int]] = []
    search = rail.earliest_arrivals

    def counted(timetable, source, targets, depart_s, **options):
        scans.append((source, depart_s))
        return search(timetable, source, targets, depart_s, **options)

    monkeypatch.setattr(rail, "earliest_arrivals", counted)
    rail.rail_days(timetable, origins, destinations, 4 * 3600, 24 * 3600)
    assert len(scans) == len(set(scans))
    assert len(scans) <= len(origins) * 20  # at most each station of A at each hour
