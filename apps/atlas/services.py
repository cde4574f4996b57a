"""Atlas use cases: the CO2 methods, the recomputation of every city pair, the simulator.

The recomputation runs after each import (the derived-data pipeline, ``derived.py``) and
from ``manage.py recompute_atlas``; pages and the API only read its results.

Air passengers of an airport pair and a year: Eurostat publishes the passengers carried between
a reporting airport and a partner; when both airports report (two French airports), the same
flights are counted twice, once from each end, and the figures differ slightly: the atlas takes
the **mean of the two reports** (rounded), and the one report otherwise. A city pair's figure
is the sum over the airport pairs between its two cities.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.atlas import co2 as co2_rules
from apps.atlas.flight import FlightTime, flight_time
from apps.atlas.geography import AirportCity, cities_of_airports
from apps.atlas.models import Airport, AirTraffic, AtlasBuild, CityPair
from apps.atlas.policy import PolicyPair, PolicyResult, PolicyRule, simulate_policy
from apps.atlas.rail import RailDay, StationTraffic, busiest_stations, rail_day, rail_days
from apps.atlas.rail_coverage import countries_without_main_timetable
from apps.atlas.trajet_flights import TownFlight, write_trajet_flights
from apps.places.services import gazetteer, great_circle_km
from apps.routing.pathfinding import NoPathError, ParameterError, shortest_path
from apps.routing.services import RoutingNetwork, RoutingUnavailable, arc_weights, load_network
from apps.trajets.models import DataSource, EmissionFactor, FlightEquivalent, Station, Trajet
from apps.trajets.services import METHODS, ensure_factors
from obrail.errors import UnprocessableInput

__all__ = [
    "METHODS",
    "POLICY_ASSUMPTIONS",
    "airport_pair_passengers",
    "atlas_version",
    "bump_atlas_version",
    "co2_all_methods",
    "ensure_factors",
    "factor_of_row",
    "method_factors",
    "pair_co2",
    "policy_answer",
    "policy_year",
    "recompute_atlas",
    "run_policy",
    "source_titles",
]

logger = logging.getLogger(__name__)


def method_factors(method: str) -> co2_rules.MethodFactors:
    """The stored factors of ``method`` (LookupError when the method is unknown)."""
    if method not in METHODS:
        raise LookupError(f"unknown CO2 method {method!r}; known: {', '.join(METHODS)}")
    rows = list(EmissionFactor.objects.filter(method=method))
    if not rows:
        ensure_factors()
        rows = list(EmissionFactor.objects.filter(method=method))
    return co2_rules.MethodFactors(method, tuple(factor_of_row(r) for r in rows))


def factor_of_row(row: EmissionFactor) -> co2_rules.Factor:
    """A stored factor as the CO2 rules read it."""
    return co2_rules.Factor(
        method=row.method,
        mode=row.mode,
        kg_per_pkm=row.kg_co2e_per_passenger_km,
        scope=row.scope,
        source=row.source_name,
        year=row.year or 0,
        country=row.country,
        route=row.route,
        min_km=row.min_distance_km,
        max_km=row.max_distance_km,
        label=row.label,
        source_url=row.source_url,
    )


def pair_co2(pair: CityPair, factors: co2_rules.MethodFactors) -> co2_rules.Co2Figures:
    """CO2 per passenger of the pair's flight and train under ``factors``' method."""
    return co2_rules.co2_for_pair(
        factors,
        flown_km=pair.flown_km,
        rail_km_by_country=[(c, km) for c, km in pair.rail_km_by_country],
        domestic=pair.is_domestic,
    )


def airport_pair_passengers(
    rows: Iterable[tuple[str, str, int, int]],
) -> dict[tuple[str, str], dict[int, int]]:
    """(reporting, partner, year, passengers) -> {(icao, icao) sorted: {year: passengers}},
    the mean of the two ends' reports when both report."""
    reports: dict[tuple[str, str, int], list[int]] = defaultdict(list)
    for reporting, partner, year, passengers in rows:
        low, high = sorted((reporting, partner))
        reports[(low, high, year)].append(passengers)
    pairs: dict[tuple[str, str], dict[int, int]] = defaultdict(dict)
    for (low, high, year), values in reports.items():
        pairs[(low, high)][year] = round(sum(values) / len(values))
    return pairs


