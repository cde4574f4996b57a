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
    date distance route routes status record records file close
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
def network(settings, tmp_path):
    import datetime as dt

    from django.utils import timezone

    from apps.ecology.tests.factories import make_scenario
    from apps.mlregistry.services import promote, train_model
    from apps.mlregistry.serving import unload_all
    from apps.monitoring.models import ServiceNotice
    from apps.monitoring.tests.factories import make_incident
    from apps.routing.services import build_routing_artifact

    unload_all()
    version = train_model("modal-share", actor="tests", reason="vérification de la langue")
    promote("modal-share", version.number, actor="tests", reason="vérification de la langue")
    network = build_sample_network(extra_day_trajets=30)
    # The states that need more than the sample: a route answer (the artefact), a chemostat
    # scenario, and the status page with an alert and a declared maintenance window.
    settings.ROUTING_ARTIFACT_DIR = tmp_path / "routing"
    build_routing_artifact(run_id="language")
    make_scenario("monod-langue")
    make_incident()
    ServiceNotice.objects.create(
        kind=ServiceNotice.Kind.MAINTENANCE,
        state=ServiceNotice.State.PLANNED,
        title="Maintenance des itinéraires",
        starts_at=timezone.now() + dt.timedelta(days=1),
        ends_at=timezone.now() + dt.timedelta(days=1, hours=2),
        components=["routing"],
    )
    yield network
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
        (reverse("stats:coverage"), {}),
        (reverse("stats:night-history"), {}),
        (reverse("atlas:pair-list"), {}),
        (reverse("routing:route-search"), {}),
        (reverse("routing:route-search"), {"origin": "Atlantis", "destination": "Paris"}),
        (reverse("routing:route-search"), {"origin": "Paris", "destination": "Vienne"}),
        (
            reverse("routing:route-search"),
            {"origin": "Paris Est", "destination": "Wien Hbf", "depart": "2025-06-11T05:00"},
        ),
        (reverse("routing:route-search"), {"origin": "Paris", "depart": "2040-01-01T08:00"}),
        (reverse("pages:sitemap"), {}),
        (reverse("ecology:scenario-detail", args=["monod-langue"]), {}),
        (reverse("ecology:batch-growth"), {}),
        (reverse("ecology:batch-growth"), {"t_end": "0", "x0": "abc"}),
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
    found, pages = {}, {}
    for path, query in _states(network):
        response = client.get(path, query, HTTP_ACCEPT_LANGUAGE="fr")
        pages[path, tuple(query.values())] = html = response.content.decode()
        words = english_words(html)
        if words:
            found[f"{path}?{query}"] = words
    assert found == {}
    # The states read are the ones meant: a route answer with the day's trains, the
    # declared notices.
    answer = pages[reverse("routing:route-search"), ("Paris Est", "Wien Hbf", "2025-06-11T05:00")]
    assert 'class="answer-sentence"' in answer
    assert 'id="alternatives-table"' in answer
    assert "Maintenance des itinéraires" in pages[reverse("monitoring:status"), ()]


def test_the_throttled_error_and_login_locked_pages_hold_no_english_word(settings):
    from django.core.cache import cache
    from django.test import Client

    cache.clear()
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "compute": "1/minute",
        },
    }
    settings.AXES_FAILURE_LIMIT = 1
    # The 500 page: Django's handler500 answering a failing view (the client would re-raise).
    settings.ROOT_URLCONF = "tests.e2e.failing_urls"
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="fr")
    batch = reverse("ecology:batch-growth")
    assert client.get(batch, {"t_end": "0"}).status_code == 422
    throttled = client.get(batch, {"t_end": "0"})
    failed = client.get("/erreur-de-test")
    locked = client.post(reverse("admin:login"), {"username": "quelquun", "password": "faux"})
    cache.clear()
    pages = {"429": throttled, "500": failed, "login locked": locked}
    assert {name: page.status_code for name, page in pages.items()} == {
        "429": 429,
        "500": 500,
        "login locked": 429,
    }
    assert "Trop de calculs demandés" in throttled.content.decode()
    assert "Erreur du serveur" in failed.content.decode()
    assert "Connexion temporairement refusée" in locked.content.decode()
    found = {name: english_words(page.content.decode()) for name, page in pages.items()}
    assert found == {"429": [], "500": [], "login locked": []}


def test_the_check_finds_an_english_word_left_on_a_page():
    assert english_words("<p>Trains de nuit</p><p>No results found</p>") == ["No", "found"]
    assert english_words('<p lang="en">English</p><code>manage.py check</code>') == []
    assert english_words("<p>Vérifié (version git:82be0c7119e7).</p>") == []
