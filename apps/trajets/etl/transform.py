"""Turn an extracted service plus its resolved stations into one harmonised trajet."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import NamedTuple

from apps.places.services import great_circle_km

from .errors import ExtractError
from .harmonise.classify import Classification, classify_service
from .harmonise.co2 import DEFAULT_FACTORS, EmissionFactor, estimate_rail_co2
from .harmonise.times import (
    ResolvedStop,
    check_order,
    clock_or_none,
    duration_between,
    resolve_times,
)
from .records import CalendarRecord, RejectCode, RejectRecord, ServiceRecord, StopTimeRecord

__all__ = [
    "FALLBACK_REFERENCE_DATE",
    "HarmonisedService",
    "HarmonisedStop",
    "StationInfo",
    "harmonise_service",
    "line_geometry",
    "split_at_turns",
    "stop_geometry",
]

# The content hash of a trajet covers what its source says and the stations it calls at, not
# what is derived from the stations (distances, countries, local times): those follow the
# stations through apps.trajets.rederive, and a reload then finds the trajet unchanged. Change
# this version when a harmonisation rule changes, so that the next load rewrites every trajet.
HARMONISATION_VERSION = "2026-12-06.5"

# Stop chains understate line length: the median ratio of the published distance to the sum
# of great circles between stops, over the 362 trips of the Back-on-Track night-train
# database (2025-08-03) that give one and run 50 km or more, is 1.24 (quartiles 1.19-1.34).
# Distances computed from stops are multiplied by it (see docs/data.md).
DETOUR_FACTOR = 1.24
# A source's own distance is kept when it lies within these ratios of the stop chain;
# outside, its stops or its distance are wrong and the stop chain is used.
SOURCE_DISTANCE_RATIOS = (0.9, 2.0)
# Implausible times are rejected: a dwell longer than this, more than MAX_HOP_S between two
# consecutive stops (a stop listed out of order makes a clock-time source wrap a day: Fastiv
# 11:04 between Kyiv 22:14 and Vinnytsia 01:22 gave UZ 073 a 47 h run), or a speed above
# MAX_SPEED_KMH over more than MIN_SPEED_CHECK_KM between two stops.
MAX_DWELL_S = 6 * 3600
MAX_HOP_S = 10 * 3600
MAX_SPEED_KMH = 500.0
MIN_SPEED_CHECK_KM = 20.0

# Used when a service has no running date at all (never happens in valid feeds): a winter
# weekday keeps DST out of the computed duration.
FALLBACK_REFERENCE_DATE = dt.date(2025, 1, 15)


class StationInfo(NamedTuple):
    """What the transform needs of a stored station.

    A named tuple: services' station tuples key the per-pattern caches, and tuples hash in C.
    """

    key: int
    latitude: float | None
    longitude: float | None
    country: str | None
    time_zone: str


@dataclass(frozen=True, slots=True)
class HarmonisedStop:
    """One stop in local time of its station, with day offsets from the departure day."""

    station_key: int
    sequence: int
    arrival: dt.time | None
    arrival_day_offset: int
    departure: dt.time | None
    departure_day_offset: int
    distance_from_origin_km: float | None
    pickup_type: int = 0
    drop_off_type: int = 0


@dataclass(frozen=True, slots=True)
class HarmonisedService:
    """A trajet ready to store, with a content hash for unchanged detection.

    ``member_ids`` are the source records folded into it (empty: only ``source_id``).
    """

    source_id: str
    train_number: str
    category: str
    kind: str
    kind_reason: str
    origin_key: int
    destination_key: int
    departure_time: dt.time
    arrival_time: dt.time
    arrival_day_offset: int
    duration_min: int
    distance_km: float
    co2_rail_kg: float
    co2_factors: str
    countries: tuple[str, ...]
    distance_method: str
    calendar: CalendarRecord
    days: frozenset[int]
    stops: tuple[HarmonisedStop, ...]
    content_hash: str
    reference_date: dt.date | None = None
    stop_copy_lines: tuple[str, ...] = ()
    member_ids: tuple[str, ...] = ()
    mode: str = "rail"

    def stop_copy_text(self, trajet_id: int) -> str:
        """The stops as PostgreSQL COPY text lines of the Stop columns (trajet first)."""
        return "".join(f"{trajet_id}\t{line}\n" for line in self.stop_copy_lines)


@lru_cache(maxsize=16_384)
def _calendar_text(calendar: CalendarRecord) -> str:
    return (
        f"{calendar.valid_from}/{calendar.valid_to}/{calendar.weekdays}/"
        f"{','.join(map(str, calendar.added))}/{','.join(map(str, calendar.removed))}"
    )


def _hash(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


@dataclass(frozen=True, slots=True)
class _Timing:
    """The harmonised stops of a service and their COPY text (built once per timed stop
    pattern, not once per trip)."""

    stops: tuple[HarmonisedStop, ...]
    copy_lines: tuple[str, ...]


def _timing(
    resolved: Sequence[ResolvedStop],
    infos: tuple[StationInfo, ...],
    rules: tuple[tuple[int, int], ...],
    cumulative: tuple[float | None, ...],
) -> _Timing:
    last_position = len(infos) - 1
    stops = tuple(
        _harmonised_stop(
            position, info.key, last_position, cumulative[position], rule,
            stop.arrival, stop.arrival_day_offset, stop.departure, stop.departure_day_offset,
        )
        for position, (info, stop, rule) in enumerate(zip(infos, resolved, rules, strict=True))
    )  # fmt: skip
    return _Timing(stops, _copy_lines(stops))


def _copy_lines(stops: tuple[HarmonisedStop, ...]) -> tuple[str, ...]:
    """The Stop columns after ``trajet`` in COPY text format, one line per stop (``str`` of
    each value, ``\\N`` for None; no value holds a character COPY escapes)."""
    return tuple(
        f"{s.sequence}\t{s.station_key}\t{_NULL if s.arrival is None else s.arrival}\t"
        f"{min(s.arrival_day_offset, 7)}\t{_NULL if s.departure is None else s.departure}\t"
        f"{min(s.departure_day_offset, 7)}\t"
        f"{_NULL if s.distance_from_origin_km is None else s.distance_from_origin_km}\t"
        f"{s.pickup_type}\t{s.drop_off_type}"
        for s in stops
    )


_NULL = r"\N"


def _elapsed(stops: Sequence[ResolvedStop]) -> tuple[tuple[int | None, int | None], ...]:
    """Seconds from the first departure to each stop's arrival and departure."""
    start = stops[0].departure_utc or stops[0].arrival_utc
    assert start is not None

    def since(instant: dt.datetime | None) -> int | None:
        return None if instant is None else int((instant - start).total_seconds())

    return tuple((since(stop.arrival_utc), since(stop.departure_utc)) for stop in stops)


