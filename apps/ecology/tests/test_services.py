"""Services: ORM rows to solver inputs, bounds, JSON shapes."""

from __future__ import annotations

import math

import pytest

from apps.ecology import services
from apps.ecology.models import Scenario
from apps.ecology.tests.factories import make_scenario
from obrail.errors import InvalidInput

pytestmark = pytest.mark.django_db


def test_parameters_copy_species_in_position_order_and_null_ki_means_monod():
    make_scenario(
        "ordered",
        species=[
            {"name": "first", "law": "haldane", "inhibition": 2.0},
            {"name": "second", "law": "monod", "yield_coefficient": 0.5},
        ],
    )
    params = services.get_parameters(slug="ordered")
    assert [sp.name for sp in params.species] == ["first", "second"]
    chemostat = services.chemostat_of(params)
    assert chemostat.species[0].law.Ki == 2.0
    assert chemostat.species[1].law.kind == "monod"
    assert chemostat.species[1].yield_ == 0.5


def test_every_course_scenario_can_be_analysed_and_simulated():
    for scenario in Scenario.objects.all():
        params = services.parameters_from_scenario(scenario)
        analysis = services.analyse(params)
        assert analysis.equilibria[0].is_washout
        series = services.simulate(params, horizon=min(params.horizon, 50.0), n_points=11)
        assert series.t.size == 11
        assert all(math.isfinite(v) for column in series.columns.values() for v in column)


def test_bioaugmentation_scenarios_match_their_prediction():
    stabilised = services.analyse(services.get_parameters(slug="bioaugmentation-stabilisation"))
    invaded = services.analyse(services.get_parameters(slug="bioaugmentation-invasion"))
    assert stabilised.bioaugmentation.outcome == "stabilisation"
    assert invaded.bioaugmentation.outcome == "invasion"
    series = services.simulate(services.get_parameters(slug="bioaugmentation-stabilisation"))
    assert series.columns["x1_alone"][-1] < 1e-6  # the red species alone washes out
    assert series.columns["x1"][-1] == pytest.approx(5.0 - stabilised.break_even[0].lower)


def test_haldane_versus_monod_scenarios_give_the_three_course_cases():
    winners = [
        services.competition(
            services.get_parameters(slug=f"haldane-monod-cas-{case}")
        ).possible_winners
        for case in (1, 2, 3)
    ]
    assert winners == [(1,), (0,), (0, 1)]


def test_auxostat_scenarios_amplify_noise_with_gains():
    low = services.simulate(services.get_parameters(slug="auxostat-k1"))
    high = services.simulate(services.get_parameters(slug="auxostat-k10"))
    late = low.t > 50
    assert low.columns["D_bar"][late].mean() == pytest.approx(0.4, rel=0.02)
    assert high.columns["D"][late].std() > 5 * low.columns["D"][late].std()


def test_solver_errors_become_invalid_input_keyed_by_parameter():
    params = services.inline_parameters(law="monod", mu_max=1.0, K=-1.0, s_in=5.0, D=0.5)
    with pytest.raises(InvalidInput) as caught:
        services.analyse(params)
    assert list(caught.value.errors) == ["K"]


def test_horizon_and_grid_are_bounded():
    params = services.inline_parameters(law="monod", mu_max=1.0, K=1.0, s_in=5.0, D=0.5)
    with pytest.raises(InvalidInput, match="t_end"):
        services.simulate(params, horizon=services.MAX_HORIZON_H * 2)
    with pytest.raises(InvalidInput, match="grid"):
        services.operating_diagram(params, grid=services.MAX_GRID + 1)


def test_complex_eigenvalues_are_shown_as_re_im_and_real_ones_as_numbers():
    assert services.complex_as_json(complex(-0.5, 0.0)) == -0.5
    assert services.complex_as_json(complex(-0.1, 0.3)) == {"re": -0.1, "im": 0.3}


def test_infinite_break_even_is_null_in_json():
    analysis = services.analyse(services.get_parameters(slug="monod"))
    assert services.analysis_as_json(analysis)["break_even"] == [{"lower": 1.0, "upper": None}]
