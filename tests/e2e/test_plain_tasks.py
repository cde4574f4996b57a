"""The tasks of a non-technical user, in French, as issue #17 states them: places typed in
any language, countries and operators picked from lists, focus landing on new results, the
language switch keeping the filters, and the results visible on a 320 px phone."""

from __future__ import annotations

import codecs
import csv
import io
import re
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def _trains(page) -> list[str]:
    return page.locator("#trajet-results tbody th a.train-link").all_inner_texts()


def test_find_night_trains_from_paris_to_vienna_by_typing_town_names(site, browser_page, audit):
    base, network = site
    page = browser_page
    page.goto(base + reverse("trajets:trajet-list"))
    page.get_by_label("Départ de").fill("Paris")
    page.get_by_label("Arrivée à").fill("Vienne")
    page.get_by_label("Jour ou nuit").select_option(label="Trains de nuit")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.locator(".results-count")).to_have_text("1 trajet trouvé")
    assert _trains(page) == [f"NJ {network.nightjet.train_number}"]
    expect(page.locator("#results-heading")).to_be_focused()
    expect(page.locator("#live-region")).to_have_text("1 trajet trouvé, page 1 sur 1.")
    audit(page, "trajets: Paris to Vienne, night trains (HTMX)")

    page.get_by_label("Départ de").fill("Wien")
    page.get_by_label("Arrivée à").fill("")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.locator("#trajet-results")).to_contain_text("Aucun trajet ne correspond")


def test_filter_by_country_and_operator_picked_from_lists_of_names(site, browser_page, audit):
    base, network = site
    page = browser_page
    page.goto(base + reverse("trajets:trajet-list"))
    page.get_by_label("Pays desservi").select_option(label="Autriche (2 trains)")
    page.get_by_label("Opérateur").select_option(label="ÖBB (2 trains)")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.locator(".results-count")).to_have_text("2 trajets trouvés")
    assert "country=AT" in page.url  # the API codes
    assert "operator=obb" in page.url
    assert sorted(_trains(page)) == sorted(
        f"NJ {t.train_number}" for t in network.trajets if t.operator.code == "obb"
    )
    audit(page, "trajets: country and operator from lists (HTMX)")


def test_switching_to_english_after_an_htmx_filter_keeps_the_filters(site, browser_page):
    base, _network = site
    page = browser_page
    page.goto(base + reverse("trajets:trajet-list"))
    page.get_by_label("Jour ou nuit").select_option("night")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.locator(".results-count")).to_have_text("2 trajets trouvés")
    page.get_by_label("Langue").select_option("en")
    with page.expect_navigation():
        page.get_by_role("button", name="Changer").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.url.endswith("?kind=night")
    expect(page.locator(".results-count")).to_have_text("2 services found")


def test_paging_with_the_keyboard_lands_on_the_new_results(site, browser_page):
    base, _network = site
    page = browser_page
    page.goto(base + reverse("trajets:trajet-list"))
    page.locator("#page-next").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".pagination [aria-current=page]")).to_have_text("2")
    expect(page.locator("#results-heading")).to_be_focused()
    expect(page.locator("#live-region")).to_have_text("35 trajets trouvés, page 2 sur 2.")
    page.keyboard.press("Tab")
    assert page.evaluate("() => !!document.activeElement.closest('#trajet-results')")


def test_on_a_320_pixel_phone_the_results_start_on_the_first_screen(site, browser_page, audit):
    base, _network = site
    page = browser_page
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(base + reverse("trajets:trajet-list"))
    heading = page.locator("#results-heading")
    top = heading.evaluate("(element) => element.getBoundingClientRect().top")
    assert top < 640
    audit(page, "trajets list at 320 px")


