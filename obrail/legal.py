"""The legal notice's deployment facts (LCEN art. 6 III, RGPD art. 13), read from settings.

Who publishes the site, who directs the publication and who hosts it are facts of each
deployment, not of the code: they come from ``LEGAL_*`` environment variables. A missing one
is reported by ``manage.py check --deploy`` (``obrail.checks``) and never shown as a
placeholder: the page leaves it out, and says what to set only when ``DEBUG`` is on.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

#: How long request logs are kept (Loki's retention_period, deploy/loki/loki.yml: 744h).
LOG_RETENTION_DAYS = 31


@dataclass(frozen=True)
class LegalFact:
    """One published fact: the setting it comes from, its label and its value (may be empty)."""

    variable: str
    label: Promise  # lazy: translated where the page renders it (a French-only block)
    value: str
    why: str

    @property
    def is_missing(self) -> bool:
        return not self.value.strip()


# (setting, label on the page, why the law asks for it: for the check's message)
_FACTS = {
    "publisher": (
        ("LEGAL_PUBLISHER_NAME", _("Nom"), "the publisher's name (LCEN art. 6 III-1 b)"),
        ("LEGAL_PUBLISHER_ADDRESS", _("Adresse"), "the publisher's address (LCEN art. 6 III-1 b)"),
    ),
    "director": (
        (
            "LEGAL_PUBLICATION_DIRECTOR",
            _("Directeur ou directrice de la publication"),
            "the publication director's name (LCEN art. 6 III-1 c)",
        ),
    ),
    "host": (
        ("LEGAL_HOST_NAME", _("Nom"), "the host's name or company name (LCEN art. 6 III-1 d)"),
        ("LEGAL_HOST_ADDRESS", _("Adresse"), "the host's address (LCEN art. 6 III-1 d)"),
        ("LEGAL_HOST_PHONE", _("Téléphone"), "the host's telephone number (LCEN art. 6 III-1 d)"),
    ),
    "contact": (
        (
            "LEGAL_CONTACT_EMAIL",
            _("Questions sur le site ou ses données"),
            "a contact address (LCEN art. 6 III-1 b)",
        ),
        (
            "LEGAL_DPO_EMAIL",
            _("Contact pour les données personnelles"),
            "a contact for personal data requests (RGPD art. 13-1 b)",
        ),
    ),
}


def legal_facts() -> dict[str, list[LegalFact]]:
    """The facts of each section of the legal notice, as configured."""
    return {
        section: [
            LegalFact(variable, label, str(getattr(settings, variable, "") or ""), why)
            for variable, label, why in facts
        ]
        for section, facts in _FACTS.items()
    }


def published_facts(*, show_missing: bool) -> dict[str, list[LegalFact]]:
    """The facts the page shows in each section: the configured ones, and the missing ones
    too when ``show_missing`` (DEBUG), so that the page says which variable to set."""
    return {
        section: [fact for fact in facts if show_missing or not fact.is_missing]
        for section, facts in legal_facts().items()
    }


def personal_data_contact() -> LegalFact:
    """The contact for personal data requests (RGPD rights), configured or not."""
    return legal_facts()["contact"][-1]


def missing_legal_facts() -> list[LegalFact]:
    """The facts that the legal notice must publish but that are not configured."""
    return [fact for facts in legal_facts().values() for fact in facts if fact.is_missing]
