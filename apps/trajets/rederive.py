"""Re-derive what a trajet computes from its stations after the stations changed.

When station identity is repaired (stops moved to the right station, a country or a time zone
corrected), each trajet concerned gets again, from its stored stops and its stations:

- its local times, when a stop's zone changed: timetables that publish instants (GTFS, times in
  the feed's zone) keep the instant and change the clock time; sources that publish each stop's
  own clock time (the night-train database, European Sleeper) keep the clock time, and the
  duration changes instead;
- its distances (the source's own, or the stop chain times the detour factor, per the
  ETL), rail CO2 (rail factor of the country each leg starts in) and flight equivalent (the
  stored flight between its end stations' towns, :mod:`apps.trajets.flight_equivalents`);
- its countries (origin, destination, every country served) and its stops summary.

Everything else (calendar, day/night kind, train number) does not depend on stations.
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Mapping
from itertools import islice

from apps.trajets.etl.errors import ExtractError
from apps.trajets.etl.harmonise.co2 import estimate_rail_co2
from apps.trajets.etl.harmonise.times import resolve_times
from apps.trajets.etl.load_trajets import emission_factors
from apps.trajets.etl.records import CalendarRecord
from apps.trajets.etl.transform import FALLBACK_REFERENCE_DATE, StationInfo, line_geometry
from apps.trajets.etl.writer import BulkWriter
from apps.trajets.flight_equivalents import apply_flight_equivalents
from apps.trajets.models import (
    CalendarException,
    Station,
    Stop,
    Trajet,
    TrajetCountry,
)
from apps.trajets.stop_summaries import refresh_stop_summaries

__all__ = ["CLOCK_TIME_FORMATS", "rederive_trajets"]

logger = logging.getLogger(__name__)

# Source formats whose stop times are each stop's own clock time (not instants in one zone).
CLOCK_TIME_FORMATS = frozenset({"json", "html"})
_CHUNK = 500
_TRAJET_COLUMNS = (
    "id", "origin_country", "destination_country", "departure_time", "arrival_time",
    "arrival_day_offset", "duration_min", "distance_km", "distance_method", "co2_rail_kg",
    "rail_emission_factor_id",
)  # fmt: skip
_STOP_COLUMNS = (
    "id", "arrival_time", "arrival_day_offset", "departure_time", "departure_day_offset",
    "distance_from_origin_km",
)  # fmt: skip


def rederive_trajets(trajet_ids: Iterable[int], former_zones: Mapping[int, str]) -> int:
    """Re-derive ``trajet_ids`` from their current stations; return how many were written.

    ``former_zones`` gives, for stops whose station or station zone changed, the zone their
    stored times were written in (by stop id).
    """
    ids = sorted(set(trajet_ids))
    if not ids:
        return 0
    factors, factor_ids = emission_factors()
    writer = BulkWriter()
    written = 0
    iterator = iter(ids)
    while chunk := list(islice(iterator, _CHUNK)):
        trajet_rows, stop_rows, countries = _rederive_chunk(
            chunk, former_zones, factors, factor_ids
        )
        writer.update(Trajet._meta.db_table, _db_columns(Trajet, _TRAJET_COLUMNS), trajet_rows)
        writer.update(Stop._meta.db_table, _db_columns(Stop, _STOP_COLUMNS), stop_rows)
        TrajetCountry.objects.filter(trajet_id__in=chunk).delete()
        TrajetCountry.objects.bulk_create(
            [TrajetCountry(trajet_id=pk, country=c) for pk, cs in countries.items() for c in cs],
            batch_size=5000,
        )
        written += len(trajet_rows)
    refresh_stop_summaries(ids)
    apply_flight_equivalents(ids)
    return written


def _db_columns(model: type, names: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(model._meta.get_field(name.removesuffix("_id")).column for name in names)


def _rederive_chunk(
    chunk: list[int],
    former_zones: Mapping[int, str],
    factors: Mapping,
    factor_ids: Mapping[str, int],
) -> tuple[list[tuple], list[tuple], dict[int, list[str]]]:
    trajets = {
        row["id"]: row
        for row in Trajet.objects.filter(pk__in=chunk).values(
            "id", "source__format", "valid_from", "valid_to", *Trajet.WEEKDAY_FIELDS,
            "departure_time", "arrival_time", "arrival_day_offset", "duration_min",
            "distance_km", "distance_method",
        )
    }  # fmt: skip
    stops: dict[int, list[dict]] = defaultdict(list)
    for row in (
        Stop.objects.filter(trajet_id__in=chunk)
        .order_by("trajet_id", "sequence")
        .values(
            "id", "trajet_id", "station_id", "arrival_time", "arrival_day_offset",
            "departure_time", "departure_day_offset", "distance_from_origin_km",
        )
    ):  # fmt: skip
        stops[row["trajet_id"]].append(row)
    stations = {
        row[0]: StationInfo(*row)
        for row in Station.objects.filter(
            pk__in={s["station_id"] for rows in stops.values() for s in rows}
        ).values_list("id", "latitude", "longitude", "country", "time_zone")
    }
    exceptions: dict[int, tuple[list[dt.date], list[dt.date]]] = defaultdict(lambda: ([], []))
    for trajet_id, day, is_added in CalendarException.objects.filter(
        trajet_id__in=chunk
    ).values_list("trajet_id", "date", "is_added"):
        exceptions[trajet_id][0 if is_added else 1].append(day)
    trajet_rows: list[tuple] = []
    stop_rows: list[tuple] = []
    countries: dict[int, list[str]] = {}
    for pk, trajet in trajets.items():
        rows = stops.get(pk)
        if not rows:
            continue
        infos = tuple(stations[s["station_id"]] for s in rows)
        added, removed = exceptions[pk]
        calendar = CalendarRecord(
            trajet["valid_from"], trajet["valid_to"],
            tuple(trajet[name] for name in Trajet.WEEKDAY_FIELDS),  # type: ignore[arg-type]
            tuple(sorted(added)), tuple(sorted(removed)),
        )  # fmt: skip
        reference = calendar.first_running_date() or FALLBACK_REFERENCE_DATE
        times = _retimed(rows, infos, former_zones, trajet["source__format"], reference)
        if isinstance(times, str):
            logger.warning("trajet %s: stop times kept as they were stored (%s)", pk, times)
        if isinstance(times, tuple):
            new_stops, duration = times
        else:
            new_stops = [
                (s["arrival_time"], s["arrival_day_offset"], s["departure_time"],
                 s["departure_day_offset"])
                for s in rows
            ]  # fmt: skip
            duration = trajet["duration_min"]
        source_km = trajet["distance_km"] if trajet["distance_method"] == "source" else None
        line = line_geometry(infos, source_km)
        co2 = estimate_rail_co2(legs=line.legs, factors=factors)
        for s, (arrival, arrival_offset, departure, departure_offset), km in zip(
            rows, new_stops, line.cumulative, strict=True
        ):
            stop_rows.append(
                (s["id"], arrival, min(arrival_offset, 7), departure, min(departure_offset, 7),
                 None if km is None else round(km, 3))
            )  # fmt: skip
        first, last = new_stops[0], new_stops[-1]
        trajet_rows.append(
            (
                pk, infos[0].country or "", infos[-1].country or "",
                first[2] or trajet["departure_time"], last[0] or trajet["arrival_time"],
                min(last[1], 7), max(duration, 1), round(line.distance, 3) or None,
                line.method, co2.rail_kg,
                factor_ids.get(co2.rail_factor_keys[0]) if co2.rail_factor_keys else None,
            )
        )  # fmt: skip
        countries[pk] = list(dict.fromkeys(info.country for info in infos if info.country))
    return trajet_rows, stop_rows, countries


def _retimed(
    rows: list[dict],
    infos: tuple[StationInfo, ...],
    former_zones: Mapping[int, str],
    source_format: str,
    reference: dt.date,
) -> tuple[list[tuple], int] | str | None:
    """New local times and duration when a stop's zone changed; None when none did; the
    reason when they cannot be re-timed (the times are then kept, and the reason logged: the
    next load of the source writes them right)."""
    zones_before = [
        former_zones.get(s["id"], info.time_zone) for s, info in zip(rows, infos, strict=True)
    ]
    zones_now = [info.time_zone for info in infos]
    if zones_before == zones_now:
        return None
    clock = source_format in CLOCK_TIME_FORMATS
    times = []
    for s, zone in zip(rows, zones_before, strict=True):
        times.append(
            (
                _seconds(s["arrival_time"], s["arrival_day_offset"], zone, reference, clock),
                _seconds(s["departure_time"], s["departure_day_offset"], zone, reference, clock),
            )
        )
    try:
        resolved = resolve_times(
            times,
            zones_now,
            reference_date=reference,
            time_zone=None if clock else "UTC",
            has_day_offsets=True,
        )
    except ExtractError as error:
        return f"in the new zones the times no longer follow each other: {error}"
    if any(min(s.arrival_day_offset, s.departure_day_offset) < 0 for s in resolved.stops):
        return "the departure day itself would move back"
    last = len(rows) - 1
    new = []
    for position, stop in enumerate(resolved.stops):
        arrival = (stop.arrival, stop.arrival_day_offset) if position else (None, 0)
        departure = (stop.departure, stop.departure_day_offset) if position < last else (None, 0)
        new.append((*arrival, *departure))
    return new, resolved.duration_min


def _seconds(
    clock: dt.time | None, offset: int, zone: str, reference: dt.date, is_clock_time: bool
) -> int | None:
    """A stored stop time as the resolver reads it: clock seconds (with day offsets) for
    clock-time sources, else seconds after UTC midnight of the reference day."""
    if clock is None:
        return None
    local_seconds = offset * 86_400 + clock.hour * 3600 + clock.minute * 60 + clock.second
    if is_clock_time:
        return local_seconds
    local = dt.datetime.combine(reference, dt.time()) + dt.timedelta(seconds=local_seconds)
    instant = local.replace(tzinfo=zoneinfo.ZoneInfo(zone)).astimezone(dt.UTC)
    midnight = dt.datetime.combine(reference, dt.time(), tzinfo=dt.UTC)
    return int((instant - midnight).total_seconds())