def test_route_from_berlin_to_munich_reads_its_duration_in_hours(
    site, browser_page, audit, settings, tmp_path
):
    from apps.routing.services import build_routing_artifact
    from apps.trajets.models import Station
    from apps.trajets.tests.factories import make_trajet

    base, network = site
    settings.ROUTING_ARTIFACT_DIR = tmp_path / "routing"
    make_trajet(
        [Station.objects.get(name="Berlin Hbf"), Station.objects.get(name="München Hbf")],
        times=[(None, "06:00"), ("10:09", None)],
        operator=network.tgv.operator,
        category="ICE",
    )
    build_routing_artifact(run_id="e2e")
    page = browser_page
    page.goto(base + reverse("routing:route-search"))
    page.get_by_label("Départ de").fill("Berlin")
    page.get_by_label("Arrivée à").press_sequentially("Münch")
    expect(page.locator("#destination-suggestions option")).not_to_have_count(0)
    page.get_by_label("Arrivée à").fill("München")
    # By keyboard: a click while Chromium's suggestion popup is open only closes the popup
    # (the form was not sent in 2 runs of 5 under load); focusing the button closes it.
    page.get_by_role("button", name="Calculer l'itinéraire").press("Enter")
    expect(page.locator(".answer-sentence")).to_have_text(
        re.compile(r"^4 h 09 de trajet sur le réseau")
    )
    expect(page.locator("#route-heading")).to_be_focused()
    assert page.locator(".route-map-svg text").all_text_contents() == ["Berlin Hbf", "München Hbf"]
    expect(page.get_by_text("éléments examinés")).to_be_hidden()  # folded in "Mode expert"
    audit(page, "routing: Berlin to München (HTMX)")
    page.set_viewport_size({"width": 320, "height": 640})
    audit(page, "routing answer at 320 px")


def test_download_the_filtered_list_and_read_it_as_a_french_spreadsheet(site, browser_page):
    base, network = site
    page = browser_page
    page.goto(base + reverse("trajets:trajet-list"))
    page.get_by_label("Jour ou nuit").select_option("night")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.locator(".results-count")).to_have_text("2 trajets trouvés")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger ces trajets pour un tableur").click()
    download = download_info.value
    assert re.fullmatch(r"obrail-trajets-\d{4}-\d{2}-\d{2}\.csv", download.suggested_filename)
    raw = Path(download.path()).read_bytes()
    assert raw.startswith(codecs.BOM_UTF8)
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert sorted(row["Train"] for row in rows) == sorted(
        f"NJ {t.train_number}" for t in network.trajets if t.kind == "night"
    )
    assert {row["Jour ou nuit"] for row in rows} == {"nuit"}


def test_filtering_paging_and_errors_pass_axe_on_a_320_pixel_phone(site, browser_page, audit):
    base, _network = site
    page = browser_page
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(base + reverse("trajets:trajet-list"))
    panel = page.locator("#trajet-filters details.filter-panel")
    expect(panel).not_to_have_attribute("open", "")  # folded on a phone
    page.locator("#trajet-filters .filter-panel > summary").click()
    page.get_by_label("Jour ou nuit").select_option("day")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.locator(".results-count")).to_have_text("33 trajets trouvés")
    expect(page.locator(".filter-count")).to_have_text("(1 actif)")
    audit(page, "trajets filtered at 320 px (HTMX)")

    page.locator("#page-next").click()
    expect(page.locator("#results-heading")).to_be_focused()
    audit(page, "trajets page 2 at 320 px (HTMX)")

    page.locator("#trajet-filters .filter-panel > summary").click()
    page.get_by_text("Plus de critères").click()
    page.get_by_label("Durée minimale").fill("600")
    page.get_by_label("Durée maximale").fill("60")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.locator("#trajet-filters-errors")).to_be_focused()
    expect(panel).to_have_attribute("open", "")  # errors keep it open
    audit(page, "trajets with an invalid filter at 320 px (HTMX)")


