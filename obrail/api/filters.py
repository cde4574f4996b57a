"""The filter plumbing of every list: a FilterSet built without django-filter's deep copies,
its errors as the API's (400 or 422), and the API's filter backend (``DEFAULT_FILTER_BACKENDS``)."""

from __future__ import annotations

import copy
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend

from obrail.errors import InvalidInput, UnprocessableInput

#: Error codes of parameters that are well formed but refused: a value the data does not know,
#: or a rule across parameters (the API answers 422 when every error is one of these).
UNKNOWN, CONFLICT = "unknown", "conflict"


class LightFilterSet(django_filters.FilterSet):
    """A FilterSet whose filters are copied shallowly for each instance.

    django-filter deep-copies every filter (labels, widgets, querysets) for each request,
    about half a millisecond for the trajet filters; a filter only gets its ``model`` and
    ``parent`` set per instance, and a method filter a ``FilterMethod`` bound to it.
    ``apps/trajets/tests/test_filterset_stock.py`` holds every subclass equal to the stock
    FilterSet.
    """

    _form_class: type[forms.Form]
    _validation_form_class: type[forms.Form]
    #: False when the form is only validated, never rendered (the API): its fields are shared.
    renders_form = True

    def __init__(
        self,
        data: Any = None,
        queryset: QuerySet | None = None,
        *,
        request: Any = None,
        prefix: str | None = None,
    ) -> None:
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = {}
        for name, base in self.base_filters.items():
            filter_ = copy.copy(base)
            filter_.model = queryset.model
            filter_.parent = self
            if filter_.method is not None:
                filter_.method = filter_.method  # rebinds its FilterMethod to this copy
            self.filters[name] = filter_

    @cached_property
    def has_parameters(self) -> bool:
        """Whether the data holds a parameter of any filter (else there is nothing to check)."""
        return bool(self.form_prefix) or any(name in self.data for name in self.filters)

    def is_valid(self) -> bool:
        """Validate the parameters; a request without any is valid without building the form
        (about a millisecond of the lightest API requests)."""
        if self.is_bound and not self.has_parameters:
            return True
        return super().is_valid()

    @property
    def qs(self) -> QuerySet:
        if self.is_bound and not self.has_parameters and not hasattr(self, "_qs"):
            self._qs = self.queryset.all()
        return super().qs

    @property
    def cleaned_filters(self) -> dict[str, Any]:
        """The validated values by filter name (empty when no parameter was given); call
        after :meth:`is_valid`."""
        return self.form.cleaned_data if self.has_parameters else {}

    def get_form_class(self) -> type[forms.Form]:
        """One form class per FilterSet class (django-filter builds one, and a form field per
        filter, for every instance), and one more for forms that are only validated."""
        owner = type(self)
        name = "_form_class" if self.renders_form else "_validation_form_class"
        if name not in owner.__dict__:
            form_class = super().get_form_class()
            if not self.renders_form:
                form_class.base_fields = _SharedFields(form_class.base_fields)
            setattr(owner, name, form_class)
        return owner.__dict__[name]


class _SharedFields(dict):
    """Form fields that each form copies shallowly instead of deeply (~0.4 ms per request).

    Only for forms that are validated and never rendered: validation reads the fields, while
    rendering a page sets per-request attributes on their widgets (``aria-invalid``…).
    """

    def __deepcopy__(self, memo: dict) -> dict:
        return dict(self)


def filter_errors(filterset: LightFilterSet) -> InvalidInput | None:
    """The errors of an API request's filters, or None when they are valid.

    A number given empty is an error (the pages read it as "no filter"; the API documents a
    number). Errors are an :class:`UnprocessableInput` (422) when every one is well formed
    but refused (an unknown code, a rule across parameters), else an ``InvalidInput`` (400).
    """
    empty_numbers = {
        name: [_("nombre attendu, pas une valeur vide.")]
        for name, filter_ in filterset.filters.items()
        if isinstance(filter_, django_filters.NumberFilter) and filterset.data.get(name, None) == ""
    }
    if filterset.is_valid() and not empty_numbers:
        return None
    errors = {**dict(filterset.errors), **empty_numbers} if empty_numbers else filterset.errors
    codes = {error.code for field in filterset.form.errors.as_data().values() for error in field}
    messages = {name: [str(message) for message in errors[name]] for name in errors}
    if not empty_numbers and codes <= {UNKNOWN, CONFLICT}:
        return UnprocessableInput(messages)
    return InvalidInput(messages)


class ApiFilterBackend(DjangoFilterBackend):
    """DRF's django-filter backend; its FilterSets validate their form without rendering it,
    and their errors are the API's (:func:`filter_errors`)."""

    def get_filterset(self, request: Any, queryset: QuerySet, view: Any) -> Any:
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            filterset.renders_form = False
        return filterset

    def filter_queryset(self, request: Any, queryset: QuerySet, view: Any) -> QuerySet:
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        errors = filter_errors(filterset)
        if errors is not None:
            raise errors
        return filterset.qs
