"""The coverage scorecard page in a real browser, in French and English, with the Romanian
and TER slices loaded (gaps, partly covered countries and both tables filled): axe-core and
reflow at 1280 and 320 px."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.urls import reverse

from apps.trajets.etl.loader import load_source
from apps.trajets.etl.sources import DEFAULT_SOURCES_FILE, load_sources

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
TODAY = dt.date(2026, 6, 1)
HEADINGS = {
    "fr": ("Couverture", "Pays couverts en partie", "n'est pas un pays sans trains"),
    "en": ("Coverage", "Countries covered in part", "is not a country without trains"),
}


@pytest.fixture
def coverage(site, monkeypatch) -> str:
    # Judged while Romania's timetable (until 2026-12-12) is current, whatever the date.
    monkeypatch.setattr("apps.stats.views_coverage.timezone.localdate", lambda: TODAY)
    for spec in load_sources(DEFAULT_SOURCES_FILE):
        if spec.name in {"romania-datagovro", "sncf-ter"}:
            assert load_source(spec, path=ROOT / spec.path).status == "succeeded"
    base, _network = site
    return base + reverse("stats:coverage") + "?week=2025-03-05"


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("width", [1280, 320])
def test_the_coverage_page_passes_axe_and_reflows(
    coverage, browser_page, audit, width, language
) -> None:
    if language == "en":
        host = coverage.split("/")[2].split(":")[0]
        browser_page.context.add_cookies(
            [{"name": "django_language", "value": "en", "domain": host, "path": "/"}]
        )
    browser_page.set_viewport_size({"width": width, "height": 800})
    response = browser_page.goto(coverage)
    assert response.status == 200
    assert browser_page.locator("html").get_attribute("lang") == language
    title, partial, warning = HEADINGS[language]
    assert browser_page.locator("h1").count() == 1
    assert title in browser_page.locator("h1").inner_text()
    assert browser_page.locator("#partial-heading").inner_text() == partial
    assert warning in browser_page.locator("#coverage-warning").inner_text()
    assert browser_page.locator("#coverage-partial li").count() == 3  # BG, HU, MD
    first = browser_page.locator("#coverage-partial li").first.inner_text()
    assert (
        first
        == {
            "fr": "Bulgarie : trains venus de l'étranger seulement",
            "en": "Bulgaria: trains from abroad only",
        }[language]
    )
    widths = browser_page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1]
    audit(browser_page, f"coverage page ({language}) at {width} px")