def _shifted_timing(timing: _Timing, days: int, infos: tuple[StationInfo, ...]) -> _Timing:
    """The same stops with every day offset ``days`` later (the departure day moved back)."""
    stops = tuple(
        replace(
            stop,
            arrival_day_offset=stop.arrival_day_offset + days if stop.arrival else 0,
            departure_day_offset=stop.departure_day_offset + days if stop.departure else 0,
        )
        for stop in timing.stops
    )
    return _Timing(stops, _copy_lines(stops))


@lru_cache(maxsize=20_000)
def _one_zone_timing(
    times: tuple[tuple[int | None, int | None], ...],
    infos: tuple[StationInfo, ...],
    zone: str,
    rules: tuple[tuple[int, int], ...],
    cumulative: tuple[float | None, ...],
) -> _Timing:
    """Stops of a service whose times and stations are all in one zone.

    Local clock times then do not depend on the running date (nor on ``zone``, part of the
    key only), so feeds that repeat the same timed pattern under many calendars (Renfe:
    14,141 trips, 1,579 patterns) compute it once; and no instant is computed at all. One
    loop builds each stop and its COPY line (as :func:`_timing` and :func:`_copy_lines`).
    """
    check_order(times)
    last_position = len(times) - 1
    stops: list[HarmonisedStop] = []
    lines: list[str] = []
    for position, ((arrival_s, departure_s), info, (pickup, drop_off), km) in enumerate(
        zip(times, infos, rules, cumulative, strict=True)
    ):
        arrival, arrival_offset, departure, departure_offset = _end_times(
            position, last_position, *clock_or_none(arrival_s), *clock_or_none(departure_s)
        )
        if km is not None:
            km = round(km, 3)
        stops.append(
            HarmonisedStop(
                info.key, position, arrival, arrival_offset, departure, departure_offset, km,
                pickup, drop_off,
            )
        )  # fmt: skip
        lines.append(
            f"{position}\t{info.key}\t{_NULL if arrival is None else arrival}\t"
            f"{min(arrival_offset, 7)}\t{_NULL if departure is None else departure}\t"
            f"{min(departure_offset, 7)}\t{_NULL if km is None else km}\t{pickup}\t{drop_off}"
        )
    return _Timing(tuple(stops), tuple(lines))


