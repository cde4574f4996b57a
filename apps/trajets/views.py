"""HTML pages of the trajets app: list, detail, network map and data quality."""

from __future__ import annotations

import datetime as dt

from django.core.paginator import Page
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from apps.trajets.api import CachedCountPaginator
from apps.trajets.country_gaps import countries_without_current_timetable
from apps.trajets.coverage import DataCoverage, data_coverage, idle_text
from apps.trajets.emission_words import factor_text, flight_equivalent_note
from apps.trajets.etl.quality import QualityReport
from apps.trajets.exports import TRAJET_HEADERS, trajet_rows
from apps.trajets.filters import TrajetFilterSet
from apps.trajets.forms import FilterLayout, present_filter_form
from apps.trajets.kinds import kind_reason_text, kind_word
from apps.trajets.map import MapStation, NetworkMap, build_network_map
from apps.trajets.models import CalendarException, ImportRun, Trajet, TransportMode
from apps.trajets.periods import (
    PeriodKind,
    describe_choice,
    describe_running,
    format_span,
    source_validities,
    typical_weeks,
)
from apps.trajets.reject_reasons import describe_reason
from apps.trajets.station_search import resolve_stations, station_ids_for
from obrail.formatting import (
    WEEKDAY_LABELS,
    clock,
    country_name,
    decimal,
    duration,
    kilograms,
    semicolon_list,
    station_name,
    weekday_labels,
    weekday_short_labels,
)
from obrail.htmx import is_htmx_fragment_request
from obrail.services import (
    Chart,
    ChartRow,
    NetworkLinks,
    collect_network_links,
    get_trajet_detail,
    summarise_data_quality,
)
from obrail.spreadsheet import download_name, stream_spreadsheet_csv


def _co2_chart(trajet: Trajet) -> Chart | None:
    if trajet.co2_rail_kg is None:
        return None
    rows = [ChartRow(_("Train"), trajet.co2_rail_kg, kilograms(trajet.co2_rail_kg), "rail")]
    if trajet.co2_flight_kg:
        ratio = trajet.co2_flight_kg / max(trajet.co2_rail_kg, 0.01)
        summary = _(
            "Un passager émet %(rail)s en train contre %(flight)s pour le vol équivalent, "
            "soit %(ratio)s fois moins en train."
        ) % {
            "rail": kilograms(trajet.co2_rail_kg),
            "flight": kilograms(trajet.co2_flight_kg),
            "ratio": decimal(ratio, 0 if ratio >= 10 else 1),
        }
        rows.append(
            ChartRow(
                _("Avion équivalent"),
                trajet.co2_flight_kg,
                kilograms(trajet.co2_flight_kg),
                "air",
            )
        )
    else:
        summary = _("Un passager émet %(rail)s en train.") % {"rail": kilograms(trajet.co2_rail_kg)}
    return Chart(
        key="trajet-co2",
        title=_("CO2e par passager pour ce trajet"),
        summary=summary,
        label_header=_("Mode"),
        value_header=_("kg CO2e par passager"),
        rows=tuple(rows),
    )


def _stop_rows(trajet: Trajet) -> list[dict[str, object]]:
    return [
        {
            "name": station_name(stop.station.name),
            "country": country_name(stop.station.country),
            "arrival": (
                clock(stop.arrival_time, stop.arrival_day_offset) if stop.arrival_time else ""
            ),
            "departure": (
                clock(stop.departure_time, stop.departure_day_offset) if stop.departure_time else ""
            ),
            "distance_km": stop.distance_from_origin_km,
        }
        for stop in trajet.stops.all()
    ]


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


