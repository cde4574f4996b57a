"""The shared read-only admin: rows written by loads, computations or audited services are
shown in the admin, never added, edited or deleted by hand."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory

from apps.atlas.models import Airport, AirTraffic, AtlasBuild, CityPair
from apps.mlregistry.models import ModelVersion, RegisteredModel, RegistryEvent
from obrail.admin import ReadOnlyAdmin

READ_ONLY_MODELS = [
    Airport, AirTraffic, AtlasBuild, CityPair, ModelVersion, RegisteredModel, RegistryEvent,
]  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("model", READ_ONLY_MODELS, ids=lambda m: m.__name__)
def test_a_superuser_can_only_view_read_only_rows(model) -> None:
    model_admin = admin.site._registry[model]
    assert isinstance(model_admin, ReadOnlyAdmin)
    request = RequestFactory().get("/admin/")
    request.user = get_user_model().objects.create_superuser("root", "root@example.org", "pw")
    assert model_admin.has_view_permission(request)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
