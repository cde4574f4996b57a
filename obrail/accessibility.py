"""What the accessibility statement says: the pages it covers, their audit state, the known
defects, and the totals of the RGAA 4.1 self-assessment grid (``docs/rgaa/grille.csv``).

The pages are those of the navigation and of the footer (``obrail.site_pages``); a test
checks that the statement lists every one, that the browser accessibility tests
(``tests/e2e/test_pages.py``) cover each, and that the totals below are the grid's.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from obrail.site_pages import SitePage, site_pages

#: Where the grid lives in the repository (one row per RGAA 4.1 criterion).
RGAA_GRID = "docs/rgaa/grille.csv"
#: The grid's totals: criteria met (C), not met (NC), not applicable (NA).
RGAA_TOTALS = {"C": 65, "NC": 3, "NA": 38}

#: States of a page checked besides its first view, by URL name.
CHECKED_STATES: dict[str, Promise] = {
    "trajets:trajet-list": _(
        "filtres, tri, pagination et filtre invalide, avec et sans JavaScript, et la fiche "
        "d'un trajet"
    ),
    "stats:dashboard": _("tableaux de données ouverts, période choisie"),
    "atlas:pair-list": _(
        "liste filtrée, triée et sa deuxième page, fiche d'une liaison, simulateur"
    ),
    "routing:route-search": _("résultat d'une recherche d'itinéraire"),
    "trajets:network-map": _("couche de nuit, carte agrandie au clavier"),
    "monitoring:status": _("incidents et maintenances déclarés"),
    "ecology:scenario-list": _("page d'un scénario avec ses graphiques"),
    "mlregistry:model-list": _("fiche d'un modèle avec son graphique et ses tableaux"),
}

#: Known defects, each with the RGAA criterion it fails (listed in the grid as NC).
KNOWN_DEFECTS = (
    (
        "1.9",
        _(
            "Les graphiques sont dans un élément figure sans rôle ni attribut aria-label "
            "reprenant leur légende ; leur titre et leur résumé sont toutefois associés au "
            "graphique, qui est suivi de son tableau de données."
        ),
    ),
    (
        "8.2",
        _(
            "Le code source des pages n'a pas encore été contrôlé avec un validateur HTML : "
            "aucun outil de validation ne fait partie des tests automatiques."
        ),
    ),
    (
        "10.12",
        _(
            "La redéfinition des espacements du texte (interlignage, espacement des lettres "
            "et des mots) n'a pas encore été vérifiée."
        ),
    ),
)


def audited_pages() -> list[tuple[SitePage, Promise | None]]:
    """Every page of the navigation and of the footer, with the states checked besides its
    first view."""
    return [(page, CHECKED_STATES.get(page.url_name)) for page in site_pages()]


def conformance_rate() -> float:
    """The share of applicable criteria met, in percent (RGAA's method)."""
    applicable = RGAA_TOTALS["C"] + RGAA_TOTALS["NC"]
    return 100 * RGAA_TOTALS["C"] / applicable
