"""The indicator caches are warmed after a change of data, in every language of the site."""

from __future__ import annotations

import pytest
from django.utils import translation

from apps.stats.dashboard import compute_dashboard
from apps.trajets.services import summarise_data_quality
from apps.trajets.tests.factories import make_run, make_trajet
from obrail import derived

pytestmark = pytest.mark.django_db


def test_after_an_import_the_dashboard_and_quality_report_are_served_from_the_cache(
    django_assert_num_queries,
):
    make_trajet(kind="night")
    run = make_run()

    outcomes = derived.rebuild_after_change("test", changed=True, run_id=run.pk)
    assert {o.name: o.status for o in outcomes}["indicator-caches"] == "rebuilt"

    for language in ("fr", "en"):
        with translation.override(language):
            # Two queries remain: the latest import run and the version of the stored flight
            # equivalents (written after the import by the atlas), which key the cache.
            with django_assert_num_queries(2):
                dashboard = compute_dashboard()
            with django_assert_num_queries(1):
                summarise_data_quality()
    assert dashboard.night_count == 1
