"""seed_synthetic: a consistent synthetic dataset, loaded with COPY in one transaction."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, Max, Min

from apps.stats.models import VolumeSummary
from apps.trajets.management.commands.seed_synthetic import DEFAULT_STATIONS_CSV
from apps.trajets.models import (
    FlightEquivalent,
    ImportRun,
    Operator,
    Station,
    Stop,
    Trajet,
    TrajetCountry,
    TrajetProvenance,
)
from apps.trajets.stop_summaries import refresh_stop_summaries
from apps.trajets.synthetic.generator import Context, StationArrays, TrajetGenerator
from apps.trajets.synthetic.reference import OPERATORS
from apps.trajets.synthetic.stations import build_station_set, read_station_csv
from apps.trajets.tests.factories import make_trajet
from obrail.caching import data_version

pytestmark = pytest.mark.django_db


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_synthetic", *args, stdout=out, verbosity=0)
    return out.getvalue()


@pytest.fixture
def seeded() -> str:
    return seed("--trajets", "300", "--stations", "5000", "--seed", "7", "--chunk-size", "120")


def test_creates_the_requested_number_of_trajets_with_provenance(seeded):
    assert "Seeded 300 trajets" in seeded
    assert Trajet.objects.count() == 300
    assert TrajetProvenance.objects.count() == 300
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.SUCCEEDED
    assert run.rows_inserted == 300
    assert set(Trajet.objects.values_list("import_run", flat=True)) == {run.pk}


def test_uses_the_bundled_reference_stations_and_real_operators(seeded):
    assert Station.objects.count() == 5000
    assert Station.objects.filter(uic_code="8775123", name="Château-Arnoux—St-Auban").exists()
    assert Station.objects.filter(name="Wien Hbf", country="AT").exists()
    assert set(Operator.objects.values_list("code", flat=True)) == {p.code for p in OPERATORS}


def test_stops_are_ordered_in_time_and_distance(seeded):
    per_trajet = Trajet.objects.annotate(
        stops_made=Count("stops"), first=Min("stops__sequence"), last=Max("stops__sequence")
    )
    for trajet in per_trajet:
        assert trajet.first == 0
        assert trajet.last == trajet.stops_made - 1 == trajet.stop_count - 1
        assert trajet.stops_made >= 2
    assert Stop.objects.count() / Trajet.objects.count() > 8  # sparse: only 5000 stations
    trajet = Trajet.objects.order_by("-duration_min").first()
    stops = list(trajet.stops.order_by("sequence"))
    assert stops[0].station_id == trajet.origin_id
    assert stops[-1].station_id == trajet.destination_id
    assert stops[0].arrival_time is None
    assert stops[-1].departure_time is None
    assert stops[0].departure_time == trajet.departure_time
    assert stops[-1].arrival_time == trajet.arrival_time
    moments = [(stop.arrival_day_offset, stop.arrival_time) for stop in stops[1:]]
    assert moments == sorted(moments)
    distances = [stop.distance_from_origin_km for stop in stops]
    assert distances == sorted(distances)
    assert distances[-1] == pytest.approx(trajet.distance_km, abs=0.1)


def test_stop_summaries_are_written_with_the_stored_station_names():
    options = ("--trajets", "300", "--stations", "5000", "--seed", "7", "--chunk-size", "120")
    seed(*options)
    assert refresh_stop_summaries() == 0  # every stored summary matches the stops
    assert Trajet.objects.filter(stop_count__gt=2).exists()
    halt = Trajet.objects.filter(
        stop_count__gt=2, stops__sequence=1, stops__station__uic_code__gt=""
    )
    station = halt.values_list("stops__station", flat=True).first()
    Station.objects.filter(pk=station).update(name="Gare renommée en base")  # no signal
    seed(*options, "--replace")  # same draws: the station is reused by its UIC code
    assert refresh_stop_summaries() == 0
    assert Trajet.objects.filter(via_names__contains=["Gare renommée en base"]).exists()


def test_about_twenty_stops_per_trajet_at_european_density():
    rng = np.random.default_rng(1)
    rows = build_station_set(read_station_csv(DEFAULT_STATIONS_CSV), total=50_000, rng=rng)
    stations = StationArrays.build(rows, list(range(len(rows))), [row.name for row in rows])
    context = Context({profile.code: 1 for profile in OPERATORS}, 1, 1, "x-")
    chunk = TrajetGenerator(stations, context, rng).chunk(1, 2000, 1)
    assert 17 <= chunk.stop_count / 2000 <= 23


def test_durations_calendars_and_co2_are_consistent(seeded):
    for trajet in Trajet.objects.all():
        start = dt.datetime.combine(dt.date(2026, 1, 1), trajet.departure_time)
        end = dt.datetime.combine(
            dt.date(2026, 1, 1) + dt.timedelta(days=trajet.arrival_day_offset), trajet.arrival_time
        )
        assert (end - start).total_seconds() / 60 == trajet.duration_min
        assert trajet.valid_from <= trajet.valid_to
        assert any(trajet.weekdays)
        assert trajet.co2_rail_kg > 0
    # The flight equivalent is the atlas's, written by the pipeline after the seed: no synthetic
    # town has an airport, so no trajet has one (the seeder writes none, as the ETL).
    assert not FlightEquivalent.objects.exists()
    assert not Trajet.objects.exclude(co2_flight_kg=None, flight_distance_km=None).exists()
    assert Trajet.objects.night().exists()
    assert Trajet.objects.day().count() > Trajet.objects.night().count()


def test_the_source_calendar_and_its_typical_week_flags_are_computed(seeded):
    from apps.trajets.calendars import running_condition
    from apps.trajets.models import DataSource
    from apps.trajets.periods import PeriodChoice, live_typical_week_condition, restrict_to_period

    source = DataSource.objects.get(name="synthetic")
    assert source.reference_week is not None
    assert source.flagged_week == source.reference_week
    assert source.runs_from == Trajet.objects.aggregate(first=Min("runs_from"))["first"]
    week = {source.pk: source.reference_week}
    live = set(Trajet.objects.filter(running_condition(week)).values_list("pk", flat=True))
    assert live
    assert live == set(
        Trajet.objects.filter(runs_in_typical_week=True).values_list("pk", flat=True)
    )
    listed = list(restrict_to_period(Trajet.objects.counted(), PeriodChoice()).values_list("pk"))
    with live_typical_week_condition():
        assert listed == list(
            restrict_to_period(Trajet.objects.counted(), PeriodChoice()).values_list("pk")
        )


def test_countries_cover_every_stop(seeded):
    trajet = Trajet.objects.order_by("-distance_km").first()
    stop_countries = set(trajet.stops.values_list("station__country", flat=True))
    assert set(TrajetCountry.objects.filter(trajet=trajet).values_list("country", flat=True)) == (
        stop_countries
    )


def test_is_reproducible_for_a_seed(seeded):
    first = list(Trajet.objects.order_by("id").values_list("distance_km", "departure_time")[:20])
    seed(
        "--trajets", "300", "--stations", "5000", "--seed", "7", "--chunk-size", "120", "--replace"
    )
    again = list(Trajet.objects.order_by("id").values_list("distance_km", "departure_time")[:20])
    assert again == first
    assert Station.objects.count() == 5000  # stations are reused, not duplicated
    assert Trajet.objects.count() == 300


def test_refuses_to_load_twice_without_replace(seeded):
    with pytest.raises(CommandError, match="--replace"):
        seed("--trajets", "10")
    assert Trajet.objects.count() == 300


def test_leaves_the_id_sequences_usable(seeded):
    assert (
        make_trajet().pk
        > Trajet.objects.exclude(source__name="test-feed").aggregate(m=Max("pk"))["m"]
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--trajets", "0"], "--trajets"),
        (["--trajets", "5", "--stations", "1"], "--stations"),
        (["--trajets", "5", "--stations-csv", "/nonexistent.csv"], "--stations-csv"),
        (["--trajets", "5", "--chunk-size", "0"], "--chunk-size"),
    ],
)
def test_rejects_bad_options_naming_them(args, message):
    with pytest.raises(CommandError, match=message):
        seed(*args)
    assert Trajet.objects.count() == 0


def test_rejects_a_stations_csv_without_coordinates(tmp_path):
    path = tmp_path / "stations.csv"
    path.write_text("name;country\nParis;FR\n", encoding="utf-8")
    with pytest.raises(CommandError, match="latitude"):
        seed("--trajets", "5", "--stations-csv", str(path))


# The benchmark calls the WSGI handler, which closes a connection left inside a transaction.
@pytest.mark.django_db(transaction=True)
def test_bench_prints_cold_sql_and_warm_timings_per_case():
    seed("--trajets", "40", "--stations", "800", "--seed", "3")
    out = StringIO()
    call_command(
        "bench_api", "--repeat", "2", "--warmup", "0", "--only", "stats by kind", stdout=out
    )
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("40 trajets on postgresql")
    row = next(line for line in lines if line.startswith("stats by kind"))
    values = row.removeprefix("stats by kind").split()
    cold50, sql50, ratio50, warm95, queries = (values[i] for i in (0, 2, 4, 6, 7))
    assert float(warm95) > 0
    assert float(cold50) > 0
    assert float(sql50) >= 0
    assert float(ratio50) > 1  # the API does more than its SQL
    assert int(queries) >= 1
    assert lines[-1].startswith("p95 within target:")


@pytest.mark.django_db(transaction=True)
def test_bench_compares_the_default_list_with_the_live_typical_week_condition():
    seed("--trajets", "40", "--stations", "800", "--seed", "3")
    out = StringIO()
    call_command(
        "bench_api",
        "--repeat",
        "2",
        "--warmup",
        "0",
        "--only",
        "no filter",
        "--compare-live",
        stdout=out,
    )
    lines = out.getvalue().splitlines()
    assert lines[1].split()[-3:] == ["live50", "live95", "live/cold"]
    rows = [line for line in lines if "no filter" in line]
    assert [row.split(":")[0] for row in rows] == ["list", "page"]
    for row in rows:
        live50, live95, ratio = (float(value) for value in row.split()[-3:])
        assert live95 >= live50 > 0
        assert ratio > 0


def test_bench_refuses_an_empty_database():
    with pytest.raises(CommandError, match="seed_synthetic"):
        call_command("bench_api", "--repeat", "2", stdout=StringIO())


def test_seeding_leaves_the_volume_summary_built_for_the_seeded_data(seeded):
    # The seeder ends with the derived-data pipeline, whose volume-summary artefact rebuilds it.
    assert "volume-summary rebuilt" in seeded
    assert set(VolumeSummary.objects.values_list("data_version", flat=True)) == {data_version()}
