"""The warm-up after a recomputation: the default queries are cached before any visitor."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from apps.atlas.listing import results_key
from apps.atlas.services import recompute_atlas
from apps.atlas.warmup import warm_atlas_caches


def _pair_queries(client, url: str, language: str = "fr") -> list[str]:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url, HTTP_ACCEPT_LANGUAGE=language).status_code == 200
    return [q["sql"] for q in context.captured_queries if "atlas_citypair" in q["sql"]]


def test_a_recomputation_warms_the_default_pages_once_committed(
    atlas, client, django_capture_on_commit_callbacks
):
    cache.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        recompute_atlas(trigger="test")
    assert len(callbacks) == 2  # the version bump, then the warm-up
    for language in ("fr", "en"):
        with translation.override(language):
            assert cache.get(results_key(QueryDict(), "ademe")) is not None
            assert cache.get(results_key(QueryDict("method=eea"), "eea")) is not None
        assert _pair_queries(client, reverse("atlas:pair-list"), language) == []
        assert _pair_queries(client, reverse("api:pair-list"), language) == []
    simulator = reverse("atlas:policy") + "?threshold_min=240&scope=domestic&country=FR"
    assert _pair_queries(client, simulator) == []
    assert _pair_queries(client, reverse("api:policy") + "?threshold_min=150") == []
    # A query nobody warmed is rendered on demand.
    assert _pair_queries(client, reverse("atlas:pair-list") + "?ordering=-rail") != []


def _results(client, url: str) -> str:
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    return html[html.index('<section aria-labelledby="pairs-heading">') : html.index("</figure>")]


def test_a_warmed_answer_is_the_answer_rendered_on_demand(atlas, client):
    url = reverse("atlas:pair-list")
    cache.clear()
    on_demand = _results(client, url)
    api_on_demand = client.get(reverse("api:pair-list")).json()
    cache.clear()
    done = warm_atlas_caches()
    assert done is not None
    assert done.answers == 30
    assert _results(client, url) == on_demand
    assert client.get(reverse("api:pair-list")).json() == api_on_demand


def test_a_database_failure_during_the_warm_up_is_logged_not_raised(atlas, monkeypatch, caplog):
    from django.db import DatabaseError

    def broken(*args, **kwargs):
        raise DatabaseError("gone")

    monkeypatch.setattr("apps.atlas.warmup.pair_results", broken)
    assert warm_atlas_caches() is None
    assert "warming the atlas caches failed" in caplog.text


@pytest.mark.django_db
def test_the_warm_up_of_an_empty_atlas_caches_empty_pages(client):
    done = warm_atlas_caches()
    assert done is not None
    html = client.get(reverse("atlas:pair-list"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Aucune liaison ne correspond à ces filtres." in html
