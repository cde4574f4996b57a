"""Every model is in the admin, and its list and detail pages render."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from apps.trajets.rows import STOP_COLUMNS
from apps.trajets.tests.factories import make_trajet

pytestmark = pytest.mark.django_db

PROJECT_APPS = ("trajets", "stats", "routing", "ecology", "monitoring")


def test_every_project_model_is_registered_in_the_admin():
    models = [m for label in PROJECT_APPS for m in apps.get_app_config(label).get_models()]
    missing = [m.__name__ for m in models if not admin.site.is_registered(m)]
    assert missing == []


def test_every_admin_changelist_and_change_page_renders(admin_client):
    trajet = make_trajet()
    for model in admin.site._registry:
        if model._meta.app_label not in PROJECT_APPS:
            continue
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        response = admin_client.get(url)
        assert response.status_code == 200, url
    change_url = reverse("admin:trajets_trajet_change", args=[trajet.pk])
    response = admin_client.get(change_url)
    assert response.status_code == 200
    page = response.content.decode()
    assert trajet.source_record_id in page
    # The stops inline edits every published column of a stop (the row spec's).
    assert trajet.stops.exists()
    for column in STOP_COLUMNS:
        assert f'name="stops-0-{column.name}"' in page, column.name
