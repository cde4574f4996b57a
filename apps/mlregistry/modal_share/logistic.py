"""The logistic curve of rail's share of the rail+air market against the rail journey time.

``share(t) = 1 / (1 + exp(-(intercept + slope * t_h)))`` with ``t_h`` the fastest rail time
in hours. Fitted by ordinary least squares on the logit of the observed shares (the classic
form of the "share against journey time" curves of the high-speed rail literature); shares
are clipped to [``SHARE_FLOOR``, 1 - ``SHARE_FLOOR``] before the logit so that a published
0 % or 100 % stays finite.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .errors import FitError, ParameterError

__all__ = [
    "SHARE_FLOOR",
    "Curve",
    "LeaveOneOut",
    "bootstrap_curves",
    "fit_curve",
    "leave_one_out",
]

SHARE_FLOOR = 0.01


@dataclass(frozen=True, slots=True)
class Curve:
    """A fitted curve: intercept and slope (per hour) of the logit."""

    intercept: float
    slope_per_h: float

    def share(self, rail_time_min: float | NDArray[np.float64]) -> NDArray[np.float64]:
        """Rail's share (0-1) of the rail+air market at ``rail_time_min`` minutes."""
        hours = np.asarray(rail_time_min, dtype=np.float64) / 60.0
        return 1.0 / (1.0 + np.exp(-(self.intercept + self.slope_per_h * hours)))

    @property
    def half_share_min(self) -> float | None:
        """The rail time (minutes) at which rail and air share the market equally."""
        if self.slope_per_h == 0:
            return None
        return -self.intercept / self.slope_per_h * 60.0


def _validate(time_min: NDArray[np.float64], share: NDArray[np.float64]) -> None:
    if time_min.shape != share.shape or time_min.ndim != 1:
        raise ParameterError(
            f"rail_time_min and share must be 1-D of one length, got {time_min.shape} and "
            f"{share.shape}"
        )
    if time_min.size < 3:
        raise FitError(f"at least 3 observations are needed, got {time_min.size}")
    if not np.all(np.isfinite(time_min)) or np.any(time_min <= 0):
        raise ParameterError("every rail_time_min must be a positive number of minutes")
    if not np.all(np.isfinite(share)) or np.any((share < 0) | (share > 1)):
        raise ParameterError("every share must be between 0 and 1")
    if np.ptp(time_min) == 0:
        raise FitError("the observations have a single rail time: no slope can be fitted")


def _ols(hours: NDArray[np.float64], logit: NDArray[np.float64]) -> Curve:
    mean_h = hours.mean()
    centred = hours - mean_h
    slope = float((centred * (logit - logit.mean())).sum() / (centred * centred).sum())
    return Curve(intercept=float(logit.mean() - slope * mean_h), slope_per_h=slope)


def _logit(share: NDArray[np.float64]) -> NDArray[np.float64]:
    clipped = np.clip(share, SHARE_FLOOR, 1.0 - SHARE_FLOOR)
    return np.log(clipped / (1.0 - clipped))


def fit_curve(rail_time_min: NDArray[np.float64], share: NDArray[np.float64]) -> Curve:
    """Fit the curve to observations (minutes, shares 0-1).

    Raises
    ------
    ParameterError
        A time that is not positive, a share outside [0, 1], arrays of different shapes.
    FitError
        Fewer than 3 observations, or all at one rail time.
    """
    time_min = np.asarray(rail_time_min, dtype=np.float64)
    shares = np.asarray(share, dtype=np.float64)
    _validate(time_min, shares)
    return _ols(time_min / 60.0, _logit(shares))


@dataclass(frozen=True, slots=True)
class LeaveOneOut:
    """Each observation predicted by the curve fitted without it (shares 0-1)."""

    predicted: tuple[float, ...]
    observed: tuple[float, ...]

    @property
    def errors_pp(self) -> NDArray[np.float64]:
        """Predicted minus observed, in percentage points."""
        return (np.array(self.predicted) - np.array(self.observed)) * 100.0

    @property
    def mae_pp(self) -> float:
        """Mean absolute error, percentage points."""
        return float(np.abs(self.errors_pp).mean())

    @property
    def rmse_pp(self) -> float:
        """Root mean square error, percentage points."""
        return float(np.sqrt((self.errors_pp**2).mean()))

    @property
    def max_abs_pp(self) -> float:
        """The largest absolute error, percentage points."""
        return float(np.abs(self.errors_pp).max())


def leave_one_out(rail_time_min: NDArray[np.float64], share: NDArray[np.float64]) -> LeaveOneOut:
    """Fit without each observation in turn and predict it (needs 4 observations or more)."""
    time_min = np.asarray(rail_time_min, dtype=np.float64)
    shares = np.asarray(share, dtype=np.float64)
    _validate(time_min, shares)
    if time_min.size < 4:
        raise FitError(f"leave-one-out needs at least 4 observations, got {time_min.size}")
    predicted = []
    for i in range(time_min.size):
        keep = np.arange(time_min.size) != i
        curve = fit_curve(time_min[keep], shares[keep])
        predicted.append(float(curve.share(time_min[i])))
    return LeaveOneOut(tuple(predicted), tuple(float(s) for s in shares))


def bootstrap_curves(
    rail_time_min: NDArray[np.float64],
    share: NDArray[np.float64],
    *,
    resamples: int,
    rng: np.random.Generator,
) -> NDArray[np.float64]:
    """Curves fitted on ``resamples`` resamples (with replacement) of the observations.

    Returns an array of shape (resamples, 2): intercept and slope per hour. A resample whose
    observations share one rail time cannot be fitted; it is drawn again (from the same
    generator, so the result stays a function of the seed).
    """
    time_min = np.asarray(rail_time_min, dtype=np.float64)
    shares = np.asarray(share, dtype=np.float64)
    _validate(time_min, shares)
    if resamples < 1:
        raise ParameterError(f"resamples must be at least 1, got {resamples}")
    hours = time_min / 60.0
    logits = _logit(shares)
    out = np.empty((resamples, 2), dtype=np.float64)
    done = 0
    while done < resamples:
        index = rng.integers(0, time_min.size, size=time_min.size)
        if np.ptp(hours[index]) == 0:
            continue
        curve = _ols(hours[index], logits[index])
        out[done] = (curve.intercept, curve.slope_per_h)
        done += 1
    return out
