"""The covered dates the trajets page lists agree with the bundled GTFS calendars, read here
with the csv module alone (calendar.txt weekly patterns, calendar_dates.txt exceptions)."""

from __future__ import annotations

import csv
import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils.formats import date_format

from apps.trajets.coverage import data_coverage

SAMPLES = Path(settings.BASE_DIR) / "data" / "samples" / "gtfs"
FEEDS = {
    "sncf-intercites": SAMPLES / "sncf_intercites_2013-12",
    "db-fernverkehr": SAMPLES / "db_fernverkehr_gtfsde_2025-11",
}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _rows(feed: Path, name: str) -> list[dict[str, str]]:
    with (feed / name).open(encoding="utf-8-sig", newline="") as handle:
        return [
            {key.strip(): (value or "").strip() for key, value in row.items()}
            for row in csv.DictReader(handle)
        ]


def _date(text: str) -> dt.date:
    return dt.datetime.strptime(text, "%Y%m%d").date()


def raw_running_dates(feed: Path) -> set[dt.date]:
    """Every date on which at least one trip of ``feed`` runs, from its raw calendars."""
    dates: dict[str, set[dt.date]] = {}
    for row in _rows(feed, "calendar.txt"):
        day, last = _date(row["start_date"]), _date(row["end_date"])
        service = dates.setdefault(row["service_id"], set())
        while day <= last:
            if row[WEEKDAYS[day.weekday()]] == "1":
                service.add(day)
            day += dt.timedelta(days=1)
    for row in _rows(feed, "calendar_dates.txt"):
        service = dates.setdefault(row["service_id"], set())
        if row["exception_type"] == "1":
            service.add(_date(row["date"]))
        else:
            service.discard(_date(row["date"]))
    used = {row["service_id"] for row in _rows(feed, "trips.txt")}
    return set().union(*(dates.get(service, set()) for service in used))


@pytest.fixture
def loaded(db, settings, tmp_path):
    settings.ROUTING_ARTIFACT_DIR = tmp_path / "routing"
    for name, feed in FEEDS.items():
        call_command("etl", "--source", name, "--path", str(feed), stdout=StringIO())
    return {name: raw_running_dates(feed) for name, feed in FEEDS.items()}


def test_the_covered_dates_are_the_raw_calendars_dates(loaded, client):
    spans = data_coverage().spans
    # The 2013 and 2025 timetables are years apart: one span each, from the first to the
    # last raw running date, with the raw calendar's dates without a train counted inside.
    assert len(spans) == len(FEEDS)
    for span, (name, dates) in zip(spans, sorted(loaded.items(), reverse=True), strict=True):
        assert span.sources == (name,)
        assert (span.start, span.end) == (min(dates), max(dates))
        assert span.idle_days == span.days - len(dates)
        for offset in range(span.days):
            day = span.start + dt.timedelta(days=offset)
            assert data_coverage().runs_on(day) == (day in dates), day
    html = client.get(reverse("trajets:trajet-list"), HTTP_ACCEPT_LANGUAGE="fr").content
    table = html.decode().split('id="coverage-table"', 1)[1].split("</table>", 1)[0]
    for dates in loaded.values():
        assert date_format(max(dates), "j F Y") in table
