"""Why the ETL rejected a record, in the page's language.

The ETL writes each reject's reason as the source's problem in its own technical words and
groups them under a short code (:func:`apps.trajets.etl.loader.reason_code`); pages show the
code's explanation instead, so a French page stays in French.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

__all__ = ["REJECT_REASONS", "describe_reason"]

REJECT_REASONS = {
    "invalid_text": _("texte invalide (caractère nul ou texte trop long)"),
    "fragment": _("morceau d'un train déjà décrit ailleurs"),
    "not_rail": _("pas un train (car, bateau…)"),
    "implausible_time": _("horaire invraisemblable"),
    "invalid_boarding_rule": _("règle de montée ou de descente invalide"),
    "unknown_station": _("gare inconnue"),
    "missing_coordinates": _("gare sans coordonnées"),
    "invalid_coordinates": _("coordonnées hors limites"),
    "duplicate_id": _("identifiant en double"),
    "invalid_time": _("heure invalide ou horaires qui reculent"),
    "too_few_stops": _("moins de deux arrêts"),
    "not_a_station": _("regroupement de gares d'une ville, pas une gare"),
    "not_a_record": _("ligne d'en-tête, pas un enregistrement"),
    "inactive": _("enregistrement marqué inactif par la source"),
    "broken_reference": _("référence à un élément absent du jeu de données"),
    "invalid_calendar": _("calendrier invalide"),
    "invalid_date": _("date invalide"),
    "missing_name": _("gare sans nom"),
    "missing_country": _("pays manquant ou invalide"),
    "invalid_record": _("enregistrement invalide"),
}


def describe_reason(code: str) -> str:
    """The explanation of a reject code (the code itself when it has none)."""
    return str(REJECT_REASONS.get(code, code))
