"""A share with its bootstrap band, from a fitted curve and its resampled curves."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .errors import ParameterError
from .logistic import Curve

__all__ = ["BAND_LEVEL", "SharePrediction", "predict_share"]

#: The central share of the bootstrap curves the band holds (a 90 % band).
BAND_LEVEL = 0.90


@dataclass(frozen=True, slots=True)
class SharePrediction:
    """Rail's share (0-1) at a rail time, its band, and whether the time is outside the
    range of the observations (an extrapolation)."""

    rail_time_min: float
    share: float
    low: float
    high: float
    is_extrapolated: bool


def predict_share(
    curve: Curve,
    resampled: NDArray[np.float64],
    rail_time_min: float,
    *,
    observed_range_min: tuple[float, float],
) -> SharePrediction:
    """Rail's share at ``rail_time_min`` minutes with the band of the resampled curves.

    ``resampled`` is the (n, 2) output of :func:`bootstrap_curves`; the band is the
    central :data:`BAND_LEVEL` of their shares at that time.
    """
    if not np.isfinite(rail_time_min) or rail_time_min <= 0:
        raise ParameterError(f"rail_time_min must be a positive number, got {rail_time_min}")
    hours = rail_time_min / 60.0
    shares = 1.0 / (1.0 + np.exp(-(resampled[:, 0] + resampled[:, 1] * hours)))
    tail = (1.0 - BAND_LEVEL) / 2.0 * 100.0
    low, high = np.percentile(shares, [tail, 100.0 - tail])
    lowest, highest = observed_range_min
    return SharePrediction(
        rail_time_min=float(rail_time_min),
        share=float(curve.share(rail_time_min)),
        low=float(low),
        high=float(high),
        is_extrapolated=not lowest <= rail_time_min <= highest,
    )
