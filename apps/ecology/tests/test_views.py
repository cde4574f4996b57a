"""Ecology pages: list, scenario page with its figures and tables, edit form, CSV, HTMX."""

from __future__ import annotations

import csv
import io
import math
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.ecology.tests.factories import make_scenario

pytestmark = pytest.mark.django_db

VALID = {
    "dilution_rate": "0,5",
    "substrate_in": "5",
    "initial_substrate": "5",
    "horizon": "200",
    "sp1-mu_max": "1",
    "sp1-half_saturation": "1",
    "sp1-inhibition": "",
    "sp1-yield_coefficient": "1",
    "sp1-initial_biomass": "0,1",
}


def test_list_shows_every_course_scenario_with_a_link(client):
    response = client.get(reverse("ecology:scenario-list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert reverse("ecology:scenario-detail", args=["haldane-bistabilite"]) in html
    assert "Auxostat avec bruit de mesure, K1 = K2 = 10" in html
    assert '<th scope="col">' in html


def test_scenario_page_has_three_figures_each_with_a_table_summary_and_csv(client):
    response = client.get(reverse("ecology:scenario-detail", args=["haldane-bistabilite"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<svg") == 3
    assert html.count('role="img"') == 3
    assert html.count("<caption>") >= 4
    assert "3 équilibre(s), dont 2 stable(s)" in html
    for figure in ("series", "equilibria", "phase", "diagram"):
        assert reverse("ecology:scenario-csv", args=["haldane-bistabilite", figure]) in html
    assert "bistabilité" in html
    assert response["Vary"].count("HX-Request") == 1


def test_edited_parameters_recompute_without_saving(client):
    url = reverse("ecology:scenario-detail", args=["monod"])
    html = client.get(url, VALID).content.decode()
    assert "s = 1 (stable)" in html
    edited = client.get(url, VALID | {"dilution_rate": "0,9"}).content.decode()
    # D = 0.9 > μ(5) = 5/6: washout only is stable.
    assert "s = 5 (stable)" in edited
    assert "s = 1 (stable)" in client.get(url).content.decode()


def test_invalid_parameter_is_reported_on_its_field_with_422(client):
    url = reverse("ecology:scenario-detail", args=["monod"])
    response = client.get(url, VALID | {"dilution_rate": "-1"})
    html = response.content.decode()
    assert response.status_code == 422
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_dilution_rate-error"' in html
    assert 'id="id_dilution_rate-error"' in html
    assert "<svg" not in html


def test_htmx_request_gets_the_workspace_fragment_with_a_live_region_update(client):
    url = reverse("ecology:scenario-detail", args=["monod"])
    response = client.get(url, VALID, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="workspace">')
    assert "<html" not in html
    assert 'hx-swap-oob="true"' in html


def test_series_csv_ends_on_the_equilibrium(client):
    url = reverse("ecology:scenario-csv", args=["monod", "series"])
    response = client.get(url, VALID)
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["t", "s", "x1", "m"]
    assert float(rows[-1][1]) == pytest.approx(1.0, rel=1e-5)
    assert float(rows[-1][2]) == pytest.approx(4.0, rel=1e-5)


def test_diagram_csv_has_one_row_per_grid_point(client):
    response = client.get(reverse("ecology:scenario-csv", args=["haldane-stable", "diagram"]))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["s_in", "D", "region"]
    assert len(rows) == 1 + 100 * 100
    assert {row[2] for row in rows[1:]} == {"washout", "persistence", "bistability"}


def test_csv_with_invalid_parameters_is_a_400(client):
    url = reverse("ecology:scenario-csv", args=["monod", "series"])
    response = client.get(url, VALID | {"horizon": "1e9"})
    assert response.status_code == 400


def test_unknown_scenario_and_figure_are_404(client):
    assert client.get(reverse("ecology:scenario-detail", args=["nope"])).status_code == 404
    assert client.get(reverse("ecology:scenario-csv", args=["monod", "nope"])).status_code == 404


@pytest.mark.parametrize(
    "slug", ["competition-d2", "auxostat-k1", "bioaugmentation-invasion", "haldane-lessivage"]
)
def test_every_kind_of_scenario_renders(client, slug):
    response = client.get(reverse("ecology:scenario-detail", args=[slug]))
    assert response.status_code == 200
    assert "<svg" in response.content.decode()


def test_competition_page_states_the_winner_and_the_check(client):
    html = client.get(reverse("ecology:scenario-detail", args=["competition-d2"])).content.decode()
    assert "Souche bleue" in html
    assert "conforme à la prédiction" in html


def _query_count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_list_page_query_count_does_not_grow_with_scenarios(client):
    url = reverse("ecology:scenario-list")
    for n in range(3):
        make_scenario(f"extra-{n}", species=[{}, {"law": "linear"}])
    before = _query_count(client, url)
    for n in range(3, 9):
        make_scenario(f"extra-{n}", species=[{}, {"law": "linear"}])
    assert _query_count(client, url) == before


@pytest.mark.parametrize("slug", ["haldane-bistabilite", "haldane-monod-cas-1"])
def test_scenario_page_has_no_duplicate_ids(client, slug):
    html = client.get(reverse("ecology:scenario-detail", args=[slug])).content.decode()
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids))


def test_batch_page_shows_logistic_and_monod_growth_with_tables(client):
    response = client.get(reverse("ecology:batch-growth"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<svg") == 2
    assert "x + y·s reste égal à 2.55" in html  # x0 + y·s0 = 0.05 + 0.5 × 5
    assert reverse("ecology:batch-csv") in html


def test_batch_csv_keeps_x_plus_y_s_constant(client):
    params = {
        "t_end": "30",
        "x0": "0,1",
        "r": "1",
        "x_max": "2",
        "s0": "4",
        "mu_max": "1",
        "K": "1",
        "yield_": "0,5",
    }
    response = client.get(reverse("ecology:batch-csv"), params)
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][-1] == "monod_x_plus_ys"
    assert {round(float(row[-1]), 8) for row in rows[1:]} == {2.1}
    assert float(rows[-1][1]) == pytest.approx(2.0 / (1 + math.exp(-30) * 19), rel=1e-9)


def test_batch_page_reports_invalid_values_on_their_fields(client):
    response = client.get(reverse("ecology:batch-growth"), {"t_end": "0", "x0": "abc"})
    html = response.content.decode()
    assert response.status_code == 422
    assert 'aria-describedby="id_t_end-error"' in html
    assert 'aria-describedby="id_x0-error"' in html
