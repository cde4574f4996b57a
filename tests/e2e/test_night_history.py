"""The night-train series page in a real browser: axe-core at 1280 and 320 pixels."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from apps.trajets.etl.loader import load_snapshot_history
from apps.trajets.etl.sources import DEFAULT_SOURCES_FILE, load_sources

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def history(site) -> str:
    spec = next(
        s for s in load_sources(DEFAULT_SOURCES_FILE) if s.name == "back-on-track-ontd-history"
    )
    assert load_snapshot_history(spec, path=ROOT / spec.path).status == "succeeded"
    base, _network = site
    return base + reverse("stats:night-history")


@pytest.mark.parametrize("width", [1280, 320])
def test_the_night_train_series_page_passes_axe_and_reflows(
    history, browser_page, audit, width
) -> None:
    browser_page.set_viewport_size({"width": width, "height": 800})
    response = browser_page.goto(history)
    assert response.status == 200
    assert browser_page.locator("h1").count() == 1
    assert "Trains de nuit" in browser_page.locator("h1").inner_text()
    browser_page.locator("details.chart-data > summary").first.click()
    widths = browser_page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1]
    audit(browser_page, f"night-train series at {width} px")


@pytest.mark.parametrize("width", [1280, 320])
def test_the_night_train_series_page_in_english_passes_axe(
    history, browser_page, audit, width
) -> None:
    browser_page.set_viewport_size({"width": width, "height": 800})
    browser_page.goto(history)
    browser_page.get_by_label("Langue").select_option("en")
    with browser_page.expect_navigation():
        browser_page.get_by_role("button", name="Changer").click()
    assert browser_page.locator("html").get_attribute("lang") == "en"
    assert "quarter by quarter" in browser_page.locator("h1").inner_text()
    # The table holds the ten snapshots, the last one's 204 routes counted from its file.
    rows = browser_page.locator("section[aria-labelledby=history-table-heading] tbody tr")
    assert rows.count() == 10
    assert rows.last.locator("td").first.inner_text() == "204"
    audit(browser_page, f"night-train series (en) at {width} px")
