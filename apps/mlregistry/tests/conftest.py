"""Fixtures of the registry's tests: a fresh process state and a staff client."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from apps.mlregistry.serving import unload_all


@pytest.fixture(autouse=True)
def _fresh_process():
    """Each test starts like a new process: no model loaded."""
    unload_all()
    yield
    unload_all()


@pytest.fixture
def staff_client(client):
    user = get_user_model().objects.create_user("editor", password="pw-1234567", is_staff=True)
    client.force_login(user)
    return client