def _end_times(
    position: int,
    last_position: int,
    arrival: dt.time | None,
    arrival_offset: int,
    departure: dt.time | None,
    departure_offset: int,
) -> tuple[dt.time | None, int, dt.time | None, int]:
    """The origin keeps only a departure and the destination only an arrival (taking the
    other time when the source gave only that one)."""
    if position == 0:
        if departure is None:
            departure, departure_offset = arrival, arrival_offset
        arrival, arrival_offset = None, 0
    if position == last_position:
        if arrival is None:
            arrival, arrival_offset = departure, departure_offset
        departure, departure_offset = None, 0
    return arrival, arrival_offset, departure, departure_offset


def _harmonised_stop(
    position: int,
    key: int,
    last_position: int,
    km: float | None,
    rule: tuple[int, int],
    arrival: dt.time | None,
    arrival_offset: int,
    departure: dt.time | None,
    departure_offset: int,
) -> HarmonisedStop:
    """A stop as stored (see :func:`_end_times`)."""
    arrival, arrival_offset, departure, departure_offset = _end_times(
        position, last_position, arrival, arrival_offset, departure, departure_offset
    )
    return HarmonisedStop(
        station_key=key,
        sequence=position,
        arrival=arrival,
        arrival_day_offset=arrival_offset,
        departure=departure,
        departure_day_offset=departure_offset,
        distance_from_origin_km=None if km is None else round(km, 3),
        pickup_type=rule[0],
        drop_off_type=rule[1],
    )


@lru_cache(maxsize=16_384)
def _short_calendar(calendar: CalendarRecord) -> tuple[frozenset[int], CalendarRecord]:
    """The running days of ``calendar`` (ordinals) and their short exact form (trips of a feed
    share a few hundred to a few thousand calendars: SNCF TER 4,474)."""
    days = calendar.day_numbers()
    return days, CalendarRecord.of_days(days, label=calendar.label)


@lru_cache(maxsize=65_536)
def _duration(start_s: int, end_s: int, zone: str, reference: dt.date) -> int:
    """Cached :func:`duration_between` (trains share times and first running dates)."""
    return duration_between(start_s, end_s, zone, reference)


def _first_running_date(calendar: CalendarRecord) -> dt.date | None:
    """``calendar.first_running_date()``, from the cached running days."""
    days = _short_calendar(calendar)[0]
    return dt.date.fromordinal(min(days)) if days else None


@lru_cache(maxsize=20_000)
def stop_geometry(
    infos: tuple[StationInfo, ...],
) -> tuple[tuple[tuple[float, str | None], ...], tuple[float | None, ...], float, float]:
    """Legs (km, country), cumulative km per stop, total km and origin-destination km.

    Cached: feeds repeat the same stopping pattern across thousands of trips.
    """
    legs: list[tuple[float, str | None]] = []
    cumulative: list[float | None] = [0.0]
    for a, b in itertools.pairwise(infos):
        previous = cumulative[-1]
        if a.latitude is None or b.latitude is None or a.longitude is None or b.longitude is None:
            cumulative.append(None)
            continue
        leg = great_circle_km(a.latitude, a.longitude, b.latitude, b.longitude)
        legs.append((leg, a.country))
        cumulative.append(None if previous is None else previous + leg)
    distance = sum(leg[0] for leg in legs)
    origin, destination = infos[0], infos[-1]
    direct = distance
    if None not in (origin.latitude, origin.longitude, destination.latitude, destination.longitude):
        direct = great_circle_km(
            origin.latitude,
            origin.longitude,
            destination.latitude,
            destination.longitude,  # type: ignore[arg-type]
        )
    return tuple(legs), tuple(cumulative), distance, direct