@dataclass
class _City:
    city: AirportCity
    airports: list[str]
    nodes: list[int]
    zone: dt.tzinfo


def _network() -> RoutingNetwork | None:
    try:
        return load_network()
    except RoutingUnavailable:
        return None


def reference_days(network: RoutingNetwork) -> list[dt.date]:
    """The Tuesday of each timetable source's typical week (its busiest week, set by the ETL),
    else the network's busiest covered date."""
    schedule = network.schedule
    names = [period.source for period in schedule.coverage]
    weeks = DataSource.objects.filter(name__in=names, reference_week__isnull=False)
    days = sorted(
        {week + dt.timedelta(days=1) for week in weeks.values_list("reference_week", flat=True)}
    )
    days = [day for day in days if schedule.covers(day)]
    if not days:
        busiest = schedule.busiest_day()
        days = [busiest] if busiest is not None else []
    return days


def _zone(name: str) -> dt.tzinfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def _cities() -> tuple[dict[str, AirportCity], dict[int, list[str]]]:
    airports = Airport.objects.values_list("icao", "latitude", "longitude")
    served = cities_of_airports(gazetteer(), airports)
    by_city: dict[int, list[str]] = defaultdict(list)
    for icao, city in served.items():
        by_city[city.place.geonames_id].append(icao)
    return served, by_city


def _city_nodes(
    network: RoutingNetwork | None, city_ids: set[int]
) -> dict[int, tuple[list[int], dt.tzinfo]]:
    if network is None:
        return {}
    node_of = network.node_of()
    found: dict[int, tuple[list[int], dt.tzinfo]] = {}
    rows = Station.objects.filter(place__geonames_id__in=city_ids).values_list(
        "pk", "place__geonames_id", "time_zone"
    )
    for pk, geonames_id, zone in rows:
        node = node_of.get(pk)
        if node is None:
            continue
        nodes, _zone_found = found.setdefault(geonames_id, ([], _zone(zone)))
        nodes.append(node)
    return found


def _linked_by_trains(
    network: RoutingNetwork, days: list[dt.date], city_of_node: dict[int, int]
) -> set[tuple[int, int]]:
    """Pairs of cities that one train of a reference day calls at (both)."""
    linked: set[tuple[int, int]] = set()
    for day in days:
        timetable = network.schedule.service_day(day).timetable
        cities_of_trip: dict[int, set[int]] = defaultdict(set)
        for station, trip in zip(
            timetable.departure_station.tolist(), timetable.trip.tolist(), strict=True
        ):
            city = city_of_node.get(station)
            if city is not None:
                cities_of_trip[trip].add(city)
        for station, trip in zip(
            timetable.arrival_station.tolist(), timetable.trip.tolist(), strict=True
        ):
            city = city_of_node.get(station)
            if city is not None:
                cities_of_trip[trip].add(city)
        for cities in cities_of_trip.values():
            ordered = sorted(cities)
            for i, first in enumerate(ordered):
                for second in ordered[i + 1 :]:
                    linked.add((first, second))
    return linked


_NO_RAIL = {
    "rail_day": None,
    "rail_fastest_min": None,
    "rail_typical_min": None,
    "rail_journeys": 0,
    "rail_direct_per_day": 0,
    "rail_min_transfers": None,
    "rail_distance_km": None,
    "rail_km_by_country": [],
    "rail_journey_list": [],
    "rail_sources": [],
    "night_train": False,
    "night_trains": [],
}


def _ordered(key: tuple[int, int], cities: dict[int, _City]) -> tuple[_City, _City]:
    """Both cities, the more populous first (the pair's A)."""
    first, second = (cities[k] for k in key)
    if (second.city.place.population, -second.city.place.geonames_id) > (
        first.city.place.population,
        -first.city.place.geonames_id,
    ):
        first, second = second, first
    return first, second


