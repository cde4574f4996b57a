"""The dates the data covers: spans of running dates, the period picker's limits and list,
and the plain message for a period without any train."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import translation

from apps.trajets.calendars import Period
from apps.trajets.coverage import MERGE_GAP_DAYS, build_coverage, data_coverage
from apps.trajets.models import CalendarException
from apps.trajets.tests.factories import make_run, make_source, make_trajet


def _days(start: dt.date, end: dt.date) -> set[int]:
    return set(range(start.toordinal(), end.toordinal() + 1))


def test_spans_merge_short_gaps_and_split_at_a_week_without_trains():
    old = _days(dt.date(2013, 12, 15), dt.date(2014, 1, 10)) - _days(
        dt.date(2013, 12, 24), dt.date(2013, 12, 26)
    )
    new = _days(dt.date(2025, 11, 9), dt.date(2025, 11, 20)) | _days(
        dt.date(2025, 11, 20) + dt.timedelta(days=MERGE_GAP_DAYS + 1), dt.date(2025, 12, 5)
    )
    other = _days(dt.date(2025, 11, 15), dt.date(2025, 11, 16))
    coverage = build_coverage({"sncf": old, "db": new, "obb": other})
    assert [(s.start, s.end, s.sources, s.idle_days) for s in coverage.spans] == [
        (dt.date(2013, 12, 15), dt.date(2014, 1, 10), ("sncf",), 3),
        (dt.date(2025, 11, 9), dt.date(2025, 11, 20), ("db", "obb"), 0),
        (dt.date(2025, 11, 28), dt.date(2025, 12, 5), ("db",), 0),
    ]
    assert (coverage.first, coverage.last) == (dt.date(2013, 12, 15), dt.date(2025, 12, 5))
    assert coverage.runs_on(dt.date(2014, 1, 2))
    assert not coverage.runs_on(dt.date(2013, 12, 25))  # inside a span, without trains
    assert not coverage.runs_on(dt.date(2020, 1, 1))
    assert coverage.overlaps(Period(dt.date(2013, 12, 20), dt.date(2013, 12, 24)))
    assert not coverage.overlaps(Period(dt.date(2013, 12, 24), dt.date(2013, 12, 26)))
    assert not coverage.overlaps(Period(dt.date(2025, 11, 21), dt.date(2025, 11, 27)))
    assert build_coverage({}).spans == ()


def test_a_period_without_trains_is_answered_with_the_covered_dates_in_french():
    coverage = build_coverage(
        {
            "sncf": _days(dt.date(2013, 12, 15), dt.date(2014, 12, 13)),
            "db": _days(dt.date(2025, 11, 9), dt.date(2025, 12, 12)),
        }
    )
    with translation.override("fr"):
        assert coverage.uncovered_message(Period(dt.date(2030, 3, 3), dt.date(2030, 3, 3))) == (
            "Aucun train ne circule le 3 mars 2030 dans les données. Dates couvertes : du "
            "15 décembre 2013 au 13 décembre 2014 et du 9 novembre au 12 décembre 2025."
        )
        assert coverage.uncovered_message(
            Period(dt.date(2020, 1, 6), dt.date(2020, 1, 12))
        ).startswith("Aucun train ne circule du 6 au 12 janvier 2020 dans les données.")
        assert build_coverage({}).summary() == "aucune date : aucun train n'est chargé"


@pytest.fixture
def weekday_train(db):
    trajet = make_trajet(
        valid_from=dt.date(2025, 11, 9),
        valid_to=dt.date(2025, 12, 9),
        weekdays="1111100",
        run=make_run(make_source("db-fernverkehr")),
    )
    CalendarException.objects.create(trajet=trajet, date=dt.date(2025, 11, 11), is_added=False)
    CalendarException.objects.create(trajet=trajet, date=dt.date(2025, 11, 16), is_added=True)
    return trajet


def test_the_warehouse_coverage_counts_weekly_patterns_and_dated_exceptions(weekday_train):
    running = {
        day
        for day in (dt.date(2025, 11, 9) + dt.timedelta(days=n) for n in range(31))
        if day.weekday() < 5
    }
    running = (running - {dt.date(2025, 11, 11)}) | {dt.date(2025, 11, 16)}
    (span,) = data_coverage().spans
    assert (span.start, span.end) == (min(running), max(running))
    assert span.sources == ("db-fernverkehr",)
    assert span.idle_days == span.days - len(running)
    coverage = data_coverage()
    assert coverage.runs_on(dt.date(2025, 11, 16))  # an added Sunday
    assert not coverage.runs_on(dt.date(2025, 11, 11))  # a removed Tuesday


def test_the_trajets_page_lists_the_covered_dates_and_limits_its_date_pickers(
    client, weekday_train
):
    html = client.get(reverse("trajets:trajet-list")).content.decode()
    table = html.split('id="coverage-table"', 1)[1].split("</table>", 1)[0]
    assert '<th scope="row">du 10 novembre au 9 décembre 2025</th>' in table
    assert "db-fernverkehr" in table
    # 4 weekends (8 days), less the added Sunday, plus the removed Tuesday.
    assert "<td>8 jours sans train</td>" in table
    assert "week=2025-11-10" in table
    for name in ("date", "week", "start", "end"):
        field = re.search(rf'<input type="date" name="{name}"[^>]*>', html).group(0)
        assert 'min="2025-11-10"' in field
        assert 'max="2025-12-09"' in field
    assert 'id="uncovered-period"' not in html


def test_a_date_outside_the_data_gets_a_plain_message_naming_the_covered_dates(
    client, weekday_train
):
    response = client.get(reverse("trajets:trajet-list"), {"date": "2030-03-03"})
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        "Aucun train ne circule le 3 mars 2030 dans les données. Dates couvertes : "
        "du 10 novembre au 9 décembre 2025." in html
    )
    assert "Aucun trajet ne correspond à ces filtres." in html
    inside = client.get(reverse("trajets:trajet-list"), {"week": "2025-11-10"})
    assert 'id="uncovered-period"' not in inside.content.decode()
    assert "1 trajet trouvé" in inside.content.decode()
