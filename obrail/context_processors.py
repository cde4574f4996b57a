"""Template context shared by every page."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

# The main sections, in menu order: (URL name, label). A section appears once its page exists.
# Rail first, for the observatory's audience; the chemostat models, which are not about rail,
# come last in a section of their own (``OTHER_SECTIONS``).
MAIN_SECTIONS = (
    ("trajets:trajet-list", _("Trajets")),
    ("stats:dashboard", _("Indicateurs")),
    ("atlas:pair-list", _("Rail ou avion")),
    ("mlregistry:model-list", _("Modèles prédictifs")),
    ("routing:route-search", _("Itinéraires")),
    ("trajets:network-map", _("Carte du réseau")),
    ("trajets:quality", _("Qualité des données")),
    ("monitoring:status", _("État du service")),
)
OTHER_SECTIONS = (("ecology:scenario-list", _("Modèles écologiques")),)


@dataclass(frozen=True)
class NavItem:
    url: str
    label: str
    is_current: bool


def _items(sections: tuple, current: str, *, by_app: bool = False) -> list[NavItem]:
    """Menu items of the sections whose page exists; ``by_app``: every page of the section's
    app is in it (the ecology pages), else only the named page."""
    items = []
    for url_name, label in sections:
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        app = url_name.split(":")[0]
        is_current = current == url_name or (by_app and current.startswith(f"{app}:"))
        items.append(NavItem(url=url, label=str(label), is_current=is_current))
    return items


def main_nav(request: HttpRequest) -> dict[str, list[NavItem]]:
    """Return the rail sections and the separate ones (chemostat models), marking the section
    of the current page."""
    current = request.resolver_match.view_name if request.resolver_match else ""
    return {
        "main_nav": _items(MAIN_SECTIONS, current),
        "other_nav": _items(OTHER_SECTIONS, current, by_app=True),
    }
