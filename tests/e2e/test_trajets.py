"""The trajets journey in a browser: filter, sort, page, open a detail; HTMX states under axe."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def _result_trains(page) -> list[str]:
    return page.locator("#trajet-results tbody th a.train-link").all_inner_texts()


def test_filtering_updates_results_in_place_and_keeps_the_url_shareable(site, browser_page, audit):
    base, network = site
    page = browser_page
    page.goto(base + reverse("trajets:trajet-list"))
    expect(page.locator(".results-count")).to_have_text("35 trajets trouvés")
    page.evaluate("() => { window.__sameDocument = true; }")

    page.get_by_label("Jour ou nuit").select_option("night")
    page.get_by_role("button", name="Filtrer").click()

    expect(page.locator(".results-count")).to_have_text("2 trajets trouvés")
    assert page.evaluate("() => window.__sameDocument === true")  # no full reload
    assert page.url.endswith(f"{reverse('trajets:trajet-list')}?kind=night")  # no empty filters
    expect(page.locator("#live-region")).to_have_text("2 trajets trouvés, page 1 sur 1.")
    assert sorted(_result_trains(page)) == sorted(
        f"NJ {trajet.train_number}" for trajet in network.trajets if trajet.kind == "night"
    )
    audit(page, "trajets after an HTMX filter")

    page.go_back()
    expect(page.locator(".results-count")).to_have_text("35 trajets trouvés")
    assert "kind=night" not in page.url


def test_sorting_and_paging_update_in_place_and_move_focus_to_the_results(
    site, browser_page, audit
):
    base, _network = site
    page = browser_page
    page.goto(base + reverse("trajets:trajet-list") + "?kind=day")
    page.locator("#sort-duration").click()
    expect(page.locator("#sort-duration")).to_have_attribute("aria-current", "true")
    assert "ordering=duration" in page.url
    expect(page.locator("#results-heading")).to_be_focused()
    audit(page, "trajets sorted by duration (HTMX)")

    page.locator("#page-next").click()
    expect(page.locator(".pagination [aria-current=page]")).to_have_text("2")
    assert re.search(r"[?&]page=2", page.url)
    expect(page.locator("#live-region")).to_contain_text("page 2 sur 2")
    expect(page.locator("#results-heading")).to_be_focused()
    assert len(_result_trains(page)) == 8
    audit(page, "trajets page 2 (HTMX)")


def test_invalid_filter_shows_errors_tied_to_the_field_via_htmx(site, browser_page, audit):
    base, _network = site
    page = browser_page
    page.goto(base + reverse("trajets:trajet-list"))
    page.get_by_text("Plus de critères").click()
    page.get_by_label("Durée minimale").fill("600")
    page.get_by_label("Durée maximale").fill("60")
    page.get_by_role("button", name="Filtrer").click()

    field = page.get_by_label("Durée maximale")
    expect(field).to_have_attribute("aria-invalid", "true")
    error = page.locator("#id_max_duration-error")
    expect(error).to_contain_text("doit être supérieur ou égal")
    assert field.get_attribute("aria-describedby") == "id_max_duration-error"
    expect(page.locator("#live-region")).to_have_text("Les filtres contiennent des erreurs.")
    expect(page.locator("#trajet-filters-errors")).to_be_focused()
    audit(page, "trajets with an invalid filter (422 via HTMX)")


def test_opening_a_trajet_detail_from_the_results(site, browser_page, audit):
    base, network = site
    page = browser_page
    page.goto(base + reverse("trajets:trajet-list") + "?q=NJ")
    page.get_by_role("link", name=f"NJ {network.nightjet.train_number}").click()
    expect(page.locator("h1")).to_contain_text("Paris Est → Wien Hbf")
    assert page.url.endswith(reverse("trajets:trajet-detail", args=[network.nightjet.pk]))
    expect(page.get_by_role("table", name="Enregistrements sources fusionnés dans ce trajet"))
    audit(page, "trajet detail opened from the results")


def test_network_map_switches_to_the_night_layer_in_place(site, browser_page, audit):
    base, _network = site
    page = browser_page
    page.goto(base + reverse("trajets:network-map"))
    assert page.locator("svg.network-map line.link-day").count() == 4
    page.locator("#layer-night").click()
    expect(page.locator("#layer-night")).to_have_attribute("aria-current", "true")
    assert page.locator("svg.network-map line.link-day").count() == 0
    assert page.locator("svg.network-map line.link-night").count() == 2
    assert "kind=night" in page.url
    expect(page.locator("#live-region")).to_contain_text("2 liaisons de nuit")
    expect(page.locator("#map-heading")).to_be_focused()
    audit(page, "network map, night layer (HTMX)")
