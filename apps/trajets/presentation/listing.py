"""The trajets list and network map: filter form, result rows, sort headers, page links,
the period in words and the map's layers, from the FilterSet and the query string.

Plain functions, no request: the views pass the page's path and query (a ``QueryDict``).
"""

from __future__ import annotations

from django.core.paginator import Page
from django.db.models import Count, Q
from django.http import QueryDict
from django.urls import NoReverseMatch, reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from apps.places.services import station_name
from apps.trajets.coverage import DataCoverage, idle_text
from apps.trajets.filters import TrajetFilterSet
from apps.trajets.forms import FilterLayout
from apps.trajets.kinds import kind_word
from apps.trajets.models import CalendarException, Trajet, TransportMode
from apps.trajets.periods import (
    PeriodKind,
    describe_choice,
    describe_running,
    typical_weeks,
)
from apps.trajets.station_search import resolve_stations, station_ids_for
from obrail.api.pagination import CachedCountPaginator
from obrail.formatting import (
    clock,
    decimal,
    duration,
    kilograms,
    semicolon_list,
    weekday_short_labels,
)

PAGE_SIZE = 25
ORDERING_PARAM = "ordering"
#: The order without ``?ordering=``: Trajet.Meta.ordering (departure time, then id).
DEFAULT_ORDERING = "departure"
# (ordering value of TrajetFilterSet, column label, numeric column)
SORT_COLUMNS = (
    ("departure", gettext_lazy("Départ"), False),
    ("arrival", gettext_lazy("Arrivée"), False),
    ("duration", gettext_lazy("Durée"), True),
    ("distance", gettext_lazy("Distance"), True),
)
# Fields completed from the station API as the user types (names of stations).
AUTOCOMPLETE_FIELDS = ("origin", "destination")
AUTOCOMPLETE_API = "api:station-list"
KIND_PARAM = "kind"
MAP_LAYERS = (
    ("", gettext_lazy("Jour et nuit")),
    ("day", gettext_lazy("Liaisons de jour")),
    ("night", gettext_lazy("Réseau des trains de nuit")),
)
PERIOD_PARAMS = ("period", "date", "week", "month", "start", "end")


def url_with(path: str, query: QueryDict, **values: str) -> str:
    """The page's URL with some parameters replaced (empty value: removed), page reset."""
    query = query.copy()
    for name in ("page", *values):
        query.pop(name, None)
    for name, value in values.items():
        if value:
            query[name] = value
    return f"{path}?{query.urlencode()}" if query else path


def reverse_or_empty(name: str) -> str:
    """The URL of an API route, or "" while that route is not deployed."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


# --- The list and the map: the filter form ---


def present_filter_fields(filterset: TrajetFilterSet) -> None:
    """Tie errors and help to their fields and complete station names from the API (call
    after validation)."""
    form = filterset.form
    for name, field in form.fields.items():
        attrs = field.widget.attrs
        described_by = [f"id_{name}_helptext"] if field.help_text else []
        if name in form.errors:
            attrs["aria-invalid"] = "true"
            described_by.insert(0, f"id_{name}-error")
        if described_by:
            attrs["aria-describedby"] = " ".join(described_by)
        api_url = reverse_or_empty(AUTOCOMPLETE_API) if name in AUTOCOMPLETE_FIELDS else ""
        if api_url:
            attrs.update(
                {
                    "list": f"{name}-suggestions",
                    "autocomplete": "off",
                    "data-autocomplete": api_url,
                    "data-autocomplete-value": "name",
                }
            )


def limit_dates(filterset: TrajetFilterSet, coverage: DataCoverage) -> None:
    """Date pickers open on the covered dates: ``min`` and ``max`` are the first and last
    dates with trains (a date outside stays possible and gets its message)."""
    if coverage.first is None or coverage.last is None:
        return
    for name in ("date", "week", "start", "end"):
        filterset.form.fields[name].widget.attrs.update(
            {"min": coverage.first.isoformat(), "max": coverage.last.isoformat()}
        )


def filter_context(
    filterset: TrajetFilterSet, layout: FilterLayout, query: QueryDict
) -> dict[str, object]:
    """The filter form, its layout and its station suggestions."""
    return {
        "filterset": filterset,
        "layout": layout,
        "datalists": [
            f"{name}-suggestions"
            for name, field in filterset.form.fields.items()
            if "data-autocomplete" in field.widget.attrs
        ],
        "query": query.urlencode(),
    }


def map_layers(path: str, query: QueryDict) -> list[dict[str, object]]:
    """The map's day/night layer links, the current one marked."""
    current_kind = query.get(KIND_PARAM, "")
    return [
        {
            "key": kind or "all",
            "label": label,
            "url": url_with(path, query, **{KIND_PARAM: kind}),
            "current": kind == current_kind,
        }
        for kind, label in MAP_LAYERS
    ]


