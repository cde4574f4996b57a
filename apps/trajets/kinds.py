"""The words for a service's kind, one definition for every page, list and spreadsheet.

A table cell, a badge and a spreadsheet column say the kind alone (``jour``, ``nuit``,
``nuit sans couchette connue``: :class:`apps.trajets.models.ServiceKind`'s labels); a list
to choose from names the trains (``Trains de jour``…). Filters, tables, the routing page
and the CSV read them here, so that "night train" is never said two ways.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from apps.trajets.models import ServiceKind

__all__ = ["KIND_TRAINS", "NIGHT_TRAINS_ANY", "kind_trains", "kind_word"]

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
