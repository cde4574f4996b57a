"""Building the network from the ORM, publishing it, and answering routes."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from numpy.testing import assert_allclose

from apps.routing.pathfinding.artifact import current_version
from apps.routing.services import (
    RoutingUnavailable,
    build_network,
    build_routing_artifact,
    find_route,
    load_network,
    resolve_station,
)
from apps.routing.tests.factories import SERVICE_DAY, make_line_network
from apps.trajets.tests.factories import make_trajet
from obrail.errors import InvalidInput

PARIS_TZ = zoneinfo.ZoneInfo("Europe/Paris")


@pytest.mark.django_db
def test_network_has_one_arc_per_consecutive_stop_pair_with_travel_time_in_minutes():
    line = make_line_network()
    network = build_network()
    graph = network.graph
    node = network.node_of()
    assert graph.node_count == 4
    assert graph.arc_count == 4
    paris, lyon = node[line.paris.pk], node[line.lyon.pk]
    first, last = graph.indptr[paris], graph.indptr[paris + 1]
    heads = graph.indices[first:last].tolist()
    assert heads.index(lyon) >= 0
    assert graph.weight("time")[first + heads.index(lyon)] == 120.0


@pytest.mark.django_db
def test_a_date_s_timetable_holds_the_runs_of_that_date_and_of_the_next_one():
    make_line_network()
    network = build_network()
    service = network.schedule.service_day(SERVICE_DAY)
    timetable = service.timetable
    # 4 connections of the day itself and 4 of the next one; the runs of the day before
    # are over by midnight (the night train has no stop after it).
    assert timetable.connection_count == 8
    assert sorted(set(service.service_date_of.tolist())) == [
        SERVICE_DAY.toordinal(),
        SERVICE_DAY.toordinal() + 1,
    ]
    # 08:00 Paris (UTC+2 in June) on the service day = 06:00 UTC = 86400 + 21600 s.
    assert (timetable.departure_s == 86_400 + 6 * 3600).sum() == 1


def test_network_route_by_time_goes_through_lyon(line_network):
    answer = find_route(origin=line_network.paris, destination=line_network.marseille)
    assert answer.kind == "network"
    assert [s.name for s in answer.stations] == [
        "Paris Gare de Lyon",
        "Lyon Part-Dieu",
        "Marseille Saint-Charles",
    ]
    assert answer.duration_min == 220.0
    assert answer.co2_rail_kg > 0
    # Stations without a town: the atlas's rule gives no flight (apps/atlas/tests has one).
    assert (answer.co2_flight_kg, answer.flight_distance_km) == (None, None)
    assert answer.co2_method == "ademe"


@pytest.mark.parametrize("method", ["dijkstra", "astar", "pape", "slf_lll", "bellman_ford"])
def test_every_static_method_gives_the_same_time(line_network, method):
    answer = find_route(
        origin=line_network.paris, destination=line_network.marseille, method=method
    )
    assert answer.cost == 220.0
    assert answer.method == method


def test_distance_criterion_prefers_the_direct_night_line(line_network):
    answer = find_route(
        origin=line_network.paris, destination=line_network.marseille, criterion="distance"
    )
    assert [s.name for s in answer.stations] == ["Paris Gare de Lyon", "Marseille Saint-Charles"]
    assert_allclose(answer.distance_km, answer.cost)


def test_journey_in_the_morning_changes_at_lyon(line_network):
    depart = dt.datetime.combine(SERVICE_DAY, dt.time(7, 30), tzinfo=PARIS_TZ)
    answer = find_route(
        origin=line_network.paris, destination=line_network.marseille, depart=depart
    )
    assert answer.kind == "journey"
    assert [
        (leg.train, f"{leg.departure:%H:%M}", f"{leg.arrival:%H:%M}") for leg in answer.legs
    ] == [
        (f"TGV {line_network.day_first.train_number}", "08:00", "10:00"),
        (f"TER {line_network.day_second.train_number}", "10:30", "12:10"),
    ]
    assert answer.transfers == 1
    assert not answer.uses_night_trains


def test_journey_in_the_evening_takes_the_night_train(line_network):
    depart = dt.datetime.combine(SERVICE_DAY, dt.time(20, 0), tzinfo=PARIS_TZ)
    answer = find_route(
        origin=line_network.paris, destination=line_network.marseille, depart=depart
    )
    assert answer.uses_night_trains
    assert f"{answer.arrival:%Y-%m-%d %H:%M}" == "2025-06-12 07:00"


def test_journey_across_a_border_shows_local_times(line_network):
    depart = dt.datetime.combine(SERVICE_DAY, dt.time(10, 45), tzinfo=PARIS_TZ)
    answer = find_route(origin=line_network.lyon, destination=line_network.geneva, depart=depart)
    assert f"{answer.legs[0].arrival:%H:%M %Z}" == "12:50 CEST"


def test_max_transfers_zero_without_a_direct_train_is_a_clear_error(line_network):
    depart = dt.datetime.combine(SERVICE_DAY, dt.time(7, 30), tzinfo=PARIS_TZ)
    with pytest.raises(InvalidInput) as caught:
        find_route(
            origin=line_network.paris,
            destination=line_network.geneva,
            depart=depart,
            max_transfers=0,
        )
    assert "to" in caught.value.errors


def test_a_date_outside_the_built_days_names_the_depart_parameter(line_network):
    depart = dt.datetime(2030, 1, 1, 8, 0, tzinfo=PARIS_TZ)
    with pytest.raises(InvalidInput) as caught:
        find_route(origin=line_network.paris, destination=line_network.lyon, depart=depart)
    assert list(caught.value.errors) == ["depart"]


def test_unknown_method_and_criterion_name_their_parameter(line_network):
    with pytest.raises(InvalidInput) as caught:
        find_route(origin=line_network.paris, destination=line_network.lyon, method="teleport")
    assert list(caught.value.errors) == ["method"]
    with pytest.raises(InvalidInput) as caught:
        find_route(origin=line_network.paris, destination=line_network.lyon, criterion="price")
    assert list(caught.value.errors) == ["criterion"]


@pytest.mark.django_db
def test_station_resolution_accepts_id_uic_and_name_and_rejects_unknown():
    line = make_line_network()
    assert resolve_station(str(line.paris.pk), parameter="from").stations == (line.paris,)
    assert resolve_station("8772319", parameter="from").stations == (line.lyon,)
    assert resolve_station("genève cornavin", parameter="to").stations == (line.geneva,)
    with pytest.raises(InvalidInput) as caught:
        resolve_station("Atlantis", parameter="to")
    assert caught.value.errors["to"][0].startswith("Gare ou ville inconnue")


@pytest.mark.django_db
def test_an_unknown_name_is_answered_with_the_nearest_names():
    line = make_line_network()
    with pytest.raises(InvalidInput) as caught:
        resolve_station("Genève Cornavim", parameter="to")
    message = caught.value.errors["to"][0]
    assert "Vouliez-vous dire" in message
    assert line.geneva.name in message


def test_missing_artifact_makes_routing_unavailable(artifact_dir):
    with pytest.raises(RoutingUnavailable):
        load_network()


def test_a_new_import_is_served_without_restart(line_network, artifact_dir):
    first = load_network().version
    make_trajet([line_network.paris, line_network.geneva], times=[(None, "07:00"), ("10:05", None)])
    build_routing_artifact(run_id="second")
    assert current_version(artifact_dir) != first
    answer = find_route(origin=line_network.paris, destination=line_network.geneva)
    assert answer.artifact_version != first
    assert answer.duration_min == 185.0


def test_stations_without_coordinates_get_neighbour_positions_for_the_bounds(db, artifact_dir):
    line = make_line_network()
    line.lyon.latitude = line.lyon.longitude = None
    line.lyon.save()
    network = build_network()
    node = network.node_of()[line.lyon.pk]
    assert network.graph.has_coordinates
    assert 43.0 < network.graph.latitude[node] < 49.0
    build_routing_artifact(run_id="imputed")
    answer = find_route(origin=line.paris, destination=line.marseille, method="astar")
    assert answer.cost == 220.0


def test_a_change_of_data_publishes_a_new_artifact(line_network, artifact_dir):
    from apps.trajets.tests.factories import make_run
    from obrail import derived

    before = current_version(artifact_dir)
    run = make_run()
    derived.rebuild_after_change("test", changed=True, run_id=run.pk, only=["routing-artefact"])
    after = current_version(artifact_dir)
    assert after != before
    manifest = (artifact_dir / "versions" / after / "manifest.json").read_text()
    assert f'"run_id": {run.pk}' in manifest


def test_solver_time_is_recorded_by_method_and_query_type(line_network):
    from prometheus_client import REGISTRY

    labels = {"method": "dijkstra", "query_type": "network"}
    before = REGISTRY.get_sample_value("obrail_routing_solver_seconds_count", labels) or 0.0
    find_route(origin=line_network.paris, destination=line_network.lyon, method="dijkstra")
    after = REGISTRY.get_sample_value("obrail_routing_solver_seconds_count", labels)
    assert after == before + 1


def test_a_failed_rebuild_after_an_import_keeps_the_previous_version(
    line_network, artifact_dir, monkeypatch, caplog
):
    from apps.routing import derived as routing_derived
    from apps.trajets.tests.factories import make_run
    from obrail import derived

    def broken(**kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(routing_derived, "build_routing_artifact", broken)
    before = current_version(artifact_dir)
    run = make_run()
    [outcome] = derived.rebuild_after_change(
        "test", changed=True, run_id=run.pk, only=["routing-artefact"]
    )
    assert (outcome.status, outcome.detail) == ("failed", "OSError: disk full")
    assert current_version(artifact_dir) == before
    assert "derived routing-artefact failed" in caplog.text


def test_the_artifact_is_rebuilt_only_when_older_than_the_data(line_network, artifact_dir):
    from apps.routing.derived import outdated_reason
    from apps.trajets.tests.factories import make_run
    from obrail import derived

    (artifact_dir / "CURRENT").unlink()  # a process killed before publishing
    make_run(rows_inserted=1)
    assert outdated_reason() == "missing or unreadable"
    [first] = derived.rebuild_after_change("test", only=["routing-artefact"])
    assert first.status == "rebuilt"
    assert outdated_reason() == ""
    [again] = derived.rebuild_after_change("test", only=["routing-artefact"])
    assert (again.status, again.detail) == ("up_to_date", "current")
    make_run(rows_updated=1)  # a later run that wrote data (an edit, a load)
    assert outdated_reason().startswith("built ")
    [third] = derived.rebuild_after_change("test", only=["routing-artefact"])
    assert third.status == "rebuilt"


@pytest.mark.django_db
def test_a_station_s_own_minimum_transfer_time_decides_a_tight_connection(artifact_dir):
    network = make_line_network()
    tight = make_trajet(
        [network.lyon, network.marseille], times=[(None, "10:03"), ("11:40", None)], category="TGV"
    )
    depart = dt.datetime.combine(SERVICE_DAY, dt.time(7, 30), tzinfo=PARIS_TZ)

    def second_leg_train() -> str:
        build_routing_artifact(run_id="test")
        answer = find_route(origin=network.paris, destination=network.marseille, depart=depart)
        return answer.legs[-1].train

    # Three minutes at Lyon are below the default change time of five minutes...
    assert second_leg_train() == f"TER {network.day_second.train_number}"
    # ... but enough where the station publishes a two-minute minimum.
    type(network.lyon).objects.filter(pk=network.lyon.pk).update(min_transfer_min=2)
    assert second_leg_train() == f"TGV {tight.train_number}"


def _town(name: str, *stations, population: int = 100_000) -> None:
    from apps.places.models import Place, PlaceName

    place = Place.objects.create(
        geonames_id=len(name) * 1000 + Place.objects.count(),
        name=name,
        country=stations[0].country,
        latitude=stations[0].latitude,
        longitude=stations[0].longitude,
        population=population,
    )
    PlaceName.objects.create(place=place, name=name, key=name.lower())
    for station in stations:
        station.place = place
        station.save()


def test_a_town_routes_from_its_best_station(line_network):
    from apps.trajets.tests.factories import make_station

    unserved = make_station("Paris Gare du Nord")  # in the town, without trains
    _town("Paris", line_network.paris, unserved)
    _town("Marseille", line_network.marseille)
    origin = resolve_station("Paris", parameter="from")
    assert origin.is_place
    assert set(origin.stations) == {line_network.paris, unserved}
    answer = find_route(origin=origin, destination=resolve_station("Marseille", parameter="to"))
    assert (answer.origin, answer.destination) == (line_network.paris, line_network.marseille)
    depart = dt.datetime.combine(SERVICE_DAY, dt.time(7, 0), tzinfo=PARIS_TZ)
    journey = find_route(origin=origin, destination=line_network.marseille, depart=depart)
    assert journey.origin == line_network.paris


def test_a_town_without_a_station_in_the_network_is_named_in_the_error(line_network):
    from apps.trajets.tests.factories import make_station

    _town("Lille", make_station("Lille Flandres"))
    with pytest.raises(InvalidInput) as caught:
        find_route(origin=resolve_station("Lille", parameter="from"), destination=line_network.lyon)
    assert "Lille" in caught.value.errors["from"][0]


def test_a_name_a_larger_town_also_answers_to_is_ambiguous(line_network):
    from apps.trajets.tests.factories import make_station

    _town("Valence", make_station("Valence Ville"), population=64_000)
    _town(
        "València",
        make_station("València Nord", country="ES", time_zone="Europe/Madrid"),
        population=790_000,
    )
    from apps.places.models import PlaceName

    spanish = PlaceName.objects.get(name="València").place
    PlaceName.objects.create(place=spanish, name="Valence", key="valence")
    with pytest.raises(InvalidInput) as caught:
        resolve_station("Valence", parameter="to")
    message = caught.value.errors["to"][0]
    assert "plusieurs lieux" in message
    assert "Valence (FR)" in message
    assert "València (ES)" in message


def test_a_station_no_train_leaves_is_blamed_on_the_origin(line_network):
    with pytest.raises(InvalidInput) as caught:
        find_route(origin=line_network.marseille, destination=line_network.paris)
    assert "from" in caught.value.errors
