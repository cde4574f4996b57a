"""Charts readable from 320 px: rendered text at least 12 CSS px, no label cut or clipped (#17).

The bar charts are drawn in CSS pixels (labels wrapped above their bars); the ecology plots keep
their drawn size and scroll sideways in their own box. Every chart keeps its data table.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.ecology.tests.factories import make_scenario
from apps.places.names import station_name
from apps.trajets.tests.factories import make_operator, make_station, make_trajet

pytestmark = pytest.mark.e2e

MIN_FONT_PX = 12
# The longest real label of the issue: cut at 38 characters before ("…-PUERTA DE AT…").
LONG_PAIR = ("Barcelona-Sants", "MADRID-PUERTA DE ATOCHA")

# Every text of every SVG chart in the main content: its rendered font size (the computed size
# times the SVG's scale on screen), the height of its box, and whether its box stays inside
# its SVG (a text outside the SVG's box is clipped).
MEASURE = """
() => [...document.querySelectorAll('main svg text')].filter(t => t.textContent.trim())
  .map(text => {
    const svg = text.ownerSVGElement;
    const box = text.getBoundingClientRect();
    const frame = svg.getBoundingClientRect();
    const scale = svg.getScreenCTM().a;
    return {
      text: text.textContent.trim(),
      fontPx: parseFloat(getComputedStyle(text).fontSize) * scale,
      boxHeight: box.height,
      inside: box.left >= frame.left - 0.5 && box.right <= frame.right + 0.5
        && box.top >= frame.top - 0.5 && box.bottom <= frame.bottom + 0.5,
    };
  })
"""
BAR_LABELS = """
() => [...document.querySelectorAll('main svg.bar-chart text.bar-label')]
  .map(t => [...t.querySelectorAll('tspan')].map(s => s.textContent).join(' '))
"""
TABLE_LABELS = """
() => [...document.querySelectorAll('main details.chart-data tbody th')]
  .map(th => th.textContent.trim())
"""


@pytest.fixture
def long_label_site(site):
    base, network = site
    origin = make_station(LONG_PAIR[0], country="ES", time_zone="Europe/Madrid")
    destination = make_station(LONG_PAIR[1], country="ES", time_zone="Europe/Madrid")
    renfe = make_operator("renfe", "Renfe Viajeros", "ES")
    for _ in range(40):  # the busiest pair, so that it is charted
        make_trajet([origin, destination], operator=renfe)
    return base, network


def _measure(page) -> list[dict]:
    texts = page.evaluate(MEASURE)
    assert texts, "no chart text on the page"
    small = [t for t in texts if t["fontPx"] < MIN_FONT_PX or t["boxHeight"] < MIN_FONT_PX]
    assert not small, f"text below {MIN_FONT_PX} px: {small[:5]}"
    clipped = [t["text"] for t in texts if not t["inside"]]
    assert not clipped, f"text outside its chart: {clipped[:5]}"
    return texts


@pytest.mark.parametrize("width", [320, 1280])
def test_the_indicator_charts_are_readable_and_uncut(long_label_site, browser_page, audit, width):
    base, _network = long_label_site
    browser_page.set_viewport_size({"width": width, "height": 900})
    browser_page.goto(base + reverse("stats:dashboard") + "?period=all")

    texts = _measure(browser_page)
    labels = browser_page.evaluate(BAR_LABELS)
    assert labels == browser_page.evaluate(TABLE_LABELS)  # each bar's label whole, as tabled
    assert not [label for label in labels if "…" in label]
    # Written as every page writes station names (the source spells it in capitals).
    assert " – ".join(station_name(name) for name in LONG_PAIR) in labels
    assert len(texts) > len(labels)  # the values are measured too
    widths = browser_page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1]
    audit(browser_page, f"stats:dashboard with a long pair label at {width} px")


def test_the_home_chart_is_readable_at_320_pixels(site, browser_page):
    base, _network = site
    browser_page.set_viewport_size({"width": 320, "height": 800})
    browser_page.goto(base + reverse("home"))
    _measure(browser_page)


def test_the_ecology_plots_keep_readable_text_and_scroll_in_their_own_box(
    site, browser_page, audit
):
    base, _network = site
    make_scenario("monod-e2e")
    browser_page.set_viewport_size({"width": 320, "height": 800})
    browser_page.goto(base + reverse("ecology:scenario-detail", args=["monod-e2e"]))

    texts = _measure(browser_page)
    assert any(t["text"] for t in texts)
    boxes = browser_page.locator(".chart-scroll")
    assert boxes.count() == 3
    # The page itself does not scroll sideways; each plot scrolls in its box, by keyboard too.
    widths = browser_page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1]
    box = boxes.first
    assert box.get_attribute("tabindex") == "0"
    box.focus()
    browser_page.keyboard.press("ArrowRight")
    browser_page.keyboard.press("ArrowRight")
    # Keyboard scrolling may be animated: wait for it (fails after the default timeout).
    browser_page.wait_for_function("() => document.querySelector('.chart-scroll').scrollLeft > 0")
    audit(browser_page, "ecology:scenario-detail at 320 px")
