"""The words for a service's kind, one definition for every page, list and spreadsheet.

A table cell, a badge and a spreadsheet column say the kind alone (``jour``, ``nuit``,
``nuit sans couchette connue``: :class:`apps.trajets.models.ServiceKind`'s labels); a list
to choose from names the trains (``Trains de jour``…). Filters, tables, the routing page
and the CSV read them here, so that "night train" is never said two ways.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.trajets.models import ServiceKind

__all__ = ["KIND_TRAINS", "NIGHT_TRAINS_ANY", "kind_reason_text", "kind_trains", "kind_word"]

#: A list's options, one per kind.
KIND_TRAINS = {
    ServiceKind.DAY: _("Trains de jour"),
    ServiceKind.NIGHT: _("Trains de nuit"),
    ServiceKind.OVERNIGHT: _("Trains de nuit sans couchette connue"),
}
#: Night trains with or without a known couchette or sleeper (the routing filter).
NIGHT_TRAINS_ANY = _("Trains de nuit, avec ou sans couchette connue")


def kind_word(kind: str) -> str:
    """The kind alone, as a cell or a badge says it (``nuit``)."""
    return str(ServiceKind(kind).label)


def kind_trains(kind: str) -> str:
    """The trains of a kind, as a list offers them (``Trains de nuit``)."""
    return str(KIND_TRAINS[ServiceKind(kind)])


# The ETL stores why a trajet got its kind as a stable English sentence (the truth checks
# and the ETL read its prefixes back): apps.trajets.etl.harmonise.classify,
# apps.trajets.etl.load_trajets and apps.trajets.same_train write these forms.
_ACCOMMODATION = re.compile(r"source lists night accommodation: (?P<hint>.+)")
_PRODUCT = re.compile(
    r"(?P<product>.+?) is a night-train product \(source labels: (?P<labels>.*)\)"
)
_NIGHT_WINDOW = re.compile(
    r"runs (?P<minutes>\d+) min inside 00:00-05:00 \(threshold (?P<threshold>\d+) min\) "
    r"with no sleeper or couchette known"
)
_DAY_WINDOW = re.compile(
    r"runs (?P<minutes>\d+) min inside 00:00-05:00 \(below (?P<threshold>\d+) min\)"
)
_REFERENCE = re.compile(
    r"night-train database: (?P<label>.*?)\(trajet (?P<trajet>\d+) of (?P<source>[^)]+)\) "
    r"is the same train — timetable alone: (?P<own>.+)"
)
_TWIN = re.compile(r"same-day twin (?P<record>.+?) is a night train: (?P<own>.+)")
_SAME_RUN = re.compile(
    r"same run as (?P<label>.+?) \(record (?P<record>[^)]+)\) on other days: (?P<own>.+)"
)
_ACCOMMODATION_WORDS = {
    "seat": _("places assises"),
    "couchette": _("couchettes"),
    "sleeper": _("voitures-lits"),
    "bunkbed": _("lits superposés"),
}


def _accommodation(hint: str) -> str:
    words = [word.strip() for word in hint.split(",")]
    return ", ".join(str(_ACCOMMODATION_WORDS.get(word.lower(), word)) for word in words)


def kind_reason_text(reason: str) -> str | None:
    """Why a trajet got its kind, in the page's language, from the ETL's stored sentence;
    ``None`` for a sentence of another form (e.g. cut at its 300 characters), which a page
    then shows marked as English."""
    reason = reason.strip()
    # The forms that wrap another reason first: the simple ones would match their end.
    for pattern, sentence in (
        (
            _REFERENCE,
            gettext(
                "la base des trains de nuit décrit le même train (%(label)strajet %(trajet)s "
                "de %(source)s) ; d'après l'horaire seul : %(own)s"
            ),
        ),
        (
            _TWIN,
            gettext(
                "une autre publication du même train le même jour (enregistrement %(record)s) "
                "est un train de nuit : %(own)s"
            ),
        ),
        (
            _SAME_RUN,
            gettext(
                "même parcours que %(label)s (enregistrement %(record)s) d'autres jours : %(own)s"
            ),
        ),
    ):
        if found := pattern.fullmatch(reason):
            own = kind_reason_text(found["own"])
            return None if own is None else sentence % {**found.groupdict(), "own": own}
    if found := _ACCOMMODATION.fullmatch(reason):
        return gettext("la source indique des places de nuit : %(classes)s") % {
            "classes": _accommodation(found["hint"])
        }
    if found := _PRODUCT.fullmatch(reason):
        return gettext(
            "%(product)s est une offre de train de nuit (libellés de la source : %(labels)s)"
        ) % {"product": found["product"], "labels": found["labels"]}
    if found := _NIGHT_WINDOW.fullmatch(reason):
        return gettext(
            "circule %(minutes)s min entre 0 h et 5 h (seuil : %(threshold)s min), sans "
            "couchette ni voiture-lits connue"
        ) % {"minutes": found["minutes"], "threshold": found["threshold"]}
    if found := _DAY_WINDOW.fullmatch(reason):
        return gettext("circule %(minutes)s min entre 0 h et 5 h (moins de %(threshold)s min)") % {
            "minutes": found["minutes"],
            "threshold": found["threshold"],
        }
    return None