def trajet_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One service: stops timeline, calendar, distance, duration, CO2 vs flight, provenance."""
    try:
        trajet = get_trajet_detail(pk)
    except Trajet.DoesNotExist:
        raise Http404(_("Aucun trajet n'a l'identifiant %(id)s.") % {"id": pk}) from None
    context = {
        "trajet": trajet,
        "stops": _stop_rows(trajet),
        "display": {
            "origin_name": station_name(trajet.origin.name),
            "destination_name": station_name(trajet.destination.name),
            "departure": clock(trajet.departure_time),
            "arrival": clock(trajet.arrival_time, trajet.arrival_day_offset),
            "origin_country": country_name(trajet.origin_country),
            "destination_country": country_name(trajet.destination_country),
            "duration": duration(trajet.duration_min),
            "weekdays": weekday_labels(trajet.weekdays),
            "running": describe_running(trajet.runs_from, trajet.runs_until, trajet.running_days),
            "pattern": format_span(trajet.valid_from, trajet.valid_to),
            "kind_reason": kind_reason_text(trajet.kind_reason),
            "rail_factor": (
                factor_text(trajet.rail_emission_factor) if trajet.rail_emission_factor else None
            ),
            "flight_factor": (
                factor_text(trajet.flight_emission_factor)
                if trajet.flight_emission_factor
                else None
            ),
        },
        "exceptions": list(trajet.calendar_exceptions.all()),
        "provenances": list(trajet.provenances.all()),
        "week": list(zip(WEEKDAY_LABELS, trajet.weekdays, strict=True)),
        "co2_chart": _co2_chart(trajet),
        "flight_note": flight_equivalent_note(trajet),
        "variants": _variant_rows(trajet),
    }
    return render(request, "trajets/trajet_detail.html", context)


def _variant_rows(trajet: Trajet) -> list[dict[str, object]]:
    """Every trajet describing the same train as ``trajet`` (itself included), counted one
    first."""
    return [
        {
            "url": reverse("trajets:trajet-detail", args=[variant.pk]),
            "source": variant.source.title or variant.source.name,
            "train": f"{variant.category} {variant.train_number}".strip() or "—",
            "running": describe_running(
                variant.runs_from, variant.runs_until, variant.running_days
            ),
            "weekdays": weekday_short_labels(variant.weekdays),
            "is_this": variant.pk == trajet.pk,
            "is_counted": variant.same_train_as_id is None,
        }
        for variant in Trajet.objects.variants_of(trajet).select_related("source")
    ]


def _source_rows(report: QualityReport) -> list[dict[str, object]]:
    statuses = {**dict(ImportRun.Status.choices), "never": _("jamais importée")}
    return [
        {
            "source": source,
            "status": statuses.get(source.last_run_status, source.last_run_status),
            "is_failed": source.last_run_status == ImportRun.Status.FAILED,
            "started_at": (
                dt.datetime.fromisoformat(source.last_run_at) if source.last_run_at else None
            ),
            "trajet_completeness": [
                (TRAJET_FIELD_LABELS.get(name, name), rate)
                for name, rate in source.trajet_completeness.items()
            ],
            "station_completeness": [
                (STATION_FIELD_LABELS.get(name, name), rate)
                for name, rate in source.station_completeness.items()
            ],
            "rejects": [
                {"reason": describe_reason(group.reason_code), "group": group}
                for group in source.rejects
            ],
        }
        for source in report.sources
    ]


def quality(request: HttpRequest) -> HttpResponse:
    """Data quality from the ETL's report: last import per source, completeness, rejects."""
    report = summarise_data_quality()
    context = {
        "report": report,
        "sources": _source_rows(report),
        "rejected_total": sum(group.count for source in report.sources for group in source.rejects),
        "source_validities": source_validities(),
        "coverage_gaps": [
            country_name(c) for c in countries_without_current_timetable(timezone.localdate())
        ],
    }
    return render(request, "trajets/quality.html", context)


# --- Trajets list and network map: one FilterSet (apps.trajets.filters), shared with the API ---

PAGE_SIZE = 25
TRAJET_FIELD_LABELS = {
    "train_number": gettext_lazy("numéro de train"),
    "category": gettext_lazy("catégorie"),
    "distance_km": gettext_lazy("distance"),
    "co2_rail_kg": gettext_lazy("CO2e train"),
    "co2_flight_kg": gettext_lazy("CO2e avion"),
    "kind_reason": gettext_lazy("motif jour/nuit"),
}
STATION_FIELD_LABELS = {
    "uic_code": gettext_lazy("code UIC"),
    "coordinates": gettext_lazy("coordonnées"),
    "country": gettext_lazy("pays"),
    "time_zone": gettext_lazy("fuseau horaire"),
}
ORDERING_PARAM = "ordering"
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
MAP_LINK_LIMIT = 120
MAP_LABEL_COUNT = 12
MAP_LABEL_SPACING = 90  # view units: about the width of a station name
KIND_PARAM = "kind"
MAP_LAYERS = (
    ("", gettext_lazy("Jour et nuit")),
    ("day", gettext_lazy("Liaisons de jour")),
    ("night", gettext_lazy("Réseau des trains de nuit")),
)


