"""Rail's share of the rail+air market against the rail journey time (no Django).

One public family: fit a logistic curve (:func:`fit_curve`), judge it by leave-one-out
(:func:`leave_one_out`), draw its uncertainty by bootstrap (:func:`bootstrap_curves`) and
predict a share with its band (:func:`predict_share`).
"""

from __future__ import annotations

from .errors import FitError, ParameterError
from .logistic import (
    SHARE_FLOOR,
    Curve,
    LeaveOneOut,
    bootstrap_curves,
    fit_curve,
    leave_one_out,
)
from .predict import BAND_LEVEL, SharePrediction, predict_share

__all__ = [
    "BAND_LEVEL",
    "SHARE_FLOOR",
    "Curve",
    "FitError",
    "LeaveOneOut",
    "ParameterError",
    "SharePrediction",
    "bootstrap_curves",
    "fit_curve",
    "leave_one_out",
    "predict_share",
]
