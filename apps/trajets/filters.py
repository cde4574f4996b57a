"""The one FilterSet per list, shared by the API and the HTML pages.

Station parameters (``origin``, ``destination``, ``q``) accept a station id, a UIC code (7 or
8 digits), a station name, a town name in any language (all its stations) or the beginning of
a station name, resolved by :mod:`apps.trajets.station_search` (the same resolver as routing).
Names are resolved into ids first (a few small queries), so the trajet query stays on its
indexes.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from apps.trajets.calendars import MAX_PERIOD_DAYS, Period
from apps.trajets.models import Operator, ServiceKind, Station, Trajet, TransportMode
from apps.trajets.periods import PeriodChoice, PeriodKind, restrict_to_period
from apps.trajets.station_search import station_ids_for
from obrail.api.filters import CONFLICT, UNKNOWN, LightFilterSet

COUNTRY_PATTERN = re.compile(r"^[A-Za-z]{2}$")
MONTH_PATTERN = re.compile(r"^([0-9]{4})-(0[1-9]|1[0-2])$")
MAX_SEARCH_LENGTH = 100
# The filters choosing the period, in the order they are checked, and the kind each gives.
PERIOD_FILTERS = (
    ("date", PeriodKind.DAY),
    ("week", PeriodKind.WEEK),
    ("month", PeriodKind.MONTH),
    ("start", PeriodKind.RANGE),
)
PERIOD_PARAMETERS = frozenset({"period", "date", "week", "month", "start", "end"})


class StationFilter(django_filters.CharFilter):
    """Filter trajets on a station foreign key given as id, UIC code or name prefix."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("max_length", MAX_SEARCH_LENGTH)
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet, value: str) -> QuerySet:
        if not value:
            return qs
        value = value.strip()
        if value.isascii() and value.isdigit() and len(value) not in {7, 8} and len(value) <= 18:
            return qs.filter(**{f"{self.field_name}_id": int(value)})  # an id: no lookup
        return qs.filter(**{f"{self.field_name}_id__any_of": station_ids_for(value)})


class CountryField(forms.CharField):
    """An ISO 3166-1 alpha-2 code, any case, cleaned to upper case."""

    default_error_messages = {
        "invalid": _("code pays ISO 3166-1 à deux lettres attendu (ex. FR, DE)."),
    }

    def clean(self, value: str | None) -> str:
        value = super().clean(value)
        if value and not COUNTRY_PATTERN.match(value):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return value.upper()


class CountryFilter(django_filters.CharFilter):
    field_class = CountryField
    #: Documented in the OpenAPI schema (obrail/api_schema.py).
    schema_pattern = COUNTRY_PATTERN.pattern


class PeriodField(django_filters.fields.ChoiceField):
    """The default period: empty (the form's first option) or ``reference`` for each source's
    typical week, ``all`` for every date; an empty choice keeps shared URLs short."""

    def valid_value(self, value: str) -> bool:
        return value == PeriodKind.REFERENCE.value or super().valid_value(value)


class PeriodFilter(django_filters.ChoiceFilter):
    field_class = PeriodField


class MonthField(forms.CharField):
    """A month as ``YYYY-MM``, cleaned to its ``Period``."""

    default_error_messages = {"invalid": _("mois AAAA-MM attendu (ex. 2025-11).")}

    def to_python(self, value: str | None) -> Period | None:
        value = super().to_python(value).strip()
        if not value:
            return None
        match = MONTH_PATTERN.match(value)
        if not match or int(match[1]) < 1:  # MonthFilter.schema_pattern says the same
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return Period.month(int(match[1]), int(match[2]))


class MonthFilter(django_filters.CharFilter):
    field_class = MonthField
    #: Documented in the OpenAPI schema (obrail/api_schema.py); year 0000 does not exist.
    schema_pattern = r"^(?!0000)[0-9]{4}-(0[1-9]|1[0-2])$"


class KnownCodeField(django_filters.fields.ModelChoiceField):
    """A code of a stored object; an unknown one is reported with the code ``unknown``."""

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and "\x00" in value:
            raise forms.ValidationError(
                _("Le caractère nul n’est pas autorisé."), code="null_characters_not_allowed"
            )
        try:
            return super().to_python(value)
        except forms.ValidationError as error:
            raise forms.ValidationError(error.messages[0], code=UNKNOWN) from error


class KnownCodeFilter(django_filters.ModelChoiceFilter):
    field_class = KnownCodeField


