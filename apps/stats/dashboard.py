"""The indicators dashboard: trains, day/night split, departures, busiest pairs, CO2.

Every figure covers a stated period (each source's typical week by default, or one the
visitor picks) and counts each train once (``Trajet.objects.counted()``). Figures are computed
once per import and period (``cached_until_next_import``): a new import shows up at once and
page views in between cost one small query.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db.models import Avg, Count, F, QuerySet
from django.db.models.functions import Greatest, Least
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.places.services import station_name
from apps.stats.services import VolumeTable, compute_served_countries, compute_volumes
from apps.trajets.models import ServiceKind, Trajet
from apps.trajets.services import (
    DEFAULT_METHOD,
    PeriodChoice,
    describe_choice,
    flight_equivalents_version,
    kind_trains,
    kind_word,
    method_label,
    restrict_to_period,
)
from obrail.caching import cached_until_next_import
from obrail.charts import Chart, ChartRow
from obrail.formatting import country_name, kilograms

logger = logging.getLogger(__name__)

TOP_ROWS = 10
KINDS = (ServiceKind.DAY, ServiceKind.NIGHT, ServiceKind.OVERNIGHT)


@dataclass(frozen=True)
class Dashboard:
    """Figures and charts of the indicators page, over one period."""

    choice: PeriodChoice
    period_label: str
    period_short_label: str
    service_count: int
    day_count: int
    night_count: int
    overnight_count: int
    departures: int
    km_served: float
    #: Both averages are over the trains that have a flight equivalent (the atlas's rule: two
    #: different towns, each served by an airport), :attr:`co2_compared_count` of them.
    average_co2_rail_kg: float | None
    average_co2_flight_kg: float | None
    charts: tuple[Chart, ...]
    co2_compared_count: int = 0
    co2_method: str = DEFAULT_METHOD

    @property
    def co2_method_label(self) -> str:
        """The name of the CO2 method of the averages."""
        return method_label(self.co2_method)

    @property
    def night_share_percent(self) -> float:
        """Share of the trains that are night trains (with sleepers or couchettes)."""
        return 100 * self.night_count / self.service_count if self.service_count else 0.0

    @property
    def co2_saving_percent(self) -> float | None:
        """How much less CO2e the train emits than the equivalent flight, on average over the
        trains that have one."""
        if not self.average_co2_rail_kg or not self.average_co2_flight_kg:
            return None
        return 100 * (1 - self.average_co2_rail_kg / self.average_co2_flight_kg)


@dataclass(frozen=True)
class KeyFigure:
    """One key figure of the dashboard, for its download: label, value, unit, decimals."""

    label: str
    value: float | int | None
    unit: str
    decimals: int = 0


def key_figures(dashboard: Dashboard) -> list[KeyFigure]:
    """The dashboard's key figures, in the order of the page (the CO2 averages included)."""
    return [
        KeyFigure(_("Trains en circulation"), dashboard.service_count, _("trains")),
        KeyFigure(_("Trains de jour"), dashboard.day_count, _("trains")),
        KeyFigure(_("Trains de nuit"), dashboard.night_count, _("trains")),
        KeyFigure(_("Part des trains de nuit"), dashboard.night_share_percent, "%", 1),
        KeyFigure(
            _("Trains de nuit sans couchette connue"), dashboard.overnight_count, _("trains")
        ),
        KeyFigure(_("Départs"), dashboard.departures, _("départs")),
        KeyFigure(_("Trains-km"), dashboard.km_served, _("trains-km")),
        KeyFigure(
            _("Trains ayant un vol équivalent (base des moyennes de CO2e)"),
            dashboard.co2_compared_count,
            _("trains"),
        ),
        KeyFigure(
            _("CO2e moyen d'un passager en train, trains ayant un vol équivalent (%(method)s)")
            % {"method": dashboard.co2_method_label},
            dashboard.average_co2_rail_kg,
            _("kg CO2e par passager"),
            2,
        ),
        KeyFigure(
            _("CO2e moyen d'un passager sur le vol équivalent (%(method)s)")
            % {"method": dashboard.co2_method_label},
            dashboard.average_co2_flight_kg,
            _("kg CO2e par passager"),
            2,
        ),
        KeyFigure(
            _("CO2e évité en train plutôt qu'en avion, trains ayant un vol équivalent"),
            dashboard.co2_saving_percent,
            "%",
            1,
        ),
    ]


def _integer(value: float) -> str:
    return number_format(round(value), 0, use_l10n=True, force_grouping=True)


def _kind_labels() -> dict[str, str]:
    return {kind: kind_trains(kind) for kind in ServiceKind}


def _with_period(text: str, dashboard_period: str) -> str:
    return f"{text} " + _("Période : %(period)s.") % {"period": dashboard_period}


