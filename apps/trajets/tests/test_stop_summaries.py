"""The stops summary stored on each trajet stays equal to what its stops say."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.trajets.etl.loader import load_source
from apps.trajets.etl.sources import DEFAULT_SOURCES_FILE, SourceSpec, load_sources
from apps.trajets.models import Stop, Trajet
from apps.trajets.stop_summaries import refresh_stop_summaries, stop_summary
from apps.trajets.tests.factories import make_station, make_trajet
from apps.trajets.tests.test_etl_extractors import GTFS_T1_CHANGED_T2_GONE, ROOT, write_gtfs

pytestmark = pytest.mark.django_db


def summaries() -> dict[str, tuple[int, list[str]]]:
    return {
        record: (count, via)
        for record, count, via in Trajet.objects.values_list(
            "source_record_id", "stop_count", "via_names"
        )
    }


def from_stops(trajet: Trajet) -> tuple[int, list[str]]:
    return stop_summary([stop.station.name for stop in trajet.stops.order_by("sequence")])


def test_the_summary_is_the_count_and_the_names_between_the_ends():
    assert stop_summary(["Paris", "Dijon", "Lyon", "Marseille"]) == (4, ["Dijon", "Lyon"])
    assert stop_summary(["Paris", "Lyon"]) == (2, [])
    assert stop_summary([]) == (0, [])


def test_the_etl_writes_the_summaries_of_a_real_feed_and_of_updated_trajets(tmp_path: Path):
    source = next(s for s in load_sources(DEFAULT_SOURCES_FILE) if s.name == "sncf-intercites")
    load_source(source, path=ROOT / source.path)
    assert Trajet.objects.count() > 100
    assert refresh_stop_summaries() == 0  # nothing to correct: the ETL wrote them all
    longest = Trajet.objects.order_by("-stop_count").first()
    assert longest.stop_count > 5
    assert (longest.stop_count, longest.via_names) == from_stops(longest)

    feed = write_gtfs(tmp_path / "feed")
    mini = SourceSpec(name="mini", format="gtfs", path=str(feed))
    load_source(mini, path=feed)
    write_gtfs(feed, **GTFS_T1_CHANGED_T2_GONE)
    assert load_source(mini, path=feed).updated == 1
    updated = Trajet.objects.get(source__name="mini", source_record_id="T1")
    assert updated.stop_count == 3
    assert (updated.stop_count, updated.via_names) == from_stops(updated)
    assert refresh_stop_summaries() == 0


def test_editing_stops_through_the_orm_refreshes_their_trajet():
    paris, dijon, lyon = make_station("Paris"), make_station("Dijon"), make_station("Lyon")
    trajet = make_trajet([paris, lyon])
    assert (trajet.stop_count, trajet.via_names) == (2, [])
    Stop.objects.filter(trajet=trajet, sequence=1).update(sequence=2)
    Stop.objects.create(
        trajet=trajet,
        sequence=1,
        station=dijon,
        arrival_time=dt.time(9),
        departure_time=dt.time(9, 5),
    )
    trajet.refresh_from_db()
    assert (trajet.stop_count, trajet.via_names) == (3, ["Dijon"])
    trajet.stops.get(sequence=1).delete()
    trajet.refresh_from_db()
    assert (trajet.stop_count, trajet.via_names) == (2, [])


def test_renaming_a_station_refreshes_the_trajets_that_stop_there():
    dijon = make_station("Dijon")
    through = make_trajet([make_station("Paris"), dijon, make_station("Lyon")])
    elsewhere = make_trajet([make_station("Bordeaux"), make_station("Agen"), make_station("Sète")])
    dijon.name = "Dijon-Ville"
    dijon.save(update_fields=["latitude"])  # the name is not saved: nothing to refresh
    through.refresh_from_db()
    assert through.via_names == ["Dijon"]
    dijon.save()
    through.refresh_from_db()
    elsewhere.refresh_from_db()
    assert through.via_names == ["Dijon-Ville"]
    assert elsewhere.via_names == ["Agen"]


def test_a_full_refresh_repairs_summaries_written_by_hand_and_only_those():
    trajets = [
        make_trajet([make_station(), make_station(f"Via {i}"), make_station()]) for i in range(3)
    ]
    Trajet.objects.filter(pk=trajets[1].pk).update(stop_count=0, via_names=[])
    Trajet.objects.filter(pk=trajets[2].pk).update(via_names=["Ailleurs"])
    assert refresh_stop_summaries() == 2
    assert [summaries()[t.source_record_id] for t in trajets] == [
        (3, [f"Via {i}"]) for i in range(3)
    ]
    assert refresh_stop_summaries([trajets[0].pk]) == 0


def test_deleting_trajets_does_not_refresh_them_stop_by_stop():
    stations = [make_station() for _ in range(6)]
    trajet = make_trajet(stations)
    with CaptureQueriesContext(connection) as queries:
        trajet.delete()
    updates = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "trajets_trajet"')]
    # Only the links of other sources' trajets to this one are cleared (one statement per
    # link: same train, night-train reference).
    links = ('SET "same_train_as_id" = NULL', 'SET "night_reference_id" = NULL')
    assert all(any(link in sql for link in links) for sql in updates), updates
    assert len(updates) <= 2
    assert not Stop.objects.exists()


def test_the_command_checks_then_repairs():
    trajet = make_trajet([make_station(), make_station("Dijon"), make_station()])
    out = StringIO()
    call_command("refresh_stop_summaries", "--check", stdout=out)
    assert "up to date" in out.getvalue()
    Trajet.objects.filter(pk=trajet.pk).update(via_names=[])
    with pytest.raises(CommandError, match="1 trajet"):
        call_command("refresh_stop_summaries", "--check", stdout=StringIO())
    trajet.refresh_from_db()
    assert trajet.via_names == []  # --check wrote nothing
    out = StringIO()
    call_command("refresh_stop_summaries", stdout=out)
    assert out.getvalue().startswith("1 stops summary")
    trajet.refresh_from_db()
    assert trajet.via_names == ["Dijon"]


def test_rows_written_without_the_summary_columns_get_database_defaults():
    """The previous release (still running during a rollback) inserts trajets without them."""
    model = make_trajet([make_station(), make_station("Dijon"), make_station()])
    columns = [
        field.column
        for field in Trajet._meta.concrete_fields
        if field.name not in {"id", "stop_count", "via_names"}
    ]
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    copied = names.replace('"source_record_id"', "'copy'")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO trajets_trajet ({names}) SELECT {copied} FROM trajets_trajet "
            "WHERE id = %s",
            [model.pk],
        )
    inserted = Trajet.objects.exclude(pk=model.pk).get()
    assert (inserted.stop_count, inserted.via_names) == (0, [])
    assert refresh_stop_summaries() == 0  # no stops: the defaults are its true summary