def _url_with(request: HttpRequest, **values: str) -> str:
    """This page's URL with some parameters replaced (empty value: removed), page reset."""
    query = request.GET.copy()
    for name in ("page", *values):
        query.pop(name, None)
    for name, value in values.items():
        if value:
            query[name] = value
    return f"{request.path}?{query.urlencode()}" if query else request.path


def _reverse_or_empty(name: str) -> str:
    """The URL of an API route, or "" while that route is not deployed."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


def _build_filterset(
    request: HttpRequest, coverage: DataCoverage
) -> tuple[TrajetFilterSet, FilterLayout]:
    """The shared FilterSet on this request, presented for the page (lists of names, help in
    words), with errors and help tied to their fields and station autocomplete."""
    filterset = TrajetFilterSet(request.GET, queryset=Trajet.objects.with_related())
    layout = present_filter_form(filterset)
    _limit_dates(filterset, coverage)
    form = filterset.form
    filterset.is_valid()
    for name, field in form.fields.items():
        attrs = field.widget.attrs
        described_by = [f"id_{name}_helptext"] if field.help_text else []
        if name in form.errors:
            attrs["aria-invalid"] = "true"
            described_by.insert(0, f"id_{name}-error")
        if described_by:
            attrs["aria-describedby"] = " ".join(described_by)
        api_url = _reverse_or_empty(AUTOCOMPLETE_API) if name in AUTOCOMPLETE_FIELDS else ""
        if api_url:
            attrs.update(
                {
                    "list": f"{name}-suggestions",
                    "autocomplete": "off",
                    "data-autocomplete": api_url,
                    "data-autocomplete-value": "name",
                }
            )
    return filterset, layout


def _filter_context(
    request: HttpRequest, filterset: TrajetFilterSet, layout: FilterLayout
) -> dict[str, object]:
    return {
        "filterset": filterset,
        "layout": layout,
        "datalists": [
            f"{name}-suggestions"
            for name, field in filterset.form.fields.items()
            if "data-autocomplete" in field.widget.attrs
        ],
        "query": request.GET.urlencode(),
        "is_fragment": is_htmx_fragment_request(request),
    }


def _sort_columns(request: HttpRequest, ordering: str) -> list[dict[str, object]]:
    columns = []
    for key, label, numeric in SORT_COLUMNS:
        is_ascending, is_descending = ordering == key, ordering == f"-{key}"
        next_ordering = f"-{key}" if is_ascending else key
        columns.append(
            {
                "key": key,
                "label": label,
                "numeric": numeric,
                "url": _url_with(request, **{ORDERING_PARAM: next_ordering}),
                "aria_sort": "ascending" if is_ascending else "descending" if is_descending else "",
                "action": _("trier par ordre décroissant")
                if is_ascending
                else _("trier par ordre croissant"),
            }
        )
    return columns


def _page_links(request: HttpRequest, page: Page) -> list[dict[str, object]]:
    links = []
    if page.has_previous():
        links.append(
            {
                "key": "previous",
                "label": _("‹ Précédente"),
                "url": _url_with(request, page=str(page.previous_page_number())),
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
                    "url": _url_with(request, page=str(number)),
                    "description": _("Page %(number)s") % {"number": number},
                }
            )
    if page.has_next():
        links.append(
            {
                "key": "next",
                "label": _("Suivante ›"),
                "url": _url_with(request, page=str(page.next_page_number())),
                "description": _("Page suivante"),
            }
        )
    return links


def _variants_text(count: int) -> str:
    """``3 variantes`` for a train several sources publish (empty for one version)."""
    if count < 2:
        return ""
    return ngettext("%(count)s variante", "%(count)s variantes", count) % {"count": count}


def _result_rows(trajets: list[Trajet]) -> list[dict[str, object]]:
    ids = [trajet.pk for trajet in trajets]
    exceptions = exception_counts(ids)
    variants = Trajet.objects.variant_counts(ids)
    return [
        {
            "url": reverse("trajets:trajet-detail", args=[trajet.pk]),
            "train": f"{trajet.category} {trajet.train_number}".strip() or "—",
            "variants": _variants_text(variants.get(trajet.pk, 1)),
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
            "days": _days_text(
                weekday_short_labels(trajet.weekdays),
                _exceptions_text(exceptions.get(trajet.pk, (0, 0))),
            ),
        }
        for trajet in trajets
    ]


def _days_text(weekdays: str, exceptions: str) -> str:
    """``lun.–jeu., dim. ; 2 dates ajoutées`` (the language's punctuation: ``Sun; 2 dates``)."""
    if not exceptions:
        return weekdays
    return _("%(weekdays)s ; %(exceptions)s") % {"weekdays": weekdays, "exceptions": exceptions}


def _exceptions_text(counts: tuple[int, int]) -> str:
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


PERIOD_PARAMS = ("period", "date", "week", "month", "start", "end")


def _period_context(
    request: HttpRequest, filterset: TrajetFilterSet, coverage: DataCoverage
) -> dict[str, object]:
    """The period the listed trains run in, in words, the link to every date, the dates
    the data covers (each with a link to its first week) and, for a period without any
    train, the plain message saying which dates are covered."""
    choice = filterset.period_choice
    weeks = typical_weeks().of() if choice.kind == PeriodKind.REFERENCE else ()
    cleared = dict.fromkeys(PERIOD_PARAMS, "")
    every_date = ""
    if choice.kind != PeriodKind.ALL:
        every_date = _url_with(request, **{**cleared, "period": PeriodKind.ALL.value})
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
                "week_url": _url_with(request, **{**cleared, "week": span.start.isoformat()}),
            }
            for span in coverage.spans
        ],
    }