def _kind_chart(counts: dict[str, int], period: str, short: str) -> Chart:
    total = sum(counts.values())
    summary = _(
        "%(night)s trains de nuit, %(overnight)s trains de nuit sans couchette connue et "
        "%(day)s trains de jour sur %(total)s trains."
    ) % {
        "night": _integer(counts[ServiceKind.NIGHT]),
        "overnight": _integer(counts[ServiceKind.OVERNIGHT]),
        "day": _integer(counts[ServiceKind.DAY]),
        "total": _integer(total),
    }
    labels = _kind_labels()
    return Chart(
        key="kind",
        file_slug="trains-de-jour-et-de-nuit",
        title=_("Trains de jour et de nuit, %(period)s") % {"period": short},
        summary=_with_period(summary, period),
        label_header=_("Type de service"),
        value_header=_("Trains"),
        rows=tuple(
            ChartRow(labels[kind], counts[kind], _integer(counts[kind]), kind) for kind in KINDS
        ),
    )


def _top_title(top: str, whole: str, limit: int | None, period: str) -> str:
    """A ranking's title: ``top`` (with the number of rows shown) or ``whole``."""
    if limit is None:
        return whole % {"period": period}
    return top % {"count": limit, "period": period}


def _operator_chart(
    table: VolumeTable, period: str, short: str, limit: int | None = TOP_ROWS
) -> Chart:
    rows = sorted(table.rows, key=lambda row: (-row["departures"], row["operator_name"]))
    chart_rows = tuple(
        ChartRow(row["operator_name"], row["departures"], _integer(row["departures"]))
        for row in rows[:limit]
    )
    summary = (
        _("%(name)s assure le plus de départs (%(count)s).")
        % {"name": chart_rows[0].label, "count": chart_rows[0].display}
        if chart_rows
        else _("Aucun opérateur.")
    )
    return Chart(
        key="operators",
        file_slug="departs-par-operateur",
        title=_top_title(
            _("Départs par opérateur (les %(count)d premiers), %(period)s"),
            _("Départs par opérateur, %(period)s"),
            limit,
            short,
        ),
        summary=_with_period(summary, period),
        label_header=_("Opérateur"),
        value_header=_("Départs"),
        rows=chart_rows,
        ranking_size=len(rows),
    )


def _country_chart(
    services: dict[str, int], period: str, short: str, limit: int | None = TOP_ROWS
) -> Chart:
    ranked = sorted(services.items(), key=lambda item: (-item[1], item[0]))[:limit]
    chart_rows = tuple(
        ChartRow(country_name(country), count, _integer(count)) for country, count in ranked
    )
    summary = (
        _("%(name)s est desservi par le plus de trains (%(count)s).")
        % {"name": chart_rows[0].label, "count": chart_rows[0].display}
        if chart_rows
        else _("Aucun pays desservi.")
    )
    return Chart(
        key="countries",
        file_slug="trains-par-pays",
        title=_top_title(
            _("Trains desservant chaque pays (les %(count)d premiers), %(period)s"),
            _("Trains desservant chaque pays, %(period)s"),
            limit,
            short,
        ),
        summary=_with_period(summary, period),
        label_header=_("Pays"),
        value_header=_("Trains"),
        rows=chart_rows,
        ranking_size=len(services),
    )


def _pair_chart(
    running: QuerySet[Trajet], period: str, short: str, limit: int | None = TOP_ROWS
) -> Chart:
    pairs = (
        running.annotate(
            first=Least(F("origin__name"), F("destination__name")),
            second=Greatest(F("origin__name"), F("destination__name")),
        )
        .values("first", "second")
        .annotate(services=Count("id"))
    )
    rows = pairs.order_by("-services", "first", "second")[:limit]
    chart_rows = tuple(
        ChartRow(
            f"{station_name(row['first'])} – {station_name(row['second'])}",
            row["services"],
            _integer(row["services"]),
        )
        for row in rows
    )
    summary = (
        ngettext(
            "La liaison la plus desservie est %(pair)s, avec %(count)s train (deux sens).",
            "La liaison la plus desservie est %(pair)s, avec %(count)s trains (deux sens).",
            int(chart_rows[0].value),
        )
        % {"pair": chart_rows[0].label, "count": chart_rows[0].display}
        if chart_rows
        else _("Aucune liaison.")
    )
    return Chart(
        key="pairs",
        file_slug="liaisons-les-plus-desservies",
        title=_top_title(
            _(
                "Liaisons les plus desservies, deux sens confondus (les %(count)d premières), "
                "%(period)s"
            ),
            _("Liaisons par nombre de trains, deux sens confondus, %(period)s"),
            limit,
            short,
        ),
        summary=_with_period(summary, period),
        label_header=_("Liaison"),
        value_header=_("Trains"),
        rows=chart_rows,
        ranking_size=len(chart_rows) if limit is None else pairs.order_by().count(),
    )


