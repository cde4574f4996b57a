"""Project-wide pytest configuration."""

from __future__ import annotations

import os

import pytest
from django.core.cache import cache


def pytest_sessionstart(session: pytest.Session) -> None:
    """Refuse to run on SQLite when PostgreSQL is required (CI sets OBRAIL_REQUIRE_POSTGRES)."""
    if os.environ.get("OBRAIL_REQUIRE_POSTGRES") != "1":
        return
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    if not engine.endswith("postgresql"):
        pytest.exit(
            f"OBRAIL_REQUIRE_POSTGRES=1 but DATABASE_URL selects {engine}: "
            "point DATABASE_URL to PostgreSQL.",
            returncode=3,
        )


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts and ends with an empty cache: cached counts, indicators and throttle
    histories never leak from one test into another."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the site's language: a request with an English cookie leaves
    English active in the thread (LocaleMiddleware does not reset it), and forms built
    outside a request would then speak English."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def derived_calls(monkeypatch) -> list[tuple[int | None, bool]]:
    """The derived-data registry holding one probe artefact, which records the run and
    whether data changed at each rebuild (the real artefacts are left out)."""
    from obrail import derived

    calls: list[tuple[int | None, bool]] = []

    def probe(change: derived.Change) -> derived.Result:
        calls.append((change.run_id, change.is_data_changed))
        return derived.Result("probed")

    monkeypatch.setattr(derived, "_registry", {})
    derived.register("probe", probe)
    return calls


@pytest.fixture
def commit_hooks():
    """A function running the on-commit callbacks pending in the test's transaction, as its
    commit would (``django_capture_on_commit_callbacks`` sees only those added inside it)."""
    from django.db import connection

    def run() -> int:
        hooks, connection.run_on_commit = connection.run_on_commit, []
        for _savepoints, callback, _robust in hooks:
            callback()
        return len(hooks)

    return run
