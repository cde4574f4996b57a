"""The list page's results: one page of pairs as a table and a map, cached as HTML.

The pages only read what the recomputation stored, so a rendered page of results is cached
per atlas version, language and query (:func:`results_key`); the recomputation warms the
default queries (:mod:`apps.atlas.warmup`), so the first visitor after it does not pay them.
A page is :data:`PAGE_ROWS` rows; the map draws the pairs of the page; the spreadsheet has
them all.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import QueryDict
from django.template.defaultfilters import floatformat
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from apps.atlas import presentation
from apps.atlas.co2 import MethodFactors, co2_unit
from apps.atlas.models import CityPair
from apps.atlas.services import METHODS, atlas_version, method_factors, pair_co2

__all__ = ["LIST_FIELDS", "PAGE_ROWS", "PairRow", "pair_results", "results_key"]

#: Rows of a page of the table (and lines of its map).
PAGE_ROWS = 50
RESULTS_CACHE_SECONDS = 3600
_PK = "999999999"
#: The columns the table, the map and the CO2 figures read (not the day's journeys, the
#: yearly series or the airports: the list would decode them for nothing).
LIST_FIELDS = (
    "id", "a_name", "b_name", "a_country", "b_country", "a_latitude", "a_longitude",
    "b_latitude", "b_longitude", "is_domestic", "distance_km", "air_year", "air_passengers",
    "flown_km", "flight_door_min", "rail_status", "rail_fastest_min", "rail_direct_per_day",
    "rail_km_by_country", "rail_missing_main", "night_train",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class PairRow:
    """A pair as the table shows it: every cell formatted once, in Python, with the same
    filters and words the template used (a template resolves each of them per row)."""

    url: str
    label: str
    passengers: str
    rail: str
    flight: str
    distance: str
    direct: int
    night: str
    rail_co2: str
    air_co2: str


def _kg(value: float | None) -> str:
    return "—" if value is None else floatformat(value, 1)


def _rail(pair: CityPair) -> str:
    if pair.rail_fastest_min is not None:
        text = f"{floatformat(pair.rail_fastest_min, 0)} min"
        return f"{text} {_('au plus')}" if pair.rail_is_upper_bound else text
    if pair.rail_status == CityPair.RailStatus.NO_JOURNEY:
        return _("aucun trajet trouvé")
    return _("pas d'horaire actuel")


def _row(pair: CityPair, url: str, factors: MethodFactors) -> PairRow:
    co2 = pair_co2(pair, factors)
    passengers = intcomma(pair.air_passengers)
    if pair.air_year:
        passengers = f"{passengers} ({pair.air_year})"
    return PairRow(
        url=url.replace(_PK, str(pair.pk)),
        label=pair.label,
        passengers=passengers,
        rail=_rail(pair),
        flight=f"{floatformat(pair.flight_door_min, 0)} min" if pair.flight_door_min else "—",
        distance=f"{floatformat(pair.distance_km, 0)} km",
        direct=pair.rail_direct_per_day,
        night=_("oui") if pair.night_train else _("non"),
        rail_co2=_kg(co2.rail_kg),
        air_co2=_kg(co2.air_kg),
    )


def results_key(query: QueryDict, method: str) -> str:
    """The cache key of a page of results: atlas version, language, method and query."""
    raw = f"{atlas_version()}|{get_language()}|{method}|{sorted(query.lists())}"
    return "atlas:results:" + hashlib.sha256(raw.encode()).hexdigest()


def _page(queryset: QuerySet, number: int) -> Page:
    """The page ``number`` (EmptyPage past the last one; page 1 of an empty list exists)."""
    paginator = Paginator(queryset.only(*LIST_FIELDS), PAGE_ROWS)
    return paginator.page(number)


def _filled(query: QueryDict) -> QueryDict:
    """The parameters with a value: an empty filter form asks for the landing page."""
    filled = QueryDict(mutable=True)
    for name, values in query.lists():
        if kept := [value for value in values if value]:
            filled.setlist(name, kept)
    return filled


def pair_results(queryset: QuerySet, query: QueryDict, method: str, number: int) -> SafeString:
    """The table, the page links and the map of page ``number`` of the filtered pairs
    (``query``: the page's validated parameters; the links keep those with a value);
    EmptyPage past the last page."""
    query = _filled(query)
    key = results_key(query, method)
    html = cache.get(key)
    if html is None:
        page = _page(queryset, number)
        factors = method_factors(method)
        pairs = list(page.object_list)
        # One reverse for the page, not one per row: the detail address with a placeholder id.
        url = f"{reverse('atlas:pair-detail', args=[_PK])}?method={method}"
        context = {
            "method_label": METHODS[method],
            "co2_unit": co2_unit(method),
            "rows": [_row(p, url, factors) for p in pairs],
            "page": page,
            "page_links": presentation.page_links(query, page),
            "map": presentation.map_layout(pairs),
            "bands": presentation.BANDS,
            "query": query.urlencode(),
            "sort_columns": presentation.sort_columns(query, query.get("ordering", "")),
        }
        html = render_to_string("atlas/partials/pair_results.html", context)
        cache.set(key, html, RESULTS_CACHE_SECONDS)
    return mark_safe(html)  # noqa: S308 - rendered by our own template, autoescaped
