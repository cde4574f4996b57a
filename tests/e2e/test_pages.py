"""Every page in a real browser: axe-core (WCAG 2.1 A/AA by RGAA criterion) and basic structure."""

from __future__ import annotations

import pytest
from django.urls import NoReverseMatch, reverse

pytestmark = pytest.mark.e2e

# (URL name, expected h1 fragment); other engineers' pages are checked once they exist.
PAGES = (
    ("home", "Le rail européen"),
    ("trajets:trajet-list", "Trajets"),
    ("trajets:network-map", "Carte du réseau"),
    ("trajets:quality", "Qualité des données"),
    ("stats:dashboard", "Indicateurs"),
    ("atlas:pair-list", "Rail ou avion : les liaisons entre villes"),
    ("pages:accessibility", "Déclaration d'accessibilité"),
    ("pages:legal", "Mentions légales"),
    ("pages:sitemap", "Plan du site"),
    ("monitoring:status", ""),
    ("routing:route-search", ""),
    ("ecology:scenario-list", ""),
    ("mlregistry:model-list", "Modèles prédictifs"),
)


def _url(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        pytest.skip(f"page {name} does not exist yet")


@pytest.mark.parametrize(("url_name", "heading"), PAGES)
def test_page_has_one_h1_landmarks_and_no_axe_violation(
    site, browser_page, audit, url_name, heading
):
    base, _network = site
    path = _url(url_name)
    response = browser_page.goto(base + path)
    assert response.status == 200
    assert browser_page.locator("h1").count() == 1
    assert heading in browser_page.locator("h1").inner_text()
    assert browser_page.get_attribute("html", "lang") == "fr"
    for landmark in ("banner", "main", "contentinfo"):
        assert browser_page.get_by_role(landmark).count() == 1
    assert browser_page.get_by_role("navigation", name="Navigation principale").count() == 1
    audit(browser_page, f"page {url_name}")


def test_trajet_detail_page_passes_axe(site, browser_page, audit):
    base, network = site
    browser_page.goto(base + reverse("trajets:trajet-detail", args=[network.nightjet.pk]))
    assert "Paris Est → Wien Hbf" in browser_page.locator("h1").inner_text()
    timeline = browser_page.locator(".timeline .stop-name").all_inner_texts()
    assert timeline == ["Paris Est", "München Hbf", "Wien Hbf"]
    audit(browser_page, "page trajets:trajet-detail")


def test_chart_data_tables_open_and_pass_axe(site, browser_page, audit):
    base, _network = site
    browser_page.goto(base + reverse("stats:dashboard"))
    summaries = browser_page.locator("details.chart-data > summary")
    assert summaries.count() == 5
    for index in range(summaries.count()):
        summaries.nth(index).click()
    table = browser_page.get_by_role(
        "table", name="Trains de jour et de nuit, semaine type de chaque source"
    )
    assert table.get_by_role("row").nth(2).inner_text().split("\t") == ["Trains de nuit", "2"]
    audit(browser_page, "stats:dashboard with every data table open")


@pytest.mark.parametrize(("url_name", "_heading"), PAGES)
def test_page_reflows_at_320_pixels_and_passes_axe(site, browser_page, audit, url_name, _heading):
    # WCAG 1.4.10 / RGAA 10.11: wide tables scroll inside their own box, never the page.
    base, _network = site
    path = _url(url_name)
    browser_page.set_viewport_size({"width": 320, "height": 800})
    browser_page.goto(base + path)
    widths = browser_page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1]
    audit(browser_page, f"page {url_name} at 320 px")


def test_chart_data_tables_open_pass_axe_at_320_pixels(site, browser_page, audit):
    base, _network = site
    browser_page.set_viewport_size({"width": 320, "height": 800})
    browser_page.goto(base + reverse("stats:dashboard"))
    summaries = browser_page.locator("details.chart-data > summary")
    for index in range(summaries.count()):
        summaries.nth(index).click()
    audit(browser_page, "stats:dashboard with every data table open at 320 px")