class LineGeometry(NamedTuple):
    """Distances of a service along its line: legs (km, country of the leg's start),
    cumulative km per stop, total km, origin-destination great circle, and where the
    distance comes from (``source`` or ``stops``, see DistanceMethod; "" when unknown)."""

    legs: tuple[tuple[float, str | None], ...]
    cumulative: tuple[float | None, ...]
    distance: float
    direct: float
    method: str


@lru_cache(maxsize=20_000)
def line_geometry(infos: tuple[StationInfo, ...], source_km: float | None) -> LineGeometry:
    """The source's own distance when it has a plausible one, spread over the legs in
    proportion; otherwise the stop chain times DETOUR_FACTOR."""
    legs, cumulative, chain, direct = stop_geometry(infos)
    low, high = SOURCE_DISTANCE_RATIOS
    if source_km and source_km > 0 and chain <= 0:
        return LineGeometry(
            ((source_km, infos[0].country),), (0.0,) + (None,) * (len(infos) - 1), source_km,
            direct or source_km, "source",
        )  # fmt: skip
    if chain <= 0:
        return LineGeometry((), cumulative, 0.0, direct, "")
    if source_km and low <= source_km / chain <= high:
        scale, method = source_km / chain, "source"
    else:
        scale, method = DETOUR_FACTOR, "stops"
    return LineGeometry(
        tuple((km * scale, country) for km, country in legs),
        tuple(None if km is None else km * scale for km in cumulative),
        chain * scale,
        direct,
        method,
    )


@lru_cache(maxsize=20_000)
def _implausible(
    elapsed: tuple[tuple[int | None, int | None], ...],
    infos: tuple[StationInfo, ...],
) -> str:
    """Why times (seconds from the first departure, per stop) cannot be a train's, or ""."""
    legs = stop_geometry(infos)[0]
    km_by_hop: list[float | None] = []
    position = 0
    for a, b in itertools.pairwise(infos):
        if None in (a.latitude, a.longitude, b.latitude, b.longitude):
            km_by_hop.append(None)
        else:
            km_by_hop.append(legs[position][0])
            position += 1
    for index, (arrival, departure) in enumerate(elapsed):
        if arrival is not None and departure is not None and departure - arrival > MAX_DWELL_S:
            return (
                f"implausible dwell of {_span(departure - arrival)} at stop {index + 1} "
                f"(more than {_span(MAX_DWELL_S)})"
            )
    for index, ((a_arr, a_dep), (b_arr, b_dep)) in enumerate(itertools.pairwise(elapsed)):
        start = a_dep if a_dep is not None else a_arr
        end = b_arr if b_arr is not None else b_dep
        if start is None or end is None:
            continue
        hop = end - start
        if hop >= MAX_HOP_S:
            return f"implausible run of {_span(hop)} from stop {index + 1} to stop {index + 2}"
        km = km_by_hop[index]
        if km is not None and km > MIN_SPEED_CHECK_KM and km / max(hop, 30) * 3600 > MAX_SPEED_KMH:
            return (
                f"implausible speed from stop {index + 1} to stop {index + 2}: {km:.0f} km "
                f"(straight line) in {_span(hop)}"
            )
    return ""


