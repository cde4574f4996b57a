"""Keyboard-only navigation, the no-JavaScript fallback and the service status page."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def _focused(page) -> dict:
    return page.evaluate(
        """() => {
          const el = document.activeElement;
          const style = getComputedStyle(el);
          return {tag: el.tagName, id: el.id, text: el.innerText || el.value || "",
                  href: el.getAttribute("href"), outline: style.outlineStyle,
                  outlineWidth: parseFloat(style.outlineWidth)};
        }"""
    )


def _tab_to(page, predicate, limit: int = 80) -> dict:
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = _focused(page)
        if predicate(focused):
            return focused
    raise AssertionError("the element was never reached with Tab")


def test_keyboard_only_journey_from_home_to_a_trajet_detail(site, browser_page):
    base, network = site
    page = browser_page
    page.goto(base + reverse("home"))

    page.keyboard.press("Tab")
    skip = _focused(page)
    assert skip["text"] == "Aller au contenu"
    assert skip["outline"] != "none"
    assert skip["outlineWidth"] >= 2  # visible focus
    page.keyboard.press("Enter")
    assert _focused(page)["id"] == "contenu"

    page.goto(base + reverse("home"))
    link = _tab_to(page, lambda f: f["tag"] == "A" and f["text"].strip() == "Trajets")
    assert link["outline"] != "none"
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Trajets")

    _tab_to(page, lambda f: f["id"] == "id_kind")
    page.keyboard.press("ArrowDown")  # the first option after the empty one: day
    page.keyboard.press("ArrowDown")  # night
    assert page.locator("#id_kind").input_value() == "night"
    _tab_to(page, lambda f: f["id"] == "trajet-filters-submit")
    page.keyboard.press("Enter")
    expect(page.locator(".results-count")).to_have_text("2 trajets trouvés")

    target = f"NJ {network.nightjet.train_number}"
    _tab_to(page, lambda f: f["tag"] == "A" and f["text"].strip() == target)
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text("Paris Est → Wien Hbf")


def test_without_javascript_the_form_submits_a_whole_page(site, no_js_page):
    base, _network = site
    page = no_js_page
    page.goto(base + reverse("trajets:trajet-list"))
    page.get_by_label("Jour ou nuit").select_option(label="Trains de jour")
    page.get_by_label("Pays desservi").select_option(label="France (32 trains)")
    with page.expect_navigation():
        page.get_by_role("button", name="Filtrer").click()
    assert re.search(r"[?&]kind=day(&|$)", page.url)
    expect(page.locator(".results-count")).to_have_text("31 trajets trouvés")
    with page.expect_navigation():
        page.locator("#page-next").click()
    expect(page.locator(".pagination [aria-current=page]")).to_have_text("2")
    assert page.locator("#results-table tbody tr").count() == 6
    with page.expect_navigation():
        page.locator("#sort-duration").click()
    assert "ordering=duration" in page.url
    assert "page=" not in page.url


def test_without_javascript_invalid_filters_render_errors_on_the_page(site, no_js_page):
    base, _network = site
    page = no_js_page
    response = page.goto(base + reverse("trajets:trajet-list") + "?min_duration=-5")
    assert response.status == 422
    expect(page.locator("#id_min_duration-error")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Durée minimale"))).to_have_attribute(
        "href", "#id_min_duration"
    )


def test_without_javascript_the_map_layers_are_plain_links(site, no_js_page):
    base, _network = site
    page = no_js_page
    page.goto(base + reverse("trajets:network-map"))
    with page.expect_navigation():
        page.locator("#layer-night").click()
    assert page.locator("svg.network-map line.link-day").count() == 0
    assert page.locator("svg.network-map line.link-night").count() == 2


def test_service_status_page_is_readable_and_accessible(site, browser_page, audit):
    base, _network = site
    try:
        path = reverse("monitoring:status")
    except Exception:
        pytest.skip("the service status page does not exist yet")
    response = browser_page.goto(base + path)
    assert response.status in {200, 503}
    assert browser_page.locator("h1").count() == 1
    assert browser_page.locator("main table caption").count() >= 1
    audit(browser_page, "service status page")
