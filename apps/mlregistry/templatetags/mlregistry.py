"""Hooks other apps' pages include: the modal-shift potential beside the atlas's simulator,
and the models' data freshness on the status page. Each calls one service and renders one
partial, so the host page's view stays untouched."""

from __future__ import annotations

from typing import Any

from django import template

from apps.mlregistry.potential import MODEL_NAME, shift_potential

register = template.Library()


@register.inclusion_tag("mlregistry/partials/shift_potential.html")
def modal_shift_potential(form: Any) -> dict[str, Any]:
    """The potential for the simulator's scope, country and CO2 method (its defaults when the
    form is not filled in or invalid)."""
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    scope = data.get("scope") or "domestic"
    country = (data.get("country") or "FR").upper()
    method = data.get("method") or "ademe"
    try:
        potential = shift_potential(scope=scope, country=country, method=method)
    except LookupError:  # no such model, or none in production (ModelUnavailable)
        potential = None
    return {"potential": potential, "model_name": MODEL_NAME, "scope": scope, "country": country}


@register.inclusion_tag("mlregistry/partials/model_freshness.html")
def model_freshness_rows() -> dict[str, Any]:
    """The production models and whether their data is older than the current imports."""
    from apps.mlregistry.services import model_freshness

    return {"models": model_freshness()}
