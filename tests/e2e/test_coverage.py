"""The coverage scorecard page in a real browser: axe-core and reflow at 1280 and 320 px."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("width", [1280, 320])
def test_the_coverage_page_passes_axe_and_reflows(site, browser_page, audit, width) -> None:
    base, _network = site
    browser_page.set_viewport_size({"width": width, "height": 800})
    response = browser_page.goto(base + reverse("stats:coverage") + "?week=2025-01-06")
    assert response.status == 200
    assert browser_page.locator("h1").count() == 1
    assert "Couverture" in browser_page.locator("h1").inner_text()
    widths = browser_page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1]
    audit(browser_page, f"coverage page at {width} px")
