"""One language per page: no English word on a French page, in any page or state (issue #17).

Text marked with another language (``lang="en"``, e.g. the language switch's "English"), code
samples (``<code>``) and proper nouns of the data (source titles, station names) are left
out; what remains must not hold a word from a list of common English words that French never
uses.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from tests.e2e.sample import build_sample_network

pytestmark = pytest.mark.django_db

ENGLISH_WORDS = frozenset(
    """
    the and with from for of is are not none found no yes day night overnight all reference
    week month start end departure arrival duration distance operator station stations service
    services train trains found page next previous search filter filters sort ordering error
    errors invalid unknown must be one values value expected country kind period date time
    between after before per total summary details show hide open close download export map
    layer link links route routes quality status source sources import imports rejected records
    record reason example examples file files missing checked check truth
    """.split()  # noqa: SIM905 (a list of words reads best as text)
)
# Words of both languages (or proper nouns of the sample) that the list above would flag.
SHARED_WORDS = frozenset(
    """
    train trains page total service services source sources import imports station stations
    date distance route routes status record records file
    """.split()  # noqa: SIM905 (a list of words reads best as text)
)
PROPER_NOUNS = (
    "Back-on-Track night trains",
    "SNCF horaires GTFS",
    "Nightjet",
    "ÖBB",
    "Open Emission Factors DB",
    "Open Transportation Journal",
)
SKIPPED_TAGS = {"script", "style", "code", "svg"}
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
             "track", "wbr"}  # fmt: skip


class _FrenchText(HTMLParser):
    """The page's visible text, without what is marked as another language or as code."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.stack: list[bool] = []  # whether each open element is skipped

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID_TAGS:
            return
        lang = dict(attrs).get("lang") or ""
        skipped = tag in SKIPPED_TAGS or (bool(lang) and not lang.startswith("fr"))
        self.stack.append(skipped or (bool(self.stack) and self.stack[-1]))

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID_TAGS and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not (self.stack and self.stack[-1]):
            self.parts.append(data)


def english_words(html: str) -> list[str]:
    """English words in the French text of a page."""
    parser = _FrenchText()
    parser.feed(html)
    text = " ".join(parser.parts)
    for noun in PROPER_NOUNS:
        text = text.replace(noun, " ")
    # Letters glued to digits are a code, not a word (the status page's git hash 82be0c7).
    words = re.findall(r"(?<![0-9])[A-Za-z]+(?![0-9])", text)
    return sorted({w for w in words if w.lower() in ENGLISH_WORDS - SHARED_WORDS})


@pytest.fixture
def network():
    from apps.mlregistry.services import promote, train_model
    from apps.mlregistry.serving import unload_all

    unload_all()
    version = train_model("modal-share", actor="tests", reason="vérification de la langue")
    promote("modal-share", version.number, actor="tests", reason="vérification de la langue")
    yield build_sample_network(extra_day_trajets=30)
    unload_all()


def _states(network) -> list[tuple[str, dict[str, str]]]:
    trajets = reverse("trajets:trajet-list")
    return [
        (reverse("home"), {}),
        (trajets, {}),
        (trajets, {"kind": "night", "country": "AT", "operator": "obb"}),
        (trajets, {"origin": "Paris", "destination": "Vienne", "ordering": "-duration"}),
        (trajets, {"origin": "Atlantis"}),
        (trajets, {"kind": "tram", "min_duration": "600", "max_duration": "60"}),
        (trajets, {"page": "2"}),
        (reverse("trajets:trajet-detail", args=[network.nightjet.pk]), {}),
        (reverse("trajets:network-map"), {"kind": "night"}),
        (reverse("trajets:quality"), {}),
        (reverse("stats:dashboard"), {}),
        (reverse("stats:dashboard"), {"period": "all"}),
        (reverse("stats:dashboard"), {"month": "2025-13"}),
        (reverse("routing:route-search"), {}),
        (reverse("routing:route-search"), {"origin": "Atlantis", "destination": "Paris"}),
        (reverse("pages:accessibility"), {}),
        (reverse("pages:legal"), {}),
        (reverse("monitoring:status"), {}),
        (reverse("ecology:scenario-list"), {}),
        (reverse("mlregistry:model-list"), {}),
        (reverse("mlregistry:model-detail", args=["modal-share"]), {}),
        (reverse("atlas:policy"), {"threshold_min": "150"}),
        ("/nulle-part", {}),
    ]


def test_french_pages_hold_no_english_word_in_any_state(client, network):
    found = {}
    for path, query in _states(network):
        response = client.get(path, query, HTTP_ACCEPT_LANGUAGE="fr")
        words = english_words(response.content.decode())
        if words:
            found[f"{path}?{query}"] = words
    assert found == {}


def test_the_check_finds_an_english_word_left_on_a_page():
    assert english_words("<p>Trains de nuit</p><p>No results found</p>") == ["No", "found"]
    assert english_words('<p lang="en">English</p><code>manage.py check</code>') == []
    assert english_words("<p>Vérifié (version git:82be0c7119e7).</p>") == []
