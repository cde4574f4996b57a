"""The stored typical-week flag (``Trajet.runs_in_typical_week``) against the live calendar
condition it replaces in the default lists, on the bundled samples and after every write path."""

from __future__ import annotations

import datetime as dt
import importlib
from pathlib import Path

import pytest
from django.apps import apps as global_apps
from django.contrib.auth import get_user_model
from django.test import Client

from apps.trajets.calendars import (
    Period,
    refresh_source_calendar,
    running_condition,
    typical_week_of,
)
from apps.trajets.etl.loader import load_source
from apps.trajets.etl.runner import run_etl
from apps.trajets.etl.sources import DEFAULT_SOURCES_FILE, SourceSpec, load_sources
from apps.trajets.models import CalendarException, DataSource, Trajet
from apps.trajets.periods import (
    PeriodChoice,
    _typical_weeks,
    live_typical_week_condition,
    restrict_to_period,
    typical_week_condition,
)
from apps.trajets.tests.factories import make_run, make_source, make_trajet
from apps.trajets.tests.test_etl_extractors import write_gtfs

pytestmark = pytest.mark.django_db

flag_migration = importlib.import_module("apps.trajets.migrations.0020_typical_week_flags")


@pytest.fixture(autouse=True)
def isolated_artefacts(settings, tmp_path: Path) -> None:
    """The derived-data pipeline writes artefacts: keep them out of the shared var/."""
    settings.ROUTING_ARTIFACT_DIR = tmp_path / "routing"
    settings.ETL_CACHE_DIR = tmp_path / "etl-cache"
    settings.API_COUNT_CACHE_SECONDS = 0


def live_running_ids() -> set[int]:
    """Every trajet running in its source's typical week, by the calendar expression."""
    mondays = _typical_weeks().mondays
    return set(Trajet.objects.filter(running_condition(mondays)).values_list("pk", flat=True))


def flagged_ids() -> set[int]:
    return set(Trajet.objects.filter(runs_in_typical_week=True).values_list("pk", flat=True))


def default_ids(*, live: bool) -> list[int]:
    """The default list (each source's typical week), in its order."""
    rows = Trajet.objects.counted()
    if live:
        with live_typical_week_condition():
            return list(restrict_to_period(rows, PeriodChoice()).values_list("pk", flat=True))
    return list(restrict_to_period(rows, PeriodChoice()).values_list("pk", flat=True))


def api_ids(client: Client, query: str = "") -> tuple[int, list[int]]:
    body = client.get(f"/api/trajets?page_size=200&{query}").json()
    assert len(body["results"]) == body["count"] or body["count"] > 200
    return body["count"], [row["id"] for row in body["results"]]


def page_ids(client: Client, query: str = "") -> tuple[int, list[int]]:
    page = client.get(f"/trajets/?{query}").context["page"]
    return page.paginator.count, list(page.object_list)


def assert_flags_are_live() -> None:
    assert flagged_ids() == live_running_ids()
    assert default_ids(live=False) == default_ids(live=True)


def test_every_flag_on_the_bundled_samples_is_the_live_condition_and_lists_are_unchanged(
    client: Client,
) -> None:
    reports = run_etl([s for s in load_sources(DEFAULT_SOURCES_FILE) if s.enabled])
    assert all(r.status == "succeeded" for r in reports), [r.summary() for r in reports]
    timetables = DataSource.objects.filter(reference_week__isnull=False)
    # Several sources, with calendar exceptions in their typical weeks.
    assert timetables.count() >= 5
    with_exceptions = {
        source.pk
        for source in timetables
        if CalendarException.objects.filter(
            trajet__source=source,
            date__gte=source.reference_week,
            date__lte=source.reference_week + dt.timedelta(days=6),
        ).exists()
    }
    assert len(with_exceptions) >= 3
    for source in timetables:
        assert source.flagged_week == source.reference_week

    # Every trajet: the stored flag is the live condition of its source's typical week.
    live = live_running_ids()
    assert 0 < len(live) < Trajet.objects.count()
    for pk, flag in Trajet.objects.values_list("pk", "runs_in_typical_week"):
        assert flag == (pk in live), pk
    # Every source is answered by its flags: no calendar expression left in the SQL.
    condition = typical_week_condition(_typical_weeks().mondays)
    assert "calendarexception" not in str(Trajet.objects.filter(condition).query).lower()

    # The default list and its count, in the API and on the page, and the indicators.
    assert default_ids(live=False) == default_ids(live=True)
    for query in ("", "country=FR", "kind=night", "ordering=-distance", "q=Paris"):
        with live_typical_week_condition():
            expected = api_ids(client, query)
            expected_page = page_ids(client, query)
        assert expected[0] > 0, query
        assert api_ids(client, query) == expected, query
        assert page_ids(client, query) == expected_page, query
    with live_typical_week_condition():
        volumes = client.get("/api/stats/volumes?group_by=operator,country,kind").json()
    assert client.get("/api/stats/volumes?group_by=operator,country,kind").json() == volumes

    # The migration's arithmetic (historical models) gives the same flags.
    Trajet.objects.update(runs_in_typical_week=False)
    DataSource.objects.update(flagged_week=None)
    flag_migration.flag_trajets(global_apps, None)
    assert flagged_ids() == live
    for source in DataSource.objects.filter(reference_week__isnull=False):
        assert source.flagged_week == source.reference_week


