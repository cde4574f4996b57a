"""DRF fields for query-string parameters of the API.

DRF reads an empty optional parameter (``?t_end=``) as absent, the rule of HTML forms; the API
documents numbers and date-times, so these fields refuse the empty value with a 400 instead.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers


class _NonEmptyQueryValue:
    """A parameter given empty is refused, not read as absent."""

    field_name: str

    def get_value(self, dictionary: Any) -> Any:
        if self.field_name in dictionary and dictionary.get(self.field_name) == "":
            return ""
        return super().get_value(dictionary)  # type: ignore[misc]


class QueryFloatField(_NonEmptyQueryValue, serializers.FloatField):
    """A number of the query string."""


class QueryIntegerField(_NonEmptyQueryValue, serializers.IntegerField):
    """An integer of the query string."""


class QueryCharField(_NonEmptyQueryValue, serializers.CharField):
    """A text of the query string that may not be empty when given."""


class QueryChoiceField(_NonEmptyQueryValue, serializers.ChoiceField):
    """One of the documented values of the query string; empty is not one of them."""
