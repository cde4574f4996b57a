"""A small, realistic European network for page and browser tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from apps.places.models import Place, PlaceName
from apps.places.names import search_key
from apps.trajets.models import CalendarException, RejectedRecord, Trajet, TrajetProvenance
from apps.trajets.tests.factories import (
    make_operator,
    make_run,
    make_source,
    make_station,
    make_trajet,
)
from obrail import derived

# name, country, latitude, longitude, IANA zone
STATIONS = (
    ("Paris Gare de Lyon", "FR", 48.8443, 2.3744, "Europe/Paris"),
    ("Paris Est", "FR", 48.8768, 2.3592, "Europe/Paris"),
    ("Lyon Part-Dieu", "FR", 45.7606, 4.8593, "Europe/Paris"),
    ("Milano Centrale", "IT", 45.4864, 9.2047, "Europe/Rome"),
    ("München Hbf", "DE", 48.1403, 11.5600, "Europe/Berlin"),
    ("Wien Hbf", "AT", 48.1851, 16.3776, "Europe/Vienna"),
    ("Berlin Hbf", "DE", 52.5251, 13.3694, "Europe/Berlin"),
    ("Zürich HB", "CH", 47.3779, 8.5403, "Europe/Zurich"),
    ("Bruxelles-Midi", "BE", 50.8354, 4.3365, "Europe/Brussels"),
    ("Amsterdam Centraal", "NL", 52.3789, 4.9003, "Europe/Amsterdam"),
)

# Towns the stations serve (GeoNames id, name, country, latitude, longitude, population,
# stations, other names): a town's name in any language stands for all its stations.
PLACES = (
    (2988507, "Paris", "FR", 48.8534, 2.3488, 2_138_551, ("Paris Gare de Lyon", "Paris Est"),
     ("Parigi",)),
    (2761369, "Vienna", "AT", 48.2085, 16.3721, 1_691_468, ("Wien Hbf",), ("Wien", "Vienne")),
    (2867714, "München", "DE", 48.1374, 11.5755, 1_260_391, ("München Hbf",),
     ("Munich", "Muenchen")),
    (2950159, "Berlin", "DE", 52.5244, 13.4105, 3_426_354, ("Berlin Hbf",), ()),
)  # fmt: skip


def _add_places(stations: dict) -> None:
    for geonames_id, name, country, lat, lon, population, served, aliases in PLACES:
        place = Place.objects.create(
            geonames_id=geonames_id,
            name=name,
            country=country,
            latitude=lat,
            longitude=lon,
            population=population,
        )
        for alias in (name, *aliases):
            PlaceName.objects.create(place=place, name=alias, key=search_key(alias))
        for station_name in served:
            stations[station_name].place = place
            stations[station_name].save(update_fields=["place"])


@dataclass(frozen=True)
class SampleNetwork:
    """Handles on the rows tests look up."""

    nightjet: Trajet
    tgv: Trajet
    trajets: tuple[Trajet, ...]


@derived.bulk_change()  # one data set, with its own import runs: not a series of edits
def build_sample_network(extra_day_trajets: int = 0) -> SampleNetwork:
    """Create stations, two operators, day and night trajets, imports, rejects and provenance."""
    stations = {
        name: make_station(
            name, country=country, latitude=latitude, longitude=longitude, time_zone=zone
        )
        for name, country, latitude, longitude, zone in STATIONS
    }
    _add_places(stations)
    sncf = make_operator("sncf", "SNCF Voyageurs", "FR")
    obb = make_operator("obb", "ÖBB", "AT")
    gtfs = make_source("sncf-gtfs", title="SNCF horaires GTFS", licence="ODbL")
    ontd = make_source("back-on-track", title="Back-on-Track night trains", licence="CC-BY-4.0")
    gtfs_run = make_run(gtfs, rows_read=12, rows_inserted=10, rows_rejected=2)
    ontd_run = make_run(ontd, rows_read=3, rows_inserted=3)
    RejectedRecord.objects.create(
        run=gtfs_run,
        location="trips.txt:14",
        reason_code="unknown_station",
        reason="stop_id 8799999 is not in stops.txt",
    )
    RejectedRecord.objects.create(
        run=gtfs_run,
        location="trips.txt:15",
        reason_code="unknown_station",
        reason="stop_id 8799998 is not in stops.txt",
    )

    def at(*names: str) -> list:
        return [stations[name] for name in names]

    tgv = make_trajet(
        at("Paris Gare de Lyon", "Lyon Part-Dieu", "Milano Centrale"),
        times=[(None, "06:15"), ("08:11", "08:15"), ("13:05", None)],
        operator=sncf,
        category="TGV INOUI",
        run=gtfs_run,
        distance_km=850.0,
        co2_rail_kg=2.1,
        co2_flight_kg=139.4,
        weekdays="1111100",
    )
    CalendarException.objects.create(trajet=tgv, date=dt.date(2025, 12, 25), is_added=False)
    nightjet = make_trajet(
        at("Paris Est", "München Hbf", "Wien Hbf"),
        times=[(None, "19:58"), ("06:10", "06:20"), ("10:22", None)],
        operator=obb,
        kind="night",
        category="NJ",
        run=ontd_run,
        distance_km=1400.0,
        co2_rail_kg=19.6,
        co2_flight_kg=203.0,
        weekdays="1010100",
    )
    TrajetProvenance.objects.create(
        trajet=nightjet, source=ontd, source_record_id="NJ-468", import_run=ontd_run
    )
    others = [
        make_trajet(
            at("Berlin Hbf", "Wien Hbf"),
            times=[(None, "21:00"), ("08:30", None)],
            operator=obb,
            kind="night",
            category="NJ",
            run=ontd_run,
            distance_km=680.0,
            co2_rail_kg=9.5,
            co2_flight_kg=110.0,
        ),
        make_trajet(
            at("Zürich HB", "Milano Centrale"),
            times=[(None, "09:33"), ("12:50", None)],
            operator=sncf,
            category="EC",
            run=gtfs_run,
            distance_km=280.0,
            co2_rail_kg=1.2,
            co2_flight_kg=55.0,
        ),
        make_trajet(
            at("Bruxelles-Midi", "Amsterdam Centraal"),
            times=[(None, "07:52"), ("09:45", None)],
            operator=sncf,
            category="EUR",
            run=gtfs_run,
            distance_km=210.0,
            co2_rail_kg=0.9,
            co2_flight_kg=48.0,
        ),
    ]
    for index in range(extra_day_trajets):
        others.append(
            make_trajet(
                at("Paris Gare de Lyon", "Lyon Part-Dieu"),
                times=[(None, f"{5 + index % 18:02d}:{index % 60:02d}"), ("23:59", None)],
                operator=sncf,
                category="TER",
                run=gtfs_run,
                distance_km=460.0,
                co2_rail_kg=1.0,
                co2_flight_kg=80.0,
            )
        )
    return SampleNetwork(nightjet=nightjet, tgv=tgv, trajets=(tgv, nightjet, *others))
