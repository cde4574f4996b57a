"""Vectorised generation of synthetic trajets, as PostgreSQL COPY text blocks.

Each trajet runs from an origin chosen near its operator's home country to a destination at a
plausible distance, calling at about twenty stations picked near the straight line between
them (about a quarter of the picks repeat a station and are dropped). Times follow from the
segment distances, a speed per train category and a dwell time.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from apps.trajets.etl.writer import COPY_ESCAPES
from apps.trajets.querysets import WEEKDAY_FIELDS
from apps.trajets.rows import TRAJET_WRITTEN_FIELDS, written_values
from apps.trajets.stop_summaries import stop_summary
from apps.trajets.synthetic.reference import (
    OPERATORS,
    RAIL_DEFAULT_KG_CO2E_PER_PKM,
    RAIL_KG_CO2E_PER_PKM,
)
from apps.trajets.synthetic.stations import StationRow

EARTH_RADIUS_KM = 6371.0
DETOUR_FACTOR = 1.15  # rail distance over great-circle distance between consecutive stops
MAX_DETOUR_KM = 30.0  # farthest an intermediate stop may lie from its point on the line
WEEK_PATTERNS = ("1111111", "1111100", "1111110", "0000011", "0000101", "1010100")
WEEK_PATTERN_WEIGHTS = (0.55, 0.2, 0.08, 0.05, 0.07, 0.05)
VALIDITIES = (
    (dt.date(2025, 12, 14), dt.date(2026, 12, 12)),
    (dt.date(2026, 6, 13), dt.date(2026, 9, 12)),
    (dt.date(2026, 3, 1), dt.date(2026, 6, 12)),
)
VALIDITY_WEIGHTS = (0.8, 0.15, 0.05)
HOLIDAYS = (
    dt.date(2025, 12, 25),
    dt.date(2026, 1, 1),
    dt.date(2026, 4, 6),
    dt.date(2026, 5, 1),
    dt.date(2026, 5, 14),
    dt.date(2026, 8, 15),
    dt.date(2026, 11, 1),
)
HIGH_SPEED = {
    "TGV INOUI",
    "OUIGO",
    "ICE",
    "Railjet",
    "Frecciarossa",
    "Italo",
    "AVE",
    "Avlo",
    "iryo",
    "Eurostar",
    "SJ Snabbtåg",
    "Alfa Pendular",
    "Pendolino",
    "Azuma",
}
NULL = "\\N"
# A trajet's COPY line keyed by field, in the order of the columns every loader writes.
_trajet_values = written_values(TRAJET_WRITTEN_FIELDS)
TIME_TEXT = tuple(f"{minute // 60:02d}:{minute % 60:02d}:00" for minute in range(1440))


@dataclass(frozen=True)
class StationArrays:
    """Stations as arrays, with their database ids, for vectorised picking."""

    ids: np.ndarray
    latitude: np.ndarray
    longitude: np.ndarray
    country: np.ndarray  # object array of ISO codes
    name: np.ndarray  # object array of the stored names
    weight: np.ndarray
    tree: cKDTree

    @classmethod
    def build(cls, rows: list[StationRow], ids: list[int], names: list[str]) -> StationArrays:
        latitude = np.array([row.latitude for row in rows])
        longitude = np.array([row.longitude for row in rows])
        return cls(
            ids=np.array(ids, dtype=np.int64),
            latitude=latitude,
            longitude=longitude,
            country=np.array([row.country for row in rows], dtype=object),
            name=np.array(names, dtype=object),
            weight=np.array([row.weight for row in rows], dtype=float) ** 2,
            tree=cKDTree(_plane(latitude, longitude)),
        )


@dataclass(frozen=True)
class ChunkText:
    """COPY text per table for one chunk, and how many rows each holds."""

    trajets: str
    stops: str
    countries: str
    exceptions: str
    provenances: str
    stop_count: int
    exception_count: int


@dataclass(frozen=True)
class Context:
    """Database ids the generated rows point to."""

    operator_ids: dict[str, int]
    source_id: int
    run_id: int
    record_prefix: str


def _plane(latitude: np.ndarray, longitude: np.ndarray) -> np.ndarray:
    """Project to an equirectangular plane in km around 50°N (good enough for picking)."""
    return np.column_stack((latitude * 111.0, longitude * 111.0 * np.cos(np.radians(50.0))))


def haversine_km(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray):
    """Great-circle distance in km, element-wise."""
    lat1, lon1, lat2, lon2 = (np.radians(a) for a in (lat1, lon1, lat2, lon2))
    h = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(h))


class TrajetGenerator:
    """Generate chunks of trajets with consecutive ids, reproducibly from one seeded Generator."""

    def __init__(self, stations: StationArrays, context: Context, rng: np.random.Generator) -> None:
        self.stations = stations
        self.context = context
        self.rng = rng
        weights = np.array([profile.weight for profile in OPERATORS], dtype=float)
        self.operator_p = weights / weights.sum()
        self.by_country: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for country in set(stations.country):
            members = np.flatnonzero(stations.country == country)
            member_weights = stations.weight[members]
            self.by_country[country] = (members, member_weights / member_weights.sum())
        self.all_p = stations.weight / stations.weight.sum()

    def chunk(self, first_id: int, size: int, first_stop_id: int) -> ChunkText:
        """Build ``size`` trajets with ids from ``first_id`` and stop ids from ``first_stop_id``."""
        rng, st = self.rng, self.stations
        operator_index = rng.choice(len(OPERATORS), size=size, p=self.operator_p)
        is_night = np.zeros(size, dtype=bool)
        origin = np.empty(size, dtype=np.int64)
        domestic = rng.random(size) < 0.85
        for op_index in np.unique(operator_index):
            profile = OPERATORS[op_index]
            mine = operator_index == op_index
            night_share = (
                1.0 if not profile.day_categories else (0.12 if profile.night_category else 0)
            )
            is_night[mine] = rng.random(mine.sum()) < night_share
            members, p = self.by_country.get(profile.country, (None, None))
            home = mine & domestic if members is not None else np.zeros(size, dtype=bool)
            if home.any():
                origin[home] = rng.choice(members, size=home.sum(), p=p)
            away = mine & ~home
            if away.any():
                origin[away] = rng.choice(len(st.ids), size=away.sum(), p=self.all_p)

        target_km = np.where(
            is_night,
            rng.uniform(500.0, 1500.0, size),
            np.clip(rng.lognormal(np.log(250.0), 0.7, size), 30.0, 1500.0),
        )
        bearing = rng.uniform(0.0, 2 * np.pi, size)
        o_xy = st.tree.data[origin]
        target_xy = o_xy + np.column_stack((np.cos(bearing), np.sin(bearing))) * target_km[:, None]
        _, nearest = st.tree.query(target_xy, k=2)
        destination = np.where(nearest[:, 0] == origin, nearest[:, 1], nearest[:, 0])

        stop_target = np.clip(np.rint(rng.normal(28.0, 7.0, size)), 2, 40).astype(np.int64)
        middle = stop_target - 2
        owner = np.repeat(np.arange(size), middle)
        step = np.arange(middle.sum()) - np.repeat(np.cumsum(middle) - middle, middle) + 1
        fraction = step / np.repeat(middle + 1, middle)
        d_xy = st.tree.data[destination]
        points = o_xy[owner] + (d_xy[owner] - o_xy[owner]) * fraction[:, None]
        points += rng.normal(0.0, 6.0, points.shape)
        # A random one of the four nearest stations within reach of the line, so that close
        # points rarely collapse; where the network is sparse the point is left out.
        distance, nearest_four = st.tree.query(points, k=4, distance_upper_bound=MAX_DETOUR_KM)
        choice = rng.integers(0, 4, len(points))
        picked = nearest_four[np.arange(len(points)), choice]
        picked[~np.isfinite(distance[np.arange(len(points)), choice])] = -1

        paths = self._paths(origin, destination, owner, picked, size)
        return self._render(first_id, first_stop_id, operator_index, is_night, paths)

    @staticmethod
    def _paths(origin, destination, owner, picked, size) -> list[list[int]]:
        bounds = np.searchsorted(owner, np.arange(size + 1))
        paths = []
        for index in range(size):
            o, d = int(origin[index]), int(destination[index])
            middle = picked[bounds[index] : bounds[index + 1]].tolist()
            seen = {o, d}
            path = [o]
            for station in middle:
                if station >= 0 and station not in seen:
                    seen.add(station)
                    path.append(station)
            path.append(d)
            paths.append(path)
        return paths

    def _render(self, first_id, first_stop_id, operator_index, is_night, paths) -> ChunkText:
        rng, st, ctx = self.rng, self.stations, self.context
        size = len(paths)
        lengths = np.array([len(path) for path in paths])
        flat = np.fromiter((s for path in paths for s in path), dtype=np.int64, count=lengths.sum())
        starts = np.cumsum(lengths) - lengths
        segment = np.zeros(flat.size)
        segment[1:] = (
            haversine_km(
                st.latitude[flat[:-1]],
                st.longitude[flat[:-1]],
                st.latitude[flat[1:]],
                st.longitude[flat[1:]],
            )
            * DETOUR_FACTOR
        )
        segment[starts] = 0.0
        cumulative = np.cumsum(segment)
        cumulative -= np.repeat(cumulative[starts], lengths)

        categories = []
        speed = np.empty(size)
        for index in range(size):
            profile = OPERATORS[operator_index[index]]
            if is_night[index]:
                category = profile.night_category
                speed[index] = rng.uniform(65.0, 90.0)
            else:
                category = profile.day_categories[rng.integers(len(profile.day_categories))]
                fast = category in HIGH_SPEED
                speed[index] = rng.uniform(150.0, 230.0) if fast else rng.uniform(80.0, 120.0)
            categories.append(category)
        dwell = np.where(is_night, 6, 2)
        departure = np.where(
            is_night,
            rng.integers(18 * 60, 23 * 60 + 45, size),
            _day_departures(rng, size),
        )
        rank = np.arange(flat.size) - np.repeat(starts, lengths)
        arrival_at = (
            np.repeat(departure, lengths)
            + np.rint(cumulative / np.repeat(speed, lengths) * 60).astype(np.int64)
            + np.maximum(rank - 1, 0) * np.repeat(dwell, lengths)
        )
        departure_at = arrival_at + np.repeat(dwell, lengths)
        departure_at[starts] = np.repeat(departure, 1)
        last = starts + lengths - 1
        distance = cumulative[last]
        duration = arrival_at[last] - departure

        patterns = rng.choice(len(WEEK_PATTERNS), size=size, p=WEEK_PATTERN_WEIGHTS)
        validity = rng.choice(len(VALIDITIES), size=size, p=VALIDITY_WEIGHTS)
        numbers = rng.integers(1, 99999, size)
        removal = rng.random(size) < 0.2
        addition = rng.random(size) < 0.03

        trajets, stops, countries, exceptions, provenances = [], [], [], [], []
        stop_id = first_stop_id
        exception_count = 0
        for index in range(size):
            trajet_id = first_id + index
            begin, count = int(starts[index]), int(lengths[index])
            path = flat[begin : begin + count]
            origin_country = st.country[path[0]]
            _, via = stop_summary(st.name[path].tolist())
            destination_country = st.country[path[-1]]
            dep_min = int(departure[index])
            arr_min = int(arrival_at[begin + count - 1])
            km = float(distance[index])
            rail_factor = RAIL_KG_CO2E_PER_PKM.get(origin_country, RAIL_DEFAULT_KG_CO2E_PER_PKM)
            week = WEEK_PATTERNS[patterns[index]]
            valid_from, valid_to = VALIDITIES[validity[index]]
            category = categories[index]
            kind = "night" if is_night[index] else "day"
            reason = (
                f"synthetic: {category} departs at {TIME_TEXT[dep_min % 1440][:5]} "
                "and runs overnight"
                if is_night[index]
                else f"synthetic: daytime {category}"
            )
            dated = _exceptions(week, valid_from, valid_to, removal[index], addition[index], rng)
            for day, is_added in dated:
                exceptions.append(f"{trajet_id}\t{day.isoformat()}\t{'t' if is_added else 'f'}")
                exception_count += 1
            runs_from, runs_until, running_days = _running(patterns[index], validity[index], dated)
            record_id = f"{ctx.record_prefix}{trajet_id}"
            digest = hashlib.sha256(f"{record_id}|{dep_min}|{path.tolist()}".encode()).hexdigest()
            row = {
                "id": str(trajet_id),
                "operator": str(ctx.operator_ids[OPERATORS[operator_index[index]].code]),
                "train_number": str(numbers[index]),
                "category": category,
                "kind": kind,
                "mode": "rail",
                "kind_reason": reason,
                "timetable_kind": "",
                "origin": str(st.ids[path[0]]),
                "destination": str(st.ids[path[-1]]),
                "origin_country": origin_country,
                "destination_country": destination_country,
                "departure_time": TIME_TEXT[dep_min % 1440],
                "arrival_time": TIME_TEXT[arr_min % 1440],
                "arrival_day_offset": str(arr_min // 1440),
                "duration_min": str(int(duration[index])),
                "distance_km": f"{km:.1f}",
                "distance_method": "stops",
                "valid_from": valid_from.isoformat(),
                "valid_to": valid_to.isoformat(),
                "runs_from": runs_from.isoformat(),
                "runs_until": runs_until.isoformat(),
                "running_days": str(running_days),
                **dict(zip(WEEKDAY_FIELDS, _week_flags(week), strict=True)),
                "co2_rail_kg": f"{km * rail_factor:.2f}",
                # The flight equivalent follows the atlas's rule (the pipeline run after the
                # seed), as for the ETL: none here.
                "co2_flight_kg": NULL,
                # Synthetic factors are not the published ones: no factor row to point at.
                "rail_emission_factor": NULL,
                "flight_emission_factor": NULL,
                "flight_distance_km": NULL,
                "stop_count": str(count),
                "via_names": json.dumps(via, ensure_ascii=False).translate(COPY_ESCAPES),
                "source": str(ctx.source_id),
                "source_record_id": record_id,
                "import_run": str(ctx.run_id),
                "content_hash": digest,
            }
            trajets.append("\t".join(_trajet_values(row)))
            provenances.append(f"{trajet_id}\t{ctx.source_id}\t{record_id}\t{ctx.run_id}")
            for country in sorted(set(st.country[path])):
                countries.append(f"{trajet_id}\t{country}")
            for rank_index in range(count):
                row = begin + rank_index
                arrival = NULL if rank_index == 0 else int(arrival_at[row])
                leave = NULL if rank_index == count - 1 else int(departure_at[row])
                stops.append(
                    f"{stop_id}\t{trajet_id}\t{rank_index}\t{st.ids[path[rank_index]]}\t"
                    + (NULL if arrival == NULL else TIME_TEXT[arrival % 1440])
                    + "\t"
                    + ("0" if arrival == NULL else str(arrival // 1440))
                    + "\t"
                    + (NULL if leave == NULL else TIME_TEXT[leave % 1440])
                    + "\t"
                    + ("0" if leave == NULL else str(leave // 1440))
                    + "\t"
                    + f"{cumulative[row]:.1f}"
                    + "\t0\t0"  # pickup_type, drop_off_type: regular
                )
                stop_id += 1

        return ChunkText(
            trajets="\n".join(trajets) + "\n",
            stops="\n".join(stops) + "\n",
            countries="\n".join(countries) + "\n",
            exceptions="\n".join(exceptions) + "\n" if exceptions else "",
            provenances="\n".join(provenances) + "\n",
            stop_count=stop_id - first_stop_id,
            exception_count=exception_count,
        )


def _week_flags(week: str) -> tuple[str, ...]:
    """COPY booleans of a weekly pattern ("1111100": Monday to Friday)."""
    return tuple("t" if flag == "1" else "f" for flag in week)


def _day_departures(rng: np.random.Generator, size: int) -> np.ndarray:
    """Minutes after midnight from 05:00 to 22:00, busier around 08:00 and 17:00, no spikes."""
    peak = rng.choice(2, size=size)
    minutes = rng.normal(np.where(peak, 17 * 60, 8 * 60), 3 * 60)
    outside = (minutes < 5 * 60) | (minutes >= 22 * 60)
    minutes[outside] = rng.uniform(5 * 60, 22 * 60, outside.sum())
    return minutes.astype(np.int64)


@functools.cache
def _pattern_days(pattern: int, validity: int) -> tuple[dt.date, ...]:
    """The dates of weekly pattern ``pattern`` over validity ``validity``."""
    week = WEEK_PATTERNS[pattern]
    first, last = VALIDITIES[validity]
    return tuple(
        first + dt.timedelta(days=n)
        for n in range((last - first).days + 1)
        if week[(first + dt.timedelta(days=n)).weekday()] == "1"
    )


def _running(
    pattern: int, validity: int, dated: list[tuple[dt.date, bool]]
) -> tuple[dt.date, dt.date, int]:
    """First and last running date and the number of running days."""
    days = _pattern_days(int(pattern), int(validity))
    if dated:
        chosen = set(days)
        for day, is_added in dated:
            (chosen.add if is_added else chosen.discard)(day)
        days = tuple(sorted(chosen))
    return days[0], days[-1], len(days)


def _exceptions(week, valid_from, valid_to, has_removal, has_addition, rng):
    """Dated exceptions: removals on public holidays, or one extra run on an off day."""
    result = []
    if has_removal:
        for day in HOLIDAYS:
            if valid_from <= day <= valid_to and week[day.weekday()] == "1":
                result.append((day, False))
    if has_addition and not result:
        span = (valid_to - valid_from).days
        day = valid_from + dt.timedelta(days=int(rng.integers(0, span + 1)))
        if week[day.weekday()] == "0":
            result.append((day, True))
    return result
