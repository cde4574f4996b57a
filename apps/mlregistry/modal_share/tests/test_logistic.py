"""The modal-share curve: exact recovery, leave-one-out, bootstrap, bounds, no Django."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose

from apps.mlregistry.modal_share import (
    Curve,
    FitError,
    ParameterError,
    bootstrap_curves,
    fit_curve,
    leave_one_out,
    predict_share,
)

TIMES = np.array([90.0, 120.0, 150.0, 180.0, 240.0, 300.0, 360.0])
TRUE = Curve(intercept=3.0, slope_per_h=-0.75)


def test_fit_recovers_a_curve_from_its_own_points():
    curve = fit_curve(TIMES, TRUE.share(TIMES))
    assert_allclose([curve.intercept, curve.slope_per_h], [3.0, -0.75], rtol=1e-10)
    assert curve.half_share_min == pytest.approx(240.0)


def test_leave_one_out_of_exact_points_has_no_error_and_of_noisy_points_some():
    assert leave_one_out(TIMES, TRUE.share(TIMES)).max_abs_pp < 1e-8
    noisy = TRUE.share(TIMES) + np.array([0.05, -0.05, 0.04, -0.03, 0.05, -0.04, 0.03])
    loo = leave_one_out(TIMES, noisy)
    assert 1.0 < loo.mae_pp < 15.0
    assert loo.rmse_pp >= loo.mae_pp
    assert loo.max_abs_pp >= loo.rmse_pp


def test_leave_one_out_predicts_each_point_from_the_others():
    shares = TRUE.share(TIMES) + np.linspace(-0.03, 0.03, TIMES.size)
    loo = leave_one_out(TIMES, shares)
    keep = np.arange(TIMES.size) != 2
    assert loo.predicted[2] == pytest.approx(
        float(fit_curve(TIMES[keep], shares[keep]).share(150.0))
    )


def test_bootstrap_is_a_function_of_the_seed():
    shares = TRUE.share(TIMES) + 0.02 * np.sin(TIMES)
    first = bootstrap_curves(TIMES, shares, resamples=200, rng=np.random.default_rng(7))
    again = bootstrap_curves(TIMES, shares, resamples=200, rng=np.random.default_rng(7))
    other = bootstrap_curves(TIMES, shares, resamples=200, rng=np.random.default_rng(8))
    assert first.tobytes() == again.tobytes()
    assert first.tobytes() != other.tobytes()
    assert first.shape == (200, 2)


def test_the_band_holds_the_central_share_and_widens_outside_the_data():
    shares = TRUE.share(TIMES) + 0.03 * np.cos(TIMES)
    curve = fit_curve(TIMES, shares)
    resampled = bootstrap_curves(TIMES, shares, resamples=500, rng=np.random.default_rng(1))
    inside = predict_share(curve, resampled, 200.0, observed_range_min=(90.0, 360.0))
    outside = predict_share(curve, resampled, 600.0, observed_range_min=(90.0, 360.0))
    assert inside.low <= inside.share <= inside.high
    assert not inside.is_extrapolated
    assert outside.is_extrapolated
    assert (outside.high - outside.low) / max(outside.share, 1e-9) > (
        inside.high - inside.low
    ) / inside.share


@pytest.mark.parametrize(
    ("times", "shares", "error"),
    [
        ([100.0, 200.0], [0.5, 0.4], FitError),
        ([100.0, 100.0, 100.0], [0.5, 0.4, 0.6], FitError),
        ([100.0, -5.0, 200.0], [0.5, 0.4, 0.6], ParameterError),
        ([100.0, 150.0, 200.0], [0.5, 1.4, 0.6], ParameterError),
        ([100.0, 150.0], [0.5, 0.4, 0.6], ParameterError),
    ],
)
def test_refuses_what_cannot_be_fitted_naming_it(times, shares, error):
    with pytest.raises(error):
        fit_curve(np.array(times), np.array(shares))


def test_a_rail_time_that_is_not_positive_is_refused():
    with pytest.raises(ParameterError, match="rail_time_min"):
        predict_share(TRUE, np.array([[3.0, -0.75]]), 0.0, observed_range_min=(60.0, 300.0))


def test_the_package_imports_no_django_and_no_project_code():
    package = Path(__file__).resolve().parents[1]
    for path in package.rglob("*.py"):
        if "tests" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            for name in names:
                assert name.split(".")[0] in {"__future__", "dataclasses", "numpy"}, (path, name)
