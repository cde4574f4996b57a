"""Fixtures of the registry's tests: a fresh process state and a staff client."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from apps.mlregistry.serving import unload_all


@pytest.fixture(autouse=True)
def _fresh_process():
    """Each test starts like a new process: no model loaded."""
    unload_all()
    yield
    unload_all()


@pytest.fixture
def staff_client() -> Client:
    """A client logged in as a staff user (separate from the anonymous ``client``)."""
    user = get_user_model().objects.create_user("editor", password="pw-1234567", is_staff=True)
    staff = Client()
    staff.force_login(user)
    return staff
