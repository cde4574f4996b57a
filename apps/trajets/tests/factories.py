"""Small factories for the harmonised schema, with sensible defaults."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from collections.abc import Sequence

from django.utils import timezone

from apps.trajets.etl.records import CalendarRecord
from apps.trajets.models import (
    DataSource,
    ImportRun,
    Operator,
    SourceStation,
    Station,
    Stop,
    Trajet,
    TrajetCountry,
)

_counter = itertools.count(1)


def make_source(name: str = "test-feed", **fields: object) -> DataSource:
    defaults = {"format": "gtfs", "location": f"/data/{name}", "licence": "CC-BY-4.0"}
    defaults.update(fields)
    source, _ = DataSource.objects.get_or_create(name=name, defaults=defaults)
    return source


def make_run(source: DataSource | None = None, **fields: object) -> ImportRun:
    now = timezone.now()
    defaults = {
        "status": ImportRun.Status.SUCCEEDED,
        "started_at": now - dt.timedelta(minutes=1),
        "finished_at": now,
    }
    defaults.update(fields)
    return ImportRun.objects.create(source=source or make_source(), **defaults)


def make_operator(code: str = "sncf", name: str = "SNCF", country: str = "FR") -> Operator:
    operator, _ = Operator.objects.get_or_create(
        code=code, defaults={"name": name, "country": country}
    )
    return operator


def make_station(
    name: str | None = None,
    *,
    country: str = "FR",
    latitude: float | None = 48.8443,
    longitude: float | None = 2.3744,
    time_zone: str = "Europe/Paris",
    uic_code: str | None = None,
) -> Station:
    name = name or f"Gare {next(_counter)}"
    return Station.objects.create(
        name=name,
        country=country,
        latitude=latitude,
        longitude=longitude,
        time_zone=time_zone,
        uic_code=uic_code,
    )


def make_trajet(
    stations: Sequence[Station] | None = None,
    *,
    times: Sequence[tuple[str | None, str | None]] | None = None,
    operator: Operator | None = None,
    kind: str = "day",
    category: str = "IC",
    valid_from: dt.date = dt.date(2025, 1, 1),
    valid_to: dt.date = dt.date(2025, 12, 31),
    weekdays: str = "1111111",
    run: ImportRun | None = None,
    source_record_id: str | None = None,
    **fields: object,
) -> Trajet:
    """Create a trajet with its stops; ``times`` gives (arrival, departure) per stop, HH:MM."""
    stations = list(stations or [make_station(), make_station()])
    if times is None:
        times = [(None, "08:00")] + [
            (f"{9 + i:02d}:00", f"{9 + i:02d}:05") for i in range(len(stations) - 2)
        ]
        times.append((f"{8 + len(stations) - 1:02d}:00", None))
    run = run or make_run()
    parse = dt.time.fromisoformat
    departure, arrival = parse(times[0][1]), parse(times[-1][0])
    duration = (
        dt.datetime.combine(dt.date.min, arrival) - dt.datetime.combine(dt.date.min, departure)
    ).seconds // 60
    number = next(_counter)
    days = CalendarRecord(
        valid_from,
        valid_to,
        tuple(flag == "1" for flag in weekdays),  # type: ignore[arg-type]
    ).running_dates()
    fields.setdefault("runs_from", days[0] if days else valid_from)
    fields.setdefault("runs_until", days[-1] if days else valid_from)
    fields.setdefault("running_days", len(days))
    trajet = Trajet.objects.create(
        operator=operator or make_operator(),
        train_number=str(number),
        category=category,
        kind=kind,
        kind_reason=fields.pop("kind_reason", "test"),
        origin=stations[0],
        destination=stations[-1],
        origin_country=stations[0].country,
        destination_country=stations[-1].country,
        departure_time=departure,
        arrival_time=arrival,
        arrival_day_offset=1 if arrival < departure else 0,
        duration_min=duration or 1,
        valid_from=valid_from,
        valid_to=valid_to,
        source=run.source,
        source_record_id=source_record_id or f"trip-{number}",
        import_run=run,
        content_hash=hashlib.sha256(str(number).encode()).hexdigest(),
        stop_count=len(stations),
        via_names=[station.name for station in stations[1:-1]],
        **{name: flag == "1" for name, flag in zip(Trajet.WEEKDAY_FIELDS, weekdays, strict=True)},
        **fields,
    )
    Stop.objects.bulk_create(
        Stop(
            trajet=trajet,
            sequence=index,
            station=station,
            arrival_time=parse(arrival_at) if arrival_at else None,
            departure_time=parse(departure_at) if departure_at else None,
        )
        for index, (station, (arrival_at, departure_at)) in enumerate(
            zip(stations, times, strict=True)
        )
    )
    TrajetCountry.objects.bulk_create(
        TrajetCountry(trajet=trajet, country=country)
        for country in sorted({station.country for station in stations})
    )
    return trajet


def make_misplaced_station() -> Station:
    """Vienna's main station filed in Germany, as the former matcher did (the country of its
    feed's agency): a repair of identity moves it to Austria."""
    feed = DataSource.objects.create(name="db-fernverkehr", format="gtfs", licence="x")
    station = make_station("Wien Hbf", country="DE", latitude=48.184923, longitude=16.375864,
                           time_zone="Europe/Berlin")  # fmt: skip
    SourceStation.objects.create(
        source=feed, source_record_id="624377", name="Wien Hbf", station=station,
        latitude=station.latitude, longitude=station.longitude,
    )  # fmt: skip
    return station
