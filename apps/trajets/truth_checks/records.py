"""Source records of a raw GTFS feed, resolved independently of the ETL.

A trip becomes one or more records: ``TRIP`` (one train), ``TRIP#k`` (part *k* of a trip
calling twice at a station, cut at its turn), ``TRIP@HHMM`` (one departure of a
frequencies.txt trip), ``EVENING+MORNING`` (a gtfs.de train rejoined across midnight, on the
evening trip's dates). :class:`Resolver` maps the warehouse's record ids to them and gives
each record's local departure dates at its origin and the stops a trajet must hold for it.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass, replace
from functools import lru_cache

from .raw_gtfs import DAY_S, RawFeed, RawStopTime
from .stored import format_dates

__all__ = ["Key", "Resolver", "StopRow", "origin_dates"]

# A record's key: (("trip", trip_id, departure_s or None) | ("join", evening, morning), part)
# where part 0 means the whole trip.
Base = tuple[str, str, object]
Key = tuple[Base, int]


# A stop as compared: (station, (arrival, day offset) | None, (departure, day offset) | None,
# (pickup type, drop-off type) | None when not compared).
StopRow = tuple[int, tuple[dt.time, int] | None, tuple[dt.time, int] | None, tuple | None]


@dataclass(frozen=True, slots=True)
class _Call:
    station: int | None
    stop_id: str
    arrival_s: int | None
    departure_s: int | None
    rules: tuple[int, int] | None = (0, 0)

    @property
    def first_s(self) -> int:
        value = self.departure_s if self.departure_s is not None else self.arrival_s
        return value or 0

    def later(self, seconds: int) -> _Call:
        """The same call ``seconds`` later."""
        return replace(
            self,
            arrival_s=None if self.arrival_s is None else self.arrival_s + seconds,
            departure_s=None if self.departure_s is None else self.departure_s + seconds,
        )


@lru_cache(maxsize=256)
def _zone(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name)


def origin_dates(
    service_days: frozenset[int], first_s: int, agency_zone: str, origin_zone: str
) -> frozenset[int]:
    """Local departure dates at the origin (ordinals) of a trip leaving ``first_s`` seconds
    after each service day's midnight in ``agency_zone``, its origin being in
    ``origin_zone``."""
    extra, clock = divmod(first_s, DAY_S)
    if not origin_zone or origin_zone == agency_zone:
        return frozenset(day + extra for day in service_days)
    source, target = _zone(agency_zone), _zone(origin_zone)
    moved = set()
    for day in service_days:
        local = dt.datetime.combine(dt.date.fromordinal(day + extra), dt.time()) + dt.timedelta(
            seconds=clock
        )
        moved.add(local.replace(tzinfo=source).astimezone(target).date().toordinal())
    return frozenset(moved)


def _merged(calls: list[_Call]) -> list[_Call]:
    """Consecutive calls at one station as one call (arrival of the first, departure of the
    last); calls are left alone when a stop has no station."""
    if any(call.station is None for call in calls):
        return calls
    merged: list[_Call] = []
    for call in calls:
        if merged and merged[-1].station == call.station:
            previous = merged[-1]
            # The boarding rules of a merged call are the ETL's choice: not compared.
            merged[-1] = _Call(
                previous.station,
                previous.stop_id,
                previous.arrival_s,
                call.departure_s if call.departure_s is not None else call.arrival_s,
                None,
            )
        else:
            merged.append(call)
    return merged


def _parts(calls: list[_Call]) -> list[list[_Call]]:
    """The trip cut at each turn: a part ends at the stop before a station already called at
    in that part, and the next part starts there."""
    if any(call.station is None for call in calls):
        return [calls]
    parts = [[calls[0]]]
    seen = {calls[0].station}
    for call in calls[1:]:
        if call.station in seen:
            turn = parts[-1][-1]
            parts.append([turn])
            seen = {turn.station}
        parts[-1].append(call)
        seen.add(call.station)
    return parts


class Resolver:
    """Source records of a raw feed: their calls and dates, and how ids map to them.

    ``stations`` maps the feed's station ids (parents) to the warehouse station and its zone.
    """

    def __init__(self, feed: RawFeed, stations: dict[str, tuple[int, str]]) -> None:
        self.feed = feed
        self.stations = stations
        self.zones = dict(stations.values())
        self.notes: list[str] = []

    def calls(self, trip_id: str) -> list[_Call]:
        return [self._call(stop) for stop in self.feed.stop_times.get(trip_id, [])]

    def _call(self, stop: RawStopTime) -> _Call:
        known = self.stations.get(self.feed.parent_of.get(stop.stop_id, stop.stop_id))
        rules = (_rule(stop.pickup_type), _rule(stop.drop_off_type))
        return _Call(
            known[0] if known else None,
            stop.stop_id,
            stop.arrival_s,
            stop.departure_s,
            None if -1 in rules else rules,
        )

    def departures(self, trip_id: str) -> list[int | None]:
        windows = self.feed.frequencies.get(trip_id)
        if not windows:
            return [None]
        return [start for begin, end, step in windows for start in range(begin, end, step)]

    def base_calls(self, base: Base) -> list[_Call]:
        kind, first, second = base
        if kind == "join":
            tail = [call.later(DAY_S) for call in self.calls(str(second))]
            return _merged(self.calls(first) + tail)
        calls = _merged(self.calls(first))
        if second is None or not calls:
            return calls
        shift = int(second) - calls[0].first_s  # type: ignore[call-overload]
        return [call.later(shift) for call in calls]

    def expected_keys(self) -> dict[Key, str]:
        """Every record the raw trips give, keyed, with the trip it comes from."""
        keys: dict[Key, str] = {}
        for trip_id in self.feed.trips:
            for departure in self.departures(trip_id):
                base: Base = ("trip", trip_id, departure)
                calls = self.base_calls(base)
                count = len(_parts(calls)) if len(calls) > 1 else 1
                for part in range(1, count + 1) if count > 1 else (0,):
                    keys[(base, part)] = trip_id
        return keys

    def parse(self, record_id: str) -> Key | None:
        """The key of a record id of the warehouse, or None when no raw trip gives it."""
        base = self._parse_base(record_id)
        if base is not None:
            return (base, 0)
        found = re.fullmatch(r"(.+)#(\d+)", record_id)
        if found:
            base = self._parse_base(found[1])
            if base is not None:
                return (base, int(found[2]))
        return None

    def _parse_base(self, record_id: str) -> Base | None:
        trips = self.feed.trips
        if record_id in trips:
            return ("trip", record_id, None) if record_id not in self.feed.frequencies else None
        found = re.fullmatch(r"(.+)@(\d{4})", record_id)
        if found and found[1] in self.feed.frequencies:
            departure = self._departure(found[1], found[2])
            if departure is not None:
                return ("trip", found[1], departure)
        for position, char in enumerate(record_id):
            if char == "+":
                evening, morning = record_id[:position], record_id[position + 1 :]
                if evening in trips and morning in trips:
                    return ("join", evening, morning)
        return None

    def _departure(self, trip_id: str, text: str) -> int | None:
        """The departure ``HHMM`` names (or, failing that, minutes after midnight)."""
        departures = self.departures(trip_id)
        hours, minutes = int(text[:2]), int(text[2:])
        if minutes < 60 and hours * 3600 + minutes * 60 in departures:
            return hours * 3600 + minutes * 60
        if int(text) * 60 in departures:
            self.notes.append(
                f"frequency record {trip_id}@{text} names its departure in minutes after "
                f"midnight ({int(text) // 60:02d}:{int(text) % 60:02d}), not HHMM"
            )
            return int(text) * 60
        return None

    def _part(self, key: Key) -> tuple[list[_Call], list[str]]:
        """The calls of a record (the part of its trip it names), and notes on it."""
        base, part = key
        calls = self.base_calls(base)
        if not calls:
            return [], ["the trip has no stop_times"]
        parts = _parts(calls)
        if part == 0 and len(parts) > 1:
            return calls, [f"kept whole although it calls {len(parts) - 1} time(s) again"]
        if part > len(parts):
            return [], [f"the trip has {len(parts)} part(s), not {part}"]
        return (parts[part - 1] if part else calls), []

    def record_dates(self, key: Key) -> tuple[frozenset[int], list[str]]:
        """The record's local departure dates at its origin, and notes on it."""
        base = key[0]
        chosen, notes = self._part(key)
        if not chosen:
            return frozenset(), notes
        dates_trip = self.feed.trips[base[1]]
        origin = chosen[0]
        agency_zone = self.feed.zone_of(dates_trip)
        origin_zone = agency_zone
        if origin.station is None:
            notes.append(f"origin stop {origin.stop_id!r} has no warehouse station")
        else:
            origin_zone = self.zones[origin.station]
        service = self.feed.service_dates.get(dates_trip.service_id, frozenset())
        if base[0] == "join":
            morning = self.feed.trips[str(base[2])]
            morning_days = self.feed.service_dates.get(morning.service_id, frozenset())
            if morning_days != frozenset(day + 1 for day in service):
                notes.append(
                    f"morning half {morning.trip_id} runs on other days than the evening "
                    f"half's next days (only morning: "
                    f"{format_dates(morning_days - {d + 1 for d in service}, 5)}; missing: "
                    f"{format_dates({d + 1 for d in service} - morning_days, 5)})"
                )
        return origin_dates(service, origin.first_s, agency_zone, origin_zone), notes

    def record_stops(self, key: Key) -> list[tuple[int, bool, list[StopRow]]]:
        """The stops the warehouse must hold for a record, with the service day they were
        computed on and whether a daylight-saving change falls within that day's run:
        local times at each station, day offsets from the local departure date at the
        origin. A record calling in other zones than its agency's gets one version per set
        of UTC offsets of its zones (the first is the one stored: its first service day's);
        an empty list when a station is unknown."""
        chosen, _notes = self._part(key)
        trip = self.feed.trips[key[0][1]]
        zone = self.feed.zone_of(trip)
        if not chosen or any(call.station is None for call in chosen):
            return []
        service = self.feed.service_dates.get(trip.service_id, frozenset())
        zones = frozenset(self.zones[call.station] for call in chosen) | {zone}  # type: ignore[index]
        if len(zones) == 1:
            return [(min(service, default=1), False, self._stops_on(chosen, zone, None))]
        if not service:
            return []
        first_s = chosen[0].first_s
        last_s = max(
            value
            for call in chosen
            for value in (call.arrival_s, call.departure_s)
            if value is not None
        )
        seasons: dict[tuple, int] = {}
        for day in sorted(service):
            seasons.setdefault(_offsets(zones, zone, day, first_s, last_s), day)
        return [
            (day, _has_change(offsets), self._stops_on(chosen, zone, day))
            for offsets, day in seasons.items()
        ]

    def _stops_on(self, chosen: list[_Call], zone: str, day: int | None) -> list[StopRow]:
        """The stops of ``chosen`` on service day ``day`` (None: every stop in ``zone``)."""
        start = dt.date.fromordinal(day) if day is not None else dt.date.min

        def local(seconds: int, station: int) -> tuple[dt.date, dt.time]:
            if day is None:
                days, rest = divmod(seconds, DAY_S)
                return start + dt.timedelta(days=days), _time(rest)
            # Wall-clock arithmetic in the agency zone, then read in the station's zone.
            wall = dt.datetime.combine(start, dt.time()) + dt.timedelta(seconds=seconds)
            moved = wall.replace(tzinfo=_zone(zone)).astimezone(_zone(self.zones[station]))
            return moved.date(), moved.time().replace(tzinfo=None)

        origin_date = local(chosen[0].first_s, chosen[0].station)[0]  # type: ignore[arg-type]
        last = len(chosen) - 1
        stops: list[StopRow] = []
        for position, call in enumerate(chosen):
            arrival, departure = call.arrival_s, call.departure_s
            if position == 0:
                arrival, departure = None, departure if departure is not None else arrival
            if position == last:
                arrival, departure = arrival if arrival is not None else departure, None
            times = []
            for seconds in (arrival, departure):
                if seconds is None:
                    times.append(None)
                    continue
                date, clock = local(seconds, call.station)  # type: ignore[arg-type]
                times.append((clock, (date - origin_date).days))
            stops.append((call.station, times[0], times[1], call.rules))  # type: ignore[arg-type]
        return stops


def _has_change(offsets: tuple) -> bool:
    """Whether a zone's offset changes between the two instants of an ``_offsets`` tuple."""
    return any(offsets[i] != offsets[i + 1] for i in range(0, len(offsets), 2))


@lru_cache(maxsize=65_536)
def _offsets(zones: frozenset[str], zone: str, day: int, first_s: int, last_s: int) -> tuple:
    """The UTC offset of each of ``zones`` at the first departure and at the last arrival of
    a run on service day ``day`` (times in ``zone``): runs with equal offsets have equal local
    times, and a run whose offsets change crosses a daylight-saving change."""
    start = dt.datetime.combine(dt.date.fromordinal(day), dt.time())
    instants = [
        (start + dt.timedelta(seconds=seconds)).replace(tzinfo=_zone(zone))
        for seconds in (first_s, last_s)
    ]
    return tuple(
        instant.astimezone(_zone(name)).utcoffset()
        for name in sorted(zones)
        for instant in instants
    )


def _rule(text: str) -> int:
    return int(text) if text in ("0", "1", "2", "3") else -1


def _time(seconds: int) -> dt.time:
    return dt.time(seconds // 3600, seconds % 3600 // 60, seconds % 60)
