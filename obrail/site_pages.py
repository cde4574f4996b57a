"""Every page of the site that the menus and the footer lead to, with what it is for: the site
map lists them, and the accessibility statement gives each one's audit state."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from obrail.context_processors import MAIN_SECTIONS, OTHER_SECTIONS

#: Pages outside the menus, reached from every page's footer.
FOOTER_PAGES = (
    ("pages:sitemap", _("Plan du site")),
    ("pages:accessibility", _("Déclaration d'accessibilité")),
    ("pages:legal", _("Mentions légales et données personnelles")),
)

PURPOSES: dict[str, Promise] = {
    "home": _("Ce que contient l'observatoire et par où commencer."),
    "trajets:trajet-list": _(
        "Chercher des trains par ville, pays, opérateur, jour ou nuit et période ; les "
        "télécharger pour un tableur."
    ),
    "stats:dashboard": _(
        "Trains de jour et de nuit, départs par opérateur, pays desservis, liaisons les plus "
        "desservies et CO2 comparé à l'avion, sur une période ; chaque chiffre téléchargeable."
    ),
    "atlas:pair-list": _(
        "Où le train remplace l'avion : liaisons entre villes, passagers aériens, temps de "
        "train, CO2 selon la méthode choisie, et simulateur de seuils d'interdiction de vols."
    ),
    "mlregistry:model-list": _(
        "Les modèles entraînés sur les données (part du train face à l'avion selon le temps "
        "de train) : fiche, ajustement, erreur mesurée, versions."
    ),
    "routing:route-search": _("Trouver un trajet en train entre deux villes ou gares."),
    "trajets:network-map": _("Voir les liaisons de jour et de nuit sur une carte de l'Europe."),
    "trajets:quality": _("D'où viennent les données, leur licence et ce qui a été vérifié."),
    "monitoring:status": _(
        "Savoir si le service fonctionne, les incidents et les maintenances prévues."
    ),
    "ecology:scenario-list": _(
        "Modèles écologiques du chémostat (croissance, équilibres, compétition), à part du rail."
    ),
    "pages:sitemap": _("Cette page : toutes les pages du site."),
    "pages:accessibility": _(
        "Le niveau d'accessibilité du site, ses défauts connus et les recours."
    ),
    "pages:legal": _("Éditeur, hébergeur, contacts, licences et données personnelles."),
}


@dataclass(frozen=True)
class SitePage:
    """A page of the menus or of the footer (labels are lazy: translated where rendered)."""

    url_name: str
    url: str
    label: Promise
    purpose: Promise | None


def site_pages() -> list[SitePage]:
    """The home page, the menu's sections in their order, then the footer's pages."""
    sections = (("home", _("Accueil")), *MAIN_SECTIONS, *OTHER_SECTIONS, *FOOTER_PAGES)
    pages = []
    for url_name, label in sections:
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        pages.append(SitePage(url_name, url, label, PURPOSES.get(url_name)))
    return pages