def _rail_by_pair(
    network: RoutingNetwork | None,
    days: list[dt.date],
    keys: Iterable[tuple[int, int]],
    cities: dict[int, _City],
    country_of_node: dict[int, str],
    name_of_node: dict[int, str],
    *,
    is_shared: bool = True,
) -> dict[tuple[int, int], dict]:
    """The rail fields of every pair: day by day (each day's timetable is built once), the
    day with the fastest journey (the most journeys on a tie) wins.

    The pairs of one city A are computed together (:func:`rail_days`: one scan per station
    of A and hour for all its cities B); ``is_shared=False`` runs :func:`rail_day` pair by
    pair instead (the reference, for tests and the bench), with the same results."""
    found: dict[tuple[int, int], dict] = {
        key: {"rail_status": CityPair.RailStatus.NO_TIMETABLE, **_NO_RAIL} for key in keys
    }
    if network is None:
        return found
    best: dict[tuple[int, int], tuple[float, int]] = {}
    # The fields are made once per pair, from its best day (the journey lists, the distance).
    chosen: dict[tuple[int, int], tuple[dt.date, object, RailDay, _City, _City]] = {}
    for day in days:
        service = network.schedule.service_day(day)
        timetable = service.timetable
        traffic = StationTraffic.of(timetable)
        # Pairs with trains at both ends that day, by their city A.
        by_origin: dict[int, list[tuple[tuple[int, int], _City]]] = defaultdict(list)
        for key in found:
            first, second = _ordered(key, cities)
            if not first.nodes or not second.nodes:
                continue
            if not (
                busiest_stations(timetable, first.nodes, 1, traffic=traffic)
                and busiest_stations(timetable, second.nodes, 1, arriving=True, traffic=traffic)
            ):
                continue
            if found[key]["rail_status"] == CityPair.RailStatus.NO_TIMETABLE:
                found[key]["rail_status"] = CityPair.RailStatus.NO_JOURNEY
            by_origin[first.city.place.geonames_id].append((key, second))
        for origin, pairs in by_origin.items():
            first = cities[origin]
            start = service.seconds(dt.datetime.combine(day, dt.time(4), tzinfo=first.zone))
            end = service.seconds(
                dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=first.zone)
            )
            if is_shared:
                results = rail_days(
                    timetable,
                    first.nodes,
                    [second.nodes for _key, second in pairs],
                    start,
                    end,
                    traffic=traffic,
                )
            else:
                results = tuple(
                    rail_day(timetable, first.nodes, second.nodes, start, end)
                    for _key, second in pairs
                )
            for (key, second), result in zip(pairs, results, strict=True):
                if result.fastest is None:
                    continue
                score = (result.fastest.duration_min, -len(result.journeys))
                if key in best and best[key] <= score:
                    continue
                best[key] = score
                chosen[key] = (day, service, result, first, second)
    distances: dict[tuple[int, int], tuple[float | None, list[list]]] = {}
    for key, (day, service, result, first, second) in chosen.items():
        found[key] = _rail_fields(
            network,
            service,
            day,
            result,
            (first, second),
            country_of_node,
            name_of_node,
            distances,
        )
    return found


def _rail_fields(
    network: RoutingNetwork,
    service: object,
    day: dt.date,
    result: RailDay,
    cities: tuple[_City, _City],
    country_of_node: dict[int, str],
    name_of_node: dict[int, str],
    distances: dict[tuple[int, int], tuple[float | None, list[list]]],
) -> dict:
    """The stored rail fields of a pair from its best day; ``distances`` keeps the rail
    distance of each station pair already measured."""
    first, second = cities
    fastest = result.fastest
    stations = (fastest.departure_station, fastest.arrival_station)
    if stations not in distances:
        distances[stations] = _rail_distance(network, *stations, country_of_node)
    distance, by_country = distances[stations]
    journeys = []
    for j in result.journeys:
        leg = _times(service, day, first, second, name_of_node, j)
        journeys.append(leg | {"transfers": j.transfers, "night": j.uses_night_train})
    night = [_times(service, day, first, second, name_of_node, t) for t in result.night]
    trajets = sorted({int(network.trip_ids[service.trip_of[trip]]) for trip in fastest.trips})
    return {
        "rail_status": CityPair.RailStatus.FOUND,
        "rail_day": day,
        "rail_fastest_min": round(fastest.duration_min, 1),
        "rail_typical_min": round(result.typical_min, 1),
        "rail_journeys": len(result.journeys),
        "rail_direct_per_day": len(result.direct),
        "rail_min_transfers": min(j.transfers for j in result.journeys),
        "rail_distance_km": distance,
        "rail_km_by_country": [list(part) for part in by_country],  # a copy: memoised
        "rail_journey_list": journeys,
        "night_train": bool(night),
        "night_trains": night,
        # Trajet keys here; recompute_atlas turns them into source names in one query.
        "rail_sources": trajets,
    }