def test_pick_a_week_from_the_dates_the_data_covers_and_read_why_a_date_has_no_train(
    site, browser_page, audit
):
    base, _network = site
    page = browser_page
    page.goto(base + reverse("trajets:trajet-list"))
    page.get_by_text("Dates couvertes par les données").click()
    table = page.get_by_role("table", name=re.compile("Périodes où des trains circulent"))
    expect(table.locator("tbody th")).to_have_text(["du 1er janvier au 31 décembre 2025"])
    audit(page, "trajets: covered dates open")
    table.get_by_role("link", name=re.compile("Voir la première semaine")).click()
    expect(page.locator("#results-heading")).to_be_focused()
    expect(page.locator("#results-period")).to_contain_text(
        "semaine du 30 décembre 2024 au 5 janvier 2025"
    )
    assert "week=2025-01-01" in page.url
    expect(page.locator(".results-count")).to_have_text(re.compile(r"^\d+ trajets trouvés$"))

    # The chosen week is an advanced filter: its panel stays open with the date pickers.
    expect(page.locator("#trajet-filters details.more-filters")).to_have_attribute("open", "")
    page.get_by_label("Circule la semaine du").fill("")
    date = page.get_by_label("Circule le", exact=True)
    expect(date).to_have_attribute("min", "2025-01-01")
    expect(date).to_have_attribute("max", "2025-12-31")
    date.fill("2030-03-03")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.locator("#uncovered-period")).to_have_text(
        "Aucun train ne circule le 3 mars 2030 dans les données. "
        "Dates couvertes : du 1er janvier au 31 décembre 2025."
    )
    expect(page.locator("#trajet-results")).to_contain_text("Aucun trajet ne correspond")
    audit(page, "trajets: a date without trains (HTMX)")
    page.set_viewport_size({"width": 320, "height": 640})
    audit(page, "trajets: a date without trains at 320 px")


def test_read_the_days_trains_and_the_best_choices_after_a_route_answer(
    site, browser_page, audit, settings, tmp_path
):
    from apps.routing.services import build_routing_artifact
    from apps.trajets.models import Station
    from apps.trajets.tests.factories import make_trajet

    base, network = site
    settings.ROUTING_ARTIFACT_DIR = tmp_path / "routing"
    berlin, munich = Station.objects.get(name="Berlin Hbf"), Station.objects.get(name="München Hbf")
    early = make_trajet(
        [berlin, munich], times=[(None, "06:00"), ("10:09", None)], operator=network.tgv.operator,
        category="ICE",
    )  # fmt: skip
    late = make_trajet(
        [berlin, munich], times=[(None, "12:00"), ("16:30", None)], operator=network.tgv.operator,
        category="ICE",
    )  # fmt: skip
    build_routing_artifact(run_id="e2e")
    page = browser_page
    page.goto(base + reverse("routing:route-search"))
    page.get_by_label("Départ de").fill("Berlin Hbf")
    page.get_by_label("Arrivée à").fill("München Hbf")
    depart = page.get_by_label("Partir après (heure locale)")
    expect(depart).to_have_attribute("min", "2025-01-01T00:00")
    depart.fill("2025-06-11T05:00")
    page.get_by_role("button", name="Calculer l'itinéraire").click()
    expect(page.locator(".answer-sentence")).to_have_text("4 h 09, direct")
    expect(page.locator(".next-departures")).to_contain_text(
        "Trains suivants dans la journée : 12:00."
    )
    table = page.get_by_role("table", name=re.compile("trajets de la journée"))
    expect(table.locator("tbody th")).to_have_text([re.compile("^06:00"), re.compile("^12:00")])
    expect(table.locator("tbody tr").nth(0)).to_contain_text(f"ICE {early.train_number}")
    expect(table.locator("tbody tr").nth(0)).to_contain_text(
        "le plus rapide, le moins de correspondances, le moins de CO2e"
    )
    expect(table.locator("tbody tr").nth(1)).to_contain_text("4 h 30")
    expect(table.locator("tbody tr").nth(1)).to_contain_text(f"ICE {late.train_number}")
    audit(page, "routing: the day's trains (HTMX)")
    page.set_viewport_size({"width": 320, "height": 640})
    audit(page, "routing: the day's trains at 320 px")
