"""Pages and states that the other browser tests left out, under axe at 1280 and 320 px and
checked for reflow (issue #17: "0 violations on every page and state, at 1280 and 320 px"):
the legal notice as a deployment fills it, a refused route search, a trajet's page, the
not-found page and the chemostat pages at both widths."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

WIDTHS = (1280, 320)
# A deployment's legal facts (LEGAL_* variables), with the long words a real one has.
LEGAL_FACTS = {
    "LEGAL_PUBLISHER_NAME": "Association ObRail Europe",
    "LEGAL_PUBLISHER_ADDRESS": "12 rue de l'Observatoire-Ferroviaire-Européen, 75014 Paris",
    "LEGAL_PUBLICATION_DIRECTOR": "Marie-Dominique Rousseau-Lefebvre",
    "LEGAL_HOST_NAME": "Hébergements-Numériques-Souverains SAS",
    "LEGAL_HOST_ADDRESS": "2 avenue des Centres-de-Données, 59100 Roubaix",
    "LEGAL_HOST_PHONE": "+33 1 23 45 67 89",
    "LEGAL_CONTACT_EMAIL": "contact-observatoire@obrail-europe.example.org",
    "LEGAL_DPO_EMAIL": "protection-des-donnees-personnelles@obrail-europe.example.org",
}


def _assert_no_sideways_scroll(page) -> None:
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"the page scrolls sideways: {widths}"


@pytest.mark.parametrize("width", WIDTHS)
def test_the_legal_notice_as_a_deployment_fills_it_reflows_and_passes_axe(
    site, browser_page, audit, settings, width
):
    # With every fact set, a label as long as "Directeur ou directrice de la publication"
    # beside its value made the page 605 px wide on a 320 px phone (WCAG 1.4.10).
    for name, value in LEGAL_FACTS.items():
        setattr(settings, name, value)
    base, _network = site
    browser_page.set_viewport_size({"width": width, "height": 800})
    browser_page.goto(base + reverse("pages:legal"))
    expect(browser_page.locator("#legal-legal_publication_director")).to_have_text(
        LEGAL_FACTS["LEGAL_PUBLICATION_DIRECTOR"]
    )
    expect(browser_page.locator("#legal-legal_dpo_email")).to_have_text(
        LEGAL_FACTS["LEGAL_DPO_EMAIL"]
    )
    _assert_no_sideways_scroll(browser_page)
    audit(browser_page, f"legal notice with every fact at {width} px")


@pytest.mark.parametrize("width", WIDTHS)
def test_a_refused_route_search_passes_axe(site, browser_page, audit, settings, tmp_path, width):
    from apps.routing.services import build_routing_artifact

    settings.ROUTING_ARTIFACT_DIR = tmp_path / "routing"
    build_routing_artifact(run_id="e2e")
    base, _network = site
    page = browser_page
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(base + reverse("routing:route-search"))
    page.get_by_label("Départ de").fill("Atlantis")
    page.get_by_label("Arrivée à").fill("Paris")
    page.get_by_role("button", name="Calculer l'itinéraire").click()
    expect(page.locator("#route-form-errors")).to_be_focused()
    expect(page.locator("#route-form-errors")).to_contain_text("« Atlantis »")
    _assert_no_sideways_scroll(page)
    audit(page, f"routing: an unknown town (HTMX) at {width} px")


def test_a_trajet_page_reflows_and_passes_axe_at_320_pixels(site, browser_page, audit):
    base, network = site
    browser_page.set_viewport_size({"width": 320, "height": 800})
    browser_page.goto(base + reverse("trajets:trajet-detail", args=[network.nightjet.pk]))
    expect(browser_page.locator("h1")).to_contain_text("Paris Est → Wien Hbf")
    _assert_no_sideways_scroll(browser_page)
    audit(browser_page, "page trajets:trajet-detail at 320 px")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_not_found_page_passes_axe(site, chromium, audit, width):
    # Its own page: Chromium logs the expected 404 as a console error, which the shared
    # ``browser_page`` fixture would count as a failure; any other error still fails here.
    base, _network = site
    context = chromium.new_context(locale="fr-FR", viewport={"width": width, "height": 800})
    page = context.new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        response = page.goto(base + "/nulle-part")
        assert response.status == 404
        assert page.locator("h1").count() == 1
        _assert_no_sideways_scroll(page)
        audit(page, f"not-found page at {width} px")
    finally:
        context.close()
    assert [e for e in errors if "status of 404 (Not Found)" not in e] == []


@pytest.mark.parametrize("width", WIDTHS)
def test_the_chemostat_pages_pass_axe_at_both_widths(site, browser_page, audit, width):
    from apps.ecology.tests.factories import make_scenario

    base, _network = site
    make_scenario("monod-e2e")
    browser_page.set_viewport_size({"width": width, "height": 800})
    for name, args in (("ecology:batch-growth", []), ("ecology:scenario-detail", ["monod-e2e"])):
        response = browser_page.goto(base + reverse(name, args=args))
        assert response.status == 200
        _assert_no_sideways_scroll(browser_page)
        audit(browser_page, f"page {name} at {width} px")
