"""The complete national feeds (Romania, SNCF TER) load with every trip accounted for.

Each test counts the raw files with code of its own (``csv``, ``zipfile``) and compares with
the warehouse. The feeds live under ETL_FULL_DATA_DIR (``../shared/data``, present on the
developers' machines and in CI); CI fails on a skipped test, so a missing folder is noticed.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db.models import Count

from apps.trajets.etl.loader import load_source
from apps.trajets.etl.sources import load_sources
from apps.trajets.models import (
    DataSource,
    ServiceKind,
    Stop,
    Trajet,
    TrajetProvenance,
    TransportMode,
)
from apps.trajets.record_accounting import account_records

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def isolated_artefacts(settings, tmp_path: Path) -> None:
    """The derived-data pipeline writes artefacts: keep them out of the shared var/."""
    settings.ROUTING_ARTIFACT_DIR = tmp_path / "routing"
    settings.ETL_CACHE_DIR = tmp_path / "etl-cache"


def _spec(name: str):
    specs = load_sources(dataset="full", full_data_dir=Path(settings.ETL_FULL_DATA_DIR))
    spec = next(s for s in specs if s.name == name)
    if not Path(spec.path).exists():
        pytest.skip(f"complete feed {spec.path} absent (set ETL_FULL_DATA_DIR)")
    return spec


def _rows(folder: Path, name: str) -> Iterator[dict[str, str]]:
    if folder.suffix == ".zip":
        with zipfile.ZipFile(folder) as archive, archive.open(name) as raw:
            yield from csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8-sig"))
    else:
        with (folder / name).open(encoding="utf-8-sig", newline="") as handle:
            yield from csv.DictReader(handle)


def _modes(source: str, records: set[str]) -> set[str]:
    """The modes of the trajets holding ``records`` (turn parts ``<id>#n`` included)."""
    rows = TrajetProvenance.objects.filter(source__name=source).values_list(
        "source_record_id", "trajet__mode"
    )
    return {mode for record, mode in rows if re.sub(r"#\d+$", "", record) in records}


def test_the_whole_romanian_timetable_loads_with_every_trip_accounted_for() -> None:
    spec = _spec("romania-datagovro")
    folder = Path(spec.path)
    route_type = {r["route_id"]: r["route_type"] for r in _rows(folder, "routes.txt")}
    trips = {t["trip_id"]: t for t in _rows(folder, "trips.txt")}
    coaches = {t for t, row in trips.items() if route_type[row["route_id"]] == "200"}
    night = {t for t, row in trips.items() if row["trip_short_name"] == "IR-N"}
    assert (len(trips), len(coaches), len(night)) == (2103, 156, 42)

    report = load_source(spec, path=folder)
    assert report.status == "succeeded", report.message
    account = account_records(DataSource.objects.get(name=spec.name))

    # Every trip of trips.txt is stored or rejected, and nothing else is.
    assert account.accounted == set(trips)
    assert not account.stored & set(account.rejected)
    # Coaches (route_type 200, bus replacements) are stored as coaches, never as trains.
    assert _modes(spec.name, coaches) == {TransportMode.COACH}
    assert _modes(spec.name, set(trips) - coaches) == {TransportMode.RAIL}
    counted = Trajet.objects.filter(source__name=spec.name).counted()
    assert not counted.filter(provenances__source_record_id__in=coaches).exists()
    assert counted.count() == Trajet.objects.filter(source__name=spec.name, mode="rail").count()
    # Every InterRegio night train stored is a night train.
    kinds = dict(
        TrajetProvenance.objects.filter(
            source__name=spec.name, source_record_id__in=night
        ).values_list("source_record_id", "trajet__kind")
    )
    assert set(kinds) == night & account.stored
    # Every IR-N record is on a night train of its own: 460/461 (București Nord ↔ Ruse,
    # summer) run on the stops and times of the day IR 1094/1095 of the rest of the year
    # and are not folded into them; IR 1094/1095, another number, stay day trains.
    assert set(kinds.values()) == {ServiceKind.NIGHT}
    for record, day in (("460", "1094"), ("461", "1095")):
        trajet = TrajetProvenance.objects.get(source__name=spec.name, source_record_id=record)
        assert trajet.trajet.train_number == record
        other = TrajetProvenance.objects.get(source__name=spec.name, source_record_id=day)
        assert other.trajet.kind == ServiceKind.DAY
    assert len(kinds) == 42
    assert night - account.stored <= set(account.rejected)


def test_the_whole_ter_feed_stores_coaches_and_tram_trains_apart_from_trains(client) -> None:
    spec = _spec("sncf-ter")
    archive = Path(spec.path)
    route_type = {r["route_id"]: r["route_type"] for r in _rows(archive, "routes.txt")}
    trips = {t["trip_id"]: route_type[t["route_id"]] for t in _rows(archive, "trips.txt")}
    by_type = {kind: {t for t, rt in trips.items() if rt == kind} for kind in set(trips.values())}
    assert {kind: len(ids) for kind, ids in by_type.items()} == {
        "2": 28169, "3": 4595, "0": 516,
    }  # fmt: skip
    rules: dict[str, list[tuple[int, int]]] = {}
    restricted = 0
    for row in _rows(archive, "stop_times.txt"):
        pickup, drop_off = int(row["pickup_type"] or 0), int(row["drop_off_type"] or 0)
        restricted += pickup == 1 or drop_off == 1
        rules.setdefault(row["trip_id"], []).append((int(row["stop_sequence"]), pickup, drop_off))
    assert (sum(len(r) for r in rules.values()), restricted) == (299983, 66950)

    report = load_source(spec, path=archive)
    assert report.status == "succeeded", report.message
    source = DataSource.objects.get(name=spec.name)
    account = account_records(source)
    assert account.accounted == set(trips)
    assert not account.rejected  # every trip of the feed is stored
    # Each trip keeps the mode of its route type; only the trains are counted.
    assert _modes(spec.name, by_type["2"]) == {TransportMode.RAIL}
    assert _modes(spec.name, by_type["3"]) == {TransportMode.COACH}
    assert _modes(spec.name, by_type["0"]) == {TransportMode.TRAM_TRAIN}
    trajets = Trajet.objects.filter(source=source)
    assert set(trajets.counted().values_list("mode", flat=True)) == {TransportMode.RAIL}
    coaches = trajets.filter(mode=TransportMode.COACH, same_train_as__isnull=True).count()
    assert coaches == trajets.counted([TransportMode.COACH]).count() > 0

    # UIC codes come from the stop ids (``StopArea:OCE87571240``: 7 digits and a key).
    records = list(source.station_records.values_list("source_record_id", "uic_code"))
    assert records
    assert all(uic == re.findall(r"\d+", record)[-1][:7] for record, uic in records)

    # Boarding rules: a trajet made of one trip has that trip's rules, stop by stop.
    single = (
        TrajetProvenance.objects.filter(source=source)
        .values("trajet_id")
        .annotate(n=Count("id"))
        .filter(n=1)
        .values("trajet_id")
    )
    own = dict(
        TrajetProvenance.objects.filter(trajet_id__in=single).values_list(
            "trajet_id", "source_record_id"
        )
    )
    stored: dict[int, list[tuple[int, int]]] = {}
    for trajet, pickup, drop_off in (
        Stop.objects.filter(trajet_id__in=own)
        .order_by("trajet_id", "sequence")
        .values_list("trajet_id", "pickup_type", "drop_off_type")
    ):
        stored.setdefault(trajet, []).append((pickup, drop_off))
    compared = 0
    for trajet, record in own.items():
        if "#" in record:
            continue  # cut at a turn: its parts are checked by check_truth
        raw = [(p, d) for _, p, d in sorted(rules[record])]
        assert stored[trajet] == raw, record
        compared += 1
    assert compared > 20000
    assert Stop.objects.filter(trajet__source=source, pickup_type=1).exists()

    # The list counts trains unless coaches are asked for.
    asked = client.get("/api/trajets", {"period": "all", "mode": "coach"}).json()
    assert asked["count"] == coaches
    # At a station served by trains and coaches (Sélestat, 87214056).
    served = {"period": "all", "origin": "8721405"}
    at = trajets.filter(origin__uic_code="8721405")
    trains = client.get("/api/trajets", served).json()
    both = client.get("/api/trajets", {**served, "mode": ["rail", "coach"]}).json()
    assert trains["count"] == at.counted().count() > 0
    assert both["count"] == trains["count"] + at.counted(["coach"]).count() > trains["count"]
    assert client.get("/api/trajets", {"mode": "bus"}).status_code == 400
