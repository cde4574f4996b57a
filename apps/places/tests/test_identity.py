"""Station identity rules on small real extracts (no database).

Every record below is copied from ``../shared/data`` (names, codes and coordinates as the
sources give them): trainline ``stations.csv`` (2016), SNCF « gares de voyageurs », the gtfs.de
long-distance feed (2025-11, parent station and platform names), Renfe's station list and GTFS.
"""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from apps.places.identity import StationSourceRecord, cluster_stations

TRAINLINE = "trainline-stations"
SNCF = "sncf-gares"
DB = "db-fernverkehr"
RENFE_LIST = "renfe-stations"
RENFE_GTFS = "renfe-av-ld-md"
ONTD = "back-on-track-ontd"


def _record(source, source_id, names, lat=None, lon=None, uic=None, priority=50, **more):
    return StationSourceRecord(
        source=source,
        source_id=source_id,
        names=tuple(names),
        latitude=lat,
        longitude=lon,
        uic=uic,
        priority=priority,
        **more,
    )


RECORDS = [
    _record(TRAINLINE, "7630", ["Berlin Hbf"], 52.525589, 13.369548, "8033452", 20),
    _record(TRAINLINE, "22893", ["Berlin Hbf"], None, None, "8065969", 20, same_as="7630"),
    _record(TRAINLINE, "16775", ["Berlin Hbf (tief)"], 52.525589, 13.369548, "8031922", 20),
    _record(TRAINLINE, "16628", ["Berlin Hbf (S-Bahn)"], 52.525589, 13.369548, None, 20),
    _record(DB, "627401", ["S+U Berlin Hauptbahnhof", "Berlin Hbf"], 52.525604, 13.369075),
    _record(TRAINLINE, "7474", ["Hamburg Hbf"], 53.552732, 10.006908, "8001071", 20),
    _record(TRAINLINE, "16782", ["Hamburg Hbf (S-Bahn)"], 53.552804, 10.007924, None, 20),
    _record(TRAINLINE, "23602", ["Hamburg Hbf ZOB"], 53.552079, 10.011473, "8076116", 20),
    _record(DB, "78293", ["Hamburg, Hamburg Hbf", "Hamburg Hbf"], 53.552753, 10.007925),
    _record(ONTD, "Hamburg Hbf", ["Hamburg Hbf"], 53.5528, 10.0069, country="DE"),
    _record(TRAINLINE, "1128", ["Paris Gare du Nord"], 48.880185, 2.355151, "8727102", 20),
    _record(TRAINLINE, "1129", ["Paris Gare du Nord"], 48.880185, 2.355151, "8727103", 20),
    _record(TRAINLINE, "4922", ["Paris Gare du Nord"], 48.880185, 2.355151, "8727100", 20),
    _record(
        TRAINLINE,
        "22584",
        ["Paris Gare du Nord Eurostar"],
        48.880697,
        2.354598,
        None,
        20,
        same_as="4922",
    ),
    _record(SNCF, "70835097", ["Paris Gare du Nord"], 48.880185, 2.355151, "8727102", 10),
    _record(
        SNCF,
        "70835097#1",
        ["Paris Gare du Nord"],
        48.880185,
        2.355151,
        "8727100",
        10,
        same_as="70835097",
    ),
    _record(
        SNCF,
        "70835097#2",
        ["Paris Gare du Nord"],
        48.880185,
        2.355151,
        "8727103",
        10,
        same_as="70835097",
    ),
    _record(
        TRAINLINE,
        "7596",
        ["Frankfurt (M) Flughafen Fernbf"],
        50.05290581298199,
        8.569872379302979,
        "8061676",
        20,
    ),
    _record(
        TRAINLINE,
        "15890",
        ["Frankfurt (M) Flughafen Regionalbf"],
        50.051218,
        8.57125,
        "8011090",
        20,
    ),
    _record(
        DB,
        "362595",
        ["Frankfurt (Main) Flughafen Fernbahnhof", "Frankfurt(M) Flughafen Fernbf"],
        50.052914,
        8.569788,
    ),
    _record(
        DB,
        "620638",
        ["Frankfurt (Main) Flughafen Regionalbahnhof", "Frankfurt(M) Flughafen Regionalbf"],
        50.0512,
        8.571423,
    ),
    _record(TRAINLINE, "6667", ["Madrid Atocha"], 40.405963, -3.689757, "7160000", 20),
    _record(TRAINLINE, "24142", ["Madrid - Atocha Cercanías"], 40.406287, -3.690539, "7118000", 20),
    _record(
        RENFE_LIST, "60000", ["MADRID-PUERTA DE ATOCHA"], 40.4053548, -3.6895915, "7160000", 30
    ),
    _record(RENFE_GTFS, "60000", ["Madrid-Puerta de Atocha"], 40.4053548, -3.6895915, "7160000"),
    _record(RENFE_GTFS, "18000", ["Madrid - Atocha Cercanías"], 40.406287, -3.690539, "7118000"),
    _record(DB, "6461", ["Hauptbahnhof (oben)", "Stuttgart Hbf"], 48.784878, 9.182794),
    _record(TRAINLINE, "7710", ["Stuttgart Hbf"], 48.784081, 9.181636, "8029034", 20),
    # A name-only record: the night-train database names a stop its stop table lacks.
    _record(ONTD, "Stuttgart Hbf", ["Stuttgart Hbf"], country="DE"),
]