def _feed(folder: Path, *, march: bool) -> Path:
    """A feed whose busiest week is in January (``march`` False) or, its second train moved
    and a third added there, in March; T1 never changes."""
    services = "W,1,1,1,1,1,0,0,20250106,20250131\nM,1,1,1,1,1,1,1,20250303,20250328\n"
    trips = "route_id,service_id,trip_id\nR1,W,T1\nR1,W,T2\n"
    times = (
        "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
        "T1,,08:00:00,S1,1\nT1,09:50:00,,S2,2\nT2,,12:00:00,S1,1\nT2,13:50:00,,S2,2\n"
    )
    if march:
        trips = "route_id,service_id,trip_id\nR1,W,T1\nR1,M,T2\nR1,M,T3\n"
        times += "T3,,18:00:00,S1,1\nT3,19:50:00,,S2,2\n"
    return write_gtfs(
        folder,
        **{
            "calendar.txt": (
                "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,"
                f"start_date,end_date\n{services}"
            ),
            "trips.txt": trips,
            "stop_times.txt": times,
        },
    )


def test_a_reload_with_a_new_typical_week_reflags_the_trajets_it_did_not_rewrite(
    tmp_path: Path,
) -> None:
    spec = SourceSpec(name="mini", format="gtfs", path="mini")
    load_source(spec, path=_feed(tmp_path / "v1", march=False))
    source = DataSource.objects.get(name="mini")
    assert source.reference_week == source.flagged_week == dt.date(2025, 1, 6)
    t1 = Trajet.objects.get(source_record_id="T1")
    assert t1.runs_in_typical_week
    assert_flags_are_live()

    load_source(spec, path=_feed(tmp_path / "v2", march=True))
    source.refresh_from_db()
    assert source.reference_week == source.flagged_week == dt.date(2025, 3, 3)
    t1.refresh_from_db()
    assert t1.content_hash == Trajet.objects.get(pk=t1.pk).content_hash
    assert not t1.runs_in_typical_week  # unchanged by the load, no longer in the week
    assert flagged_ids() == set(
        Trajet.objects.filter(source_record_id__in=["T2", "T3"]).values_list("pk", flat=True)
    )
    assert_flags_are_live()


@pytest.fixture
def refreshed_source() -> DataSource:
    """A source whose typical week is stored and flagged: the week of Monday 2025-01-06, the
    first whole week of the train running every day of January only."""
    source = make_source("flagged")
    run = make_run(source)
    make_trajet(run=run, source_record_id="weekdays", weekdays="1111100")
    make_trajet(run=run, source_record_id="sundays", weekdays="0000001")
    make_trajet(
        run=run,
        source_record_id="january",
        valid_from=dt.date(2025, 1, 1),
        valid_to=dt.date(2025, 1, 31),
    )
    make_trajet(
        run=run,
        source_record_id="spring",
        weekdays="0010000",
        valid_from=dt.date(2025, 4, 1),
        valid_to=dt.date(2025, 4, 30),
    )
    refresh_source_calendar(source)
    source.refresh_from_db()
    assert source.flagged_week == source.reference_week == dt.date(2025, 1, 6)
    return source


def trajet(record: str) -> Trajet:
    return Trajet.objects.get(source_record_id=record)


def test_an_orm_save_of_the_weekdays_or_dates_updates_the_flag(refreshed_source) -> None:
    spring = trajet("spring")
    assert not spring.runs_in_typical_week
    spring.valid_from = dt.date(2025, 1, 1)
    spring.save()
    assert trajet("spring").runs_in_typical_week
    sundays = trajet("sundays")
    assert sundays.runs_in_typical_week
    sundays.runs_sunday = False
    sundays.runs_saturday = True
    sundays.save(update_fields=["runs_sunday", "runs_saturday"])
    assert trajet("sundays").runs_in_typical_week
    sundays.valid_to = dt.date(2025, 1, 10)  # its last Saturday before the week: 2025-01-04
    sundays.valid_from = dt.date(2025, 1, 1)
    sundays.save()
    assert not trajet("sundays").runs_in_typical_week
    assert_flags_are_live()


