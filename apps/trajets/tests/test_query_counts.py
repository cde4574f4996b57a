"""No N+1: every list endpoint issues as many queries for 2N rows as for N rows."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.trajets.models import CalendarException, TrajetProvenance
from apps.trajets.tests.factories import (
    make_operator,
    make_run,
    make_source,
    make_station,
    make_trajet,
)

pytestmark = pytest.mark.django_db

LIST_URLS = [
    "/api/trajets",
    "/api/trajets?origin=gare&country=FR&kind=day&date=2025-03-10&q=gare",
    "/api/trajets?format=csv",
    "/api/stations",
    "/api/stations?format=csv",
    "/api/operators",
    "/api/operators?format=csv",
    "/api/stats/volumes?group_by=operator,country,kind",
    "/api/stats/volumes?group_by=operator&format=csv",
]


def add_rows(count: int) -> None:
    """Add ``count`` trajets (3 stops each, fresh stations and operators, 2 provenances)."""
    other_source = make_source("second-feed")
    for _ in range(count):
        index = make_station().pk
        operator = make_operator(f"op-{index}", f"Operator {index}")
        trajet = make_trajet([make_station(), make_station(), make_station()], operator=operator)
        CalendarException.objects.create(trajet=trajet, date="2025-03-11", is_added=False)
        TrajetProvenance.objects.create(
            trajet=trajet,
            source=other_source,
            source_record_id=f"other-{trajet.pk}",
            import_run=make_run(other_source),
        )


def count_queries(client, url: str) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
        else:
            assert response.json()["results"] is not None
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize("url", LIST_URLS)
def test_list_query_count_does_not_grow_with_rows(client, url):
    add_rows(3)
    with_n = count_queries(client, url)
    add_rows(3)
    assert count_queries(client, url) == with_n


def test_detail_query_count_does_not_grow_with_stops_or_sources(client):
    add_rows(1)
    small = make_trajet([make_station(), make_station()])
    big = make_trajet([make_station() for _ in range(12)])
    for day in range(1, 9):
        CalendarException.objects.create(trajet=big, date=f"2025-04-0{day}", is_added=True)
    assert count_queries_detail(client, small.pk) == count_queries_detail(client, big.pk)


def count_queries_detail(client, pk: int) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/api/trajets/{pk}").status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", ["/api/trajets?page_size=500", "/api/trajets?format=csv"])
def test_trajet_lists_read_the_stored_stop_summaries_not_the_stops(client, url):
    add_rows(2)
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
    assert not [q["sql"] for q in queries if '"trajets_stop"' in q["sql"]]
    assert body.count(b"Gare ") >= 2 * 3  # origin, via and destination names of each row
