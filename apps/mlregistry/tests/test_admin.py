"""Promotion and rollback from the admin: a reason is asked for, the change is audited."""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth import get_user_model

from apps.mlregistry.models import ModelVersion, RegistryEvent
from apps.mlregistry.tests.factories import in_production, trained

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser("chief", "chief@example.org", "pw-1234567")
    client.force_login(user)
    return client


def test_the_promote_action_asks_for_a_reason_then_promotes_and_audits(admin_client):
    in_production()
    candidate = trained(seed=8)
    url = "/admin/mlregistry/modelversion/"
    data = {"action": "promote", ACTION_CHECKBOX_NAME: [candidate.pk]}
    asked = admin_client.post(url, data)
    assert asked.status_code == 200
    assert "journalisé" in asked.content.decode()
    assert ModelVersion.objects.get(pk=candidate.pk).status == "candidate"

    done = admin_client.post(url, {**data, "apply": "1", "reason": "better fit"})
    assert done.status_code == 302
    assert ModelVersion.objects.get(pk=candidate.pk).status == "production"
    event = RegistryEvent.objects.order_by("-at", "-pk").first()
    assert (event.action, event.actor, event.reason) == ("promote", "chief", "better fit")


def test_the_retire_action_retires_a_candidate_and_refuses_the_production_version(admin_client):
    serving = in_production()
    candidate = trained(seed=8)
    response = admin_client.post(
        "/admin/mlregistry/modelversion/",
        {
            "action": "retire",
            ACTION_CHECKBOX_NAME: [serving.pk, candidate.pk],
            "apply": "1",
            "reason": "superseded",
        },
        follow=True,
    )
    page = response.content.decode()
    assert f"Modal-share v{candidate.number} retirée." in page
    assert "Une version en production se remplace" in page
    assert ModelVersion.objects.get(pk=candidate.pk).status == "retired"
    assert ModelVersion.objects.get(pk=serving.pk).status == "production"
    event = RegistryEvent.objects.order_by("-at", "-pk").first()
    assert (event.action, event.actor, event.reason) == ("retire", "chief", "superseded")


def test_the_rollback_action_puts_back_the_previous_version(admin_client):
    first = in_production()
    second = trained(seed=8)
    from apps.mlregistry.services import promote

    promote("modal-share", second.number, actor="tests", reason="try")
    response = admin_client.post(
        "/admin/mlregistry/registeredmodel/",
        {
            "action": "rollback",
            ACTION_CHECKBOX_NAME: [first.model.pk],
            "apply": "1",
            "reason": "regression",
        },
    )
    assert response.status_code == 302
    assert ModelVersion.objects.get(status="production").pk == first.pk
    assert RegistryEvent.objects.order_by("-at", "-pk").first().actor == "chief"


def test_registry_rows_cannot_be_edited_in_the_admin(admin_client):
    version = in_production()
    page = admin_client.get(f"/admin/mlregistry/modelversion/{version.pk}/change/")
    assert page.status_code == 200
    assert 'name="status"' not in page.content.decode()
