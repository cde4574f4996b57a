"""What the atlas pages draw: the map's geometry, the air-traffic chart, rows in words."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.core.paginator import Page
from django.http import QueryDict
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.atlas.flight import (
    ACCESS_FIXED_MIN,
    ASSUMPTIONS,
    MEASURED_AT_AIRPORTS_MIN,
    MEASURED_AT_STATIONS_MIN,
)
from apps.atlas.models import CityPair
from obrail.charts import Chart, ChartRow
from obrail.formatting import country_name, duration
from obrail.spreadsheet import french_number

__all__ = [
    "BANDS",
    "MapLayout",
    "air_chart",
    "band_of",
    "flight_assumptions",
    "map_layout",
    "page_links",
    "rail_provenance",
    "rail_words",
]

#: Rail-time classes of the map, with their label (colour and dash pattern in the CSS).
BANDS = (
    ("le150", 150, gettext_lazy("train en 2 h 30 ou moins")),
    ("le240", 240, gettext_lazy("de 2 h 30 à 4 h")),
    ("le360", 360, gettext_lazy("de 4 h à 6 h")),
    ("gt360", None, gettext_lazy("plus de 6 h")),
    ("none", None, gettext_lazy("pas d'horaire dans l'entrepôt")),
)
MAP_WIDTH = 640
MAP_HEIGHT = 480
MAP_MARGIN = 24


def band_of(pair: CityPair) -> str:
    """The map class of a pair by its fastest train."""
    minutes = pair.rail_fastest_min
    if minutes is None:
        return "none"
    for key, limit, _label in BANDS:
        if limit is not None and minutes <= limit:
            return key
    return "gt360"


@dataclass(frozen=True, slots=True)
class AssumptionLine:
    """One flight-time assumption as the pages say it: the figure, what the source found."""

    figure: str
    finding: str
    source: str
    url: str


def _assumption_words() -> dict[str, tuple[str, str]]:
    return {
        "detour": (
            _("distance volée : grand cercle entre les aéroports × %(value)s"),
            _(
                "le gouvernement britannique (DESNZ) ajoute 8 %% au grand cercle pour les "
                "détours et les attentes ; l'atlas garde × %(value)s comme le CO2 des trajets "
                "(2 %% de plus)"
            ),
        ),
        "block": (
            _("%(value)s min de roulage, montée et approche par vol"),
            _(
                "le roulage fait environ 15 %% du temps bloc (10 %% au départ, 5 %% à "
                "l'arrivée), plus de 20 min entre les cinq plus grands aéroports européens ; "
                "les 30 min couvrent aussi la montée et l'approche, plus lentes"
            ),
        ),
        "cruise": (
            _("%(value)s km/h sur la distance volée"),
            _("aucune source publiée trouvée : hypothèse du projet pour un avion court-courrier"),
        ),
        "check_in": (
            _("%(value)s min à l'aéroport avant le départ"),
            _(
                "312 voyages de porte à porte enregistrés par une application, dont 74 en "
                "avion : un peu moins de 118 min à l'aéroport de départ avant le décollage "
                "prévu, autant pour les vols de moins de 1 h 30 (60 min supposées avant)"
            ),
        ),
        "exit": (
            _("%(value)s min de l'atterrissage à la sortie de l'aéroport"),
            _("mêmes voyages : 39 min en moyenne (15 min supposées avant)"),
        ),
        "access": (
            _("accès à chaque aéroport : %(fixed)s min plus %(value)s min par km depuis le centre"),
            _(
                "aucun chiffre publié unique trouvé (Rothfeld et al., 2019 : la vitesse d'accès "
                "varie beaucoup d'un aéroport européen à l'autre) : hypothèse du projet"
            ),
        ),
    }


def _number(value: float) -> str:
    return number_format(value, 0 if value == int(value) else 1)


def flight_assumptions() -> list[AssumptionLine]:
    """The flight-time assumptions in French, each with its source (or the lack of one)."""
    words = _assumption_words()
    lines = []
    for assumption in ASSUMPTIONS:
        figure, finding = words[assumption.key]
        values = {"value": _number(assumption.value), "fixed": _number(ACCESS_FIXED_MIN)}
        lines.append(
            AssumptionLine(figure % values, finding % values, assumption.source, assumption.url)
        )
    return lines


def rail_station_note() -> str:
    """Why the rail and flight times are not measured alike, with the study's figures."""
    return _(
        "Le temps du train va de gare à gare : ni le trajet jusqu'à la gare ni le temps passé "
        "en gare n'y sont comptés, alors que l'avion est compté de centre-ville à centre-ville, "
        "attente à l'aéroport comprise. La même étude a mesuré en moyenne %(stations)s min "
        "passées en gare par voyage en train, contre %(airports)s min aux aéroports par voyage "
        "en avion : la comparaison avantage le train de ces %(stations)s min environ, plus le "
        "trajet jusqu'à la gare. Le simulateur d'interdiction, comme la loi française, ne "
        "regarde que le temps du train."
    ) % {
        "stations": _number(MEASURED_AT_STATIONS_MIN),
        "airports": _number(MEASURED_AT_AIRPORTS_MIN),
    }


