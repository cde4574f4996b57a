"""The row specification: every consumer's fields are the spec's, no more and no fewer."""

from __future__ import annotations

import csv
import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

from apps.trajets import rows, serializers
from apps.trajets.api import TrajetViewSet
from apps.trajets.etl import load_trajets
from apps.trajets.etl.loader import load_source
from apps.trajets.etl.sources import SourceSpec
from apps.trajets.etl.transform import HarmonisedStop, _copy_lines
from apps.trajets.etl.writer import db_columns
from apps.trajets.exports import TRAJET_HEADERS
from apps.trajets.models import Stop, Trajet
from apps.trajets.rows import (
    CSV_COLUMNS,
    DETAIL_COLUMNS,
    LIST_COLUMNS,
    LIST_READS,
    LIST_VALUES,
    SHEET_COLUMNS,
    STOP_COLUMNS,
    STOP_WRITTEN_FIELDS,
    TRAJET_COLUMNS,
    TRAJET_WRITTEN_FIELDS,
    csv_cells,
    json_fields,
    sheet_cells,
    written_values,
)
from apps.trajets.serializers import StopSerializer, TrajetDetailSerializer, TrajetListSerializer
from apps.trajets.synthetic import STOP_COLUMNS as SEEDER_STOP_COLUMNS
from apps.trajets.synthetic import TRAJET_COLUMNS as SEEDER_TRAJET_COLUMNS
from apps.trajets.synthetic import generator
from apps.trajets.tests.factories import make_trajet
from apps.trajets.tests.test_etl_extractors import write_gtfs


def names(columns: tuple[rows.Column, ...]) -> list[str]:
    return [column.name for column in columns]


def csv_header(body: bytes, delimiter: str = ",") -> list[str]:
    return next(csv.reader(StringIO(body.decode("utf-8-sig")), delimiter=delimiter))


def test_column_names_are_unique_and_mode_is_published_everywhere():
    assert len(set(names(TRAJET_COLUMNS))) == len(TRAJET_COLUMNS)
    assert len({cell.header for cell in csv_cells(CSV_COLUMNS)}) == len(csv_cells(CSV_COLUMNS))
    mode = next(column for column in TRAJET_COLUMNS if column.name == "mode")
    assert (mode.in_list, mode.in_detail, [c.header for c in mode.csv]) == (True, True, ["mode"])
    assert [str(cell.header) for cell in mode.sheet] == ["Mode"]


def test_the_serializers_declare_the_spec_columns_in_its_order():
    assert list(TrajetListSerializer().fields) == names(LIST_COLUMNS)
    assert list(TrajetDetailSerializer().fields) == names(DETAIL_COLUMNS)
    assert list(StopSerializer().fields) == names(STOP_COLUMNS)


def test_the_detail_builds_exactly_the_objects_the_spec_leaves_to_it():
    built = set(serializers._DETAIL_OBJECTS)
    assert {column.name for column in DETAIL_COLUMNS if column.json is None} <= built
    assert built <= set(names(DETAIL_COLUMNS))


def test_json_pairs_refuse_a_nested_object_the_detail_builds():
    assert [name for name, _ in json_fields(LIST_COLUMNS)] == names(LIST_COLUMNS)
    with pytest.raises(ValueError, match="'rail_emission_factor'"):
        json_fields(DETAIL_COLUMNS)


def test_list_pages_read_the_spec_paths_and_nothing_else():
    assert TrajetViewSet.page_row_values == LIST_VALUES == LIST_READS[1:]
    assert LIST_READS[0] == "id"
    deferred, only = Trajet.objects.for_api_list().query.deferred_loading
    assert (set(deferred), only) == (set(LIST_READS), False)
    wanted = {path for c in (*LIST_COLUMNS, *CSV_COLUMNS, *SHEET_COLUMNS) for path in c.reads}
    assert set(LIST_READS) == wanted


@pytest.mark.django_db
def test_json_rows_of_the_list_and_the_detail_have_the_spec_keys(client):
    trajet = make_trajet()
    listed = client.get("/api/trajets?period=all").json()["results"]
    assert [list(row) for row in listed] == [names(LIST_COLUMNS)]
    detail = client.get(f"/api/trajets/{trajet.pk}").json()
    assert list(detail) == names(DETAIL_COLUMNS)
    assert detail["mode"] == listed[0]["mode"] == "rail"
    assert [list(stop) for stop in detail["stops"]] == [names(STOP_COLUMNS)] * 2


@pytest.mark.django_db
def test_the_api_csv_has_the_spec_cells_as_columns(client):
    trajet = make_trajet()
    response = client.get("/api/trajets?period=all&format=csv")
    body = b"".join(response.streaming_content)
    header = [str(cell.header) for cell in csv_cells(CSV_COLUMNS)]
    assert TrajetViewSet.csv_columns == tuple(header)
    reader = csv.reader(StringIO(body.decode()))
    assert next(reader) == header
    line = dict(zip(header, next(reader), strict=True))
    assert (line["id"], line["mode"], line["origin"]) == (
        str(trajet.pk),
        "rail",
        trajet.origin.name,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "first"), [("fr", "Opérateur"), ("en", "Operator")])