def _source_names(rail: dict[tuple[int, int], dict]) -> None:
    """Replace each pair's trajet keys in ``rail_sources`` by their sources' names."""
    keys = {pk for fields in rail.values() for pk in fields.get("rail_sources", [])}
    source_of = dict(Trajet.objects.filter(pk__in=keys).values_list("pk", "source__name"))
    for fields in rail.values():
        fields["rail_sources"] = sorted(
            {source_of[pk] for pk in fields.get("rail_sources", []) if pk in source_of}
        )


def _rail_distance(
    network: RoutingNetwork, source: int, target: int, country_of_node: dict[int, str]
) -> tuple[float | None, list[list]]:
    try:
        path = shortest_path(network.graph, source, target, method="dijkstra", criterion="distance")
    except (NoPathError, ParameterError):
        return None, []
    by_country: dict[str, float] = defaultdict(float)
    for tail, head in zip(path.path, path.path[1:], strict=False):
        by_country[country_of_node.get(tail, "")] += arc_weights(network.graph, tail, head)[
            "distance"
        ]
    return round(path.length, 1), [[c, round(km, 1)] for c, km in sorted(by_country.items())]


def _times(service, day, first, second, name_of_node, item) -> dict:
    """Stations, local times and duration of a journey or a direct train, for the pages."""
    return {
        "from": name_of_node.get(item.departure_station, ""),
        "to": name_of_node.get(item.arrival_station, ""),
        "departure": _clock(service, item.departure_s, first.zone, day),
        "arrival": _clock(service, item.arrival_s, second.zone, day),
        "duration_min": round((item.arrival_s - item.departure_s) / 60.0, 1),
    }


def _clock(service: object, seconds: int, zone: dt.tzinfo, day: dt.date) -> str:
    moment = service.moment(seconds).astimezone(zone)
    offset = (moment.date() - day).days
    text = moment.strftime("%H:%M")
    return f"{text} (+{offset})" if offset > 0 else text


