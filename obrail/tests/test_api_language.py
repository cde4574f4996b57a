"""API error messages follow Accept-Language: every message of a body in one language (#17).

French is the default; ``Accept-Language: en`` gives English. The schema (``{"errors":
{parameter: [messages]}}``), the parameter names and the status codes do not change.
"""

from __future__ import annotations

import re

import pytest

from apps.routing.services import build_routing_artifact
from tests.e2e.sample import build_sample_network
from tests.test_one_language import ENGLISH_WORDS, SHARED_WORDS

pytestmark = pytest.mark.django_db

# Words and letters that only French uses among the API's messages.
FRENCH_WORDS = frozenset(
    """
    le la les un une des du de au aux et ou est sont doit être attendu attendue attendues
    inconnu inconnue aucun aucune gare ville valeurs période jours plus fois voir non trouvé
    ce champ obligatoire choix valide requête ralentie disponible regroupement
    """.split()  # noqa: SIM905 (a list of words reads best as text)
)
FRENCH_LETTERS = re.compile(r"[àâçéèêëîïôùûœ«»]", re.IGNORECASE)
# The API's own codes, quoted in messages of both languages ("day, night, overnight").
API_CODES = frozenset(
    "day night overnight reference all json csv operator country kind date week month start end".split()  # noqa: SIM905, E501
)

# (method, path, status): one request per kind of error, over several endpoints.
ERRORS = (
    ("/api/trajets?kind=x&country=zzz", 400),  # choices and patterns of a FilterSet
    ("/api/trajets?date=2020-13-01&departure_after=zz", 400),
    ("/api/trajets?format=xyz", 400),  # content negotiation
    ("/api/trajets?week=2025-06-02&month=2025-06", 422),  # a rule across parameters
    ("/api/trajets?operator=xyz", 422),  # a value the data does not know
    ("/api/trajets/999999", 404),
    ("/api/trajets?page=999", 404),
    ("/api/stations?page_size=0", 400),  # the pagination's bounds
    ("/api/operators?page=0", 400),
    ("/api/nothing-here", 404),  # no endpoint
    ("/api/stats/volumes?group_by=line", 400),
    ("/api/stats/volumes?group_by=kind,kind", 422),
    ("/api/routes", 400),  # required parameters (a serializer)
    ("/api/routes?from=Paris&to=Atlantis", 422),
    ("/api/routes/pareto?from=Paris&to=Wien&depart=zz&until=2025-06-11T20:00", 400),
    ("/api/routes/pareto?from=Paris&to=Wien&depart=2099-01-01T08:00&until=2099-01-01T20:00", 422),
    ("/api/ecology/scenarios/999999", 404),
    ("/api/ecology/scenarios/monod/competition", 422),  # the app's own rule
    ("/api/ecology/scenarios/monod/simulate?t_end=1e9", 400),  # a bound of the app
    ("/api/ecology/scenarios/monod/operating-diagram?grid=100000", 400),
    ("/api/ecology/scenarios/auxostat-k10/simulate?t_end=100.5", 422),  # the solver's rule
)


def messages(body: dict) -> list[str]:
    return [message for values in body["errors"].values() for message in values]


def french_words(text: str) -> list[str]:
    # Lower-case words only: "DE" in "(e.g. FR, DE)" is a country code.
    found = sorted(set(re.findall(r"[^\W\d_]+", text)) & FRENCH_WORDS)
    return found + (["<accented letter>"] if FRENCH_LETTERS.search(text) else [])


def english_words(text: str) -> list[str]:
    words = {word.lower() for word in re.findall(r"[A-Za-z]+", text)}
    return sorted(words & (ENGLISH_WORDS - SHARED_WORDS - API_CODES))


@pytest.fixture
def network(settings, tmp_path):
    settings.ROUTING_ARTIFACT_DIR = tmp_path / "routing"
    network = build_sample_network()
    build_routing_artifact(run_id="test")
    return network


def test_the_detectors_tell_the_two_languages_apart():
    assert french_words("Gare ou ville inconnue : « Atlantis ».")
    assert not french_words("Unknown station or town: “Atlantis”.")
    assert english_words("must be one of: day, night.")
    assert not english_words("doit être l'une des valeurs : day, night.")


@pytest.mark.parametrize(("path", "status"), ERRORS)
def test_every_message_of_an_error_is_in_the_language_asked_for(client, network, path, status):
    english = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
    french = client.get(path, HTTP_ACCEPT_LANGUAGE="fr")
    default = client.get(path)

    assert english.status_code == french.status_code == default.status_code == status
    # Same schema and parameters in both languages: only the words change.
    assert list(english.json()["errors"]) == list(french.json()["errors"])
    assert default.json() == french.json()
    for message in messages(english.json()):
        # Values the client sent (``Atlantis``) and codes (``day``) may appear in both.
        assert not french_words(message), f"{path} (en): {message}"
    for message in messages(french.json()):
        assert not english_words(message), f"{path} (fr): {message}"
    assert messages(english.json()) != messages(french.json())


def test_a_filter_error_reads_the_same_in_each_language_for_each_request(client, network):
    """A message built once at import (a lazy string formatted too early) would keep the
    language of the first request: each request gets its own."""
    for _ in range(2):
        en = client.get("/api/trajets?kind=x", HTTP_ACCEPT_LANGUAGE="en").json()
        fr = client.get("/api/trajets?kind=x", HTTP_ACCEPT_LANGUAGE="fr").json()
        assert en == {"errors": {"kind": ["must be one of: day, night, overnight."]}}
        assert fr == {"errors": {"kind": ["doit être l'une des valeurs : day, night, overnight."]}}


def test_a_throttled_request_is_told_so_in_its_language(client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "1/minute", "user": "5/minute"},
    }
    assert client.get("/api/operators").status_code == 200
    english = client.get("/api/operators", HTTP_ACCEPT_LANGUAGE="en")
    french = client.get("/api/operators", HTTP_ACCEPT_LANGUAGE="fr")

    assert english.status_code == french.status_code == 429
    assert english.json()["errors"]["detail"][0].startswith("Request was throttled.")
    assert not french_words(messages(english.json())[0])
    assert not english_words(messages(french.json())[0])
    assert french_words(messages(french.json())[0])
