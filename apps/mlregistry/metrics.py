"""Business metrics of the model registry (labels: model name and version number, a small
set: a handful of models with a few versions each)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

#: Predictions answered, by outcome: ``ok``, ``invalid`` (refused input) or ``error``.
PREDICTIONS = Counter(
    "obrail_model_predictions",
    "Predictions served by the model registry, by model version and outcome.",
    labelnames=("model", "version", "outcome"),
)
#: Time spent computing a prediction (artefact already loaded), without HTTP.
PREDICT_SECONDS = Histogram(
    "obrail_model_predict_seconds",
    "Time spent computing one prediction, by model version.",
    labelnames=("model", "version"),
    buckets=(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1),
)
#: Artefacts refused at load (checksum mismatch, bad JSON, unknown format).
LOAD_FAILURES = Counter(
    "obrail_model_load_failures",
    "Model artefacts refused at load, by model.",
    labelnames=("model",),
)


def observe_prediction(*, model: str, version: int | str, outcome: str, seconds: float) -> None:
    """Record one prediction request."""
    PREDICTIONS.labels(model=model, version=str(version), outcome=outcome).inc()
    if outcome == "ok":
        PREDICT_SECONDS.labels(model=model, version=str(version)).observe(seconds)


def observe_load_failure(*, model: str) -> None:
    """Record one artefact refused at load."""
    LOAD_FAILURES.labels(model=model).inc()