def test_exceptions_saved_moved_and_deleted_update_the_flags(refreshed_source) -> None:
    spring = trajet("spring")
    added = CalendarException.objects.create(trajet=spring, date=dt.date(2025, 1, 8), is_added=True)
    assert trajet("spring").runs_in_typical_week
    sundays = trajet("sundays")
    removed = CalendarException.objects.create(
        trajet=sundays, date=dt.date(2025, 1, 12), is_added=False
    )
    assert not trajet("sundays").runs_in_typical_week
    assert_flags_are_live()
    added.date = dt.date(2025, 2, 8)
    added.save()
    assert not trajet("spring").runs_in_typical_week
    assert_flags_are_live()
    removed.trajet = spring  # moved (the admin's raw id field): both trajets recomputed
    removed.date = dt.date(2025, 4, 2)
    removed.save()
    assert trajet("sundays").runs_in_typical_week
    assert not trajet("spring").runs_in_typical_week
    assert_flags_are_live()
    CalendarException.objects.create(trajet=sundays, date=dt.date(2025, 1, 12), is_added=False)
    assert not trajet("sundays").runs_in_typical_week
    CalendarException.objects.filter(trajet=sundays).delete()
    assert trajet("sundays").runs_in_typical_week
    sundays.delete()  # the cascade to its exceptions recomputes nothing
    assert_flags_are_live()


def test_admin_edits_of_a_trajet_its_exceptions_and_a_source_week_keep_the_flags(
    refreshed_source,
) -> None:
    admin = get_user_model().objects.create_superuser("admin", "a@example.org", "pw")
    client = Client()
    client.force_login(admin)
    spring = trajet("spring")
    response = client.post(
        "/admin/trajets/calendarexception/add/",
        {"trajet": spring.pk, "date": "2025-01-09", "is_added": "on"},
    )
    assert response.status_code == 302, response.content[:2000]
    assert trajet("spring").runs_in_typical_week
    assert_flags_are_live()

    # The typical week edited by hand: every flag of the source answers for the new week.
    source = refreshed_source
    response = client.get(f"/admin/trajets/datasource/{source.pk}/change/")
    form = response.context["adminform"].form
    data = {
        name: form.initial.get(name, "") if form.initial.get(name) is not None else ""
        for name in form.fields
    }
    data.update(reference_week="2025-04-07", is_night_reference="")
    response = client.post(f"/admin/trajets/datasource/{source.pk}/change/", data)
    assert response.status_code == 302, response.content[:3000]
    source.refresh_from_db()
    assert source.reference_week == source.flagged_week == dt.date(2025, 4, 7)
    assert trajet("spring").runs_in_typical_week
    assert not Trajet.objects.filter(source_record_id="sundays", runs_in_typical_week=False)
    assert_flags_are_live()


def test_a_stale_source_instance_saved_whole_never_overwrites_the_flagged_week(
    refreshed_source,
) -> None:
    stale = DataSource.objects.get(pk=refreshed_source.pk)
    fresh = DataSource.objects.get(pk=refreshed_source.pk)
    fresh.reference_week = dt.date(2025, 4, 7)
    fresh.save()  # every flag now answers for the week of 7 April
    stale.title = "renamed"
    stale.save()  # writes its old week back, but never its old flagged week
    stale.refresh_from_db()
    assert stale.title == "renamed"
    assert stale.reference_week == stale.flagged_week == dt.date(2025, 1, 6)
    assert_flags_are_live()


def test_a_source_whose_week_changed_without_its_flags_is_answered_by_its_calendars(
    refreshed_source,
) -> None:
    # Flags computed for another week than the source's (a write that bypassed every hook):
    # the lists evaluate that source's calendars instead of trusting them.
    Trajet.objects.update(runs_in_typical_week=False)
    DataSource.objects.filter(pk=refreshed_source.pk).update(flagged_week=dt.date(2024, 1, 1))
    mondays = _typical_weeks().mondays
    assert (
        "calendarexception"
        in str(Trajet.objects.filter(typical_week_condition(mondays)).query).lower()
    )
    assert default_ids(live=False) == default_ids(live=True) != []


def test_a_source_never_refreshed_is_answered_by_its_calendars() -> None:
    run = make_run(make_source("unrefreshed"))
    make_trajet(run=run, weekdays="1111100")
    source = DataSource.objects.get(name="unrefreshed")
    assert source.reference_week is None
    assert source.flagged_week is None
    assert typical_week_of(source) == dt.date(2025, 1, 6)
    assert default_ids(live=False) == default_ids(live=True) != []


def test_the_flag_is_the_running_condition_of_the_typical_week_for_each_pattern(
    refreshed_source,
) -> None:
    week = Period(dt.date(2025, 1, 6), dt.date(2025, 1, 12))
    running = set(Trajet.objects.filter(running_condition(week)).values_list("pk", flat=True))
    assert running == flagged_ids()
    assert {t.source_record_id for t in Trajet.objects.filter(pk__in=running)} == {
        "weekdays",
        "sundays",
        "january",
    }
