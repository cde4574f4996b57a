"""The indicators dashboard: services, day/night split, volumes, busiest pairs, CO2.

Aggregates over the whole warehouse are computed once per import (``cached_until_next_import``):
a new import shows up at once and page views in between cost one small query.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db.models import Avg, Count, F, IntegerField, Q, Sum, Value
from django.db.models.functions import Cast, Coalesce, Greatest, Least
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from apps.trajets.models import Trajet, TrajetCountry
from obrail.caching import cached_until_next_import
from obrail.formatting import country_name
from obrail.services import Chart, ChartRow

logger = logging.getLogger(__name__)

TOP_ROWS = 10


@dataclass(frozen=True)
class Dashboard:
    """Figures and charts of the indicators page."""

    service_count: int
    day_count: int
    night_count: int
    weekly_departures: int
    average_co2_rail_kg: float | None
    average_co2_flight_kg: float | None
    charts: tuple[Chart, ...]

    @property
    def night_share_percent(self) -> float:
        return 100 * self.night_count / self.service_count if self.service_count else 0.0

    @property
    def co2_saving_percent(self) -> float | None:
        """How much less CO2e the train emits than the equivalent flight, on average."""
        if not self.average_co2_rail_kg or not self.average_co2_flight_kg:
            return None
        return 100 * (1 - self.average_co2_rail_kg / self.average_co2_flight_kg)


def _weekly_departures() -> Sum:
    flags = [Cast(name, IntegerField()) for name in Trajet.WEEKDAY_FIELDS]
    total = flags[0]
    for flag in flags[1:]:
        total = total + flag
    return Sum(total)


def _integer(value: float) -> str:
    return number_format(round(value), 0, use_l10n=True, force_grouping=True)


def _kind_chart(day: int, night: int) -> Chart:
    total = day + night
    return Chart(
        key="kind",
        title=_("Services de jour et de nuit"),
        summary=_("%(night)s services de nuit et %(day)s services de jour sur %(total)s services.")
        % {"night": _integer(night), "day": _integer(day), "total": _integer(total)},
        label_header=_("Type de service"),
        value_header=_("Services"),
        rows=(
            ChartRow(_("Jour"), day, _integer(day), "day"),
            ChartRow(_("Nuit"), night, _integer(night), "night"),
        ),
    )


def _operator_chart() -> Chart:
    rows = (
        Trajet.objects.values("operator__name")
        .annotate(services=Count("id"), departures=_weekly_departures())
        .order_by("-departures", "operator__name")[:TOP_ROWS]
    )
    chart_rows = tuple(
        ChartRow(row["operator__name"], row["departures"] or 0, _integer(row["departures"] or 0))
        for row in rows
    )
    summary = (
        _("%(name)s assure le plus de départs hebdomadaires (%(count)s).")
        % {"name": chart_rows[0].label, "count": chart_rows[0].display}
        if chart_rows
        else _("Aucun opérateur.")
    )
    return Chart(
        key="operators",
        title=_("Départs hebdomadaires par opérateur (les %(count)d premiers)")
        % {"count": TOP_ROWS},
        summary=summary,
        label_header=_("Opérateur"),
        value_header=_("Départs par semaine"),
        rows=chart_rows,
    )


def _country_chart() -> Chart:
    rows = (
        TrajetCountry.objects.values("country")
        .annotate(services=Count("trajet_id"))
        .order_by("-services", "country")[:TOP_ROWS]
    )
    chart_rows = tuple(
        ChartRow(country_name(row["country"]), row["services"], _integer(row["services"]))
        for row in rows
    )
    summary = (
        _("%(name)s est desservi par le plus de services (%(count)s).")
        % {"name": chart_rows[0].label, "count": chart_rows[0].display}
        if chart_rows
        else _("Aucun pays desservi.")
    )
    return Chart(
        key="countries",
        title=_("Services desservant chaque pays (les %(count)d premiers)") % {"count": TOP_ROWS},
        summary=summary,
        label_header=_("Pays"),
        value_header=_("Services"),
        rows=chart_rows,
    )


def _pair_chart() -> Chart:
    rows = (
        Trajet.objects.annotate(
            first=Least(F("origin__name"), F("destination__name")),
            second=Greatest(F("origin__name"), F("destination__name")),
        )
        .values("first", "second")
        .annotate(services=Count("id"))
        .order_by("-services", "first", "second")[:TOP_ROWS]
    )
    chart_rows = tuple(
        ChartRow(f"{row['first']} – {row['second']}", row["services"], _integer(row["services"]))
        for row in rows
    )
    summary = (
        _("La liaison la plus fréquentée est %(pair)s, avec %(count)s services (deux sens).")
        % {"pair": chart_rows[0].label, "count": chart_rows[0].display}
        if chart_rows
        else _("Aucune liaison.")
    )
    return Chart(
        key="pairs",
        title=_("Liaisons les plus desservies, deux sens confondus (les %(count)d premières)")
        % {"count": TOP_ROWS},
        summary=summary,
        label_header=_("Liaison"),
        value_header=_("Services"),
        rows=chart_rows,
    )


def _co2_chart(by_kind: dict[str, dict[str, float | None]]) -> Chart:
    rows = []
    labels = {"day": _("jour"), "night": _("nuit")}
    for kind in ("day", "night"):
        averages = by_kind.get(kind, {})
        for mode, label in (("rail", _("Train")), ("flight", _("Avion équivalent"))):
            value = averages.get(mode)
            if value is not None:
                rows.append(
                    ChartRow(
                        f"{label}, {labels[kind]}",
                        value,
                        _("%(value)s kg") % {"value": number_format(value, 1, use_l10n=True)},
                        "rail" if mode == "rail" else "air",
                    )
                )
    return Chart(
        key="co2",
        title=_("CO2e moyen par passager et par trajet : train et avion équivalent"),
        summary=_(
            "Pour chaque type de service, émission moyenne d'un passager en train comparée au "
            "vol équivalent sur la même liaison."
        ),
        label_header=_("Mode et type de service"),
        value_header=_("kg CO2e par passager"),
        rows=tuple(rows),
    )


def compute_dashboard() -> Dashboard:
    """Compute (or reuse, until the next import) the dashboard's figures and charts."""
    return cached_until_next_import("dashboard", _compute_dashboard)


def _compute_dashboard() -> Dashboard:
    totals = Trajet.objects.aggregate(
        services=Count("id"),
        night=Count("id", filter=Q(kind="night")),
        departures=Coalesce(_weekly_departures(), Value(0)),
        co2_rail=Avg("co2_rail_kg"),
        co2_flight=Avg("co2_flight_kg"),
    )
    by_kind = {
        row["kind"]: {"rail": row["rail"], "flight": row["flight"]}
        for row in Trajet.objects.values("kind").annotate(
            rail=Avg("co2_rail_kg"), flight=Avg("co2_flight_kg")
        )
    }
    day = totals["services"] - totals["night"]
    logger.info("dashboard computed", extra={"services": totals["services"]})
    return Dashboard(
        service_count=totals["services"],
        day_count=day,
        night_count=totals["night"],
        weekly_departures=totals["departures"],
        average_co2_rail_kg=totals["co2_rail"],
        average_co2_flight_kg=totals["co2_flight"],
        charts=(
            _kind_chart(day, totals["night"]),
            _operator_chart(),
            _country_chart(),
            _pair_chart(),
            _co2_chart(by_kind),
        ),
    )