def recompute_atlas(*, trigger: str, is_shared: bool = True) -> AtlasBuild:
    """Rebuild every city pair (air traffic or a train of a reference day between two cities
    served by an airport) and the trajets' flight equivalents (``trajet_flights.py``), and
    record how long it took; ``is_shared=False`` searches the rail times pair by pair (the
    reference the bench compares with: same results, slower)."""
    started_at = timezone.now()
    started = time.perf_counter()
    ensure_factors()
    served, airports_of_city = _cities()
    traffic = airport_pair_passengers(
        AirTraffic.objects.values_list("reporting_icao", "partner_icao", "year", "passengers")
    )
    city_by_id = {c.place.geonames_id: c for c in served.values()}
    air_pairs: dict[tuple[int, int], dict] = {}
    for (low, high), series in traffic.items():
        if low not in served or high not in served:
            continue
        ca, cb = served[low].place.geonames_id, served[high].place.geonames_id
        if ca == cb:
            continue
        key = tuple(sorted((ca, cb)))
        entry = air_pairs.setdefault(key, {"series": defaultdict(int), "routes": []})
        for year, passengers in series.items():
            entry["series"][year] += passengers
        latest = max(series)
        entry["routes"].append((low, high, latest, series[latest]))
    network = _network()
    nodes = _city_nodes(network, set(city_by_id))
    days = reference_days(network) if network is not None else []
    cities = {
        gid: _City(
            city_by_id[gid], sorted(airports_of_city[gid]), *(nodes.get(gid) or ([], dt.UTC))
        )
        for gid in city_by_id
    }
    keys = set(air_pairs)
    if network is not None and days:
        city_of_node = {n: gid for gid, (ns, _z) in nodes.items() for n in ns}
        keys |= _linked_by_trains(network, days, city_of_node)
    country_of_node: dict[int, str] = {}
    name_of_node: dict[int, str] = {}
    if network is not None:
        used = {n for ns, _z in nodes.values() for n in ns}
        stations = Station.objects.in_bulk([int(network.station_ids[n]) for n in used])
        node_of = network.node_of()
        for pk, station in stations.items():
            name_of_node[node_of[pk]] = station.name
        countries = dict(Station.objects.values_list("pk", "country"))
        country_of_node = {
            i: countries.get(int(pk), "") for i, pk in enumerate(network.station_ids.tolist())
        }
    rail = _rail_by_pair(
        network, days, sorted(keys), cities, country_of_node, name_of_node, is_shared=is_shared
    )
    _source_names(rail)
    running = {
        name: (first, last)
        for name, first, last in DataSource.objects.values_list("name", "runs_from", "runs_until")
    }
    today = timezone.localdate()
    for key, fields in rail.items():
        fields["rail_missing_main"] = countries_without_main_timetable(
            (cities[k].city.place.country for k in key), running, today
        )
    computed = [
        _pair_fields(key, cities, air_pairs.get(key), served, rail[key], started_at)
        for key in sorted(keys)
    ]
    with transaction.atomic():
        # Replaced in one transaction; a pair that stays keeps its id (its page's address).
        ids = {
            (a, b): pk
            for a, b, pk in CityPair.objects.values_list("a_geonames_id", "b_geonames_id", "pk")
        }
        CityPair.objects.all().delete()
        CityPair.objects.bulk_create(
            [CityPair(pk=ids.get((f["a_geonames_id"], f["b_geonames_id"])), **f) for f in computed],
            batch_size=1000,
        )
        # The trajets' flight equivalent follows the same rule, under the default method.
        write_trajet_flights(
            _trajet_town_flights(cities, air_pairs, served),
            factors=method_factors(co2_rules.DEFAULT_METHOD),
        )
        _analyse((CityPair, FlightEquivalent))
        build = AtlasBuild.objects.create(
            started_at=started_at,
            duration_s=round(time.perf_counter() - started, 3),
            pairs=len(computed),
            reference_days=[d.isoformat() for d in days],
            trigger=trigger[:100],
        )
        transaction.on_commit(bump_atlas_version)
    # Once committed (after the version bump), render the default queries of the pages and
    # the API, so that the first visitor after a recomputation does not pay them.
    transaction.on_commit(_warm_caches)
    return build


