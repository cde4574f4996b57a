"""The "Rail ou avion" pages in a real browser: axe-core at 1280 and 320 pixels, the table's
sort links, the map's data table, the simulator."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.atlas.loading import air_source_paths, load_air_data
from apps.atlas.models import CityPair
from apps.atlas.services import recompute_atlas

pytestmark = pytest.mark.e2e


@pytest.fixture
def atlas_site(site):
    paths = air_source_paths("samples")
    load_air_data(
        airports=paths["openflights-airports"],
        traffic=paths["eurostat-avia-par-fr"],
        dataset="samples",
    )
    recompute_atlas(trigger="e2e")
    return site


def _states():
    return [
        (reverse("atlas:pair-list"), "liaisons entre villes"),
        (reverse("atlas:pair-list") + "?country=ES&ordering=-distance", "liaisons entre villes"),
        (reverse("atlas:pair-list") + "?ordering=name&page=2", "liaisons entre villes"),
        (reverse("atlas:policy") + "?threshold_min=150&night_train=on", "Simulateur"),
    ]


@pytest.mark.parametrize("width", [1280, 320])
def test_atlas_pages_pass_axe_and_reflow(atlas_site, browser_page, audit, width):
    base, _network = atlas_site
    browser_page.set_viewport_size({"width": width, "height": 900})
    pair = CityPair.objects.get(a_name="Paris", b_name="Toulouse")
    states = [*_states(), (reverse("atlas:pair-detail", args=[pair.pk]), "Paris – Toulouse")]
    for path, heading in states:
        response = browser_page.goto(base + path)
        assert response.status == 200
        assert heading in browser_page.locator("h1").inner_text()
        widths = browser_page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1], f"{path} scrolls sideways at {width}px"
        for details in browser_page.locator("details").all():
            details.locator("summary").click()
        audit(browser_page, f"atlas {path} at {width}px")


def test_a_sort_link_orders_the_table_and_says_so(atlas_site, browser_page):
    base, _network = atlas_site
    browser_page.goto(base + reverse("atlas:pair-list"))
    browser_page.get_by_role("link", name="Distance").click()
    header = browser_page.locator("th[aria-sort]")
    assert header.get_attribute("aria-sort") == "ascending"
    assert "Distance" in header.inner_text()
    assert (
        browser_page.get_by_role("navigation", name="Navigation principale")
        .get_by_role("link", name="Rail ou avion")
        .get_attribute("aria-current")
        == "page"
    )


def test_the_page_links_lead_from_page_to_page(atlas_site, browser_page):
    base, _network = atlas_site
    browser_page.goto(base + reverse("atlas:pair-list") + "?ordering=name")
    first_row = browser_page.locator("#pair-table tbody th").first.inner_text()
    browser_page.get_by_role("link", name="Page suivante").click()
    assert "page=2" in browser_page.url
    assert browser_page.locator("[aria-current=page]", has_text="2").count() == 1
    assert browser_page.locator("#pair-table tbody th").first.inner_text() != first_row
    browser_page.get_by_role("link", name="Page précédente").click()
    assert browser_page.locator("#pair-table tbody th").first.inner_text() == first_row
