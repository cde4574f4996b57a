"""The accessibility statement lists every page of the site with its audit state; the RGAA
self-assessment grid is complete and agrees with the statement; the site map (#17)."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from obrail.accessibility import KNOWN_DEFECTS, RGAA_GRID, RGAA_TOTALS, conformance_rate
from obrail.context_processors import MAIN_SECTIONS, OTHER_SECTIONS
from obrail.site_pages import FOOTER_PAGES
from tests.e2e.test_pages import PAGES

pytestmark = pytest.mark.django_db

# RGAA 4.1: criteria per theme (images, frames, colours, multimedia, tables, links, scripts,
# mandatory elements, structure, presentation, forms, navigation, consultation).
CRITERIA_PER_THEME = {1: 9, 2: 2, 3: 3, 4: 13, 5: 8, 6: 2, 7: 5, 8: 10, 9: 4, 10: 14, 11: 13,
                      12: 11, 13: 12}  # fmt: skip
# Footer links that are not pages of the site for people (the API's generated docs and the
# machine health check are stated as outside the statement's scope).
NOT_PAGES = ("api:swagger-ui", "health")


def _hrefs(html: str, container: str) -> list[str]:
    block = re.search(container, html, re.S)
    assert block, f"no {container!r} in the page"
    return re.findall(r'<a href="([^"]+)"', block.group(0))


def _grid() -> list[dict[str, str]]:
    with (Path(settings.BASE_DIR) / RGAA_GRID).open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file, delimiter=";"))


def test_the_statement_lists_every_page_of_the_navigation_and_footer(client):
    home = client.get(reverse("home")).content.decode()
    statement = client.get(reverse("pages:accessibility")).content.decode()

    listed = _hrefs(statement, r'<ul id="audited-pages">.*?</ul>')
    menu = _hrefs(home, r'<nav class="main-nav".*?</nav>')
    footer = _hrefs(home, r'<ul class="footer-links">.*?</ul>')
    not_pages = {reverse(name) for name in NOT_PAGES}
    assert set(menu) - not_pages <= set(listed)
    assert set(footer) - not_pages <= set(listed)
    assert len(listed) == len(set(listed))
    # The same pages by URL name: home, the menu's sections, the footer's pages.
    names = ["home", *(n for n, _ in MAIN_SECTIONS + OTHER_SECTIONS + FOOTER_PAGES)]
    assert listed == [reverse(name) for name in names]


def test_every_page_of_the_statement_is_checked_by_the_browser_accessibility_tests():
    checked = {url_name for url_name, _heading in PAGES}
    names = {"home", *(n for n, _ in MAIN_SECTIONS + OTHER_SECTIONS + FOOTER_PAGES)}
    assert names <= checked, f"not in tests/e2e/test_pages.py: {sorted(names - checked)}"


def test_the_grid_has_the_106_criteria_of_rgaa_4_1_each_judged_and_justified():
    rows = _grid()
    numbers = [row["critere"] for row in rows]
    assert len(rows) == 106
    assert len(set(numbers)) == 106
    per_theme = Counter(int(number.split(".")[0]) for number in numbers)
    assert dict(per_theme) == CRITERIA_PER_THEME
    for theme, count in CRITERIA_PER_THEME.items():
        expected = [f"{theme}.{index}" for index in range(1, count + 1)]
        assert [n for n in numbers if n.startswith(f"{theme}.")] == expected
    assert {row["statut"] for row in rows} <= {"C", "NC", "NA"}
    unjustified = [row["critere"] for row in rows if len(row["justification"].strip()) < 15]
    assert not unjustified
    assert all(row["intitule"].rstrip().endswith("?") for row in rows)


def test_the_statement_states_the_grid_totals_and_its_known_defects_are_the_grid_failures(
    client,
):
    rows = _grid()
    totals = Counter(row["statut"] for row in rows)
    assert dict(totals) == RGAA_TOTALS
    failing = {row["critere"] for row in rows if row["statut"] == "NC"}
    assert failing == {criterion for criterion, _defect in KNOWN_DEFECTS}

    html = client.get(reverse("pages:accessibility")).content.decode()
    rate = f"{conformance_rate():.1f}".replace(".", ",")
    assert (
        f"{totals['C']} critères conformes, {totals['NC']} non conformes et {totals['NA']} "
        f"non applicables, soit un taux de conformité de {rate} %"
    ) in html
    assert not _hrefs(html, r'<ul id="known-defects">.*?</ul>')  # plain text, no link
    for criterion in failing:
        assert f"Critère {criterion} :" in html


def test_the_site_map_links_every_page_and_each_link_works(client):
    html = client.get(reverse("pages:sitemap")).content.decode()
    links = _hrefs(html, r'<ul class="sitemap".*?</ul>')
    names = ["home", *(n for n, _ in MAIN_SECTIONS + OTHER_SECTIONS + FOOTER_PAGES)]
    assert links[: len(names)] == [reverse(name) for name in names]
    assert links[-1] == reverse("api:swagger-ui")
    for link in links[:-1]:
        assert client.get(link).status_code == 200, link


def test_every_page_links_the_site_map_from_its_footer(client):
    for name in ("home", "pages:legal", "monitoring:status"):
        html = client.get(reverse(name)).content.decode()
        assert f'<a href="{reverse("pages:sitemap")}">Plan du site</a>' in html