class IntegerFilter(django_filters.NumberFilter):
    """A whole number (``1e-05`` or ``2.5`` refused, as the schema's integer says)."""

    field_class = forms.IntegerField


class StableOrderingFilter(django_filters.OrderingFilter):
    """Ordering with the id as last key, so that pages never overlap."""

    def filter(self, qs: QuerySet, value: list[str] | None) -> QuerySet:
        if not value:
            return qs
        return qs.order_by(*(self.get_ordering_value(param) for param in value), "id")


class TrajetFilterForm(forms.Form):
    """Cross-field checks of the trajet filters, reported on the upper bound, and of the
    period (one way of choosing it, a range given whole and at most a year long)."""

    RANGES = (("min_duration", "max_duration"), ("min_distance", "max_distance"))
    #: True on the pages: messages name the other fields by their label, not their parameter.
    names_fields_by_label = False

    def _name(self, field: str) -> str:
        if self.names_fields_by_label:
            return f"« {self.fields[field].label} »"
        return field

    def clean(self) -> dict:
        data = super().clean()
        for low, high in self.RANGES:
            if data.get(low) is not None and data.get(high) is not None and data[low] > data[high]:
                self._conflict(
                    high, _("doit être supérieur ou égal à %(low)s.") % {"low": self._name(low)}
                )
        self._check_period(data)
        return data

    def _conflict(self, name: str, message: str) -> None:
        self.add_error(name, forms.ValidationError(message, code=CONFLICT))

    def _check_period(self, data: dict) -> None:
        start, end = data.get("start"), data.get("end")
        if end and not start and "start" not in self.errors:
            self._conflict(
                "start",
                _("indiquez aussi le début de la période (%(start)s).")
                % {"start": self._name("start")},
            )
        if start and not end and "end" not in self.errors:
            self._conflict(
                "end",
                _("indiquez aussi la fin de la période (%(end)s).") % {"end": self._name("end")},
            )
        if start and end and end < start:
            self._conflict(
                "end",
                _("doit être postérieure ou égale à %(start)s.") % {"start": self._name("start")},
            )
        elif start and end and (end - start).days + 1 > MAX_PERIOD_DAYS:
            self._conflict(
                "end",
                _("période de %(days)s jours : %(max)s jours au plus.")
                % {"days": (end - start).days + 1, "max": MAX_PERIOD_DAYS},
            )
        chosen = [name for name, _kind in PERIOD_FILTERS if data.get(name)]
        if len(chosen) > 1:
            self._conflict(
                chosen[1],
                _("une seule période à la fois : %(first)s ou %(second)s, pas les deux.")
                % {"first": self._name(chosen[0]), "second": self._name(chosen[1])},
            )


