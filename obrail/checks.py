"""System checks of the project's own settings (``manage.py check --deploy``)."""

from __future__ import annotations

from typing import Any

from django.core.checks import Tags, Warning, register

from obrail.legal import missing_legal_facts


@register(Tags.security, deploy=True)
def check_legal_notice(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    """Each fact the legal notice must publish (LCEN, RGPD) and that no variable gives."""
    return [
        Warning(
            f"{fact.variable} is not set: the legal notice (/mentions-legales) must publish "
            f"{fact.why}.",
            hint=f"Set {fact.variable} in the environment (see docs/operations.md, Legal notice).",
            id="obrail.W001",
        )
        for fact in missing_legal_facts()
    ]