def _analyse(models: Iterable[type]) -> None:
    """Fresh planner statistics for the tables just rewritten (PostgreSQL's ``ANALYZE``,
    which sees this transaction's rows): the planner otherwise estimates from their previous
    contents until autovacuum comes by. Nothing to do on SQLite."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _warm_caches() -> None:
    from apps.atlas.warmup import warm_atlas_caches

    warm_atlas_caches()


def _pair_fields(key, cities, air, served, rail, now) -> dict:
    first, second = _ordered(key, cities)
    pa, pb = first.city.place, second.city.place
    fields: dict = {
        "a_geonames_id": pa.geonames_id,
        "a_name": pa.name,
        "a_country": pa.country,
        "a_latitude": pa.latitude,
        "a_longitude": pa.longitude,
        "b_geonames_id": pb.geonames_id,
        "b_name": pb.name,
        "b_country": pb.country,
        "b_latitude": pb.latitude,
        "b_longitude": pb.longitude,
        "is_domestic": pa.country == pb.country,
        "distance_km": round(
            great_circle_km(pa.latitude, pa.longitude, pb.latitude, pb.longitude), 1
        ),
        "airports_a": first.airports,
        "airports_b": second.airports,
        "computed_at": now,
        "air_year": None,
        "air_passengers": 0,
        "air_series": {},
        "air_routes": [],
    }
    route_a, route_b, flight = _flight(first, second, air, served)
    if air:
        series = {str(y): p for y, p in sorted(air["series"].items()) if p > 0}
        latest = max((int(y) for y in series), default=None)
        routes = sorted(air["routes"], key=lambda r: (-r[3], r[0], r[1]))
        fields.update(
            air_year=latest,
            air_passengers=series.get(str(latest), 0) if latest else 0,
            air_series=series,
            air_routes=[
                {"airports": [r[0], r[1]], "year": r[2], "passengers": r[3]} for r in routes
            ],
        )
    fields.update(
        flown_km=flight.flown_km,
        flight_block_min=flight.block_min,
        flight_door_min=flight.door_to_door_min,
        access_a_km=served[route_a].distance_km,
        access_b_km=served[route_b].distance_km,
    )
    fields.update(rail)
    return fields


def _flight(
    first: _City, second: _City, air: dict | None, served: dict[str, AirportCity]
) -> tuple[str, str, FlightTime]:
    """The airports flown between (the busiest route, else each city's nearest airport) and
    the flight's times, from ``first``'s airport to ``second``'s."""
    if air:
        routes = sorted(air["routes"], key=lambda r: (-r[3], r[0], r[1]))
        route_a, route_b = routes[0][0], routes[0][1]
        if served[route_a].place.geonames_id != first.city.place.geonames_id:
            route_a, route_b = route_b, route_a
    else:
        route_a = min(first.airports, key=lambda icao: served[icao].distance_km)
        route_b = min(second.airports, key=lambda icao: served[icao].distance_km)
    flight = flight_time(
        great_circle_km(*served[route_a].position, *served[route_b].position),
        access_a_km=served[route_a].distance_km,
        access_b_km=served[route_b].distance_km,
    )
    return route_a, route_b, flight


def _trajet_town_flights(
    cities: dict[int, _City], air_pairs: dict[tuple[int, int], dict], served: dict
) -> dict[tuple[int, int], TownFlight]:
    """The flight of every pair of towns at the ends of a trajet, by the atlas's rule: both
    towns served by an airport and different (the same computation as a city pair's)."""
    ends = (
        Trajet.objects.filter(origin__place__isnull=False, destination__place__isnull=False)
        .values_list("origin__place__geonames_id", "destination__place__geonames_id")
        .distinct()
    )
    flights: dict[tuple[int, int], TownFlight] = {}
    for ends_a, ends_b in ends:
        key = tuple(sorted((ends_a, ends_b)))
        if ends_a == ends_b or ends_a not in cities or ends_b not in cities or key in flights:
            continue
        first, second = _ordered(key, cities)
        flight = _flight(first, second, air_pairs.get(key), served)[2]
        flights[key] = TownFlight(
            flown_km=flight.flown_km,
            is_domestic=first.city.place.country == second.city.place.country,
        )
    return flights


def policy_year() -> int | None:
    """The simulator's year: the latest year of the air data (2019 for Eurostat's file)."""
    return CityPair.objects.aggregate(year=Max("air_year"))["year"]


#: The columns the simulator reads (not the day's journeys nor the airports).
_POLICY_FIELDS = (
    "id", "a_name", "b_name", "a_country", "b_country", "is_domestic", "air_series",
    "flown_km", "rail_fastest_min", "rail_km_by_country", "rail_missing_main", "night_train",
)  # fmt: skip


def policy_pairs(
    method: str, year: int, *, country: str = "", domestic_only: bool = False
) -> list[PolicyPair]:
    """Every pair with air passengers in ``year`` (not a pair's own latest year: a route
    flown until 2016 has none in 2019) and its CO2 under ``method``; with ``country``, only
    the pairs with an end in it, and with ``domestic_only`` too, only those with both ends in
    it (the simulator's scopes are within those: its rule still applies them)."""
    factors = method_factors(method)
    pairs = []
    rows = CityPair.objects.filter(air_passengers__gt=0).only(*_POLICY_FIELDS)
    if country and domestic_only:
        rows = rows.filter(a_country=country, b_country=country)
    elif country:
        rows = rows.filter(Q(a_country=country) | Q(b_country=country))
    for pair in rows:
        passengers = int(pair.air_series.get(str(year), 0))
        if passengers <= 0:
            continue
        figures = pair_co2(pair, factors)
        pairs.append(
            PolicyPair(
                pair_id=pair.pk,
                label=pair.label,
                countries=(pair.a_country, pair.b_country),
                rail_fastest_min=pair.rail_fastest_min,
                has_night_train=pair.night_train,
                passengers=passengers,
                air_kg=figures.air_kg,
                rail_kg=figures.rail_kg,
                rail_upper_bound=pair.rail_is_upper_bound,
            )
        )
    return pairs


def run_policy(rule: PolicyRule, *, method: str, year: int | None = None) -> PolicyResult:
    """The simulator on the stored pairs, with the passengers of ``year`` (default: the
    latest year of the air data)."""
    year = policy_year() if year is None else year
    pairs = (
        policy_pairs(method, year, country=rule.country, domestic_only=rule.domestic_only)
        if year is not None
        else []
    )
    return simulate_policy(pairs, rule)


POLICY_ASSUMPTIONS = (
    _(
        "Passagers touchés : les passagers aériens de la dernière année publiée par Eurostat "
        "(2019) et de cette année seulement (une liaison arrêtée avant n'en a aucun), sommés "
        "sur les aéroports de chaque ville ; quand les deux aéroports déclarent la liaison, la "
        "moyenne des deux déclarations."
    ),
    _(
        "Temps de train : le trajet le plus rapide de la journée de référence dans l'entrepôt "
        "(recherche de l'arrivée au plus tôt, avec correspondances). Quand un pays de la "
        "liaison n'a pas d'horaire grandes lignes actuel dans l'entrepôt (la France n'a aucun "
        "horaire TGV), ce temps est une borne haute : il décide sous le seuil, pas au-dessus. "
        "Les liaisons sans temps de train ou au-dessus du seuil avec une borne haute ne sont "
        "pas jugées : elles sont comptées à part, jamais touchées."
    ),
    _(
        "CO2 évité : chaque passager touché prend le train au lieu de l'avion, une fois, aux "
        "facteurs de la méthode choisie ; aucun passager ne renonce au voyage ni ne prend la "
        "voiture."
    ),
)


def policy_answer(
    *,
    threshold_min: int | None = None,
    night_train: bool = False,
    scope: str = "domestic",
    country: str = "FR",
    method: str = "ademe",
) -> dict:
    """The simulator for the API and the page; UnprocessableInput when the rule is empty."""
    if threshold_min is None and not night_train:
        raise UnprocessableInput(
            {"threshold_min": [str(_("Indiquez un seuil en minutes ou l'option train de nuit."))]}
        )
    rule = PolicyRule(
        threshold_min=threshold_min,
        night_train=night_train,
        domestic_only=scope == "domestic",
        country=country.upper(),
    )
    key = (
        "atlas:policy:"
        + hashlib.sha256(f"{atlas_version()}|{rule!r}|{method}".encode()).hexdigest()
    )
    result = cache.get(key)
    if result is None:
        year = policy_year()
        result = (year, run_policy(rule, method=method, year=year))
        cache.set(key, result, 3600)
    year, result = result
    return {
        "method": method,
        "method_label": str(METHODS[method]),
        "threshold_min": threshold_min,
        "night_train": night_train,
        "scope": scope,
        "country": country.upper(),
        "pairs": result.pairs,
        "passengers": result.passengers,
        "co2_avoided_t": result.co2_avoided_t,
        "pairs_without_co2": result.pairs_without_co2,
        "year": year,
        "not_judged": result.not_judged,
        "not_judged_passengers": result.not_judged_passengers,
        "assumptions": [str(text) for text in POLICY_ASSUMPTIONS],
    }


def source_titles() -> dict[str, str]:
    """Timetable source name -> its title, for saying where a rail time comes from."""
    return dict(DataSource.objects.values_list("name", "title"))


def co2_all_methods(pair: CityPair) -> list[co2_rules.Co2Figures]:
    """The pair's CO2 under every method, in the order of :data:`METHODS`."""
    return [pair_co2(pair, method_factors(method)) for method in METHODS]


VERSION_KEY = "atlas:version"


def atlas_version() -> int:
    """The version of what the pages show: bumped by a recomputation and a factor edit, so
    cached tables are never read after a change."""
    return int(cache.get_or_set(VERSION_KEY, lambda: int(time.time() * 1000), None))


def bump_atlas_version() -> None:
    """Outdate every cached atlas answer."""
    cache.set(VERSION_KEY, int(time.time() * 1000) + 1, None)