def _limit_dates(filterset: TrajetFilterSet, coverage: DataCoverage) -> None:
    """Date pickers open on the covered dates: ``min`` and ``max`` are the first and last
    dates with trains (a date outside stays possible and gets its message)."""
    if coverage.first is None or coverage.last is None:
        return
    for name in ("date", "week", "start", "end"):
        filterset.form.fields[name].widget.attrs.update(
            {"min": coverage.first.isoformat(), "max": coverage.last.isoformat()}
        )


def _results_context(
    request: HttpRequest, filterset: TrajetFilterSet, coverage: DataCoverage
) -> dict[str, object]:
    ordering = request.GET.get(ORDERING_PARAM, "")
    # Deferred join: page through ids only (narrow index scans, even when thousands of services
    # share a departure minute), then load the 25 rows with their operator and stations.
    paginator = CachedCountPaginator(filterset.qs.values_list("pk", flat=True), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    trajets = Trajet.objects.with_related().in_bulk(list(page.object_list))
    count = paginator.count
    count_message = ngettext("%(count)s trajet trouvé", "%(count)s trajets trouvés", count) % {
        "count": number_format(count, 0, use_l10n=True, force_grouping=True)
    }
    list_query = request.GET.copy()
    list_query.pop("page", None)
    csv_query = list_query.copy()
    csv_query["format"] = "csv"
    csv_api = _reverse_or_empty("api:trajet-list")
    return {
        **_period_context(request, filterset, coverage),
        "name_notes": _name_notes(request, filterset),
        "page": page,
        "rows": _result_rows([trajets[pk] for pk in page.object_list if pk in trajets]),
        "page_links": _page_links(request, page),
        "sort_columns": _sort_columns(request, ordering),
        "count_message": count_message,
        "live_message": _("%(count)s, page %(number)s sur %(pages)s.")
        % {"count": count_message, "number": page.number, "pages": paginator.num_pages},
        "csv_url": f"{csv_api}?{csv_query.urlencode()}" if csv_api else "",
        "spreadsheet_url": reverse("trajets:trajet-export")
        + (f"?{list_query.urlencode()}" if list_query else ""),
    }


def _name_notes(request: HttpRequest, filterset: TrajetFilterSet) -> list[dict[str, object]]:
    """For an origin or destination naming several towns, or nothing known: what it matched,
    or the nearest names as links that search them instead."""
    notes = []
    for field in ("origin", "destination"):
        text = (filterset.form.cleaned_data.get(field) or "").strip()
        if not text or text.isdigit():
            continue
        query = resolve_stations(text)
        if query.is_ambiguous:
            notes.append(
                {
                    "text": _("« %(value)s » désigne plusieurs lieux : %(names)s. Les trajets "
                              "de chacun sont affichés.")
                    % {"value": text, "names": semicolon_list(t.label for t in query.targets)},
                    "links": [],
                }
            )  # fmt: skip
        elif not query.targets and not station_ids_for(text):
            links = []
            for target in query.suggestions:
                params = request.GET.copy()
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


def _render_page_or_fragment(
    request: HttpRequest, page_template: str, fragment_template: str, context: dict[str, object]
) -> HttpResponse:
    """One URL, one view: the whole page, or its fragment for HTMX; 422 on invalid filters."""
    template = fragment_template if context["is_fragment"] else page_template
    status = 422 if context["filterset"].errors else 200
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response


def trajet_list(request: HttpRequest) -> HttpResponse:
    """Filter form and sortable, paginated results; HTMX updates the results in place."""
    coverage = data_coverage()
    filterset, layout = _build_filterset(request, coverage)
    context = _filter_context(request, filterset, layout)
    if not filterset.errors:
        context.update(_results_context(request, filterset, coverage))
    else:
        context["live_message"] = _("Les filtres contiennent des erreurs.")
    return _render_page_or_fragment(
        request, "trajets/trajet_list.html", "trajets/partials/trajet_search.html", context
    )


def trajet_export(request: HttpRequest) -> HttpResponse:
    """The filtered list as a CSV for spreadsheets in French (BOM, ``;``, decimal commas,
    French headers); invalid filters send back to the list, which shows their errors."""
    filterset = TrajetFilterSet(request.GET, queryset=Trajet.objects.all())
    if not filterset.is_valid():
        query = request.GET.urlencode()
        return redirect(reverse("trajets:trajet-list") + (f"?{query}" if query else ""))
    return stream_spreadsheet_csv(
        [str(header) for header in TRAJET_HEADERS],
        trajet_rows(filterset.qs),
        filename=download_name("trajets"),
    )


def _stations_to_label(network: NetworkMap) -> list[MapStation]:
    """The busiest stations, skipping any too close to one already labelled (no overlaps)."""
    labelled: list[MapStation] = []
    for station in network.stations:
        if len(labelled) == MAP_LABEL_COUNT:
            break
        if all(
            abs(station.x - other.x) > MAP_LABEL_SPACING or abs(station.y - other.y) > 12
            for other in labelled
        ):
            labelled.append(station)
    return labelled


def _map_summary(network: NetworkMap, links: NetworkLinks) -> str:
    summary = _(
        "%(day)s liaisons de jour et %(night)s liaisons de nuit entre %(stations)s gares."
    ) % {
        "day": len(network.day_links),
        "night": len(network.night_links),
        "stations": len(network.stations),
    }
    if network.stations:
        summary += " " + _("La gare la plus desservie est %(name)s.") % {
            "name": network.stations[0].name
        }
    if links.is_truncated:
        summary += " " + _("Seules les %(count)s liaisons les plus desservies sont montrées.") % {
            "count": MAP_LINK_LIMIT
        }
    if network.hidden_link_count:
        summary += " " + _("%(count)s liaisons sortent du cadre de la carte.") % {
            "count": network.hidden_link_count
        }
    return summary


def network_map(request: HttpRequest) -> HttpResponse:
    """Stations and services on a map of Europe, day and night layers, with the same table."""
    filterset, layout = _build_filterset(request, data_coverage())
    context = _filter_context(request, filterset, layout)
    current_kind = request.GET.get(KIND_PARAM, "")
    context["layers"] = [
        {
            "key": kind or "all",
            "label": label,
            "url": _url_with(request, **{KIND_PARAM: kind}),
            "current": kind == current_kind,
        }
        for kind, label in MAP_LAYERS
    ]
    if not filterset.errors:
        links = collect_network_links(filterset.qs, limit=MAP_LINK_LIMIT)
        network = build_network_map(links.rows)
        context.update(
            {
                "network": network,
                "links": links,
                "labelled_stations": _stations_to_label(network),
                "map_summary": _map_summary(network, links),
                "live_message": _map_summary(network, links),
            }
        )
    else:
        context["live_message"] = _("Les filtres contiennent des erreurs.")
    return _render_page_or_fragment(
        request, "trajets/network_map.html", "trajets/partials/network_view.html", context
    )
