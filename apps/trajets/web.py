"""The parts of the warehouse's pages and API that other apps' pages and APIs reuse, so a
trajet list is filtered, and a period asked for and described, the same way everywhere: the
trajet FilterSet and its country filter, the period fields of the filter form, the period's
serializer and the API's time-of-day parameters (re-exported from the modules that define
them).

Public, as :mod:`apps.trajets.services`, but kept apart from it: it imports DRF, django-filter
and the forms, which a use case never needs."""

from __future__ import annotations

from apps.trajets.api import TIME_PARAMETERS
from apps.trajets.filters import CountryFilter, TrajetFilterSet
from apps.trajets.forms import PERIOD_FIELDS, present_period_fields
from apps.trajets.serializers import PeriodSerializer, period_data

__all__ = [
    "PERIOD_FIELDS",
    "TIME_PARAMETERS",
    "CountryFilter",
    "PeriodSerializer",
    "TrajetFilterSet",
    "period_data",
    "present_period_fields",
]
