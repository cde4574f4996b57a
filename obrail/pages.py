"""Page glue shared by the apps' HTML views: one URL for a page and its HTMX fragment, and a
service's refusal shown on the form that asked for it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from obrail.errors import InvalidInput
from obrail.htmx import FRAGMENT_HEADERS, is_htmx_fragment_request


def render_page_or_fragment(
    request: HttpRequest,
    *,
    page: str,
    fragment: str,
    context: dict[str, Any],
    status: int = 200,
) -> HttpResponse:
    """Render ``fragment`` for a plain HTMX request and ``page`` otherwise (a first visit, a
    boosted link, a history restore); the page ``{% include %}``s the fragment.

    The context gets ``is_fragment``; the response varies on the headers that chose it.
    """
    is_fragment = is_htmx_fragment_request(request)
    context["is_fragment"] = is_fragment
    response = render(request, fragment if is_fragment else page, context, status=status)
    patch_vary_headers(response, FRAGMENT_HEADERS)
    return response


def add_service_errors(
    form: forms.Form,
    errors: InvalidInput | Mapping[str, Iterable[str]],
    *,
    field_of: Mapping[str, str] | None = None,
) -> None:
    """Show a service's refusal on ``form``: each message beside the field its parameter
    names, the others (``detail``, a parameter the form has no input for) above the form.

    ``field_of`` renames the service's parameters to the form's fields (``from`` →
    ``origin``); a parameter it does not list is looked up under its own name. An unbound form
    takes the errors too (a first visit whose default computation was refused).
    """
    if isinstance(errors, InvalidInput):
        errors = errors.errors
    if not form.is_bound:
        # Django's add_error prunes cleaned_data, which only a bound form's cleaning creates.
        form.cleaned_data = {}
    renames = field_of or {}
    for parameter, messages in errors.items():
        field = renames.get(parameter, parameter)
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message)