# --- The list: results ---


def exception_counts(trajet_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Added and removed dates of each trajet (one query)."""
    counts: dict[int, tuple[int, int]] = {}
    rows = (
        CalendarException.objects.filter(trajet_id__in=trajet_ids)
        .order_by()
        .values_list("trajet_id")
        .annotate(
            added=Count("pk", filter=Q(is_added=True)),
            removed=Count("pk", filter=Q(is_added=False)),
        )
    )
    for trajet_id, added, removed in rows:
        counts[trajet_id] = (added, removed)
    return counts


def sort_columns(path: str, query: QueryDict, ordering: str) -> list[dict[str, object]]:
    """The sortable column headers: link to the next order and ``aria-sort``."""
    columns = []
    for key, label, numeric in SORT_COLUMNS:
        is_ascending, is_descending = ordering == key, ordering == f"-{key}"
        next_ordering = f"-{key}" if is_ascending else key
        columns.append(
            {
                "key": key,
                "label": label,
                "numeric": numeric,
                "url": url_with(path, query, **{ORDERING_PARAM: next_ordering}),
                "aria_sort": "ascending" if is_ascending else "descending" if is_descending else "",
                "action": _("trier par ordre décroissant")
                if is_ascending
                else _("trier par ordre croissant"),
            }
        )
    return columns


def page_links(path: str, query: QueryDict, page: Page) -> list[dict[str, object]]:
    """Previous, numbered (elided) and next page links."""
    links = []
    if page.has_previous():
        links.append(
            {
                "key": "previous",
                "label": _("‹ Précédente"),
                "url": url_with(path, query, page=str(page.previous_page_number())),
                "description": _("Page précédente"),
            }
        )
    for number in page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1):
        if number == page.paginator.ELLIPSIS:
            links.append({"key": "", "label": number, "url": ""})
        else:
            links.append(
                {
                    "key": str(number),
                    "label": number,
                    "current": number == page.number,
                    "url": url_with(path, query, page=str(number)),
                    "description": _("Page %(number)s") % {"number": number},
                }
            )
    if page.has_next():
        links.append(
            {
                "key": "next",
                "label": _("Suivante ›"),
                "url": url_with(path, query, page=str(page.next_page_number())),
                "description": _("Page suivante"),
            }
        )
    return links


def variants_text(count: int) -> str:
    """``3 variantes`` for a train several sources publish (empty for one version)."""
    if count < 2:
        return ""
    return ngettext("%(count)s variante", "%(count)s variantes", count) % {"count": count}


def result_rows(trajets: list[Trajet]) -> list[dict[str, object]]:
    """The list's rows: train, times, stations, duration, distance, kind, CO2, running days."""
    ids = [trajet.pk for trajet in trajets]
    exceptions = exception_counts(ids)
    variants = Trajet.objects.variant_counts(ids)
    return [
        {
            "url": reverse("trajets:trajet-detail", args=[trajet.pk]),
            "train": f"{trajet.category} {trajet.train_number}".strip() or "—",
            "variants": variants_text(variants.get(trajet.pk, 1)),
            "operator": trajet.operator.name,
            "departure": clock(trajet.departure_time),
            "origin": station_name(trajet.origin.name),
            "arrival": clock(trajet.arrival_time, trajet.arrival_day_offset),
            "destination": station_name(trajet.destination.name),
            "duration": duration(trajet.duration_min),
            "distance": (
                _("%(km)s km") % {"km": decimal(trajet.distance_km, 0, grouping=True)}
                if trajet.distance_km
                else "—"
            ),
            "kind": trajet.kind,
            "kind_label": kind_word(trajet.kind),
            # Coaches and tram-trains are listed only when asked for: their rows say so.
            "mode_label": "" if trajet.mode == TransportMode.RAIL else trajet.get_mode_display(),
            "co2": f"{kilograms(trajet.co2_rail_kg)} / {kilograms(trajet.co2_flight_kg)}",
            "running": describe_running(trajet.runs_from, trajet.runs_until, trajet.running_days),
            "days": days_text(
                weekday_short_labels(trajet.weekdays),
                exceptions_text(exceptions.get(trajet.pk, (0, 0))),
            ),
        }
        for trajet in trajets
    ]


def days_text(weekdays: str, exceptions: str) -> str:
    """``lun.–jeu., dim. ; 2 dates ajoutées`` (the language's punctuation: ``Sun; 2 dates``)."""
    if not exceptions:
        return weekdays
    return _("%(weekdays)s ; %(exceptions)s") % {"weekdays": weekdays, "exceptions": exceptions}


def exceptions_text(counts: tuple[int, int]) -> str:
    """``2 dates ajoutées, 1 supprimée`` (empty without exceptions)."""
    added, removed = counts
    parts = []
    if added:
        parts.append(
            ngettext("%(count)s date ajoutée", "%(count)s dates ajoutées", added) % {"count": added}
        )
    if removed:
        parts.append(
            ngettext("%(count)s date supprimée", "%(count)s dates supprimées", removed)
            % {"count": removed}
        )
    return ", ".join(parts)


def period_context(
    path: str, query: QueryDict, filterset: TrajetFilterSet, coverage: DataCoverage
) -> dict[str, object]:
    """The period the listed trains run in, in words, the link to every date, the dates
    the data covers (each with a link to its first week) and, for a period without any
    train, the plain message saying which dates are covered."""
    choice = filterset.period_choice
    weeks = typical_weeks().of() if choice.kind == PeriodKind.REFERENCE else ()
    cleared = dict.fromkeys(PERIOD_PARAMS, "")
    every_date = ""
    if choice.kind != PeriodKind.ALL:
        every_date = url_with(path, query, **{**cleared, "period": PeriodKind.ALL.value})
    uncovered = ""
    if choice.period is not None and not coverage.overlaps(choice.period):
        uncovered = coverage.uncovered_message(choice.period)
    return {
        "period_label": describe_choice(choice, weeks),
        "every_date_url": every_date,
        "uncovered_message": uncovered,
        "coverage_rows": [
            {
                "label": span.label,
                "sources": ", ".join(span.sources),
                "idle": idle_text(span.idle_days),
                "week_url": url_with(path, query, **{**cleared, "week": span.start.isoformat()}),
            }
            for span in coverage.spans
        ],
    }


def results_context(
    path: str, query: QueryDict, filterset: TrajetFilterSet, coverage: DataCoverage
) -> dict[str, object]:
    """The requested page of results with its count, links, sort headers and downloads."""
    ordering = query.get(ORDERING_PARAM, "") or DEFAULT_ORDERING
    # Deferred join: page through ids only (narrow index scans, even when thousands of services
    # share a departure minute), then load the 25 rows with their operator and stations.
    paginator = CachedCountPaginator(filterset.qs.values_list("pk", flat=True), PAGE_SIZE)
    page = paginator.get_page(query.get("page"))
    trajets = Trajet.objects.with_related().in_bulk(list(page.object_list))
    count = paginator.count
    count_message = ngettext("%(count)s trajet trouvé", "%(count)s trajets trouvés", count) % {
        "count": number_format(count, 0, use_l10n=True, force_grouping=True)
    }
    list_query = query.copy()
    list_query.pop("page", None)
    csv_query = list_query.copy()
    csv_query["format"] = "csv"
    csv_api = reverse_or_empty("api:trajet-list")
    return {
        **period_context(path, query, filterset, coverage),
        "name_notes": name_notes(query, filterset),
        "page": page,
        "rows": result_rows([trajets[pk] for pk in page.object_list if pk in trajets]),
        "page_links": page_links(path, query, page),
        "sort_columns": sort_columns(path, query, ordering),
        "count_message": count_message,
        "live_message": _("%(count)s, page %(number)s sur %(pages)s.")
        % {"count": count_message, "number": page.number, "pages": paginator.num_pages},
        "csv_url": f"{csv_api}?{csv_query.urlencode()}" if csv_api else "",
        "spreadsheet_url": reverse("trajets:trajet-export")
        + (f"?{list_query.urlencode()}" if list_query else ""),
    }


def name_notes(query: QueryDict, filterset: TrajetFilterSet) -> list[dict[str, object]]:
    """For an origin or destination naming several towns, or nothing known: what it matched,
    or the nearest names as links that search them instead."""
    notes = []
    for field in ("origin", "destination"):
        text = (filterset.form.cleaned_data.get(field) or "").strip()
        if not text or text.isdigit():
            continue
        matched = resolve_stations(text)
        if matched.is_ambiguous:
            notes.append(
                {
                    "text": _("« %(value)s » désigne plusieurs lieux : %(names)s. Les trajets "
                              "de chacun sont affichés.")
                    % {"value": text, "names": semicolon_list(t.label for t in matched.targets)},
                    "links": [],
                }
            )  # fmt: skip
        elif not matched.targets and not station_ids_for(text):
            links = []
            for target in matched.suggestions:
                params = query.copy()
                params[field] = target.name
                params.pop("page", None)
                links.append({"label": target.label, "url": f"?{params.urlencode()}"})
            notes.append(
                {
                    "text": _("Aucune gare ni ville ne s'appelle « %(value)s ».") % {"value": text},
                    "links": links,
                }
            )
    return notes
