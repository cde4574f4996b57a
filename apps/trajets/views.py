"""HTML pages of the trajets app: list, detail, network map and data quality."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.trajets import charts
from apps.trajets.country_gaps import countries_without_current_timetable
from apps.trajets.coverage import DataCoverage, data_coverage
from apps.trajets.emission_words import flight_equivalent_note
from apps.trajets.exports import TRAJET_HEADERS, trajet_rows
from apps.trajets.filters import TrajetFilterSet
from apps.trajets.forms import FilterLayout, present_filter_form
from apps.trajets.map import build_network_map
from apps.trajets.models import Trajet
from apps.trajets.periods import source_validities
from apps.trajets.presentation import detail, listing, quality_report
from apps.trajets.services import collect_network_links, get_trajet_detail, summarise_data_quality
from obrail.formatting import WEEKDAY_LABELS, country_name
from obrail.pages import render_page_or_fragment
from obrail.spreadsheet import download_name, stream_spreadsheet_csv, unknown_table


def trajet_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One service: stops timeline, calendar, distance, duration, CO2 vs flight, provenance."""
    try:
        trajet = get_trajet_detail(pk)
    except Trajet.DoesNotExist:
        raise Http404(_("Aucun trajet n'a l'identifiant %(id)s.") % {"id": pk}) from None
    context = {
        "trajet": trajet,
        "stops": detail.stop_rows(trajet),
        "display": detail.trajet_display(trajet),
        "exceptions": list(trajet.calendar_exceptions.all()),
        "provenances": list(trajet.provenances.all()),
        "week": list(zip(WEEKDAY_LABELS, trajet.weekdays, strict=True)),
        "co2_chart": charts.co2_chart(trajet),
        "flight_note": flight_equivalent_note(trajet),
        "variants": detail.variant_rows(trajet),
    }
    return render(request, "trajets/trajet_detail.html", context)


def quality(request: HttpRequest) -> HttpResponse:
    """Data quality from the ETL's report: last import per source, completeness, rejects."""
    report = summarise_data_quality()
    context = {
        "report": report,
        "sources": quality_report.source_rows(report),
        "identity_checks": quality_report.identity_checks(report.identity),
        "rejected_total": sum(group.count for source in report.sources for group in source.rejects),
        "source_validities": source_validities(),
        "coverage_gaps": [
            country_name(c) for c in countries_without_current_timetable(timezone.localdate())
        ],
    }
    return render(request, "trajets/quality.html", context)


def quality_export(request: HttpRequest, table: str) -> HttpResponse:
    """One table of the quality page (last imports, validity, completeness, rejects, the
    accuracy of stations and operators) as a French spreadsheet CSV."""
    if table in quality_report.IDENTITY_TABLES:
        headers, rows = quality_report.identity_table(table, summarise_data_quality().identity)
    elif table in quality_report.QUALITY_TABLES:
        headers, rows = quality_report.quality_table(
            table, summarise_data_quality(), source_validities()
        )
    else:
        raise unknown_table(table)
    return stream_spreadsheet_csv(headers, rows, filename=download_name("qualite", table))


# --- Trajets list and network map: one FilterSet (apps.trajets.filters), shared with the API ---


def _build_filterset(
    request: HttpRequest, coverage: DataCoverage
) -> tuple[TrajetFilterSet, FilterLayout]:
    """The shared FilterSet on this request, presented for the page (lists of names, help in
    words), with errors and help tied to their fields and station autocomplete."""
    filterset = TrajetFilterSet(request.GET, queryset=Trajet.objects.with_related())
    layout = present_filter_form(filterset)
    listing.limit_dates(filterset, coverage)
    filterset.is_valid()
    listing.present_filter_fields(filterset)
    return filterset, layout


def _render_filtered(
    request: HttpRequest,
    filterset: TrajetFilterSet,
    context: dict[str, object],
    *,
    page: str,
    fragment: str,
) -> HttpResponse:
    """The page or its fragment; 422 and a live message when the filters are invalid."""
    if filterset.errors:
        context["live_message"] = _("Les filtres contiennent des erreurs.")
    return render_page_or_fragment(
        request,
        page=page,
        fragment=fragment,
        context=context,
        status=422 if filterset.errors else 200,
    )


def trajet_list(request: HttpRequest) -> HttpResponse:
    """Filter form and sortable, paginated results; HTMX updates the results in place."""
    coverage = data_coverage()
    filterset, layout = _build_filterset(request, coverage)
    context = listing.filter_context(filterset, layout, request.GET)
    if not filterset.errors:
        context.update(listing.results_context(request.path, request.GET, filterset, coverage))
    return _render_filtered(
        request,
        filterset,
        context,
        page="trajets/trajet_list.html",
        fragment="trajets/partials/trajet_search.html",
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


def network_map(request: HttpRequest) -> HttpResponse:
    """Stations and services on a map of Europe, day and night layers, with the same table."""
    filterset, layout = _build_filterset(request, data_coverage())
    context = listing.filter_context(filterset, layout, request.GET)
    context["layers"] = listing.map_layers(request.path, request.GET)
    if not filterset.errors:
        links = collect_network_links(filterset.qs, limit=charts.MAP_LINK_LIMIT)
        network = build_network_map(links.rows)
        summary = charts.map_summary(network, links)
        context.update(
            {
                "network": network,
                "links": links,
                "labelled_stations": charts.stations_to_label(network),
                "map_summary": summary,
                "live_message": summary,
            }
        )
    return _render_filtered(
        request,
        filterset,
        context,
        page="trajets/network_map.html",
        fragment="trajets/partials/network_view.html",
    )