def rail_words(pair: CityPair) -> str:
    """The rail time in words, or the plain statement of why there is none."""
    if pair.rail_fastest_min is not None:
        time = duration(round(pair.rail_fastest_min))
        if pair.rail_is_upper_bound:
            return _("%(time)s au plus") % {"time": time}
        return time
    if pair.rail_status == CityPair.RailStatus.NO_JOURNEY:
        return _("aucun trajet trouvé les jours de référence")
    return _("pas d'horaire actuel dans l'entrepôt")


def rail_provenance(pair: CityPair, titles: Mapping[str, str]) -> str:
    """Which timetables the rail time comes from and, when it is only an upper bound, why;
    ``titles`` maps a source name to its title."""
    if pair.rail_fastest_min is None:
        return ""
    sources = ", ".join(titles.get(name) or name for name in pair.rail_sources) or "—"
    text = _("Horaires utilisés : %(sources)s.") % {"sources": sources}
    if pair.rail_is_upper_bound:
        countries = ", ".join(country_name(c) for c in pair.rail_missing_main)
        text += " " + _(
            "Borne haute : l'entrepôt n'a pas d'horaire actuel de l'opérateur grandes lignes "
            "principal pour %(countries)s ; le train le plus rapide peut être bien plus court."
        ) % {"countries": countries}
    return text


@dataclass(frozen=True)
class MapLine:
    """One pair drawn as a line between its cities."""

    pair: CityPair
    x1: float
    y1: float
    x2: float
    y2: float
    band: str
    band_label: str


@dataclass(frozen=True)
class MapCity:
    """A city dot with its name."""

    name: str
    x: float
    y: float


@dataclass(frozen=True)
class MapLayout:
    """The SVG of the pairs: lines coloured by rail time, city dots."""

    width: int
    height: int
    lines: tuple[MapLine, ...]
    cities: tuple[MapCity, ...]


def map_layout(pairs: Sequence[CityPair]) -> MapLayout | None:
    """An equirectangular projection of the pairs' cities fitted to the drawing (None when
    there is nothing to draw)."""
    points = [(p.a_longitude, p.a_latitude) for p in pairs] + [
        (p.b_longitude, p.b_latitude) for p in pairs
    ]
    if not points:
        return None
    west, east = min(x for x, _y in points), max(x for x, _y in points)
    south, north = min(y for _x, y in points), max(y for _x, y in points)
    span_x, span_y = max(east - west, 1.0), max(north - south, 1.0)
    scale = min((MAP_WIDTH - 2 * MAP_MARGIN) / span_x, (MAP_HEIGHT - 2 * MAP_MARGIN) / span_y)

    def xy(longitude: float, latitude: float) -> tuple[float, float]:
        return (
            round(MAP_MARGIN + (longitude - west) * scale, 1),
            round(MAP_HEIGHT - MAP_MARGIN - (latitude - south) * scale, 1),
        )

    lines = []
    cities: dict[str, MapCity] = {}
    labels = {key: str(label) for key, _limit, label in BANDS}
    for pair in pairs:
        x1, y1 = xy(pair.a_longitude, pair.a_latitude)
        x2, y2 = xy(pair.b_longitude, pair.b_latitude)
        band = band_of(pair)
        lines.append(MapLine(pair, x1, y1, x2, y2, band, labels[band]))
        cities.setdefault(pair.a_name, MapCity(pair.a_name, x1, y1))
        cities.setdefault(pair.b_name, MapCity(pair.b_name, x2, y2))
    order = {key: index for index, (key, _limit, _label) in enumerate(BANDS)}
    lines.sort(key=lambda line: -order[line.band])  # fastest drawn last, on top
    return MapLayout(MAP_WIDTH, MAP_HEIGHT, tuple(lines), tuple(cities.values()))


