"""Why the ETL rejected a record, in the page's language.

The ETL writes each reject's reason as the source's problem in its own technical words and
groups them under a short code (:class:`apps.trajets.etl.records.RejectCode`, chosen where the
record is rejected); pages show the code's explanation instead, so a French page stays in
French.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from apps.trajets.etl.records import RejectCode

__all__ = ["REJECT_REASONS", "describe_reason"]

REJECT_REASONS: dict[str, Promise] = {
    RejectCode.INVALID_TEXT: _("texte invalide (caractère nul ou texte trop long)"),
    RejectCode.FRAGMENT: _("morceau d'un train déjà décrit ailleurs"),
    RejectCode.NOT_RAIL: _("pas un train (car, bateau…)"),
    RejectCode.IMPLAUSIBLE_TIME: _("horaire invraisemblable"),
    RejectCode.INVALID_BOARDING_RULE: _("règle de montée ou de descente invalide"),
    RejectCode.UNKNOWN_STATION: _("gare inconnue"),
    RejectCode.MISSING_COORDINATES: _("gare sans coordonnées"),
    RejectCode.INVALID_COORDINATES: _("coordonnées hors limites"),
    RejectCode.DUPLICATE_ID: _("identifiant en double"),
    RejectCode.INVALID_TIME: _("heure invalide ou horaires qui reculent"),
    RejectCode.TOO_FEW_STOPS: _("moins de deux arrêts"),
    RejectCode.NOT_A_STATION: _("regroupement de gares d'une ville, pas une gare"),
    RejectCode.NOT_A_RECORD: _("ligne d'en-tête, pas un enregistrement"),
    RejectCode.INACTIVE: _("enregistrement marqué inactif par la source"),
    RejectCode.BROKEN_REFERENCE: _("référence à un élément absent du jeu de données"),
    RejectCode.INVALID_CALENDAR: _("calendrier invalide"),
    RejectCode.INVALID_DATE: _("date invalide"),
    RejectCode.MISSING_NAME: _("gare sans nom"),
    RejectCode.MISSING_COUNTRY: _("pays manquant ou invalide"),
    RejectCode.INVALID_RECORD: _("enregistrement invalide"),
}


def describe_reason(code: str) -> str:
    """The explanation of a reject code (the code itself when it has none)."""
    return str(REJECT_REASONS.get(code, code))
