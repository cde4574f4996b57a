"""Caching of figures that only change when an import succeeds.

Every cached aggregate (indicators, counts, the map's links, the quality report) is keyed by
the data version, the id of the latest successful import run: the next successful import
changes every key, and a skipped, failed or running import changes none. The warehouse app
registers how the version is read (:func:`register_data_version`): the project package
imports no app.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache as django_cache
from django.core.exceptions import EmptyResultSet, ImproperlyConfigured
from django.db import connection
from django.db.models import QuerySet
from django.utils.translation import get_language

from obrail.version import get_version

#: How long whole-warehouse page figures are kept at most, in seconds.
IMPORT_CACHE_SECONDS = 3600
DEFAULT_CACHE_SECONDS = 600

T = TypeVar("T")


#: The function giving the data version, registered by the warehouse app at start-up.
_data_version_source: list[Callable[[], int]] = []


def register_data_version(source: Callable[[], int]) -> None:
    """Make ``source`` the data version every cached figure is keyed by: the warehouse app
    registers the id of its latest successful import in its ``AppConfig.ready()``."""
    _data_version_source[:] = [source]


def data_version() -> int:
    """Id of the latest successful import: figures cached under it hold until the next one."""
    if not _data_version_source:
        raise ImproperlyConfigured(
            "No data version source: install the warehouse app (apps.trajets), which registers "
            "it with obrail.caching.register_data_version()."
        )
    return _data_version_source[0]()


def cache_seconds() -> int:
    """How long counts and indicators are cached (``API_COUNT_CACHE_SECONDS``; 0 disables)."""
    return getattr(settings, "API_COUNT_CACHE_SECONDS", DEFAULT_CACHE_SECONDS)


def query_fingerprint(queryset: QuerySet) -> str | None:
    """SHA-256 of a query's SQL and parameters; None when it matches nothing by construction.

    Django answers such a query (e.g. ``origin_id IN ()`` for a station name matching nothing)
    without any SQL, so there is nothing to cache.
    """
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:
        return None
    return hashlib.sha256(f"{sql}|{params!r}".encode()).hexdigest()


def cached_until_next_import(
    name: str,
    compute: Callable[[], T],
    *,
    seconds: int = IMPORT_CACHE_SECONDS,
    per_language: bool = True,
) -> T:
    """Return ``compute()``, reused until the next successful import.

    ``seconds`` bounds the age of an entry (0 disables the cache); ``per_language`` keeps one
    entry per interface language, for values holding translated text.
    """
    if not seconds:
        return compute()
    language = get_language() if per_language else "-"
    key = f"obrail:{_scope()}:{name}:{language}:{data_version()}"
    value = django_cache.get(key)
    if value is None:
        value = compute()
        django_cache.set(key, value, seconds)
    return value


def cache_scope() -> str:
    """The code version and the database, as a key prefix (see ``_scope``)."""
    return _scope()


@cache
def _scope() -> str:
    """The code version and the database: an entry pickled by another release (whose objects
    may lack a field) or computed on another database is never read."""
    database = Path(str(connection.settings_dict.get("NAME") or "")).name
    return hashlib.sha256(f"{get_version()}|{database}".encode()).hexdigest()[:16]


def cached_per_query(
    name: str,
    queryset: QuerySet,
    compute: Callable[[], T],
    *,
    seconds: int = IMPORT_CACHE_SECONDS,
    per_language: bool = True,
) -> T:
    """Return ``compute()`` for ``queryset``, reused until the next successful import under a
    key made of ``name`` and the query's SQL and parameters.

    Not cached when ``seconds`` is 0 (the fingerprint is not even computed) or when the query
    matches nothing by construction: ``compute`` then runs no SQL.
    """
    fingerprint = query_fingerprint(queryset) if seconds else None
    if fingerprint is None:
        return compute()
    return cached_until_next_import(
        f"{name}:{fingerprint}", compute, seconds=seconds, per_language=per_language
    )
