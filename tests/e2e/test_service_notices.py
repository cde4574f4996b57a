"""The status page with incidents and maintenance windows declared by admins, in a browser."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.monitoring.models import ServiceNotice

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("width", [1280, 320])
def test_declared_notices_are_readable_and_pass_axe(site, browser_page, audit, width):
    base, _network = site
    now = timezone.now()
    ServiceNotice.objects.create(
        kind="data_delay",
        state="ongoing",
        title="Horaires DB en retard",
        description="Le fichier du jour n'est pas encore publié.",
        starts_at=now - dt.timedelta(hours=2),
        components=["data", "indicators"],
    )
    ServiceNotice.objects.create(
        kind="maintenance",
        state="planned",
        title="Mise à jour de la base",
        starts_at=now + dt.timedelta(days=1),
        ends_at=now + dt.timedelta(days=1, hours=2),
        components=["pages", "api"],
    )
    browser_page.set_viewport_size({"width": width, "height": 900})
    browser_page.goto(base + reverse("monitoring:status"))

    notices = browser_page.locator(".notice-list .notice")
    assert notices.count() == 2
    assert "Horaires DB en retard" in notices.first.text_content()
    assert "Service perturbé." in browser_page.locator("main").text_content()
    audit(browser_page, f"status page with declared notices at {width} px")
