"""The states the other browser tests left out, under axe at 1280 and 320 px (issue #17: "0
violations on every page and state"): routing without its artefact, a dashboard refusing its
period, the night map zoomed, the 429, 500 and login-locked pages, and the main pages in
English."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

WIDTHS = (1280, 320)


def _assert_no_sideways_scroll(page) -> None:
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"the page scrolls sideways: {widths}"


@contextmanager
def _error_page(chromium, width: int, status: int, favicon_404: bool = False) -> Iterator[object]:
    """A page of its own where answers with ``status`` (and 422) are expected; any other failed
    load, console error or uncaught exception fails the test. ``favicon_404``: Django's admin
    pages link no icon, so Chromium asks for /favicon.ico, which the site does not serve."""
    context = chromium.new_context(locale="fr-FR", viewport={"width": width, "height": 800})
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    failed: list[tuple[int, str]] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", lambda r: r.status >= 400 and failed.append((r.status, r.url)))
    try:
        yield page
    finally:
        context.close()
    # Chromium's console line for a failed load names no address: the responses are checked.
    assert [e for e in errors if not e.startswith("Failed to load resource")] == []
    tolerated = {status, 422}
    assert [
        (code, url)
        for code, url in failed
        if code not in tolerated and not (favicon_404 and url.endswith("/favicon.ico"))
    ] == []


@pytest.mark.parametrize("width", WIDTHS)
def test_route_search_without_its_artefact_passes_axe(
    site, chromium, audit, settings, tmp_path, width
):
    settings.ROUTING_ARTIFACT_DIR = tmp_path / "never-built"
    base, _network = site
    query = "?origin=Paris&destination=Vienne"
    with _error_page(chromium, width, 503) as page:
        page.goto(base + reverse("routing:route-search") + query)
        expect(page.locator("#route-results [role=alert]")).to_contain_text(
            "Le calcul d'itinéraires est indisponible"
        )
        _assert_no_sideways_scroll(page)
        audit(page, f"routing: no artefact (unavailable) at {width} px")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_dashboard_refusing_its_period_passes_axe(site, browser_page, audit, width):
    base, _network = site
    browser_page.set_viewport_size({"width": width, "height": 800})
    response = browser_page.goto(base + reverse("stats:dashboard") + "?month=2025-13")
    assert response.status == 422
    expect(browser_page.locator("[aria-invalid=true]").first).to_be_visible()
    _assert_no_sideways_scroll(browser_page)
    audit(browser_page, f"stats:dashboard with a bad period (422) at {width} px")


def test_the_night_map_zoomed_at_320_pixels_passes_axe(site, browser_page, audit):
    base, _network = site
    page = browser_page
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(base + reverse("trajets:network-map"))
    page.locator("#layer-night").click()
    page.wait_for_function("() => document.querySelectorAll('line.link-day').length === 0")
    audit(page, "trajets:network-map, night layer at 320 px")
    page.get_by_role("button", name="Zoom avant").click()
    page.get_by_role("button", name="Zoom avant").click()
    expect(page.locator("#live-region")).to_have_text("Carte agrandie 4 fois.")
    _assert_no_sideways_scroll(page)
    audit(page, "trajets:network-map, night layer zoomed at 320 px")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_throttled_page_passes_axe(site, chromium, audit, settings, width):
    # One computation a minute: the first request with a query (refused, 422, but counted)
    # uses it, the second gets the 429 page, through the real throttle.
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**rates, "compute": "1/minute"},
    }
    base, _network = site
    url = base + reverse("ecology:batch-growth") + "?t_end=0"
    with _error_page(chromium, width, 429) as page:
        assert page.goto(url).status == 422
        response = page.goto(url)
        assert response.status == 429
        expect(page.locator("h1")).to_have_text("Trop de calculs demandés")
        _assert_no_sideways_scroll(page)
        audit(page, f"throttled page (429) at {width} px")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_server_error_page_passes_axe(site, chromium, audit, settings, width):
    # A view that fails, beside the project's URLs, answered by Django's handler500 through
    # the real middleware stack (the live server runs with DEBUG off).
    settings.ROOT_URLCONF = "tests.e2e.failing_urls"
    base, _network = site
    with _error_page(chromium, width, 500) as page:
        response = page.goto(base + "/erreur-de-test")
        assert response.status == 500
        expect(page.locator("h1")).to_have_text("Erreur du serveur")
        _assert_no_sideways_scroll(page)
        audit(page, f"server error page (500) at {width} px")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_login_locked_page_passes_axe(site, chromium, audit, settings, width):
    # django-axes locks after one failure here; its lockout page is the project's.
    settings.AXES_FAILURE_LIMIT = 1
    base, _network = site
    with _error_page(chromium, width, 429, favicon_404=True) as page:
        page.goto(base + reverse("admin:login"))
        page.locator("#id_username").fill("quelquun")
        page.locator("#id_password").fill("mauvais-mot-de-passe")
        with page.expect_navigation():
            page.locator("input[type=submit]").click()
        expect(page.locator("h1")).to_have_text("Connexion temporairement refusée")
        _assert_no_sideways_scroll(page)
        audit(page, f"login locked page (429) at {width} px")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_main_pages_in_english_pass_axe(site, browser_page, audit, width):
    base, _network = site
    page = browser_page
    host = base.split("/")[2].split(":")[0]
    page.context.add_cookies(
        [{"name": "django_language", "value": "en", "domain": host, "path": "/"}]
    )
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(base + reverse("home"))
    links = page.get_by_role("navigation", name="Main navigation").get_by_role("link")
    # The API link opens Swagger UI, a third-party page outside the site's templates.
    paths = [
        href
        for href in links.evaluate_all("links => links.map(a => a.getAttribute('href'))")
        if href != reverse("api:swagger-ui")
    ]
    assert len(paths) >= 8
    for path in paths:
        response = page.goto(base + path)
        assert response.status == 200, path
        assert page.get_attribute("html", "lang") == "en"
        assert page.locator("h1").count() == 1
        _assert_no_sideways_scroll(page)
        audit(page, f"page {path} in English at {width} px")
