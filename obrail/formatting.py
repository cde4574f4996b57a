"""Formatting helpers for the pages: country names, durations, times, weekdays, weights.

Plain functions called by views (``obrail`` is not an installed app, so there is no template tag
library to load): pages receive display strings and only lay them out.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

COUNTRY_NAMES = {
    "AL": gettext_lazy("Albanie"),
    "AT": gettext_lazy("Autriche"),
    "BA": gettext_lazy("Bosnie-Herzégovine"),
    "BE": gettext_lazy("Belgique"),
    "BG": gettext_lazy("Bulgarie"),
    "BY": gettext_lazy("Biélorussie"),
    "CH": gettext_lazy("Suisse"),
    "CZ": gettext_lazy("Tchéquie"),
    "DE": gettext_lazy("Allemagne"),
    "DK": gettext_lazy("Danemark"),
    "EE": gettext_lazy("Estonie"),
    "ES": gettext_lazy("Espagne"),
    "FI": gettext_lazy("Finlande"),
    "FR": gettext_lazy("France"),
    "GB": gettext_lazy("Royaume-Uni"),
    "GR": gettext_lazy("Grèce"),
    "HR": gettext_lazy("Croatie"),
    "HU": gettext_lazy("Hongrie"),
    "IE": gettext_lazy("Irlande"),
    "IT": gettext_lazy("Italie"),
    "LI": gettext_lazy("Liechtenstein"),
    "LT": gettext_lazy("Lituanie"),
    "LU": gettext_lazy("Luxembourg"),
    "LV": gettext_lazy("Lettonie"),
    "MD": gettext_lazy("Moldavie"),
    "ME": gettext_lazy("Monténégro"),
    "MK": gettext_lazy("Macédoine du Nord"),
    "NL": gettext_lazy("Pays-Bas"),
    "NO": gettext_lazy("Norvège"),
    "PL": gettext_lazy("Pologne"),
    "PT": gettext_lazy("Portugal"),
    "RO": gettext_lazy("Roumanie"),
    "RS": gettext_lazy("Serbie"),
    "RU": gettext_lazy("Russie"),
    "SE": gettext_lazy("Suède"),
    "SI": gettext_lazy("Slovénie"),
    "SK": gettext_lazy("Slovaquie"),
    "TR": gettext_lazy("Turquie"),
    "UA": gettext_lazy("Ukraine"),
    "XK": gettext_lazy("Kosovo"),
}
WEEKDAY_LABELS = (
    gettext_lazy("lundi"),
    gettext_lazy("mardi"),
    gettext_lazy("mercredi"),
    gettext_lazy("jeudi"),
    gettext_lazy("vendredi"),
    gettext_lazy("samedi"),
    gettext_lazy("dimanche"),
)

WEEKDAY_SHORT_LABELS = (
    gettext_lazy("lun."),
    gettext_lazy("mar."),
    gettext_lazy("mer."),
    gettext_lazy("jeu."),
    gettext_lazy("ven."),
    gettext_lazy("sam."),
    gettext_lazy("dim."),
)
#: Three running days in a row or more are written as a span (``lun.–ven.``).
WEEKDAY_SPAN_MIN = 3


def country_name(code: str) -> str:
    """Name of an ISO 3166-1 alpha-2 country code, or the code itself when unknown."""
    return str(COUNTRY_NAMES.get(code, code))


def duration(minutes: float | None) -> str:
    """The one way pages and spreadsheets write a duration: ``57 min`` under an hour,
    ``4 h 09`` from an hour on (``—`` when unknown); fractions round to the minute."""
    if minutes is None:
        return "—"
    hours, rest = divmod(round(minutes), 60)
    if not hours:
        return _("%(minutes)d min") % {"minutes": rest}
    return _("%(hours)d h %(minutes)02d") % {"hours": hours, "minutes": rest}


def clock(value: dt.time | None, day_offset: int = 0) -> str:
    """Format a local time as ``22:15``, with ``(+1)`` when it falls on a later day."""
    if value is None:
        return "—"
    text = value.strftime("%H:%M")
    return f"{text} (+{day_offset})" if day_offset else text


def weekday_labels(flags: Sequence[bool]) -> str:
    """List the weekdays a service runs (``lundi, mardi``), or ``aucun jour``."""
    days = [str(label) for label, runs in zip(WEEKDAY_LABELS, flags, strict=True) if runs]
    if len(days) == len(WEEKDAY_LABELS):
        return _("tous les jours")
    return ", ".join(days) if days else _("aucun jour")


def weekday_short_labels(flags: Sequence[bool]) -> str:
    """The running weekdays in short, as pages and spreadsheets write them: ``tous les
    jours``, ``lun.–ven.`` (three days in a row or more), ``sam., dim.``, ``lun., mer.,
    ven.``, ``lun.–jeu., sam.``, or ``aucun jour``."""
    runs = [bool(flag) for flag in flags]
    if len(runs) != len(WEEKDAY_SHORT_LABELS):
        raise ValueError(f"weekday flags: expected 7, got {len(runs)}")
    if all(runs):
        return _("tous les jours")
    if not any(runs):
        return _("aucun jour")
    labels = [str(label) for label in WEEKDAY_SHORT_LABELS]
    parts = []
    day = 0
    while day < len(runs):
        if not runs[day]:
            day += 1
            continue
        last = day
        while last + 1 < len(runs) and runs[last + 1]:
            last += 1
        if last - day + 1 >= WEEKDAY_SPAN_MIN:
            parts.append(f"{labels[day]}–{labels[last]}")
        else:
            parts.extend(labels[day : last + 1])
        day = last + 1
    return ", ".join(parts)


def semicolon_list(items: Iterable[str]) -> str:
    """Items of a list too rich for commas: ``a ; b`` in French, ``a; b`` in English."""
    return pgettext("list separator", " ; ").join(items)


def decimal(value: float, places: int, *, grouping: bool = False) -> str:
    """``value`` rounded to ``places`` decimals in the page's locale (Django's
    ``number_format`` alone cuts the digits off: 16.487 would read 16,4)."""
    return number_format(round(value, places), places, use_l10n=True, force_grouping=grouping)


def kilograms(value: float | None) -> str:
    """Format kilograms with one decimal, rounded, ``—`` when unknown; a figure that one
    decimal would show as zero keeps two significant digits (``0,014 kg``, not ``0,0 kg``:
    a short train hop emits little, not nothing)."""
    if value is None:
        return "—"
    places = 1
    if value and round(value, 1) == 0:
        places = 1 - math.floor(math.log10(abs(value)))
    return _("%(value)s kg") % {"value": decimal(value, places)}
