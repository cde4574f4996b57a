"""Ecology API: values against the course, bounded and validated inputs (400 + error schema)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.ecology.tests.factories import make_scenario
from obrail import compute

pytestmark = pytest.mark.django_db

MONOD = {"law": "monod", "mu_max": 1.0, "K": 1.0, "yield": 1.0, "x0": 0.1}
HALDANE = {"law": "haldane", "mu_max": 1.0, "K": 1.0, "Ki": 2.0, "x0": 0.3}


def test_course_scenarios_are_listed_with_their_species(client):
    response = client.get(reverse("api:scenario-list"))
    assert response.status_code == 200
    rows = {row["slug"]: row for row in response.json()}
    assert {"monod", "haldane-bistabilite", "auxostat-k10", "haldane-monod-cas-3"} <= set(rows)
    assert [sp["law"] for sp in rows["haldane-monod-cas-2"]["species"]] == ["haldane", "monod"]


def test_equilibria_of_the_bistable_haldane_scenario_have_course_stabilities(client):
    url = reverse("api:scenario-equilibria", kwargs={"slug": "haldane-bistabilite"})
    body = client.get(url).json()
    assert [eq["stable"] for eq in body["equilibria"]] == [True, True, False]
    washout = body["equilibria"][0]
    assert washout["s"] == 5.0
    assert sorted(washout["eigenvalues"]) == pytest.approx(sorted([-0.35, 5 / 18.5 - 0.35]))
    assert body["break_even"][0]["lower"] == pytest.approx(body["equilibria"][1]["s"])


def test_inline_equilibria_of_monod(client):
    response = client.post(
        reverse("api:chemostat-equilibria"),
        {"species": [MONOD], "D": 0.5, "s_in": 5.0},
        content_type="application/json",
    )
    assert response.status_code == 200
    positive = response.json()["equilibria"][1]
    assert positive["s"] == pytest.approx(1.0)
    assert positive["x"] == pytest.approx([4.0])
    assert sorted(positive["eigenvalues"]) == pytest.approx([-1.0, -0.5])
    assert response.json()["break_even"] == [{"lower": pytest.approx(1.0), "upper": None}]


def test_inline_simulation_ends_on_the_monod_equilibrium(client):
    response = client.post(
        reverse("api:chemostat-simulate"),
        {"species": [MONOD], "D": 0.5, "s_in": 5.0, "t_end": 200, "n_points": 5},
        content_type="application/json",
    )
    body = response.json()
    assert response.status_code == 200
    assert len(body["t"]) == 5
    assert body["columns"]["s"][-1] == pytest.approx(1.0, rel=1e-5)
    assert body["columns"]["x1"][-1] == pytest.approx(4.0, rel=1e-5)
    assert body["is_washout"] is False


def test_scenario_simulation_of_the_auxostat_reports_d_and_d_bar(client):
    url = reverse("api:scenario-simulate", kwargs={"slug": "auxostat-k1"})
    body = client.get(url, {"t_end": 60, "n_points": 11}).json()
    assert set(body["columns"]) == {"s", "x1", "D", "D_bar"}
    assert body["columns"]["D_bar"][-1] == pytest.approx(0.4, rel=0.05)
    assert body["notes"][0].startswith("D* = μ(s*) = 0.4")


def test_operating_diagram_counts_three_haldane_regions(client):
    response = client.post(
        reverse("api:chemostat-operating-diagram"),
        {"species": HALDANE, "grid": 40, "d_max": 0.5, "s_in_max": 10},
        content_type="application/json",
    )
    body = response.json()
    assert response.status_code == 200
    assert body["regions"] == ["washout", "persistence", "bistability"]
    assert len(body["region"]) == 40
    assert all(body["counts"][name] > 0 for name in body["regions"])
    # D = 0.5 exceeds max μ: the last column is washout for every s_in.
    assert {row[-1] for row in body["region"]} == {0}


def test_competition_winner_switches_with_d_as_in_the_course(client):
    url = reverse("api:scenario-competition", kwargs={"slug": "competition-d1"})
    assert client.get(url).json()["possible_winners"] == [1]
    body = client.get(reverse("api:scenario-competition", kwargs={"slug": "competition-d2"})).json()
    assert body["possible_winners"] == [0]
    assert body["survivors"] == [0]


def test_inline_competition_of_haldane_against_monod_case_3_has_two_winners(client):
    payload = {
        "species": [HALDANE, {"law": "monod", "mu_max": 0.6, "K": 3.0}],
        "D": 0.35,
        "s_in": 5.0,
    }
    response = client.post(
        reverse("api:chemostat-competition"), payload, content_type="application/json"
    )
    assert response.json()["possible_winners"] == [0, 1]
    assert response.json()["survivors"] is None


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"species": [MONOD], "D": 0, "s_in": 5.0}, "D"),
        ({"species": [MONOD], "D": 0.5, "s_in": -1}, "s_in"),
        ({"species": [], "D": 0.5, "s_in": 5.0}, "species"),
        ({"species": [MONOD | {"mu_max": -2}], "D": 0.5, "s_in": 5.0}, "species"),
        ({"species": [MONOD | {"law": "tessier"}], "D": 0.5, "s_in": 5.0}, "species"),
        ({"species": [HALDANE | {"Ki": None}], "D": 0.5, "s_in": 5.0}, "species"),
        ({"species": [MONOD] * 7, "D": 0.5, "s_in": 5.0}, "species"),
        ({"D": 0.5, "s_in": 5.0}, "species"),
    ],
)
def test_invalid_equilibria_input_gives_400_naming_the_parameter(client, payload, field):
    response = client.post(
        reverse("api:chemostat-equilibria"), payload, content_type="application/json"
    )
    assert response.status_code == 400
    assert field in response.json()["errors"]


@pytest.mark.parametrize(
    ("extra", "field"),
    [({"t_end": 1e9}, "t_end"), ({"n_points": 100000}, "n_points"), ({"t_end": -1}, "t_end")],
)
def test_simulation_work_is_bounded(client, extra, field):
    response = client.post(
        reverse("api:chemostat-simulate"),
        {"species": [MONOD], "D": 0.5, "s_in": 5.0, **extra},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]


def test_operating_diagram_grid_is_bounded(client):
    url = reverse("api:scenario-operating-diagram", kwargs={"slug": "monod"})
    response = client.get(url, {"grid": 100000})
    assert response.status_code == 400
    assert "grid" in response.json()["errors"]


def test_competition_on_a_single_species_scenario_is_a_422(client):
    url = reverse("api:scenario-competition", kwargs={"slug": "monod"})
    response = client.get(url)
    assert response.status_code == 422
    assert response.json() == {
        "errors": {"species": ["Le scénario monod n'a qu'une espèce : pas de compétition."]}
    }
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert english.json() == {
        "errors": {"species": ["Scenario monod has one species: no competition."]}
    }


@pytest.mark.parametrize(
    ("action", "query"),
    [("simulate", "t_end="), ("simulate", "n_points="), ("operating-diagram", "d_max=")],
)
def test_an_empty_number_in_the_query_is_a_400_not_the_default(client, action, query):
    response = client.get(f"/api/ecology/scenarios/monod/{action}?{query}")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [query.rstrip("=")]


def test_a_noisy_auxostat_states_and_enforces_its_longest_horizon(client, settings):
    # The horizon is set by the CPU budget; the wall budget only sheds load, and a loaded CI
    # machine must not turn the longest allowed horizon into a 503.
    compute.reset_pool()
    settings.COMPUTE_WALL_MS = 60_000
    try:
        _longest_horizon(client)
    finally:
        compute.reset_pool()


def _longest_horizon(client) -> None:
    scenario = client.get(reverse("api:scenario-detail", kwargs={"slug": "auxostat-k10"})).json()
    assert scenario["max_t_end"] == pytest.approx(100.0)
    url = reverse("api:scenario-simulate", kwargs={"slug": "auxostat-k10"})
    assert client.get(url, {"t_end": 100, "n_points": 5}).status_code == 200
    response = client.get(url, {"t_end": 100.5})
    assert response.status_code == 422
    [message] = response.json()["errors"]["t_end"]
    assert "t_end ≤ 100 h" in message
    monod = client.get(reverse("api:scenario-detail", kwargs={"slug": "monod"})).json()
    assert monod["max_t_end"] == 5000.0


def test_a_linear_law_too_steep_for_its_substrate_is_a_422_naming_mu_max(client):
    body = {"species": [{"law": "linear", "mu_max": 5.0}], "D": 0.5, "s_in": 50.0}
    response = client.post(reverse("api:chemostat-simulate"), body, content_type="application/json")
    assert response.status_code == 422
    assert "r × max(s_in, s0) = 250" in response.json()["errors"]["mu_max"][0]


def test_competition_rejects_contois(client):
    payload = {
        "species": [MONOD, {"law": "contois", "mu_max": 1.0, "K": 1.0}],
        "D": 0.3,
        "s_in": 5.0,
    }
    response = client.post(
        reverse("api:chemostat-competition"), payload, content_type="application/json"
    )
    assert response.status_code == 400
    assert "species" in response.json()["errors"]


def test_unknown_scenario_is_a_404_in_the_error_schema(client):
    response = client.get(reverse("api:scenario-equilibria", kwargs={"slug": "nope"}))
    assert response.status_code == 404
    assert "detail" in response.json()["errors"]


def test_scenario_stored_with_too_fast_a_rate_is_refused_not_crashed(client):
    make_scenario("fast", species=[{"mu_max": 1000.0}])
    response = client.get(reverse("api:scenario-simulate", kwargs={"slug": "fast"}))
    assert response.status_code == 400
    assert "mu_max" in response.json()["errors"]


def test_scenario_list_query_count_does_not_grow_with_scenarios(client):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("api:scenario-list")).status_code == 200
        return len(queries)

    for n in range(3):
        make_scenario(f"extra-{n}", species=[{}, {}])
    before = count()
    for n in range(3, 9):
        make_scenario(f"extra-{n}", species=[{}, {}])
    assert count() == before


@pytest.mark.parametrize(
    ("extra", "field"),
    [({"s0": False}, "s0"), ({"t_end": "50"}, "t_end"), ({"n_points": True}, "n_points")],
)
def test_json_body_numbers_of_another_type_are_refused_not_converted(client, extra, field):
    response = client.post(
        reverse("api:chemostat-simulate"),
        {"species": [MONOD], "D": 0.5, "s_in": 5.0, **extra},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_competition_check_must_be_a_json_boolean(client):
    species = [{**MONOD, "mu_max": 1.0}, {**MONOD, "mu_max": 0.8, "K": 0.4}]
    response = client.post(
        reverse("api:chemostat-competition"),
        {"species": species, "D": 0.3, "s_in": 5.0, "check": 0},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "check" in response.json()["errors"]


def test_a_jacobian_the_solver_cannot_read_is_a_422_not_a_500(client):
    # Schemathesis: a Contois species at s_in = 5e-324 gave a Jacobian of NaNs (LinAlgError).
    body = {
        "species": [
            {"law": "contois", "mu_max": 6.48, "K": 1 / 3},
            {"law": "monod", "mu_max": 8.38, "K": 37.98, "yield": 0.5},
        ],
        "D": 1.66,
        "s_in": 5e-324,
    }
    response = client.post(
        reverse("api:chemostat-equilibria"), body, content_type="application/json"
    )
    assert response.status_code in {200, 422}
    assert response["Content-Type"] == "application/json"