def _co2_chart(by_kind: dict[str, dict[str, float | None]], period: str, short: str) -> Chart:
    rows = []
    labels = {kind: kind_word(kind) for kind in ServiceKind}
    for kind in KINDS:
        averages = by_kind.get(kind, {})
        for mode, label in (("rail", _("Train")), ("flight", _("Avion équivalent"))):
            value = averages.get(mode)
            if value is not None:
                rows.append(
                    ChartRow(
                        f"{label}, {labels[kind]}",
                        value,
                        kilograms(value),
                        "rail" if mode == "rail" else "air",
                    )
                )
    return Chart(
        key="co2",
        file_slug="co2-train-et-avion",
        title=_("CO2e moyen par passager et par trajet : train et avion équivalent, %(period)s")
        % {"period": short},
        summary=_with_period(
            _(
                "Pour chaque type de service, émission moyenne d'un passager en train comparée "
                "au vol équivalent sur la même liaison (méthode ADEME Base Carbone), sur les "
                "trains circulant dans la période qui ont un vol équivalent : départ et arrivée "
                "dans deux villes différentes desservies chacune par un aéroport (règle de "
                "l'atlas « Rail ou avion »)."
            ),
            period,
        ),
        label_header=_("Mode et type de service"),
        value_header=_("kg CO2e par passager"),
        rows=tuple(rows),
    )


def whole_ranking(key: str, choice: PeriodChoice) -> Chart | None:
    """The whole ranking behind a top-10 chart (``operators``, ``countries``, ``pairs``) over
    ``choice``, for its download; None for a chart that shows all its rows."""
    builders = {
        "operators": lambda period, short, trains: _operator_chart(
            compute_volumes(trains, group_by=("operator",), filters={}, choice=choice),
            period,
            short,
            limit=None,
        ),
        "countries": lambda period, short, trains: _country_chart(
            compute_served_countries(choice), period, short, limit=None
        ),
        "pairs": lambda period, short, trains: _pair_chart(
            restrict_to_period(trains, choice).order_by(), period, short, limit=None
        ),
    }
    if key not in builders:
        return None
    dashboard = compute_dashboard(choice)
    return cached_until_next_import(
        f"dashboard-ranking:{key}:{choice.key}",
        lambda: builders[key](
            dashboard.period_label, dashboard.period_short_label, Trajet.objects.counted()
        ),
    )


def compute_dashboard(choice: PeriodChoice | None = None) -> Dashboard:
    """Compute (or reuse, until the next import) the dashboard's figures over ``choice``
    (each source's typical week by default)."""
    choice = choice or PeriodChoice()
    # The flight equivalents are written after the import (atlas recomputation): their
    # version is in the key, so figures cached in between are not kept.
    return cached_until_next_import(
        f"dashboard:{choice.key}:{flight_equivalents_version()}",
        lambda: _compute_dashboard(choice),
    )


def _compute_dashboard(choice: PeriodChoice) -> Dashboard:
    trains = Trajet.objects.counted()
    by_kind = compute_volumes(trains, group_by=("kind",), filters={}, choice=choice)
    by_operator = compute_volumes(trains, group_by=("operator",), filters={}, choice=choice)
    period = describe_choice(choice, by_kind.weeks)
    short = describe_choice(choice, short=True)
    counts = dict.fromkeys(KINDS, 0)
    for row in by_kind.rows:
        counts[row["kind"]] = row["services"]
    running = restrict_to_period(trains, choice).order_by()
    # Train and plane over the same trains: those with both figures.
    compared = running.filter(co2_rail_kg__isnull=False, co2_flight_kg__isnull=False)
    co2_by_kind = {
        row["kind"]: {"rail": row["rail"], "flight": row["flight"]}
        for row in compared.values("kind").annotate(
            rail=Avg("co2_rail_kg"), flight=Avg("co2_flight_kg")
        )
    }
    averages = compared.aggregate(
        rail=Avg("co2_rail_kg"), flight=Avg("co2_flight_kg"), count=Count("pk")
    )
    logger.info(
        "dashboard computed",
        extra={"services": by_kind.total["services"], "period": choice.key},
    )
    return Dashboard(
        choice=choice,
        period_label=period,
        period_short_label=short,
        service_count=by_kind.total["services"],
        day_count=counts[ServiceKind.DAY],
        night_count=counts[ServiceKind.NIGHT],
        overnight_count=counts[ServiceKind.OVERNIGHT],
        departures=by_kind.total["departures"],
        km_served=by_kind.total["km_served"],
        average_co2_rail_kg=averages["rail"],
        average_co2_flight_kg=averages["flight"],
        co2_compared_count=averages["count"],
        charts=(
            _kind_chart(counts, period, short),
            _operator_chart(by_operator, period, short),
            _country_chart(compute_served_countries(choice), period, short),
            _pair_chart(running, period, short),
            _co2_chart(co2_by_kind, period, short),
        ),
    )
