"""Warm the atlas's caches after a recomputation, never in a page request.

The pages and the API cache what they render per atlas version (bumped by the recomputation);
without a warm-up, the first visitor of each query after a recomputation pays its render.
:func:`warm_atlas_caches` renders the default queries once, in every language of the site:
the list page without filters (the landing page, and the same page asked with an empty
filter form), its first page under every CO2 method, the first page of ``/api/pairs``, and
the simulator's thresholds on French domestic flights under every method (the page and
``/api/policy`` share that answer).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, QueryDict
from django.utils import translation

from apps.atlas.filters import CityPairFilterSet
from apps.atlas.forms import THRESHOLDS
from apps.atlas.listing import pair_results
from apps.atlas.models import CityPair
from apps.atlas.services import METHODS, policy_answer

__all__ = ["WarmUp", "warm_atlas_caches"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class WarmUp:
    """How many answers were rendered and how long it took."""

    answers: int
    duration_ms: float


def _warm_list(method: str) -> None:
    query = QueryDict("" if method == "ademe" else f"method={method}")
    filterset = CityPairFilterSet(QueryDict(), queryset=CityPair.objects.all())
    pair_results(filterset.qs, query, method, 1)


def _warm_api_pairs() -> None:
    from apps.atlas.api import PairListView

    request = HttpRequest()
    request.method = "GET"
    view = PairListView()
    view.setup(request)
    view.request = view.initialize_request(request)
    view.format_kwarg = None
    view.cached_page(view.request)


def warm_atlas_caches() -> WarmUp | None:
    """Render the default queries into the cache (None, logged, when the database fails:
    the pages then render on demand)."""
    started = time.perf_counter()
    answers = 0
    try:
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                for method in METHODS:
                    _warm_list(method)
                _warm_api_pairs()
                answers += len(METHODS) + 1
        for value, _label in THRESHOLDS:
            for method in METHODS:
                policy_answer(
                    threshold_min=int(value) if value else None,
                    night_train=not value,
                    method=method,
                )
                answers += 1
    except DatabaseError:
        logger.exception("warming the atlas caches failed")
        return None
    done = WarmUp(answers, round((time.perf_counter() - started) * 1000, 1))
    logger.info(
        "atlas caches warmed", extra={"answers": done.answers, "duration_ms": done.duration_ms}
    )
    return done