def _partition(records) -> set[frozenset[tuple[str, str]]]:
    clustering = cluster_stations(records)
    return {frozenset(record.key for record in cluster.records) for cluster in clustering.clusters}


def _station_of(clustering, source, source_id):
    return next(
        cluster
        for cluster in clustering.clusters
        if any(r.key == (source, source_id) for r in cluster.records)
    )


def test_a_timetable_parent_joins_the_reference_station_users_know():
    clustering = cluster_stations(RECORDS)
    berlin = _station_of(clustering, DB, "627401")
    assert (TRAINLINE, "7630") in {r.key for r in berlin.records}
    assert berlin.representative.names[0] == "Berlin Hbf"
    hamburg = _station_of(clustering, DB, "78293")
    assert {r.key for r in hamburg.records} >= {(TRAINLINE, "7474"), (ONTD, "Hamburg Hbf")}
    stuttgart = _station_of(clustering, DB, "6461")
    assert (TRAINLINE, "7710") in {r.key for r in stuttgart.records}


def test_stops_a_source_lists_apart_stay_apart():
    clustering = cluster_stations(RECORDS)
    for lower_level in ("16775", "16628"):
        assert len(_station_of(clustering, TRAINLINE, lower_level).records) == 1
    for other_stop in ("16782", "23602"):
        assert len(_station_of(clustering, TRAINLINE, other_stop).records) == 1
    cercanias = _station_of(clustering, RENFE_GTFS, "18000")
    assert {r.key for r in cercanias.records} == {(TRAINLINE, "24142"), (RENFE_GTFS, "18000")}


def test_airport_long_distance_and_regional_stations_are_not_merged():
    clustering = cluster_stations(RECORDS)
    long_distance = _station_of(clustering, DB, "362595")
    regional = _station_of(clustering, DB, "620638")
    assert long_distance is not regional
    assert (TRAINLINE, "7596") in {r.key for r in long_distance.records}
    assert (TRAINLINE, "15890") in {r.key for r in regional.records}


def test_codes_of_one_station_join_the_rows_a_reference_lists_apart():
    """SNCF's list gives Paris Gare du Nord three UIC codes; trainline lists three rows."""
    clustering = cluster_stations(RECORDS)
    paris = _station_of(clustering, SNCF, "70835097")
    keys = {r.key for r in paris.records}
    assert {(TRAINLINE, "1128"), (TRAINLINE, "1129"), (TRAINLINE, "4922")} <= keys
    assert paris.representative.source == SNCF  # the lowest priority names the station
    assert {m.rule for m in paris.merges} >= {"uic", "same_as"}


