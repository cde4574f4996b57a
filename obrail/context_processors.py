"""Template context shared by every page."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

# The main sections, in menu order: (URL name, label). A section appears once its page exists.
MAIN_SECTIONS = (
    ("trajets:trajet-list", _("Trajets")),
    ("trajets:network-map", _("Carte du réseau")),
    ("stats:dashboard", _("Indicateurs")),
    ("routing:route-search", _("Itinéraires")),
    ("ecology:scenario-list", _("Chémostat")),
    ("trajets:quality", _("Qualité des données")),
    ("monitoring:status", _("État du service")),
)


@dataclass(frozen=True)
class NavItem:
    url: str
    label: str
    is_current: bool


def main_nav(request: HttpRequest) -> dict[str, list[NavItem]]:
    """Return the main navigation, marking the section of the current page."""
    current = request.resolver_match.view_name if request.resolver_match else ""
    items = []
    for url_name, label in MAIN_SECTIONS:
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        items.append(NavItem(url=url, label=str(label), is_current=current == url_name))
    return {"main_nav": items}