def test_the_spreadsheet_has_the_spec_labels_with_the_train_first(client, language, first):
    make_trajet()
    with translation.override(language):
        labels = [str(cell.header) for cell in sheet_cells(SHEET_COLUMNS)]
    response = client.get("/trajets/export.csv?period=all", headers={"accept-language": language})
    header = csv_header(b"".join(response.streaming_content), delimiter=";")
    assert header == labels
    assert [str(h) for h in TRAJET_HEADERS] == [str(c.header) for c in sheet_cells(SHEET_COLUMNS)]
    assert header[:2] == ["Train", first]


def test_loaders_write_every_trajet_and_stop_field_but_those_derived_after_a_load():
    derived = {"runs_in_typical_week", "same_train_as", "night_reference"}
    assert (
        tuple(field.name for field in Trajet._meta.concrete_fields if field.name not in derived)
        == TRAJET_WRITTEN_FIELDS
    )
    assert tuple(f.name for f in Stop._meta.concrete_fields)[1:] == STOP_WRITTEN_FIELDS
    assert db_columns(Trajet, TRAJET_WRITTEN_FIELDS) == load_trajets._TRAJET_COLUMNS
    assert db_columns(Stop, STOP_WRITTEN_FIELDS) == load_trajets._STOP_COLUMNS
    assert SEEDER_TRAJET_COLUMNS.split(", ") == list(db_columns(Trajet, TRAJET_WRITTEN_FIELDS))
    assert SEEDER_STOP_COLUMNS.split(", ") == ["id", *db_columns(Stop, STOP_WRITTEN_FIELDS)]


def test_a_loader_row_lacking_a_written_field_or_holding_another_fails():
    values = written_values(("id", "mode"))
    assert values({"mode": "coach", "id": 3}) == (3, "coach")
    with pytest.raises(KeyError, match=r"lacks written fields \['mode'\]"):
        values({"id": 3})
    with pytest.raises(KeyError, match=r"holds other fields \['colour'\]"):
        values({"id": 3, "mode": "rail", "colour": "red"})
    with pytest.raises(KeyError, match="mode"):
        values({"id": 3, "colour": "red"})


def test_the_etl_stop_copy_text_follows_the_written_stop_fields():
    stop = HarmonisedStop(
        station_key=11,
        sequence=2,
        arrival=dt.time(1, 2, 3),
        arrival_day_offset=1,
        departure=dt.time(4, 5, 6),
        departure_day_offset=3,
        distance_from_origin_km=7.5,
        pickup_type=2,
        drop_off_type=1,
    )
    (line,) = _copy_lines((stop,))
    assert dict(zip(STOP_WRITTEN_FIELDS[1:], line.split("\t"), strict=True)) == {
        "sequence": "2",
        "station": "11",
        "arrival_time": "01:02:03",
        "arrival_day_offset": "1",
        "departure_time": "04:05:06",
        "departure_day_offset": "3",
        "distance_from_origin_km": "7.5",
        "pickup_type": "2",
        "drop_off_type": "1",
    }


def recorded(monkeypatch, module, seen: list) -> None:
    """Record the keys of the rows ``module`` writes through its ``_trajet_values``."""
    real = module._trajet_values

    def values(row):
        seen.append(tuple(row))
        return real(row)

    monkeypatch.setattr(module, "_trajet_values", values)


@pytest.mark.django_db
def test_the_etl_writes_each_trajet_from_a_row_keyed_by_the_written_fields(
    monkeypatch, tmp_path: Path, settings
):
    settings.ROUTING_ARTIFACT_DIR = tmp_path / "routing"
    settings.ETL_CACHE_DIR = tmp_path / "etl-cache"
    seen: list[tuple[str, ...]] = []
    recorded(monkeypatch, load_trajets, seen)
    feed = write_gtfs(tmp_path / "feed")
    load_source(SourceSpec(name="mini", format="gtfs", path=str(feed)), path=feed)
    assert len(seen) == Trajet.objects.count() > 0
    assert {frozenset(keys) for keys in seen} == {frozenset(TRAJET_WRITTEN_FIELDS)}
    assert set(Trajet.objects.values_list("mode", flat=True)) == {"rail"}


@pytest.mark.django_db
def test_the_seeder_writes_each_trajet_from_a_row_keyed_by_the_written_fields(monkeypatch):
    seen: list[tuple[str, ...]] = []
    recorded(monkeypatch, generator, seen)
    call_command("seed_synthetic", "--trajets", "5", "--stations", "200", stdout=StringIO())
    assert len(seen) == 5
    assert {frozenset(keys) for keys in seen} == {frozenset(TRAJET_WRITTEN_FIELDS)}
    # The fields it used to leave to the database's defaults hold those defaults.
    stored = Trajet.objects.values_list(
        "mode", "timetable_kind", "distance_method", "rail_emission_factor", "stops__pickup_type"
    )
    assert set(stored) == {("rail", "", "stops", None, 0)}