def test_spanish_codes_and_names_agree_on_madrid_atocha():
    clustering = cluster_stations(RECORDS)
    atocha = _station_of(clustering, RENFE_GTFS, "60000")
    assert {r.key for r in atocha.records} == {
        (TRAINLINE, "6667"),
        (RENFE_LIST, "60000"),
        (RENFE_GTFS, "60000"),
    }
    assert atocha.representative.names[0] == "Madrid Atocha"


def test_a_record_without_coordinates_joins_the_one_station_of_its_name():
    clustering = cluster_stations(RECORDS)
    stuttgart = _station_of(clustering, ONTD, "Stuttgart Hbf")
    assert (TRAINLINE, "7710") in {r.key for r in stuttgart.records}
    assert any(m.rule == "name_only" for m in stuttgart.merges)


def test_a_code_contradicting_coordinates_and_name_is_a_conflict_not_a_merge():
    # Renfe gives 08247 to "SANABRIA ALTA VELOCIDAD" in its list and to "PUEBLA DE SANABRIA
    # LLEGADA" in its GTFS, 5.0 km apart.
    records = [
        _record(
            RENFE_LIST, "08247", ["SANABRIA ALTA VELOCIDAD"], 42.04541, -6.56626, "7108247", 30
        ),
        _record(
            RENFE_GTFS, "08247", ["PUEBLA DE SANABRIA LLEGADA"], 42.0457630, -6.6268480, "7108247"
        ),
    ]
    clustering = cluster_stations(records)
    assert len(clustering.clusters) == 2
    assert [c.kind for c in clustering.conflicts] == ["uic_contradiction"]


def test_a_generic_name_is_completed_by_its_town():
    records = [
        _record(DB, "6461", ["Hauptbahnhof (oben)"], 48.784878, 9.182794, place_name="Stuttgart"),
        _record(TRAINLINE, "7710", ["Stuttgart Hbf"], 48.784081, 9.181636, "8029034", 20),
    ]
    assert len(cluster_stations(records).clusters) == 1


@settings(max_examples=60, deadline=None)
@given(st.randoms(use_true_random=False))
def test_matching_does_not_depend_on_the_order_records_arrive_in(shuffle: random.Random):
    shuffled = list(RECORDS)
    shuffle.shuffle(shuffled)
    assert _partition(shuffled) == _partition(RECORDS)
    representatives = {
        frozenset(r.key for r in c.records): c.representative.key
        for c in cluster_stations(shuffled).clusters
    }
    expected = {
        frozenset(r.key for r in c.records): c.representative.key
        for c in cluster_stations(RECORDS).clusters
    }
    assert representatives == expected


def test_a_platform_name_naming_another_kind_of_stop_does_not_pull_the_station():
    # gtfs.de names Hamburg-Harburg's main-line platform "Hamburg-Harburg(S)".
    records = [
        _record(TRAINLINE, "7628", ["Hamburg-Harburg"], 53.456296, 9.991591, "8001134", 20),
        _record(TRAINLINE, "16774", ["Hamburg-Harburg (S)"], 53.456431, 9.991564, "8001043", 20),
        _record(
            DB, "341369", ["Hamburg, Hamburg-Harburg", "Hamburg-Harburg(S)"], 53.456375, 9.990947
        ),
    ]
    clustering = cluster_stations(records)
    main_line = _station_of(clustering, DB, "341369")
    assert (TRAINLINE, "7628") in {r.key for r in main_line.records}


def test_the_position_most_records_agree_with_wins_over_the_best_named_one():
    # trainline puts Navas de Riofrío 327 km off; both Renfe sources agree.
    records = [
        _record(TRAINLINE, "1", ["Navas de Riofrío-La Losa"], 39.874, -0.506, "7112103", 20),
        _record(RENFE_LIST, "12103", ["NAVAS DE RIOFRIO-LA LOSA"], 40.857, -4.141, "7112103", 30),
        _record(RENFE_GTFS, "12103", ["Navas de Riofrio-La Losa"], 40.8571, -4.1409, "7112103"),
    ]
    station = cluster_stations(records).clusters[0]
    assert station.representative.source == TRAINLINE
    assert station.located.source != TRAINLINE
    assert station.spread_km > 300
