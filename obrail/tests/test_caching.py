"""Figures are cached until the next successful import, and only then recomputed."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from apps.trajets.models import ImportRun, Trajet
from apps.trajets.tests.factories import make_run
from obrail import caching
from obrail.caching import (
    cached_per_query,
    cached_until_next_import,
    data_version,
    query_fingerprint,
)

pytestmark = pytest.mark.django_db


def test_a_cached_value_is_recomputed_after_a_successful_import_only():
    calls = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    assert cached_until_next_import("figure", compute) == 1
    make_run(status=ImportRun.Status.SKIPPED)
    make_run(status=ImportRun.Status.FAILED)
    assert cached_until_next_import("figure", compute) == 1
    make_run()
    assert cached_until_next_import("figure", compute) == 2


def test_zero_seconds_disables_the_cache():
    calls = []
    for _ in range(2):
        cached_until_next_import("figure", lambda: calls.append(1), seconds=0)
    assert len(calls) == 2


def test_a_query_matching_nothing_by_construction_has_no_fingerprint():
    assert query_fingerprint(Trajet.objects.filter(pk__in=[])) is None
    one, same, other = (
        query_fingerprint(Trajet.objects.filter(kind=kind)) for kind in ("day", "day", "night")
    )
    assert one == same != other


def test_per_query_values_are_cached_by_query_unless_off_or_matching_nothing():
    calls = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    day, night = Trajet.objects.filter(kind="day"), Trajet.objects.filter(kind="night")
    assert cached_per_query("figure", day, compute) == 1
    assert cached_per_query("figure", day.all(), compute) == 1
    assert cached_per_query("figure", night, compute) == 2
    assert cached_per_query("figure", day, compute, seconds=0) == 3
    nothing = Trajet.objects.filter(pk__in=[])
    assert cached_per_query("figure", nothing, compute) == 4
    assert cached_per_query("figure", nothing, compute) == 5


def test_another_release_or_database_never_reads_an_entry(settings, monkeypatch):
    from obrail import caching

    calls = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    assert cached_until_next_import("figure", compute) == 1
    assert cached_until_next_import("figure", compute) == 1
    caching._scope.cache_clear()
    monkeypatch.setattr(caching, "get_version", lambda: "another-release")
    try:
        assert cached_until_next_import("figure", compute) == 2
    finally:
        caching._scope.cache_clear()


def test_the_data_version_is_the_warehouse_s_registered_one():
    assert data_version() == 0
    run = make_run()
    make_run(status=ImportRun.Status.FAILED)
    assert data_version() == run.pk


def test_without_a_registered_data_version_caching_refuses_to_guess(monkeypatch):
    monkeypatch.setattr(caching, "_data_version_source", [])
    with pytest.raises(ImproperlyConfigured, match="register_data_version"):
        cached_until_next_import("figure", lambda: 1)
