"""Server-side timing of the predict endpoint (through Django's full request handling,
middleware included, without the network), with varied valid inputs."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from django.test import Client
from rest_framework.settings import api_settings

from apps.mlregistry.serving import ModelUnavailable, serving_model


@dataclass(frozen=True)
class BenchResult:
    name: str
    version: int
    requests: int
    p50_ms: float
    p95_ms: float
    max_ms: float


def run_bench(name: str, *, requests: int) -> BenchResult:
    """Time ``requests`` predictions (LookupError when the model does not serve)."""
    try:
        loaded = serving_model(name)
    except ModelUnavailable as error:
        raise LookupError(f"{error}: train and promote a version first") from error
    client = Client(HTTP_HOST="localhost")
    rates = api_settings.DEFAULT_THROTTLE_RATES
    saved = rates.get("anon")
    # The bench measures serving, not the anonymous rate limit it would otherwise hit.
    rates["anon"] = None
    try:
        times = _time(client, name, requests)
    finally:
        rates["anon"] = saved
    values = np.array(times)
    return BenchResult(
        name, loaded.number, requests, float(np.percentile(values, 50)),
        float(np.percentile(values, 95)), float(values.max()),
    )  # fmt: skip


def _time(client: Client, name: str, requests: int) -> list[float]:
    rng = np.random.default_rng(0)
    times = []
    url = f"/api/models/{name}/predict"
    for i in range(requests + 5):
        params = {"rail_time_min": f"{rng.uniform(60, 480):.0f}"}
        if i % 2:
            params["air_passengers"] = str(int(rng.integers(0, 2_000_000)))
        started = time.perf_counter()
        response = client.get(url, params)
        elapsed = (time.perf_counter() - started) * 1000.0
        if response.status_code != 200:
            raise LookupError(f"{url} answered {response.status_code}: {response.content[:200]!r}")
        if i >= 5:  # warm-up
            times.append(elapsed)
    return times
