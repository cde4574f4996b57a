"""HTML pages of the stats app, and the home page (its figures are the indicators')."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from apps.stats.dashboard import compute_dashboard, key_figures, whole_ranking
from apps.trajets.services import PeriodChoice, PeriodKind, compute_home_summary
from apps.trajets.web import PERIOD_FIELDS, TrajetFilterSet, present_period_fields
from obrail.charts import Chart
from obrail.spreadsheet import download_name, french_number, stream_spreadsheet_csv


def home(request: HttpRequest) -> HttpResponse:
    """The home page: what the warehouse holds, the day/night split, where to go next."""
    dashboard = compute_dashboard()
    context = {
        "summary": compute_home_summary(),
        "dashboard": dashboard,
        "kind_chart": dashboard.charts[0],
    }
    return render(request, "home.html", context)


def dashboard(request: HttpRequest) -> HttpResponse:
    """The indicators dashboard over a period (each source's typical week by default): every
    chart with its text summary and data table; a bad period re-renders with its errors."""
    filterset = TrajetFilterSet(request.GET)
    form = filterset.form
    present_period_fields(form)
    filterset.is_valid()
    fields = [form[name] for name in PERIOD_FIELDS]
    errors = [field for field in fields if field.errors]
    for field in errors:
        field.field.widget.attrs.update(
            {"aria-invalid": "true", "aria-describedby": f"{field.auto_id}-error"}
        )
    context = {"period_fields": fields, "period_errors": errors}
    if not errors:
        context["dashboard"] = compute_dashboard(filterset.period_choice)
        query = request.GET.copy()
        context["period_query"] = f"?{query.urlencode()}" if query else ""
    return render(request, "stats/dashboard.html", context, status=422 if errors else 200)


def chart_rows(chart: Chart) -> list[tuple[str, str]]:
    """A chart's table in French numbers: whole counts stay whole, other values two decimals."""
    return [
        (row.label, french_number(row.value, 0 if float(row.value).is_integer() else 2))
        for row in chart.rows
    ]


def _period_slug(choice: PeriodChoice) -> str:
    """The period in a file name: ``semaine-type``, ``toutes-dates`` or its first and last day."""
    if choice.period is None:
        return "toutes-dates" if choice.kind == PeriodKind.ALL else "semaine-type"
    return f"{choice.period.start.isoformat()}-au-{choice.period.end.isoformat()}"


def indicator_export(request: HttpRequest, key: str) -> HttpResponse:
    """One chart's data over the chosen period as a French spreadsheet CSV; a bad period sends
    back to the dashboard, which shows its errors."""
    filterset = TrajetFilterSet(request.GET)
    if not filterset.is_valid():
        return redirect(reverse("stats:dashboard") + f"?{request.GET.urlencode()}")
    choice = filterset.period_choice
    charts = {chart.key: chart for chart in compute_dashboard(choice).charts}
    if key not in charts:
        raise Http404(_("Aucun indicateur ne s'appelle « %(key)s ».") % {"key": key})
    # A top-10 chart downloads its whole ranking.
    chart = whole_ranking(key, choice) or charts[key]
    return stream_spreadsheet_csv(
        [chart.label_header, chart.value_header],
        chart_rows(chart),
        filename=download_name(
            "indicateurs", chart.file_slug or key, _period_slug(filterset.period_choice)
        ),
    )


def key_figures_export(request: HttpRequest) -> HttpResponse:
    """The key figures over the chosen period as a French spreadsheet CSV (indicator, value,
    unit, period); a bad period sends back to the dashboard, which shows its errors."""
    filterset = TrajetFilterSet(request.GET)
    if not filterset.is_valid():
        return redirect(reverse("stats:dashboard") + f"?{request.GET.urlencode()}")
    figures = compute_dashboard(filterset.period_choice)
    period = figures.period_label
    rows = [
        (figure.label, french_number(figure.value, figure.decimals), figure.unit, period)
        for figure in key_figures(figures)
    ]
    return stream_spreadsheet_csv(
        [_("Indicateur"), _("Valeur"), _("Unité"), _("Période")],
        rows,
        filename=download_name(
            "indicateurs", "chiffres-cles", _period_slug(filterset.period_choice)
        ),
    )