def _span(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    return f"{hours} h {rest // 60:02d} min"


@lru_cache(maxsize=20_000)
def _classify(
    category: str,
    night_hint: str,
    departure: dt.time,
    day_offset: int,
    duration_min: int,
    labels: tuple[str, ...],
    names: tuple[str, ...],
) -> Classification:
    """Cached :func:`classify_service` of a service departing at local clock ``departure``.

    The rule counts minutes of naive local time inside the night window, so it depends on
    the clock time and the duration, not on the date: the fixed date keeps the cache small.
    """
    departure_local = dt.datetime.combine(
        FALLBACK_REFERENCE_DATE + dt.timedelta(days=day_offset), departure
    )
    return classify_service(
        category=category,
        night_hint=night_hint,
        departure_local=departure_local,
        duration_min=duration_min,
        labels=labels,
        names=names,
    )


# Boarding rules from the most to the least permissive (a stop merged from two keeps the
# more permissive of their rules).
_RULE_RANK = {0: 0, 2: 1, 3: 2, 1: 3}


def split_at_turns(service: ServiceRecord, keys: Mapping[str, int]) -> list[ServiceRecord]:
    """The service as trains that never call twice at one station.

    Consecutive calls at one station (a border point and its station, two platforms of a
    station the identity step merged) become one call, arriving at the first and leaving at
    the last. A service that comes back to a station it called at (a loop, a return trip
    under one id) is cut at its turn, the stop before the repeat: ``A B C B A`` becomes
    ``A B C`` and ``C B A``, with ids ``id#1``, ``id#2``. ``keys`` maps the source's
    station ids to stations.
    """
    merged: list[StopTimeRecord] = []
    for stop in service.stops:
        previous = merged[-1] if merged else None
        if previous is not None and keys.get(previous.station_id) == keys.get(stop.station_id):
            merged[-1] = replace(
                previous,
                departure_s=stop.departure_s if stop.departure_s is not None else stop.arrival_s,
                pickup_type=min(previous.pickup_type, stop.pickup_type, key=_RULE_RANK.get),
                drop_off_type=min(previous.drop_off_type, stop.drop_off_type, key=_RULE_RANK.get),
            )
        else:
            merged.append(stop)
    parts: list[list[StopTimeRecord]] = [[merged[0]]]
    seen = {keys.get(merged[0].station_id)}
    for stop in merged[1:]:
        key = keys.get(stop.station_id)
        if key in seen:
            turn = parts[-1][-1]
            parts.append([turn])
            seen = {keys.get(turn.station_id)}
        parts[-1].append(stop)
        seen.add(key)
    if len(parts) == 1:
        if len(merged) == len(service.stops):
            return [service]
        return [replace(service, stops=tuple(merged))] if len(merged) > 1 else []
    return [
        replace(service, source_id=f"{service.source_id}#{number}", stops=tuple(part))
        for number, part in enumerate(parts, start=1)
    ]


def harmonise_service(
    service: ServiceRecord,
    stations: Mapping[str, StationInfo],
    *,
    operator_code: str,
    factors: Mapping[str, EmissionFactor] = DEFAULT_FACTORS,
) -> HarmonisedService | RejectRecord:
    """Resolve times, distance, day/night kind and CO2 of one service.

    ``stations`` maps the source's station ids to stored stations. A service calling at a
    station that is not known, or whose times cannot be ordered, is rejected with the reason.
    """
    missing = [s.station_id for s in service.stops if s.station_id not in stations]
    if missing:
        names = ", ".join(repr(m) for m in dict.fromkeys(missing))
        return RejectRecord(
            service.location,
            RejectCode.UNKNOWN_STATION,
            f"service {service.source_id!r}: unknown station(s) {names}",
        )
    # List comprehensions: tuple(generator) is slower, and this runs once per service.
    infos = tuple([stations[s.station_id] for s in service.stops])
    calendar = service.calendar or CalendarRecord(None, None, (False,) * 7)  # type: ignore[arg-type]
    first_date = _first_running_date(calendar)
    reference = first_date or FALLBACK_REFERENCE_DATE
    times = tuple([(s.arrival_s, s.departure_s) for s in service.stops])
    rules = tuple([(s.pickup_type, s.drop_off_type) for s in service.stops])
    zone = service.time_zone
    line = line_geometry(infos, service.source_distance_km)
    try:
        if service.has_day_offsets and zone and all(info.time_zone == zone for info in infos):
            timing = _one_zone_timing(times, infos, zone, rules, line.cumulative)
            start_s = times[0][1] if times[0][1] is not None else times[0][0]
            end_s = times[-1][0] if times[-1][0] is not None else times[-1][1]
            duration = _duration(start_s, end_s, zone, reference)  # type: ignore[arg-type]
            origin_s = start_s or 0
            elapsed = tuple(
                [
                    (None if a is None else a - origin_s, None if d is None else d - origin_s)
                    for a, d in times
                ]
            )
        else:
            resolved = resolve_times(
                times,
                [info.time_zone for info in infos],
                reference_date=reference,
                time_zone=zone,
                has_day_offsets=service.has_day_offsets,
            )
            timing = _timing(resolved.stops, infos, rules, line.cumulative)
            duration = resolved.duration_min
            elapsed = _elapsed(resolved.stops)
    except ExtractError as exc:
        return RejectRecord(service.location, exc.code, f"service {service.source_id!r}: {exc}")
    problem = _implausible(elapsed, infos)
    if problem:
        return RejectRecord(
            service.location,
            RejectCode.IMPLAUSIBLE_TIME,
            f"service {service.source_id!r}: {problem}",
        )
    origin_offset = timing.stops[0].departure_day_offset
    if origin_offset:
        # The train leaves its origin on another local day than the service day: the first
        # stop lies west of the feed's zone and the train leaves before midnight there
        # (Nyirábrány, Hungary, 23:24 local for a Romanian 00:24 departure), or the service
        # day's train leaves after midnight (GTFS 24:30). Dates are the origin's local
        # departure dates, so the calendar moves with it.
        timing = _shifted_timing(timing, -origin_offset, infos)
        calendar = calendar.shifted(origin_offset)
        first_date = _first_running_date(calendar)
    days, calendar = _short_calendar(calendar)
    if not days:
        return RejectRecord(
            service.location,
            RejectCode.INVALID_CALENDAR,
            f"service {service.source_id!r}: calendar has no running date",
        )
    stops = timing.stops
    departure, arrival = stops[0].departure, stops[-1].arrival
    if departure is None or arrival is None or duration <= 0:
        return RejectRecord(
            service.location,
            RejectCode.INVALID_TIME,
            f"service {service.source_id!r}: duration {duration} min is not positive",
        )
    co2 = estimate_rail_co2(legs=line.legs, factors=factors)
    classification = _classify(
        service.category, service.night_hint, departure, stops[0].departure_day_offset,
        duration, (service.train_number, *service.labels), (service.route_name,),
    )  # fmt: skip
    countries = tuple(dict.fromkeys(info.country for info in infos if info.country))
    factors_used = ",".join(co2.rail_factor_keys)
    content = "|".join(
        (
            HARMONISATION_VERSION, operator_code, service.train_number, service.category,
            service.mode, service.route_name, service.night_hint, "/".join(service.labels),
            _calendar_text(calendar),
            str(service.time_zone), str(service.has_day_offsets), str(service.source_distance_km),
            ",".join(
                f"{info.key}:{stop.arrival_s}:{stop.departure_s}:{stop.pickup_type}"
                f"{stop.drop_off_type}"
                for info, stop in zip(infos, service.stops, strict=True)
            ),
        )
    )  # fmt: skip
    return HarmonisedService(
        source_id=service.source_id,
        train_number=service.train_number,
        category=service.category,
        kind=classification.kind,
        kind_reason=classification.reason,
        origin_key=infos[0].key,
        destination_key=infos[-1].key,
        departure_time=departure,
        arrival_time=arrival,
        arrival_day_offset=stops[-1].arrival_day_offset,
        duration_min=duration,
        distance_km=round(line.distance, 3),
        distance_method=line.method,
        co2_rail_kg=co2.rail_kg,
        co2_factors=factors_used,
        countries=countries,
        calendar=calendar,
        days=days,
        stops=stops,
        content_hash=_hash(content),
        reference_date=first_date,
        stop_copy_lines=timing.copy_lines,
        mode=service.mode,
    )
