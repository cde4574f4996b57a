"""The network map: zoom by keyboard and buttons, station labels, tooltips; whole without JS."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.e2e

VIEW = "() => document.getElementById('network-map').getAttribute('viewBox').split(' ').map(Number)"


def _view(page) -> list[float]:
    return page.evaluate(VIEW)


def test_the_map_zooms_and_pans_from_the_keyboard_alone(site, browser_page, audit):
    base, _network = site
    page = browser_page
    page.goto(base + reverse("trajets:network-map"))
    whole = _view(page)

    # The buttons are reachable with Tab and work with Enter.
    zoom_in = page.get_by_role("button", name="Zoom avant")
    assert zoom_in.is_visible()
    page.locator("#map-heading").focus()  # where focus lands after a filter or layer swap
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.dataset.zoom") == "in"
    page.keyboard.press("Enter")
    after_button = _view(page)
    assert after_button[2] == pytest.approx(whole[2] / 2)
    assert page.locator("#live-region").text_content() == "Carte agrandie 2 fois."

    # Then the map itself: + zooms in, arrows move, - zooms out, 0 shows the whole map.
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "network-map"
    page.keyboard.press("+")
    zoomed = _view(page)
    assert zoomed[2] == pytest.approx(whole[2] / 4)
    page.keyboard.press("ArrowRight")
    moved = _view(page)
    assert moved[0] > zoomed[0]
    assert moved[2] == zoomed[2]
    page.keyboard.press("-")
    assert _view(page)[2] == pytest.approx(whole[2] / 2)
    page.keyboard.press("0")
    assert _view(page) == whole
    assert page.locator("#live-region").text_content() == "Carte entière affichée."

    # Zooming out never goes past the whole map, nor moving past its edges.
    page.keyboard.press("-")
    page.keyboard.press("ArrowLeft")
    assert _view(page) == whole
    page.get_by_role("button", name="Zoom avant").click()
    page.get_by_role("button", name="Carte entière").click()
    assert _view(page) == whole
    audit(page, "trajets:network-map after zooming")


def test_the_map_labels_its_main_stations_and_gives_each_line_and_station_a_tooltip(
    site, browser_page
):
    base, _network = site
    browser_page.goto(base + reverse("trajets:network-map"))

    labels = browser_page.locator("svg.network-map .station-labels text").all_text_contents()
    assert "Wien Hbf" in labels
    tips = browser_page.locator("svg.network-map line title").all_text_contents()
    assert tips
    assert all(" – " in tip and "service" in tip for tip in tips)
    stations = browser_page.locator("svg.network-map circle.station title").all_text_contents()
    assert any(tip.startswith("Wien Hbf (AT) : ") for tip in stations)
    assert browser_page.locator("svg.network-map circle.station").count() == len(stations)


def test_without_javascript_the_map_is_whole_with_no_zoom_controls(site, no_js_page):
    base, _network = site
    no_js_page.goto(base + reverse("trajets:network-map"))

    assert not no_js_page.locator("[data-map-zoom]").is_visible()
    assert no_js_page.locator("#network-map").get_attribute("tabindex") is None
    assert no_js_page.locator("svg.network-map line title").count() > 0


def test_after_switching_layer_the_new_map_zooms_too(site, browser_page):
    base, _network = site
    page = browser_page
    page.goto(base + reverse("trajets:network-map"))
    page.locator("#layer-night").click()
    page.wait_for_function("() => document.querySelectorAll('line.link-day').length === 0")
    whole = _view(page)
    page.get_by_role("button", name="Zoom avant").click()
    assert _view(page)[2] == pytest.approx(whole[2] / 2)
