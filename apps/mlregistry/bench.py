"""Server-side timing of the predict endpoint (through Django's full request handling,
middleware and throttling included, without the network), with varied valid inputs, beside
the same timing of ``/api/models`` (a small read of the same API, the baseline of the run)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from django.test import Client
from rest_framework.settings import api_settings

from apps.mlregistry.serving import ModelUnavailable, serving_model

WARM_UP = 5


@dataclass(frozen=True)
class Timing:
    """p50, p95 and max of one endpoint, in milliseconds."""

    p50_ms: float
    p95_ms: float
    max_ms: float


@dataclass(frozen=True)
class BenchResult:
    name: str
    version: int
    requests: int
    predict: Timing
    baseline: Timing


def run_bench(name: str, *, requests: int) -> BenchResult:
    """Time ``requests`` predictions and baseline reads (LookupError when nothing serves)."""
    try:
        loaded = serving_model(name)
    except ModelUnavailable as error:
        raise LookupError(f"{error}: train and promote a version first") from error
    except LookupError as error:
        raise LookupError(
            f"no model {name!r} in the registry: run `manage.py train_model {name} --promote`"
        ) from error
    client = Client(HTTP_HOST="localhost")
    rng = np.random.default_rng(0)
    url = f"/api/models/{name}/predict"

    def predict_params(i: int) -> dict[str, str]:
        params = {"rail_time_min": f"{rng.uniform(60, 480):.0f}"}
        if i % 2:
            params["air_passengers"] = str(int(rng.integers(0, 2_000_000)))
        return params

    rates = api_settings.DEFAULT_THROTTLE_RATES
    saved = dict(rates)
    # The throttles still run (their cache writes are part of serving); only the anonymous
    # and per-user limits are raised so that the bench's own requests are not refused.
    rates.update({"anon": "1000000/minute", "user": "1000000/minute"})
    try:
        predict = _time(client, url, predict_params, requests)
        baseline = _time(client, "/api/models", lambda _i: {}, requests)
    finally:
        rates.clear()
        rates.update(saved)
    return BenchResult(name, loaded.number, requests, predict, baseline)


def _time(
    client: Client, url: str, params: Callable[[int], dict[str, str]], requests: int
) -> Timing:
    times = []
    for i in range(requests + WARM_UP):
        query = params(i)
        started = time.perf_counter()
        response = client.get(url, query)
        elapsed = (time.perf_counter() - started) * 1000.0
        if response.status_code != 200:
            raise LookupError(f"{url} answered {response.status_code}: {response.content[:200]!r}")
        if i >= WARM_UP:
            times.append(elapsed)
    values = np.array(times)
    return Timing(
        float(np.percentile(values, 50)), float(np.percentile(values, 95)), float(values.max())
    )