def air_chart(pair: CityPair) -> Chart | None:
    """Air passengers per year as a bar chart with its table."""
    if not pair.air_series:
        return None
    rows = tuple(
        ChartRow(year, float(value), french_number(value, 0))
        for year, value in sorted(pair.air_series.items())
    )
    latest = pair.air_series.get(str(pair.air_year), 0)
    return Chart(
        key="air-series",
        title=_("Passagers aériens par année"),
        summary=_("%(count)s années publiées ; %(latest)s passagers en %(year)s.")
        % {"count": len(rows), "latest": french_number(latest, 0), "year": pair.air_year},
        label_header=_("Année"),
        value_header=_("Passagers aériens"),
        rows=rows,
    )


@dataclass(frozen=True)
class SortColumn:
    """A sortable column header: its link and its current order."""

    key: str
    label: str
    url: str
    aria_sort: str
    action: str


SORTABLE = (
    ("name", gettext_lazy("Liaison")),
    ("passengers", gettext_lazy("Passagers aériens")),
    ("rail", gettext_lazy("Train le plus rapide, de gare à gare")),
    ("flight", gettext_lazy("Avion porte à porte")),
    ("distance", gettext_lazy("Distance")),
)


def sort_columns(query: QueryDict, ordering: str) -> list[SortColumn]:
    """Header links: a click sorts by the column (from the first page), a second click
    reverses."""
    columns = []
    for key, label in SORTABLE:
        current = ordering.lstrip("-") == key
        descending = ordering.startswith("-")
        target = f"-{key}" if current and not descending else key
        params = query.copy()
        params.pop("page", None)
        params["ordering"] = target
        aria = ("descending" if descending else "ascending") if current else ""
        action = (
            _("trier par ordre décroissant")
            if target.startswith("-")
            else _("trier par ordre croissant")
        )
        columns.append(SortColumn(key, str(label), f"?{params.urlencode()}", aria, action))
    return columns


@dataclass(frozen=True)
class PageLink:
    """A link of the page navigation (no ``url``: an ellipsis or the current page)."""

    key: str
    label: str
    url: str = ""
    description: str = ""
    current: bool = False


def _page_url(query: QueryDict, number: int) -> str:
    params = query.copy()
    params.pop("page", None)
    if number > 1:
        params["page"] = str(number)
    path = reverse("atlas:pair-list")
    return f"{path}?{params.urlencode()}" if params else path


def page_links(query: QueryDict, page: Page) -> list[PageLink]:
    """Previous, numbered (elided) and next links of ``page``, keeping the other filters."""
    if not page.has_other_pages():
        return []
    links = []
    if page.has_previous():
        number = page.previous_page_number()
        links.append(
            PageLink("previous", _("‹ Précédente"), _page_url(query, number), _("Page précédente"))
        )
    for number in page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1):
        if number == page.paginator.ELLIPSIS:
            links.append(PageLink("", str(number)))
        else:
            links.append(
                PageLink(
                    str(number),
                    str(number),
                    _page_url(query, number),
                    _("Page %(number)s") % {"number": number},
                    current=number == page.number,
                )
            )
    if page.has_next():
        number = page.next_page_number()
        links.append(
            PageLink("next", _("Suivante ›"), _page_url(query, number), _("Page suivante"))
        )
    return links