class TrajetFilterSet(LightFilterSet):
    """Filters of the trajet list (API ``/api/trajets`` and the page ``trajets:trajet-list``)."""

    origin = StationFilter(
        field_name="origin",
        label=_("Origine"),
        help_text=_(
            "Gare ou ville de départ (toutes ses gares), dans toute langue ; ou son code UIC, "
            "son identifiant, le début de son nom."
        ),
    )
    destination = StationFilter(
        field_name="destination",
        label=_("Destination"),
        help_text=_(
            "Gare ou ville d'arrivée (toutes ses gares), dans toute langue ; ou son code UIC, "
            "son identifiant, le début de son nom."
        ),
    )
    country = CountryFilter(
        method="filter_country",
        label=_("Pays desservi"),
        help_text=_("Code ISO à deux lettres d'un pays desservi (origine, destination ou arrêt)."),
    )
    operator = KnownCodeFilter(
        field_name="operator",
        to_field_name="code",
        queryset=Operator.objects.all(),
        label=_("Opérateur"),
        help_text=_("Code de l'opérateur (ex. sncf, db, oebb)."),
        error_messages={"invalid_choice": _("opérateur inconnu : « %(value)s ».")},
    )
    kind = django_filters.ChoiceFilter(
        choices=ServiceKind.choices,
        label=_("Type de service"),
        help_text=_(
            "Train de jour (day), de nuit (night) ou de nuit sans couchette connue (overnight)."
        ),
        error_messages={
            # Formatted when shown, not at import, so that it follows the request language.
            "invalid_choice": lazy(
                lambda: (
                    _("doit être l'une des valeurs : %(choices)s.")
                    % {"choices": ", ".join(ServiceKind.values)}
                ),
                str,
            )()
        },
    )
    mode = django_filters.MultipleChoiceFilter(
        choices=TransportMode.choices,
        method="filter_mode",
        label=_("Mode"),
        help_text=_(
            "rail (par défaut), tram_train, coach, répétable : les cars et tram-trains ne "
            "sont comptés que si on les demande."
        ),
        error_messages={
            "invalid_choice": _("doit être l'une des valeurs : %(choices)s.")
            % {"choices": ", ".join(TransportMode.values)}
        },
    )
    period = PeriodFilter(
        method="filter_period",
        choices=(
            ("", _("semaine type de chaque source")),
            (PeriodKind.ALL.value, _("toutes les dates")),
        ),
        empty_label=None,
        label=_("Période"),
        help_text=_(
            "reference (par défaut) : la semaine type de la source de chaque train ; all : "
            "toutes les dates. Sans effet quand date, week, month ou start et end sont donnés."
        ),
        error_messages={"invalid_choice": _("doit être reference ou all.")},
    )
    date = django_filters.DateFilter(
        method="filter_period",
        label=_("Circule le"),
        help_text=_("AAAA-MM-JJ : services qui circulent ce jour-là (calendrier et exceptions)."),
        input_formats=["%Y-%m-%d"],  # never locale-dependent: 01/02 differs in fr and en
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("date AAAA-MM-JJ attendue.")},
    )
    week = django_filters.DateFilter(
        method="filter_period",
        label=_("Circule la semaine du"),
        help_text=_("AAAA-MM-JJ, tout jour de la semaine : du lundi au dimanche qui l'entourent."),
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("date AAAA-MM-JJ attendue.")},
    )
    month = MonthFilter(
        method="filter_period",
        label=_("Circule en"),
        help_text=_("Mois AAAA-MM."),
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2025-11"}),
    )
    start = django_filters.DateFilter(
        method="filter_period",
        label=_("Circule entre le"),
        help_text=_("AAAA-MM-JJ, début de la période (avec end ; 366 jours au plus)."),
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("date AAAA-MM-JJ attendue.")},
    )
    end = django_filters.DateFilter(
        method="filter_period",
        label=_("et le"),
        help_text=_("AAAA-MM-JJ, fin de la période, incluse."),
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("date AAAA-MM-JJ attendue.")},
    )
    departure_after = django_filters.TimeFilter(
        method="filter_departure_window",
        label=_("Départ à partir de"),
        help_text=_("HH:MM, heure locale de départ minimale."),
        input_formats=["%H:%M", "%H:%M:%S"],
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": _("heure HH:MM attendue.")},
    )
    departure_before = django_filters.TimeFilter(
        method="filter_departure_window",
        label=_("Départ au plus tard à"),
        help_text=_(
            "HH:MM, heure locale de départ maximale ; avant departure_after, la fenêtre "
            "passe minuit (ex. 22:00 à 02:00)."
        ),
        input_formats=["%H:%M", "%H:%M:%S"],
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": _("heure HH:MM attendue.")},
    )
    min_duration = IntegerFilter(
        field_name="duration_min",
        lookup_expr="gte",
        min_value=0,
        max_value=10_080,
        label=_("Durée minimale (min)"),
    )
    max_duration = IntegerFilter(
        field_name="duration_min",
        lookup_expr="lte",
        min_value=0,
        max_value=10_080,
        label=_("Durée maximale (min)"),
    )
    min_distance = django_filters.NumberFilter(
        field_name="distance_km",
        lookup_expr="gte",
        min_value=0,
        max_value=20_000,
        label=_("Distance minimale (km)"),
    )
    max_distance = django_filters.NumberFilter(
        field_name="distance_km",
        lookup_expr="lte",
        min_value=0,
        max_value=20_000,
        label=_("Distance maximale (km)"),
    )
    q = django_filters.CharFilter(
        method="filter_search",
        max_length=MAX_SEARCH_LENGTH,
        label=_("Recherche"),
        help_text=_("Numéro de train, catégorie (TGV, Nightjet…) ou début d'un nom de gare."),
    )
    ordering = StableOrderingFilter(
        fields=(
            ("departure_time", "departure"),
            ("arrival_time", "arrival"),
            ("duration_min", "duration"),
            ("distance_km", "distance"),
            ("co2_rail_kg", "co2"),
            ("kind", "kind"),
        ),
        field_labels={
            "departure_time": _("heure de départ"),
            "arrival_time": _("heure d'arrivée"),
            "duration_min": _("durée"),
            "distance_km": _("distance"),
            "co2_rail_kg": _("CO2 du train"),
            "kind": _("type de service"),
        },
        label=_("Tri"),
        help_text=_(
            "departure, arrival, duration, distance, co2 ou kind, séparés par des virgules ; "
            "préfixe - pour décroissant."
        ),
    )

    class Meta:
        model = Trajet
        fields: list[str] = []
        form = TrajetFilterForm

    def filter_country(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.serving_country(value) if value else qs

    #: False when the caller counts over the period itself (the volumes): the trajets are
    #: then not narrowed to those running in it.
    narrows_to_period = True

    @property
    def qs(self) -> QuerySet:
        if self.is_bound and not self.has_parameters and not hasattr(self, "_qs"):
            self._qs = self._restrict(self.queryset.all())
        return super().qs

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        return self._restrict(super().filter_queryset(queryset))

    def _restrict(self, queryset: QuerySet) -> QuerySet:
        """One trajet per train (``counted``), running in the chosen period."""
        modes = (self.cleaned_filters.get("mode") if self.is_bound else None) or [
            TransportMode.RAIL
        ]
        queryset = queryset.counted(modes)
        if not self.narrows_to_period:
            return queryset
        return restrict_to_period(queryset, self.period_choice)

    @property
    def period_choice(self) -> PeriodChoice:
        """The period chosen by the parameters (each source's typical week by default)."""
        data = self.cleaned_filters if self.is_bound else {}
        if data.get("date"):
            return PeriodChoice(PeriodKind.DAY, Period(data["date"], data["date"]))
        if data.get("week"):
            return PeriodChoice(PeriodKind.WEEK, Period.week_of(data["week"]))
        if data.get("month"):
            return PeriodChoice(PeriodKind.MONTH, data["month"])
        if data.get("start") and data.get("end") and data["end"] >= data["start"]:
            return PeriodChoice(PeriodKind.RANGE, Period(data["start"], data["end"]))
        return PeriodChoice(PeriodKind(data.get("period") or PeriodKind.REFERENCE))

    def filter_mode(self, qs: QuerySet, name: str, value: object) -> QuerySet:
        """Applied in ``_restrict`` (trains only when no mode is asked for)."""
        return qs

    def filter_period(self, qs: QuerySet, name: str, value: object) -> QuerySet:
        """Applied once for all the period parameters, in ``_restrict``."""
        return qs

    def filter_departure_window(self, qs: QuerySet, name: str, value: dt.time) -> QuerySet:
        """Apply both bounds once; a start later than the end wraps past midnight."""
        after = self.form.cleaned_data.get("departure_after")
        before = self.form.cleaned_data.get("departure_before")
        if name == "departure_before" and after is not None:
            return qs  # already applied with departure_after
        if after is not None and before is not None:
            window = Q(departure_time__gte=after) & Q(departure_time__lte=before)
            if after > before:
                window = Q(departure_time__gte=after) | Q(departure_time__lte=before)
            return qs.filter(window)
        if after is not None:
            return qs.filter(departure_time__gte=after)
        return qs.filter(departure_time__lte=before)

    def filter_search(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return qs
        station_ids = station_ids_for(value)
        return qs.filter(
            Q(train_number=value)
            | Q(category__iexact=value)
            | Q(origin_id__any_of=station_ids)
            | Q(destination_id__any_of=station_ids)
        )


class StationFilterSet(LightFilterSet):
    """Station search for autocomplete: name prefix, UIC code or id, and country."""

    q = django_filters.CharFilter(
        method="filter_search",
        max_length=MAX_SEARCH_LENGTH,
        label=_("Gare"),
        help_text=_(
            "Nom de gare ou de ville (toutes ses gares), début du nom, code UIC ou identifiant."
        ),
    )
    country = CountryFilter(field_name="country", label=_("Pays"))

    class Meta:
        model = Station
        fields: list[str] = []

    def filter_search(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        if not value.strip():
            return qs
        return qs.filter(pk__any_of=station_ids_for(value, with_prefixes=True))


class OperatorFilterSet(LightFilterSet):
    """Operator search for autocomplete: code or name prefix, and country."""

    q = django_filters.CharFilter(
        method="filter_search",
        max_length=MAX_SEARCH_LENGTH,
        label=_("Opérateur"),
        help_text=_("Début du code ou du nom."),
    )
    country = CountryFilter(field_name="country", label=_("Pays"))

    class Meta:
        model = Operator
        fields: list[str] = []

    def filter_search(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return qs
        return qs.filter(Q(code__istartswith=value) | Q(name__istartswith=value))
